"""The answer in a terminal (rich): text with [n] markers, notices, numbered sources with their quotes.

Everything from sources or a model goes through `terminal_text` and into rich `Text` objects (never
rich markup), so escape sequences in corpus text are shown as visible symbols and `[x]` in a quote is
not taken for a style. Sentences verification rejected are hidden (the notice says how many were
removed) unless `show_rejected`, which lists them under a labelled block, never as answer text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.generation import prompts
from assistant.rendering.sanitize import terminal_text
from assistant.rendering.view import (
    AnswerView,
    SourceView,
    answer_view,
    byline,
    describe,
    identifier_links,
)
from assistant.types import Answer, AnswerSentence

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def _marks(view: AnswerView, sentence: AnswerSentence) -> str:
    return "".join(f"[{n}]" for n in view.marks(sentence))


def _sentence(view: AnswerView, sentence: AnswerSentence) -> Text:
    from rich.text import Text

    line = Text(terminal_text(sentence.text))
    marks = _marks(view, sentence)
    if marks:
        line.append(" " + marks, style="cyan")
    return line


def _source_lines(source_view: SourceView) -> list[Text]:
    from rich.text import Text

    source = source_view.source
    head = Text(f"[{source_view.n}] ", style="cyan")
    head.append(terminal_text(source.title), style="bold")
    lines = [head, Text("    " + terminal_text(" · ".join(byline(source) + describe(source))), style="dim")]
    links = identifier_links(source)
    if links:
        lines.append(Text("    " + "  ".join(f"{label}: {url}" for label, url in links), style="dim"))
    for citation in source_view.citations:
        quote = Text(f"    {terminal_text(citation.passage.section)}: ", style="italic")
        quote.append(f"“{terminal_text(citation.quote)}”")
        lines.append(quote)
    for reference in source_view.references:
        ids = " ".join(
            x
            for x in (
                f"PMID {reference.pmid}" if reference.pmid else "",
                f"DOI {reference.doi}" if reference.doi else "",
            )
            if x
        )
        lines.append(
            Text(
                f"    cites [{reference.number}] {terminal_text(reference.text)[:120]} {terminal_text(ids)}".rstrip(),
                style="dim",
            )
        )
        if reference.key_sentence:
            lines.append(
                Text(
                    f"      abstract {terminal_text(reference.abstract_id)}: “{terminal_text(reference.key_sentence)}”",
                    style="dim",
                )
            )
    return lines


def answer_lines(answer: Answer, *, show_rejected: bool = False) -> list[Text]:
    """The rendered answer as rich Text lines (printed by `print_answer`; tests read them)."""
    from rich.text import Text

    view = answer_view(answer)
    lines: list[Text] = []
    if answer.searched_query and answer.searched_query != answer.question:
        lines.append(Text(terminal_text(prompts.FOLLOW_UP_SEARCHED.format(query=answer.searched_query)), style="dim"))
    if answer.notice:
        note = Text("Note: ", style="yellow")
        note.append(terminal_text(answer.notice))
        lines.append(note)
    if answer.refused or not answer.sentences:
        lines.append(Text(terminal_text(answer.text)))
    else:
        if view.lead:
            lines.append(Text(terminal_text(view.lead), style="bold"))
        lines.extend(_sentence(view, sentence) for sentence in view.supported)
    shown = view.supported
    if show_rejected and view.rejected:
        lines.append(Text(""))
        lines.append(Text(prompts.REJECTED_HEADING + ":", style="bold red"))
        for sentence in view.rejected:
            line = Text("  - ")
            line.append_text(_sentence(view, sentence))
            lines.append(line)
        shown = answer.sentences
    sources = view.sources_for(shown) if not answer.refused else []
    if sources:
        lines.append(Text(""))
        lines.append(Text("Sources", style="bold"))
        for source_view in sources:
            lines.extend(_source_lines(source_view))
    if answer.disclaimer:
        lines.append(Text(""))
        lines.append(Text(terminal_text(answer.disclaimer), style="dim"))
    return lines


def print_answer(answer: Answer, *, show_rejected: bool = False, console: Console | None = None) -> None:
    """Print the answer to the terminal (stdout unless another console is given)."""
    from rich.console import Console

    console = console or Console(highlight=False, emoji=False)
    for line in answer_lines(answer, show_rejected=show_rejected):
        console.print(line, soft_wrap=True)
