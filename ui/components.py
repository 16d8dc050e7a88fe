"""Rendering helpers for the chat page: answers with linked [n] markers, source cards, index status.

Render only. Corpus and user text is always escaped before it reaches `st.markdown`, and nothing
here uses `unsafe_allow_html` on such text: the one raw block is the page's own static CSS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import streamlit as st

from assistant.generation import prompts
from assistant.types import Answer, Citation

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=^&])")

#: Static styling of our own elements (never corpus text): compact source headings, and the card a
#: clicked [n] marker jumps to is outlined so the eye lands on it.
PAGE_CSS = """
<style>
[class*="st-key-sources-"] h3 {font-size: 1.05rem; padding: 0.1rem 0 0.1rem 0; scroll-margin-top: 4rem;}
[class*="st-key-sources-"] h3:target {background: rgba(255, 165, 0, 0.22); border-radius: 0.3rem;}
</style>
"""


def escape_markdown(text: str) -> str:
    """Text shown literally by st.markdown: every Markdown/directive/LaTeX character backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def anchor_id(turn_id: str, n: int) -> str:
    """The HTML id of source card n of one turn (letters, digits and '-' only)."""
    return f"src-{re.sub(r'[^a-z0-9]', '', turn_id.lower())}-{int(n)}"


def _marker_links(numbers: list[int], turn_id: str) -> str:
    return "".join(f"[\\[{n}\\]](#{anchor_id(turn_id, n)})" for n in numbers)


def answer_markdown(answer: Answer, turn_id: str) -> str:
    """The answer as Markdown: escaped sentences, [n] markers linking to their source cards,
    unsupported sentences marked in red."""
    if answer.refused or not answer.sentences:
        return escape_markdown(answer.text)
    pieces = []
    for sentence in answer.sentences:
        text = escape_markdown(sentence.text)
        marks = _marker_links(sentence.citations, turn_id)
        if sentence.supported:
            pieces.append(f"{text} {marks}".strip())
        else:
            pieces.append(f":red[{text}] {marks} :red-badge[not supported by the cited source]".strip())
    return " ".join(pieces)


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
    return f"{escape_markdown(passage[:start])}:orange-background[{escape_markdown(quote)}]{escape_markdown(passage[end:])}"


def _links_markdown(links: Mapping[str, str]) -> str:
    safe = {name: url for name, url in links.items() if url.startswith(("https://", "http://")) and not re.search(r"[\s<>]", url)}
    return " · ".join(f"[{escape_markdown(name)}](<{url}>)" for name, url in safe.items())


def render_source_card(citation: Citation, turn_id: str) -> None:
    """One numbered source: heading (the [n] markers' target), metadata, links, passage, cited references."""
    source = citation.passage.source
    with st.container(border=True):
        # the anchor sits on a real heading, so an [n] marker link scrolls to this card
        st.subheader(f"\\[{citation.n}\\] {escape_markdown(source.title)}", anchor=anchor_id(turn_id, citation.n))
        meta = [source.kind.label.capitalize(), citation.passage.section]
        if source.evidence:
            meta.append(f"evidence: {source.evidence}")
        if source.msc_source and source.msc_source.lower() != "none":
            meta.append(f"MSC source: {source.msc_source}")
        if source.year:
            meta.append(str(source.year))
        st.caption(" · ".join(escape_markdown(part) for part in meta))
        links = _links_markdown(source.links)
        if links:
            st.markdown(links)
        st.markdown(highlighted_passage(citation))
        if citation.references:
            lines = ["**Cites from the review's reference list:**"]
            for reference in citation.references:
                ids = []
                if reference.pmid:
                    ids.append(f"[PMID {escape_markdown(reference.pmid)}](<https://pubmed.ncbi.nlm.nih.gov/{reference.pmid}/>)")
                if reference.doi and not re.search(r"[\s<>]", reference.doi):
                    ids.append(f"[DOI {escape_markdown(reference.doi)}](<https://doi.org/{reference.doi}>)")
                lines.append(f"- \\[{reference.number}\\] {escape_markdown(reference.text)} {' · '.join(ids)}".rstrip())
            st.markdown("\n".join(lines))


def render_sources(answer: Answer, turn_id: str) -> None:
    """The sources panel under an answer; each card is reachable from its [n] markers."""
    if not answer.citations:
        return
    with st.container(key=f"sources-{turn_id}"):
        st.markdown(f"**Sources** ({len(answer.citations)})")
        for citation in answer.citations:
            render_source_card(citation, turn_id)


def render_answer(answer: Answer, turn_id: str) -> None:
    """A finished answer: notices, the searched query, the cited text and its sources."""
    if answer.notice:
        st.info(escape_markdown(answer.notice), icon="ℹ️")
    if answer.searched_query and answer.searched_query != answer.question:
        st.caption(escape_markdown(prompts.FOLLOW_UP_SEARCHED.format(query=answer.searched_query)))
    st.markdown(answer_markdown(answer, turn_id))
    if answer.unsupported_count:
        st.warning(f"{answer.unsupported_count} sentence(s) are not supported by the cited sources.", icon="⚠️")
    render_sources(answer, turn_id)


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
        f"- **Corpus:** `{status.get('corpus_dir', '?')}`",
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
