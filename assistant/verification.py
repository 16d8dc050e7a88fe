"""Citation verification: every answer sentence is checked against the passages it cites.

A sentence is supported when every clause of it is: each clause is aligned to the best-matching
evidence sentence(s) of its cited passages and checked claim by claim (polarity, direction, numbers
bound to their groups, comparisons, entities, strength, advice, hedging, causation, roles; see
`assistant.claims`), with a named reason kept on the verdict. Markers that point to no source are
removed. `check_support` (lexical overlap or embedding similarity plus numeric fidelity) is the
looser judge the evaluation harness scores citation precision and recall with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.claims import Checker, Claim, Judge, checker_for
from assistant.generation.base import DraftSentence
from assistant.markers import split_answer, split_markers  # noqa: F401  (re-exported: one marker grammar)
from assistant.text import content_terms, lexical_tokens, number_set, numbers_in
from assistant.types import Passage

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
    missing = [n for n in numbers_in(sentence) if (n not in percentages if n.endswith("%") else n not in available)]
    return not missing, missing


def check_support(
    sentence: str, evidence_texts: list[str], sentence_vector=None, evidence_vectors=None
) -> SupportCheck:
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
    #: why it is unsupported (one of assistant.claims.REASONS, or "no_citation"); "" when supported
    reason: str = ""
    claims: list[Claim] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return bool(self.passages) and self.check.supported


#: (passage) -> its sentences and their unit-length embedding vectors
EvidenceOf = Callable[[Passage], tuple[list[str], np.ndarray]]


def passage_evidence(passage: Passage) -> tuple[list[str], np.ndarray]:
    """The evidence a passage carries (attached by retrieval): its sentences and their vectors."""
    vectors = passage.sentence_vectors()
    if vectors is None:
        raise ValueError(f"passage {passage.chunk.id} carries no sentence vectors; pass evidence_of")
    return passage.sentence_texts(), vectors


def verify_sentences(
    sentences: list[DraftSentence],
    sentence_vectors: np.ndarray,
    evidence_of: EvidenceOf = passage_evidence,
    glossary=None,
    judge: Judge | None = None,
) -> list[Verdict]:
    """Checks each draft sentence, clause by clause, against the evidence sentences of its cited
    passages; an uncited sentence is unsupported ("no_citation")."""
    checker: Checker = checker_for(glossary, judge)
    verdicts: list[Verdict] = []
    for sentence, vector in zip(sentences, sentence_vectors):
        text, passages, invented = sentence.text, sentence.passages, sentence.invented
        if not passages:
            check = SupportCheck(False, 0.0, 0.0, False, numbers_in(text))
            verdicts.append(Verdict(text, [], invented, check, reason="no_citation"))
            continue
        evidence_texts: list[str] = []
        evidence_vectors: list[np.ndarray] = []
        quotes: dict[str, str] = {}
        for passage in passages:
            texts, vectors = evidence_of(passage)
            if len(texts):
                evidence_texts.extend(texts)
                evidence_vectors.append(np.asarray(vectors))
                quotes[passage.chunk.id] = _best_quote(text, texts, np.asarray(vectors) @ vector)
            else:
                evidence_texts.append(passage.text)
        stacked = (
            np.vstack(evidence_vectors)
            if evidence_vectors and sum(len(v) for v in evidence_vectors) == len(evidence_texts)
            else None
        )
        result = checker.check_sentence(text, evidence_texts, vector if stacked is not None else None, stacked)
        numbers_ok = not any(c.reason in ("number", "number_binding") for c in result.claims)
        check = SupportCheck(result.supported, 0.0, 0.0, numbers_ok, [])
        verdicts.append(Verdict(text, passages, invented, check, quotes, result.reason, result.claims))
    return verdicts


def _best_quote(sentence: str, texts: list[str], similarities: np.ndarray) -> str:
    """The evidence sentence quoted for `sentence`: itself when verbatim, else the most similar."""
    stripped = sentence.strip()
    for text in texts:
        if text.strip() == stripped:
            return text
    return texts[int(np.argmax(similarities))]
