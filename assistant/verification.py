"""Citation verification: every answer sentence is checked against the passages it cites.

A sentence is supported when its cited passages contain its meaning (lexical overlap or embedding
similarity) AND every number it states (numeric fidelity). Markers that point to no source are
removed. The same check scores citation precision and recall in the evaluation harness.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.text import content_terms, lexical_tokens, number_set, numbers_in, split_sentences
from assistant.types import Passage

MARKERS = re.compile(r"\s*\[(\d{1,3})\]")
#: One citation group as models write them: [1], [1, 2], [1-3], [1–3]; adjacent groups are merged.
MARKER_GROUP = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\s*\]")
_ADJACENT_GROUPS = re.compile(r"(\[\s*\d[\d\s,;–-]*\])(?:\s*(\[\s*\d[\d\s,;–-]*\]))+")
_LEADING_GROUPS = re.compile(r"^(?:\s*\[\s*\d[\d\s,;–-]*\])+[.,;]?\s*")
#: A range wider than this ([1-999]) is not a citation but noise; its numbers are treated as invented.
_MAX_RANGE = 20
#: Share of a sentence's content terms that its cited passages must contain.
MIN_LEXICAL_SUPPORT = 0.6
#: Cosine similarity between sentence and a cited sentence/passage that also counts as support.
MIN_EMBEDDING_SUPPORT = 0.72


@dataclass
class SupportCheck:
    supported: bool
    lexical: float
    embedding: float
    numbers_ok: bool
    missing_numbers: list[str]


def split_markers(sentence: str) -> tuple[str, list[int]]:
    """A sentence without its citation markers, and the marker numbers in order ([1-3] -> 1, 2, 3)."""
    numbers: list[int] = []
    for group in MARKER_GROUP.findall(sentence):
        numbers.extend(_group_numbers(group))
    text = re.sub(r"\s+([.,;:!?])", r"\1", MARKER_GROUP.sub("", sentence))
    return re.sub(r"\s{2,}", " ", text).strip(), list(dict.fromkeys(numbers))


def _group_numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group.strip()):
        bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= _MAX_RANGE:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def split_answer(text: str) -> list[tuple[str, list[int]]]:
    """A model's answer as (sentence without markers, cited numbers) pairs, in order.

    Markers written after the full stop ("... 6.31%. [1] Next") belong to the sentence before them.
    """
    text = _ADJACENT_GROUPS.sub(lambda m: "[" + ",".join(MARKER_GROUP.findall(m.group(0))) + "]", text.strip())
    pieces: list[tuple[str, list[int]]] = []
    for start, end in split_sentences(text):
        raw = text[start:end]
        leading = _LEADING_GROUPS.match(raw)
        if leading and pieces:
            _, numbers = split_markers(leading.group(0))
            previous_text, previous_numbers = pieces[-1]
            pieces[-1] = (previous_text, list(dict.fromkeys(previous_numbers + numbers)))
            raw = raw[leading.end():]
        sentence, numbers = split_markers(raw)
        if any(ch.isalnum() for ch in sentence):
            pieces.append((sentence, numbers))
        elif numbers and pieces:
            pieces[-1] = (pieces[-1][0], list(dict.fromkeys(pieces[-1][1] + numbers)))
    return pieces


def lexical_support(sentence: str, evidence: str) -> float:
    terms = content_terms(sentence)
    if not terms:
        return 1.0
    evidence_tokens = set(lexical_tokens(evidence))
    return sum(1 for t in terms if t in evidence_tokens) / len(terms)


def numeric_fidelity(sentence: str, evidence: str) -> tuple[bool, list[str]]:
    """Every number in the sentence must appear in the evidence (3% is not 6.31%).

    A percentage must be a percentage there too ("3%" is not supported by "day 3"); a bare number
    may match a percentage ("6.31" is in "6.31%").
    """
    available = number_set(evidence)
    percentages = {n for n in numbers_in(evidence) if n.endswith("%")}
    missing = [
        n for n in numbers_in(sentence)
        if (n not in percentages if n.endswith("%") else n not in available)
    ]
    return not missing, missing


def check_support(sentence: str, evidence_texts: list[str], sentence_vector=None, evidence_vectors=None) -> SupportCheck:
    evidence = "\n".join(evidence_texts)
    if not evidence:
        return SupportCheck(False, 0.0, 0.0, False, numbers_in(sentence))
    lexical = lexical_support(sentence, evidence)
    embedding = 0.0
    if sentence_vector is not None and evidence_vectors is not None and len(evidence_vectors):
        embedding = float(np.max(np.asarray(evidence_vectors) @ sentence_vector))
    numbers_ok, missing = numeric_fidelity(sentence, evidence)
    meaning = lexical >= MIN_LEXICAL_SUPPORT or embedding >= MIN_EMBEDDING_SUPPORT
    return SupportCheck(meaning and numbers_ok, lexical, embedding, numbers_ok, missing)


@dataclass
class Verdict:
    """The check of one answer sentence against the passages it cites."""

    text: str
    passages: list[Passage]
    invented: list[int]
    check: SupportCheck
    #: chunk id -> the passage sentence that best supports this answer sentence (the quote to show)
    quotes: dict[str, str] = field(default_factory=dict)

    @property
    def supported(self) -> bool:
        return bool(self.passages) and self.check.supported


#: (passage) -> its sentences and their unit-length embedding vectors
EvidenceOf = Callable[[Passage], tuple[list[str], np.ndarray]]


def verify_sentences(
    sentences: list[tuple[str, list[Passage], list[int]]],
    sentence_vectors: np.ndarray,
    evidence_of: EvidenceOf,
) -> list[Verdict]:
    """Checks each (text, cited passages, invented markers); an uncited sentence is unsupported."""
    verdicts: list[Verdict] = []
    for (text, passages, invented), vector in zip(sentences, sentence_vectors):
        if not passages:
            verdicts.append(Verdict(text, [], invented, SupportCheck(False, 0.0, 0.0, False, numbers_in(text))))
            continue
        evidence_texts: list[str] = []
        evidence_vectors: list[np.ndarray] = []
        quotes: dict[str, str] = {}
        for passage in passages:
            texts, vectors = evidence_of(passage)
            evidence_texts.append(passage.text)
            if len(texts):
                evidence_vectors.append(vectors)
                quotes[passage.chunk.id] = _best_quote(text, texts, vectors @ vector)
        stacked = np.vstack(evidence_vectors) if evidence_vectors else None
        check = check_support(text, evidence_texts, vector, stacked)
        verdicts.append(Verdict(text, passages, invented, check, quotes))
    return verdicts


def _best_quote(sentence: str, texts: list[str], similarities: np.ndarray) -> str:
    """The evidence sentence quoted for `sentence`: itself when verbatim, else the most similar."""
    stripped = sentence.strip()
    for text in texts:
        if text.strip() == stripped:
            return text
    return texts[int(np.argmax(similarities))]
