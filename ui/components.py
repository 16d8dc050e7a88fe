"""Streamlit rendering of answers: linked [n] markers, one card per source, rejected sentences, studies.

Render only, over the shared answer view (`assistant.rendering.view`: one number per source, bylines,
safe identifier links) and its sanitisers, so the chat shows what the export and the terminal show.
Corpus, model and user text always goes through `escape_markdown` before `st.markdown`; links are
made only by `markdown_link` (http(s) only); `unsafe_allow_html` is never used on such text (the one
raw block is the page's own static CSS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import streamlit as st

from assistant.generation import prompts
from assistant.guide import SourceGuide
from assistant.rendering.sanitize import escape_markdown, markdown_link
from assistant.rendering.studies import columns_of, study_link, study_rows
from assistant.rendering.view import (
    AnswerView,
    SourceView,
    answer_view,
    byline,
    describe,
    identifier_links,
    reference_links,
)
from assistant.types import Answer, AnswerSentence, Citation, SourceKind
from assistant.urls import safe_http_url

__all__ = [
    "PAGE_CSS",
    "anchor_id",
    "answer_markdown",
    "describe_filters",
    "escape_markdown",
    "highlighted_passage",
    "render_answer",
    "render_index_status",
    "render_source_card",
    "render_source_guide",
]

#: Static styling of our own elements (never corpus text): compact source headings, and the card a
#: clicked [n] marker jumps to is outlined so the eye lands on it.
PAGE_CSS = """
<style>
[class*="st-key-sources-"] h3 {font-size: 1.05rem; padding: 0.1rem 0 0.1rem 0; scroll-margin-top: 4rem;}
[class*="st-key-sources-"] h3:target {background: rgba(255, 165, 0, 0.22); border-radius: 0.3rem;}
</style>
"""


def _link(label: str, url: str) -> str:
    return markdown_link(label, url, escape=escape_markdown)


def anchor_id(turn_id: str, n: int) -> str:
    """The HTML id of source card n of one turn (letters, digits and '-' only)."""
    return f"src-{re.sub(r'[^a-z0-9]', '', turn_id.lower())}-{int(n)}"


def _marker_links(numbers: list[int], turn_id: str) -> str:
    return "".join(f"[\\[{n}\\]](#{anchor_id(turn_id, n)})" for n in numbers)


def _sentence_markdown(view: AnswerView, sentence: AnswerSentence, turn_id: str) -> str:
    return f"{escape_markdown(sentence.text)} {_marker_links(view.marks(sentence), turn_id)}".strip()


def answer_markdown(answer: Answer | AnswerView, turn_id: str) -> str:
    """The answer as Markdown: the lead, then the supported sentences with [n] markers linking to
    their source cards (rejected sentences are listed apart, by `render_rejected`)."""
    view = answer if isinstance(answer, AnswerView) else answer_view(answer)
    answer = view.answer
    if answer.refused or not answer.sentences:
        return escape_markdown(answer.text)
    pieces = [f"**{escape_markdown(view.lead)}**"] if view.lead else []
    pieces += [_sentence_markdown(view, sentence, turn_id) for sentence in view.supported]
    return " ".join(pieces)


def render_rejected(view: AnswerView, turn_id: str) -> None:
    """Sentences verification rejected, under a labelled, collapsed block (never as answer text)."""
    if not view.rejected or view.answer.refused:
        return
    with st.expander(f"{prompts.REJECTED_HEADING} ({len(view.rejected)})", icon=":material/block:"):
        for sentence in view.rejected:
            st.markdown(f":red[{escape_markdown(sentence.text)}] {_marker_links(view.marks(sentence), turn_id)}")


def _quote_span(passage: str, quote: str) -> tuple[int, int] | None:
    """Where the quote sits in the passage, tolerating differences in white space."""
    at = passage.find(quote)
    if at >= 0 and quote:
        return at, at + len(quote)
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), passage)
    return (match.start(), match.end()) if match else None


def highlighted_passage(citation: Citation) -> str:
    """The passage as Markdown with the cited sentence(s) on an orange background."""
    passage = citation.passage.text
    span = _quote_span(passage, citation.quote)
    if span is None:
        return escape_markdown(passage)
    start, end = span
    quote = " ".join(passage[start:end].split())
    return f"{escape_markdown(passage[:start])} :orange-background[{escape_markdown(quote)}] {escape_markdown(passage[end:])}".strip()


def source_caption(source_view: SourceView) -> str:
    """First author, year, journal, kind and evidence, escaped, for the card's caption."""
    source = source_view.source
    return " · ".join(escape_markdown(part) for part in byline(source) + describe(source))


def render_source_card(source_view: SourceView, turn_id: str) -> None:
    """One numbered source: heading (the [n] markers' target), byline, identifier links, every quoted
    passage with its cited sentence highlighted, and the review references those passages cite."""
    source = source_view.source
    with st.container(border=True, key=f"card-{anchor_id(turn_id, source_view.n)}"):
        # the anchor sits on a real heading, so an [n] marker link scrolls to this card
        st.subheader(f"\\[{source_view.n}\\] {escape_markdown(source.title)}", anchor=anchor_id(turn_id, source_view.n))
        st.caption(source_caption(source_view))
        links = " · ".join(_link(label, url) for label, url in identifier_links(source))
        if links:
            st.markdown(links)
        for citation in source_view.citations:
            section = escape_markdown(citation.passage.section)
            st.markdown(f"**{section}** — {highlighted_passage(citation)}")
        if source_view.references:
            lines = ["**Cites from the review's reference list:**"]
            for reference in source_view.references:
                ids = " · ".join(_link(label, url) for label, url in reference_links(reference))
                lines.append(f"- \\[{reference.number}\\] {escape_markdown(reference.text)} {ids}".rstrip())
                if reference.abstract_id and reference.key_sentence:  # the cited study's abstract is indexed
                    lines.append(
                        f"    - abstract in the corpus ({escape_markdown(reference.abstract_id)}): "
                        f"“{escape_markdown(reference.key_sentence)}”"
                    )
            st.markdown("\n".join(lines))


def render_sources(view: AnswerView, turn_id: str) -> None:
    """The sources panel under an answer; each card is reachable from its [n] markers."""
    if not view.sources or view.answer.refused:
        return
    with st.container(key=f"sources-{turn_id}"):
        st.markdown(f"**Sources** ({len(view.sources)})")
        for source_view in view.sources:
            render_source_card(source_view, turn_id)


def render_studies(answer: Answer) -> None:
    """The evidence table (one row per cited study) under the answer, when the answer has one."""
    rows = study_rows(answer)
    columns = columns_of(rows)
    if not rows or not columns:
        return
    table: list[dict[str, Any]] = []
    for row in rows:
        cells = {heading: " ".join(str(row.get(key) or "").split()) for key, heading in columns}
        cells["Link"] = safe_http_url(study_link(row)) or None
        table.append(cells)
    st.markdown("**Studies cited**")
    # a dataframe shows cell text as plain text (no Markdown, no HTML); links only as http(s) link cells
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")},
    )


def render_answer(answer: Answer, turn_id: str) -> None:
    """A finished answer: notices, the searched query, the cited text, studies and the sources."""
    view = answer_view(answer)
    if answer.notice:
        st.info(escape_markdown(answer.notice), icon="ℹ️")
    if answer.searched_query and answer.searched_query != answer.question:
        st.caption(escape_markdown(prompts.FOLLOW_UP_SEARCHED.format(query=answer.searched_query)))
    st.markdown(answer_markdown(view, turn_id))
    render_rejected(view, turn_id)
    render_studies(answer)
    render_sources(view, turn_id)


def describe_filters(filters: Mapping[str, Any]) -> str:
    """Active filters in words: 'evidence: clinical case series or preclinical mouse; years 2019–2023'."""

    def words(key: str, value: Any) -> str:
        if key == "kind":
            try:
                return SourceKind(value).label
            except ValueError:
                return str(value)
        return str(value).replace("-", " ") if key == "evidence" else str(value)

    parts = []
    year_min, year_max = filters.get("year_min"), filters.get("year_max")
    for key, value in filters.items():
        if key in ("year_min", "year_max"):
            continue
        values = value if isinstance(value, (list, tuple, set)) else [value]
        name = {"kind": "source kind", "msc_source": "MSC source"}.get(key, key.replace("_", " "))
        parts.append(f"{name}: {' or '.join(words(key, v) for v in values)}")
    if year_min and year_max:
        parts.append(f"years {year_min}–{year_max}")
    elif year_min:
        parts.append(f"from {year_min}")
    elif year_max:
        parts.append(f"up to {year_max}")
    return "; ".join(parts)


def render_index_status(status: Mapping[str, object]) -> None:
    """Index facts for the sidebar: documents, chunks, when and from which settings it was built."""
    if not status.get("exists"):
        st.warning(f"No index yet ({escape_markdown(str(status.get('reason', '')))}).")
        return
    fingerprint = status.get("settings_fingerprint") or {}
    lines = [
        f"- **Documents:** {status.get('documents')}",
        f"- **Chunks:** {status.get('chunks')}",
        f"- **Built:** {escape_markdown(str(status.get('built_at', '?')))}",
        f"- **Corpus:** {escape_markdown(str(status.get('corpus_dir', '?')))}",
        f"- **Store:** {escape_markdown(str(status.get('store', '?')))}",
    ]
    if isinstance(fingerprint, Mapping):
        lines.append(
            f"- **Embedding:** {escape_markdown(str(fingerprint.get('embedding_model', '?')))}, "
            f"chunks ≤ {fingerprint.get('chunk_max_tokens', '?')} tokens"
        )
    st.markdown("\n".join(lines))
    if status.get("stale"):
        st.warning(f"The index is out of date: {escape_markdown(str(status.get('reason')))}. Rebuild it.")
    failure = status.get("last_failure")
    if isinstance(failure, Mapping):
        st.warning(
            f"The last build failed ({escape_markdown(str(failure.get('error', '')))}); answers come from "
            f"the build above."
        )


def render_source_guide(guide: SourceGuide) -> None:
    """The welcome screen's source guide: what is indexed, what is not, and the command that adds it."""
    with st.container(border=True, key="source-guide"):
        st.markdown(f"**{escape_markdown(prompts.GUIDE_HEADING)}**")
        sentences = [guide.indexed_sentence(), guide.evidence_sentence(), guide.missing_sentence()]
        st.markdown("\n".join(f"- {escape_markdown(sentence)}" for sentence in sentences if sentence))
        if guide.add_command:
            st.caption(escape_markdown(guide.add_label))
            st.code(guide.add_command, language="bash")  # a code block shows it verbatim, with a copy button
