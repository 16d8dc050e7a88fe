"""The shared vocabulary every layer speaks: sources, documents, chunks, passages and answers.

Plain dataclasses with no heavy imports, so scripts, the CLI and the UI can use them cheaply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from assistant.urls import identifier_path, safe_http_url


class SourceKind(str, Enum):
    """What sort of document a source is; filters and the UI speak in these values."""

    REVIEW = "review"
    STUDY_DIGEST = "study_digest"
    ABSTRACT = "abstract"
    #: a user's own note (Markdown without a DOI or reference list of its own)
    NOTE = "note"
    #: any other added document (`corpus add --kind document`)
    DOCUMENT = "document"
    #: the index's glossary of abbreviations (curated for the corpus, plus definitions found in its
    #: texts): cited only for what an abbreviation stands for, never indexed as a document
    GLOSSARY = "glossary"

    @property
    def is_study(self) -> bool:
        """Whether a source of this kind describes one study (its record lines speak for that study)."""
        return self in (SourceKind.STUDY_DIGEST, SourceKind.ABSTRACT)

    @property
    def label(self) -> str:
        return {
            SourceKind.REVIEW: "review section",
            SourceKind.STUDY_DIGEST: "study digest",
            SourceKind.ABSTRACT: "abstract",
            SourceKind.NOTE: "note",
            SourceKind.DOCUMENT: "document",
            SourceKind.GLOSSARY: "glossary",
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
        """Resolvable links for the identifiers this source carries (https to known resolvers), or the
        source's own URL when it has no identifier and the URL is plain http(s) (corpus text is
        untrusted: a `javascript:` URL from a meta tag never becomes a link)."""
        links: dict[str, str] = {}
        if self.doi:
            links["DOI"] = f"https://doi.org/{identifier_path(self.doi)}"
        if self.pmid.isdigit():
            links["PMID"] = f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.pmcid:
            links["PMCID"] = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{identifier_path(self.pmcid)}/"
        if self.trial_id:
            links["Trial"] = f"https://clinicaltrials.gov/study/{identifier_path(self.trial_id)}"
        if not links and safe_http_url(self.url):
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


def source_context(source: Source, section: str) -> str:
    """What a passage is, besides its text: title, kind, section and bibliographic fields.

    Questions often name these rather than the text ("Who funded the review?" -> section Funding,
    kind review; "the 2019 Cell J study" -> year, journal), so they count as evidence for coverage.
    """
    fields = [
        source.title,
        source.kind.label,
        section,
        f"journal {source.journal}" if source.journal else "",
        str(source.year or ""),
        " ".join(source.authors),
        source.trial_id,
        source.doi,
        source.pmid,
        source.pmcid,
        source.msc_source,
        source.evidence,
        source.licence,
    ]
    fields.extend(f"{key.replace('_', ' ')} {value}" for key, value in source.extra)
    return " ".join(f for f in fields if f)


@dataclass(frozen=True)
class Section:
    """A named stretch of a document's text (Abstract, Core Tip, Finding...)."""

    name: str
    text: str


#: section names loaders give an article's front-matter lines (assistant/ingest/review_text.py and alike),
#: in the order a loader lists them: lines about the article itself (authors, funding, dates,
#: licence...), not about its topic
FRONT_MATTER_NAMES = (
    "Article information",
    "Authors",
    "Affiliations",
    "Author contributions",
    "Funding",
    "Conflict of interest",
    "Licence",
    "License",
    "Corresponding author",
    "Dates",
    "Citation",
    "Copyright",
    "Front matter",
)
FRONT_MATTER_SECTIONS = frozenset(name.lower() for name in FRONT_MATTER_NAMES)


def is_front_matter_section(section: str) -> bool:
    """Whether a section holds front matter (see FRONT_MATTER_SECTIONS)."""
    return section.strip().lower() in FRONT_MATTER_SECTIONS


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


@dataclass(frozen=True)
class EvidenceSentence:
    """One sentence of a passage, as evidence: its text, its span in the chunk text and its vector.

    `start`/`end` index into `Passage.text` (the chunk's text), so `passage.text[start:end] == text`.
    `vector` is the sentence's unit-length embedding from the index (None when the index stored no
    sentence vectors, e.g. a retrieval-benchmark build). `id` names the sentence within its index, so
    the same sentence seen through two overlapping passages is recognised as one; -1 when unindexed.
    """

    text: str
    start: int
    end: int
    vector: Any = field(default=None, compare=False, repr=False)
    id: int = -1


@dataclass
class Passage:
    """A retrieved chunk with the scores that ranked it, the source it came from, and its evidence.

    Retrieval attaches the evidence: `sentences` (text, span, vector) and `references` (the entries
    of the review's reference list this passage cites, each with its linked abstract's key sentence).
    Generation, verification and citation linking read these and never the index.
    """

    chunk: Chunk
    source: Source
    score: float = 0.0
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0
    sentences: tuple[EvidenceSentence, ...] = ()
    references: tuple[Reference, ...] = ()

    def sentence_texts(self) -> list[str]:
        return [sentence.text for sentence in self.sentences]

    def sentence_vectors(self) -> Any:
        """The sentences' vectors stacked (n x dim), or None when any sentence lacks one."""
        if not self.sentences or any(s.vector is None for s in self.sentences):
            return None
        import numpy as np

        return np.stack([np.asarray(s.vector) for s in self.sentences])

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
class RetrievalResult:
    """What retrieval returns: ranked passages (with their evidence) and how the query was read."""

    passages: list[Passage]
    query: str
    expanded_query: str
    #: the (expanded) query's unit-length embedding (a NumPy vector; empty for lexical-only retrieval)
    query_vector: Any
    seconds: float


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
    #: why it is not supported (polarity, direction, number, number_binding, comparison, entity,
    #: strength, advice, hedging, cause, roles, no_content, unaligned, no_citation, judge); "" if it is
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "reason": self.reason,
        }


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
    #: the evidence table: one row per cited study (digest entry, abstract); see
    #: assistant/generation/evidence_table.py for the fields (study, evidence, model, msc_source, route, dose, finding)
    studies: list[dict[str, Any]] = field(default_factory=list)
    #: why it was refused (a `RefusalReason` value), "" when answered
    refusal_reason: str = ""
    #: fixed text before the cited sentences: the personal-advice note, and what the first sentence
    #: shows ("In mice, yes:", "RSA stands for recurrent spontaneous abortion."); renderers show it first
    lead: str = ""

    @property
    def unsupported_count(self) -> int:
        return sum(1 for sentence in self.sentences if not sentence.supported)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "refusal_reason": self.refusal_reason,
            "lead": self.lead,
            "citations": [citation.to_dict() for citation in self.citations],
            "sentences": [sentence.to_dict() for sentence in self.sentences],
            "backend": self.backend,
            "notice": self.notice,
            "searched_query": self.searched_query,
            "disclaimer": self.disclaimer,
            "timings": {name: round(value, 2) for name, value in self.timings.items()},
            "studies": [dict(row) for row in self.studies],
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, as history for follow-up questions."""

    question: str
    answer: str = ""
    searched_query: str = ""
    #: whether the assistant refused it (a refused turn lends no topic to a follow-up)
    refused: bool = False

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        """The turn an answer makes, its refusal kept (never guessed back from the text)."""
        return cls(answer.question, answer.text, answer.searched_query, answer.refused)


# -- the question, as every step after the first reads it ----------------------------------------------
class QuestionKind(str, Enum):
    """What a question asks for; it decides what the answer says first."""

    YES_NO = "yes/no"
    WHAT = "what/which"
    WHO = "who"
    WHEN = "when"
    QUANTITY = "how many/much"
    LIST = "list"
    MECHANISM = "why/how mechanism"
    DEFINITION = "definition"
    COMPARISON = "comparison"
    METADATA = "metadata"


@dataclass(frozen=True)
class Population:
    """Whom or what a question narrows to: a species, an evidence setting and an MSC source, each optional."""

    #: "human", "mouse" or "rat"
    species: str | None = None
    #: "in vitro", "animal" or "human"
    setting: str | None = None
    #: a cell source named in the question ("menstrual blood", "bone marrow"...)
    cell_source: str | None = None

    def __bool__(self) -> bool:
        return bool(self.species or self.setting or self.cell_source)


@dataclass(frozen=True)
class Filters:
    """Validated retrieval filters (`assistant.retrieval.parse_filters` builds them); each tuple is any-of."""

    kind: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    msc_source: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    source_id: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The active filters as the plain mapping retrieval matches with (lists for any-of)."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if value in (None, (), []):
                continue
            out[name] = list(value) if isinstance(value, (tuple, list)) else value
        return out

    def __bool__(self) -> bool:
        return bool(self.as_dict())


@dataclass(frozen=True)
class Question:
    """One question as the chain reads it: built once, at the top of the chain, and frozen.

    Every later step (retrieve, gate, generate, verify) reads these fields; none re-derives them."""

    text: str
    kind: QuestionKind
    #: the answer types it expects, main first ("number", "date", "route"...)
    expected: tuple[str, ...] = ()
    #: its topic terms (stems), framing words left out
    focus: tuple[str, ...] = ()
    population: Population = field(default_factory=Population)
    #: the questions it asks, when it asks more than one ("Who wrote it and who funded it?")
    parts: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)
    #: the conversation before it
    history: tuple[Turn, ...] = ()
    #: whether it leans on an earlier turn ("And in humans?", "Do they raise Tregs?")
    follow_up: bool = False
    #: whether it asks personal medical advice ("Should I get MSC injections?")
    personal: bool = False
    #: its research topic without the personal story, for a personal question; else the text
    topic: str = ""
    #: (the question without its last place phrase, that phrase's object): ("Do MSCs promote
    #: angiogenesis?", "the endometrium"); ("", "") when it names none
    place: tuple[str, str] = ("", "")
    #: the terms a definition question asks about, as written ("PGE2", "HGF"); () for other kinds
    defines: tuple[str, ...] = ()

    @property
    def main_expected(self) -> str | None:
        return self.expected[0] if self.expected else None


class RefusalReason(str, Enum):
    """Why the gate refused: it picks the refusal text."""

    OFF_TOPIC = "off_topic"
    NOT_IN_SOURCES = "not_in_sources"
    POPULATION_NOT_COVERED = "population_not_covered"
    FILTERED_OUT = "filtered_out"
    PERSONAL_ADVICE = "personal_advice"
    NOTHING_SUPPORTED = "nothing_supported"


@dataclass(frozen=True)
class Refusal:
    """The gate's decision not to answer (`assistant.generation.gate` is its only maker)."""

    reason: RefusalReason
    #: what the user reads
    text: str
    #: the rule or score that decided, for logs and evaluation ("low similarity 0.21")
    detail: str = ""
    #: fixed text before the refusal (the personal-advice note), "" for none
    lead: str = ""
    notices: tuple[str, ...] = ()


# -- evidence kinds: the one table of what a source's `evidence` label says about its population ---------
@dataclass(frozen=True)
class EvidenceKind:
    """How one evidence label (`Source.evidence`, e.g. "preclinical-mouse") reads everywhere."""

    #: in a lead: "In mice, yes: ..." ("" when the kind is not one population)
    lead: str
    #: its population: "mouse", "rat", "human", "in vitro" or ""
    population: str
    #: the evidence table's kind and model columns
    table_kind: str
    table_model: str
    #: in a study's record sentence: "This is a preclinical study in mice."
    phrase: str


EVIDENCE_KINDS: dict[str, EvidenceKind] = {
    "preclinical-mouse": EvidenceKind("in mice", "mouse", "preclinical", "mice", "a preclinical study in mice"),
    "preclinical-rat": EvidenceKind("in rats", "rat", "preclinical", "rats", "a preclinical study in rats"),
    "in-vitro-human": EvidenceKind(
        "in human cells in vitro", "in vitro", "in vitro", "human cells", "in-vitro work on human cells"
    ),
    "clinical-case-series": EvidenceKind(
        "in women (a case series)", "human", "clinical case series", "women", "a case series in patients"
    ),
    "clinical-pilot": EvidenceKind(
        "in women (a pilot study)", "human", "clinical pilot study", "women", "a pilot study in patients"
    ),
    "clinical-trial-registration": EvidenceKind(
        "in a registered clinical trial", "human", "clinical trial registration", "patients", "a registry entry"
    ),
    "meta-analysis": EvidenceKind("in a meta-analysis", "", "meta-analysis", "", "a meta-analysis"),
    "systematic-review": EvidenceKind("", "", "systematic review", "", "a systematic review"),
    "review": EvidenceKind("", "", "review", "", "a review"),
    "background": EvidenceKind("", "", "background", "", "background evidence"),
}
