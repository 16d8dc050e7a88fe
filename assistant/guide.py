"""What the loaded index holds, in words for the chat's welcome screen, and starter questions it answers.

`source_guide` counts the indexed documents by kind, says which parts of the review are indexed (front
matter, Abstract, Core Tip, body), what is missing and the one command that adds it. Everything is read
from the loaded index, never hard-coded, so a fetched full text or added abstracts change the guide.

`suggested_questions` asks each candidate question through the real pipeline and keeps only those
answered with every sentence supported and cited, so a starter question never ends in a refusal.

Layer: above the API (it takes an `Assistant` or a `LoadedIndex`); the UI and the CLI only render it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.errors import InvalidQuestionError
from assistant.generation import prompts
from assistant.types import Answer, Source, SourceKind, is_front_matter_section

#: Sections that summarise a review rather than belong to its body (first part of a heading path,
#: lower case): the bundled text holds exactly these plus the front matter.
SUMMARY_SECTIONS = frozenset({"abstract", "core tip", "key words", "keywords", "highlights", "graphical abstract"})
#: How a loader joins nested headings ("Results › Table 1"); only the top heading says where it sits.
_PATH_SEPARATOR = " › "
#: The order kinds are listed in (the review first: the assistant is about it).
_KIND_ORDER = (SourceKind.REVIEW, SourceKind.STUDY_DIGEST, SourceKind.ABSTRACT, SourceKind.NOTE, SourceKind.DOCUMENT)


@dataclass(frozen=True)
class KindCount:
    """How many indexed documents are of one kind, and that in words ("37 study summaries")."""

    kind: SourceKind
    count: int
    label: str


@dataclass(frozen=True)
class SourceGuide:
    """What one built index holds and lacks, for people (see `source_guide`)."""

    build_id: str
    documents: int
    kinds: tuple[KindCount, ...]
    #: the studies' kinds of evidence in words, most frequent first: (("mouse studies", 9), ...)
    evidence: tuple[tuple[str, int], ...]
    review_title: str
    #: the indexed parts of the review, in order: ("front matter", "Abstract", "Core Tip")
    review_parts: tuple[str, ...]
    review_body_indexed: bool
    #: what is not indexed, in words ("the body of the review", ...); empty when nothing is missing
    missing: tuple[str, ...]
    #: the one command that adds what is missing most ("" when nothing is), and what it adds, in words
    add_command: str
    add_label: str

    def count(self, kind: SourceKind) -> int:
        return next((item.count for item in self.kinds if item.kind is kind), 0)

    def indexed_sentence(self) -> str:
        return prompts.GUIDE_INDEXED.format(documents=and_list(item.label for item in self.kinds))

    def evidence_sentence(self) -> str:
        if not self.evidence:
            return ""
        return prompts.GUIDE_EVIDENCE.format(evidence=", ".join(f"{n} {name}" for name, n in self.evidence))

    def missing_sentence(self) -> str:
        return prompts.GUIDE_MISSING.format(missing=and_list(self.missing)) if self.missing else ""

    def lines(self) -> list[str]:
        """The guide as plain-text lines (a terminal prints them; the chat renders the same parts)."""
        lines = [prompts.GUIDE_HEADING, self.indexed_sentence(), self.evidence_sentence(), self.missing_sentence()]
        if self.add_command:
            lines += [self.add_label, f"  {self.add_command}"]
        return [line for line in lines if line]


def and_list(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = [item for item in items if item]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + (f" and {words[-1]}" if words else "")


def _loaded_index(index_or_assistant: Any) -> Any:
    """The `LoadedIndex` itself, or the one an `Assistant` serves (loading it raises AssistantError)."""
    return index_or_assistant if hasattr(index_or_assistant, "sources") else index_or_assistant.index


def _is_summary(section: str) -> bool:
    return section.split(_PATH_SEPARATOR, 1)[0].strip().lower() in SUMMARY_SECTIONS


def _review_parts(sections: list[str]) -> tuple[tuple[str, ...], int]:
    """The named parts of a review's indexed sections, and how many body sections it has."""
    parts: list[str] = []
    body = set()
    for section in sections:
        if is_front_matter_section(section):
            name = prompts.GUIDE_FRONT_MATTER
        elif _is_summary(section):
            name = section.split(_PATH_SEPARATOR, 1)[0].strip()
        else:
            body.add(section)
            continue
        if name not in parts:
            parts.append(name)
    if body:
        singular, plural = prompts.GUIDE_SECTION_NOUNS
        parts.append(prompts.GUIDE_BODY.format(sections=f"{len(body)} {singular if len(body) == 1 else plural}"))
    return tuple(parts), len(body)


def _kind_label(kind: SourceKind, count: int, review_parts: tuple[str, ...]) -> str:
    singular, plural = prompts.GUIDE_KIND_NOUNS.get(kind.value, (kind.label, f"{kind.label}s"))
    noun = f"{count} {singular if count == 1 else plural}"
    if kind is SourceKind.REVIEW and review_parts:
        return prompts.GUIDE_REVIEW_PARTS.format(noun=noun, parts=and_list(review_parts))
    return noun


def _evidence_label(value: str, count: int) -> str:
    fallback = value.replace("-", " ")
    singular, plural = prompts.GUIDE_EVIDENCE_NOUNS.get(value, (fallback, fallback))
    return singular if count == 1 else plural


def _evidence(sources: Iterable[Source]) -> tuple[tuple[str, int], ...]:
    """(label, count) per kind of evidence, most frequent first: (("mouse studies", 9), ...)."""
    counts = Counter(source.evidence for source in sources if source.evidence)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple((_evidence_label(value, n), n) for value, n in ranked)


def _review_identifier(review: Source) -> str:
    return review.doi or review.pmid or review.pmcid


def _what_to_add(review: Source | None, body: bool, references: int, abstracts: int) -> tuple[list[str], str, str]:
    """(missing, command, label): the review's body first, then the abstracts it cites."""
    if review is None:
        return [prompts.GUIDE_MISSING_REVIEW], prompts.ADD_REVIEW_FILE_COMMAND, prompts.GUIDE_ADD_FILE
    missing = [] if body else [prompts.GUIDE_MISSING_BODY]
    if not references:
        missing.append(prompts.GUIDE_MISSING_REFERENCES)
    if not abstracts:
        missing.append(prompts.GUIDE_MISSING_ABSTRACTS)
    if not body:
        identifier = _review_identifier(review)
        if identifier:
            return missing, prompts.ADD_REVIEW_COMMAND.format(identifier=identifier), prompts.GUIDE_ADD_REVIEW
        return missing, prompts.ADD_REVIEW_FILE_COMMAND, prompts.GUIDE_ADD_FILE
    if references and not abstracts:
        return missing, prompts.ADD_CITED_ABSTRACTS_COMMAND, prompts.GUIDE_ADD_ABSTRACTS
    return missing, "", ""


def source_guide(index_or_assistant: Any) -> SourceGuide:
    """What the index (a `LoadedIndex`, or an `Assistant`'s) holds: counts by kind, the review's parts,
    what is missing and the command that adds it. Raises AssistantError when there is no index."""
    index = _loaded_index(index_or_assistant)
    sources: dict[str, Source] = index.sources
    by_kind = Counter(source.kind for source in sources.values())
    reviews = [source for source in sources.values() if source.kind is SourceKind.REVIEW]
    # the review with the most indexed text is the one the guide speaks of (normally the only one)
    sections: dict[str, list[str]] = {}
    for chunk in index.chunks:
        names = sections.setdefault(chunk.source_id, [])
        if chunk.section not in names:
            names.append(chunk.section)
    review = max(reviews, key=lambda source: len(sections.get(source.id, [])), default=None)
    parts, body_sections = _review_parts(sections.get(review.id, [])) if review else ((), 0)
    references = len(index.references.get(review.id, ())) if review else 0
    missing, command, label = _what_to_add(review, body_sections > 0, references, by_kind[SourceKind.ABSTRACT])
    kinds = tuple(
        KindCount(kind, by_kind[kind], _kind_label(kind, by_kind[kind], parts if kind is SourceKind.REVIEW else ()))
        for kind in _KIND_ORDER
        if by_kind[kind]
    )
    return SourceGuide(
        build_id=str(index.manifest.get("build_id", "")),
        documents=len(sources),
        kinds=kinds,
        evidence=_evidence(source for source in sources.values() if source.kind is not SourceKind.REVIEW),
        review_title=review.title if review else "",
        review_parts=parts,
        review_body_indexed=body_sections > 0,
        missing=tuple(missing),
        add_command=command,
        add_label=label,
    )


def answers_well(answer: Answer) -> bool:
    """Answered (not refused), with sentences, every one of them supported and cited."""
    return (
        not answer.refused
        and bool(answer.sentences)
        and bool(answer.citations)
        and all(sentence.supported and sentence.citations for sentence in answer.sentences)
    )


def suggested_questions(assistant: Any, candidates: Iterable[str] | None = None, n: int = 4) -> tuple[str, ...]:
    """The first `n` candidates (default: prompts.SUGGESTED_QUESTION_CANDIDATES) that `assistant`
    answers well (see `answers_well`), in the candidates' order. Asks each through the real pipeline,
    without history or filters; a missing index raises AssistantError."""
    chosen: list[str] = []
    for question in prompts.SUGGESTED_QUESTION_CANDIDATES if candidates is None else candidates:
        if len(chosen) >= n:
            break
        try:
            answer = assistant.answer(question)
        except InvalidQuestionError:  # a malformed candidate is skipped, not offered
            continue
        if answers_well(answer):
            chosen.append(question)
    return tuple(chosen)
