"""The answer and the conversation as a Markdown file (the chat's "Download Markdown").

Escaped for any CommonMark/GFM renderer: corpus and model text cannot make links, images, HTML or
autolinks (`escape_markdown_export`); the only links are to identifier resolvers or a source's own
http(s) URL (`markdown_link`). Numbers follow `view.answer_view`: one per source, with every passage
quoted from that source listed under it, exactly as the chat UI and the terminal show them.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.generation import prompts
from assistant.rendering.sanitize import escape_markdown_export as esc
from assistant.rendering.sanitize import markdown_link
from assistant.rendering.studies import studies_markdown
from assistant.rendering.view import (
    AnswerView,
    SourceView,
    answer_view,
    byline,
    describe,
    identifier_links,
    reference_links,
)
from assistant.types import Answer, AnswerSentence, Source


def _sentence(view: AnswerView, sentence: AnswerSentence) -> str:
    marks = "".join(f"[{n}]" for n in view.marks(sentence))
    return f"{esc(sentence.text)} {marks}".strip()


def answer_text_markdown(answer: Answer) -> str:
    """The answer's supported sentences with their [n] markers, escaped (or the refusal)."""
    view = answer_view(answer)
    if answer.refused or not answer.sentences:
        return esc(answer.text)
    return " ".join([esc(view.lead)] * bool(view.lead) + [_sentence(view, sentence) for sentence in view.supported])


def _links(source: Source) -> str:
    return " · ".join(markdown_link(label, url) for label, url in identifier_links(source))


def _source_block(source_view: SourceView, reference_number: int) -> list[str]:
    source = source_view.source
    facts = "; ".join(esc(part) for part in (", ".join(byline(source)), ", ".join(describe(source))) if part)
    lines = [f"- **[{source_view.n}]** {esc(source.title)} ({facts}); reference {reference_number}"]
    for citation in source_view.citations:
        lines.append(f"  > {esc(citation.passage.section)}: “{esc(citation.quote)}”")
        lines.append("  >")
    if lines[-1] == "  >":
        lines.pop()
    for reference in source_view.references:
        ids = ", ".join(markdown_link(label, url) for label, url in reference_links(reference))
        lines.append(f"  - cites [{reference.number}] {esc(reference.text)}" + (f" ({ids})" if ids else ""))
        if reference.abstract_id and reference.key_sentence:
            lines.append(
                f"    - abstract in the corpus ({esc(reference.abstract_id)}): “{esc(reference.key_sentence)}”"
            )
    return lines


def reference_line(source: Source) -> str:
    """One bibliography entry: authors (year). Title. Journal. Identifier links."""
    authors = ", ".join(source.authors[:3]) + (" et al." if len(source.authors) > 3 else "")
    year = f"({source.year})" if source.year else ""
    if authors:
        parts = [f"{authors} {year}".strip(), source.title, source.journal]
    else:
        parts = [f"{source.title} {year}".strip(), source.journal]
    parts = [part for part in parts if part]
    text = ". ".join(esc(part).rstrip(".") for part in parts) + "."
    return f"{text} {_links(source)}".strip()


def conversation_markdown(answers: Sequence[Answer], *, title: str, exported_at: str) -> str:
    """Each question with its cited answer, rejected sentences (labelled), evidence table and sources;
    then one reference list for the whole conversation."""
    references: dict[str, int] = {}
    sources: list[Source] = []
    lines = [f"# {esc(title)}", "", f"_Exported {esc(exported_at)}. {esc(prompts.DISCLAIMER)}_", ""]
    for number, answer in enumerate(answers, 1):
        view = answer_view(answer)
        lines += [f"## {number}. {esc(answer.question)}", ""]
        if answer.searched_query and answer.searched_query != answer.question:
            lines += [f"_{esc(prompts.FOLLOW_UP_SEARCHED.format(query=answer.searched_query))}_", ""]
        if answer.notice:
            lines += [f"> **Note:** {esc(answer.notice)}", ""]
        lines += [answer_text_markdown(answer), ""]
        if view.rejected and not answer.refused:
            lines += [f"**{esc(prompts.REJECTED_HEADING)}:**", ""]
            lines += [f"- ~~{_sentence(view, sentence)}~~" for sentence in view.rejected]
            lines.append("")
        table = studies_markdown(answer)
        if table:
            lines += [table, ""]
        if view.sources and not answer.refused:
            lines += ["**Sources**", ""]
            for source_view in view.sources:
                source = source_view.source
                if source.id not in references:
                    references[source.id] = len(references) + 1
                    sources.append(source)
                lines += _source_block(source_view, references[source.id])
            lines.append("")
    if sources:
        lines += ["## References", ""]
        lines += [f"{i}. {reference_line(source)}" for i, source in enumerate(sources, 1)]
        lines.append("")
    return "\n".join(lines)
