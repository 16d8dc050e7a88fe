"""What every answer renderer shows, computed once: sources grouped by number, bylines, safe links.

Numbering rule (issue #14 item 23): one number per source. A source quoted through several passages
(e.g. a review's Abstract and its Core Tip) is one numbered source with several quoted passages. The
chain gives every citation of one source the same `n`; `answer_view` groups citations by source and
maps each marker to its source's number, so the terminal, the Markdown export and the chat UI show the
same numbers even for an answer numbered per passage (an older saved answer, or a custom chain).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.generation import prompts
from assistant.types import (
    Answer,
    AnswerSentence,
    Citation,
    Reference,
    Source,
    SourceKind,
)
from assistant.urls import is_resolver_url, safe_http_url


@dataclass(frozen=True)
class SourceView:
    """One numbered source of an answer and the passages quoted from it (first appearance order)."""

    n: int
    source: Source
    citations: tuple[Citation, ...]

    @property
    def references(self) -> list[Reference]:
        """The review references cited by any quoted passage, each once, in order of number."""
        seen: dict[int, Reference] = {}
        for citation in self.citations:
            for reference in citation.references:
                seen.setdefault(reference.number, reference)
        return [seen[number] for number in sorted(seen)]


@dataclass
class AnswerView:
    """An answer ready to render: shown sentences, rejected sentences and numbered sources."""

    answer: Answer
    sources: list[SourceView] = field(default_factory=list)
    #: citation number as stored in the answer -> the number shown (its source's number)
    numbers: dict[int, int] = field(default_factory=dict)

    def marks(self, sentence: AnswerSentence) -> list[int]:
        """The shown numbers of a sentence's citations, each once, in order."""
        shown: list[int] = []
        for n in sentence.citations:
            number = self.numbers.get(n)
            if number is not None and number not in shown:
                shown.append(number)
        return shown

    @property
    def lead(self) -> str:
        """Fixed text that opens an answer before its cited sentences (e.g. the personal-advice note)."""
        lead = self.answer.lead
        if not lead and self.answer.text.startswith(prompts.PERSONAL_ADVICE_NOTE):
            lead = prompts.PERSONAL_ADVICE_NOTE
        return lead

    @property
    def supported(self) -> list[AnswerSentence]:
        return [s for s in self.answer.sentences if s.supported]

    @property
    def rejected(self) -> list[AnswerSentence]:
        return [s for s in self.answer.sentences if not s.supported]

    def sources_for(self, sentences: list[AnswerSentence]) -> list[SourceView]:
        """The sources the given sentences cite (all sources when no sentence lists any)."""
        wanted = {number for sentence in sentences for number in self.marks(sentence)}
        return [view for view in self.sources if view.n in wanted] if wanted else list(self.sources)


def answer_view(answer: Answer) -> AnswerView:
    """Group the answer's citations by source, numbered by first appearance."""
    by_source: dict[str, list[Citation]] = {}
    for citation in answer.citations:
        by_source.setdefault(citation.passage.source.id, []).append(citation)
    view = AnswerView(answer)
    for number, (_, citations) in enumerate(by_source.items(), 1):
        view.sources.append(SourceView(number, citations[0].passage.source, tuple(citations)))
        for citation in citations:
            view.numbers[citation.n] = number
    return view


def first_author(source: Source) -> str:
    """'Rezaei F et al.', 'Rezaei F', or '' (no authors recorded)."""
    if not source.authors:
        return ""
    return source.authors[0] + (" et al." if len(source.authors) > 1 else "")


def byline(source: Source) -> list[str]:
    """First author, year and journal, those that are known (raw text: each renderer escapes)."""
    return [part for part in (first_author(source), str(source.year or ""), source.journal) if part]


def describe(source: Source) -> list[str]:
    """Kind, evidence and MSC source, those that are known (raw text)."""
    parts = [source.kind.label]
    if source.evidence and source.evidence != "review":
        parts.append(f"evidence: {source.evidence.replace('-', ' ')}")
    if source.msc_source and source.msc_source.lower() != "none":
        parts.append(f"MSC source: {source.msc_source}")
    return parts


_IDENTIFIER = {"DOI": "doi", "PMID": "pmid", "PMCID": "pmcid", "Trial": "trial_id"}


def identifier_links(source: Source) -> list[tuple[str, str]]:
    """(label, url) for each identifier link to a known resolver, or the source's own http(s) URL."""
    links = []
    for name, url in source.links.items():
        if name in _IDENTIFIER and is_resolver_url(url):
            links.append((f"{name} {getattr(source, _IDENTIFIER[name])}", url))
        elif name == "URL" and safe_http_url(url):
            links.append(("Web page", url))
    return links


def reference_links(reference: Reference) -> list[tuple[str, str]]:
    """(label, url) for a cited reference's PMID and DOI."""
    return identifier_links(Source(id="", kind=SourceKind.ABSTRACT, title="", doi=reference.doi, pmid=reference.pmid))
