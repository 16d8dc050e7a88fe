"""The shared vocabulary every layer speaks: sources, documents, chunks, passages and answers.

Plain dataclasses with no heavy imports, so scripts, the CLI and the UI can use them cheaply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class SourceKind(str, Enum):
    """What sort of document a source is; filters and the UI speak in these values."""

    REVIEW = "review"
    STUDY_DIGEST = "study_digest"
    ABSTRACT = "abstract"

    @property
    def label(self) -> str:
        return {
            SourceKind.REVIEW: "review section",
            SourceKind.STUDY_DIGEST: "study digest",
            SourceKind.ABSTRACT: "abstract",
        }[self]


@dataclass(frozen=True)
class Reference:
    """One entry of a review's numbered reference list, as cited by in-text markers like [12]."""

    number: int
    text: str
    doi: str = ""
    pmid: str = ""
    #: source id of the ingested abstract (or digest entry) of the cited study, when there is one
    abstract_id: str = ""
    #: the sentence of that abstract closest to the citing passage (filled in at answer time)
    key_sentence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Source:
    """One document's identity and bibliographic facts."""

    id: str
    kind: SourceKind
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    trial_id: str = ""
    evidence: str = ""
    msc_source: str = ""
    licence: str = ""
    url: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def links(self) -> dict[str, str]:
        """Resolvable links for the identifiers this source carries."""
        links: dict[str, str] = {}
        if self.doi:
            links["DOI"] = f"https://doi.org/{self.doi}"
        if self.pmid:
            links["PMID"] = f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.pmcid:
            links["PMCID"] = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.pmcid}/"
        if self.trial_id:
            links["Trial"] = f"https://clinicaltrials.gov/study/{self.trial_id}"
        if self.url and not links:
            links["URL"] = self.url
        return links

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["authors"] = list(self.authors)
        data["extra"] = dict(self.extra)
        data["links"] = self.links
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        data = dict(data)
        data.pop("links", None)
        data["kind"] = SourceKind(data["kind"])
        data["authors"] = tuple(data.get("authors") or ())
        data["extra"] = tuple(sorted((data.get("extra") or {}).items()))
        return cls(**data)


@dataclass(frozen=True)
class Section:
    """A named stretch of a document's text (Abstract, Core Tip, Finding...)."""

    name: str
    text: str


@dataclass(frozen=True)
class Document:
    """A source plus its sections of text, as produced by every loader."""

    source: Source
    sections: tuple[Section, ...]
    references: tuple[Reference, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(section.text for section in self.sections)


@dataclass(frozen=True)
class Chunk:
    """A token-bounded span of one section; offsets index into that section's text."""

    id: str
    source_id: str
    section: str
    start: int
    end: int
    text: str
    tokens: int = 0
    ref_numbers: tuple[int, ...] = ()


@dataclass
class Passage:
    """A retrieved chunk with the scores that ranked it and the source it came from."""

    chunk: Chunk
    source: Source
    score: float = 0.0
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def section(self) -> str:
        return self.chunk.section

    @property
    def start(self) -> int:
        return self.chunk.start

    @property
    def end(self) -> int:
        return self.chunk.end

    @property
    def source_id(self) -> str:
        return self.chunk.source_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk.id,
            "source_id": self.chunk.source_id,
            "section": self.chunk.section,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "text": self.chunk.text,
            "score": self.score,
            "dense_score": self.dense_score,
            "lexical_score": self.lexical_score,
            "rank": self.rank,
            "source": self.source.to_dict(),
        }


@dataclass
class Citation:
    """A numbered source of an answer: the passage and the exact span quoted from it."""

    n: int
    passage: Passage
    quote: str
    references: list[Reference] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        source = self.passage.source
        return {
            "n": self.n,
            "source_id": source.id,
            "title": source.title,
            "kind": source.kind.value,
            "section": self.passage.section,
            "quote": self.quote,
            "start": self.passage.start,
            "end": self.passage.end,
            "passage": self.passage.text,
            "year": source.year,
            "evidence": source.evidence,
            "links": source.links,
            "references": [reference.to_dict() for reference in self.references],
        }


@dataclass
class AnswerSentence:
    """One sentence of an answer, the citation numbers it carries, and whether they support it."""

    text: str
    citations: list[int]
    supported: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "supported": self.supported}


@dataclass
class Answer:
    """What the assistant returns for one question."""

    question: str
    text: str
    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    backend: str = "extractive"
    notice: str | None = None
    searched_query: str = ""
    disclaimer: str | None = None
    passages: list[Passage] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def unsupported_count(self) -> int:
        return sum(1 for sentence in self.sentences if not sentence.supported)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [citation.to_dict() for citation in self.citations],
            "sentences": [sentence.to_dict() for sentence in self.sentences],
            "backend": self.backend,
            "notice": self.notice,
            "searched_query": self.searched_query,
            "disclaimer": self.disclaimer,
            "timings": {name: round(value, 2) for name, value in self.timings.items()},
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, as history for follow-up questions."""

    question: str
    answer: str = ""
    searched_query: str = ""
