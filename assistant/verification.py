"""Citation verification: every answer sentence is checked against the passages it cites.

A sentence is supported when one of its cited sources supports it alone (facts merged across two
studies are not supported) and every clause of it is: each clause is aligned to the best-matching
evidence sentence(s) of that source's cited passages and checked claim by claim (polarity, direction, numbers
bound to their groups, comparisons, entities, strength, advice, hedging, causation, roles; see
`assistant.claims`), with a named reason kept on the verdict. Markers that point to no source are
removed. `check_support` (lexical overlap or embedding similarity plus numeric fidelity) is the
looser judge the evaluation harness scores citation precision and recall with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    learned: bool = False,
) -> list[Verdict]:
    """Checks each draft sentence, clause by clause, against the evidence sentences of its cited
    passages; an uncited sentence is unsupported ("no_citation"). `learned`: the learned verifier
    decides what the rules do not settle (`RSA_VERIFIER=learned`)."""
    checker: Checker = checker_for(glossary, judge, learned)
    prepared = [_prepare(sentence, vector, evidence_of) for sentence, vector in zip(sentences, sentence_vectors)]
    # one batched check (one run of the learned verifier) for every (sentence, cited source) of the answer
    items = [item for entry in prepared if entry is not None for item in entry[1]]
    results = iter(checker.check_many(items))
    verdicts: list[Verdict] = []
    for sentence, entry in zip(sentences, prepared):
        text, passages, invented = sentence.text, sentence.passages, sentence.invented
        if entry is None:
            check = SupportCheck(False, 0.0, 0.0, False, numbers_in(text))
            verdicts.append(Verdict(text, [], invented, check, reason="no_citation"))
            continue
        quotes, own_items = entry
        per_source = [next(results) for _ in own_items]
        # supported when one cited source supports it alone: facts merged across studies are not
        result = next((r for r in per_source if r.supported), per_source[0])
        numbers_ok = not any(c.reason in ("number", "number_binding") for c in result.claims)
        check = SupportCheck(result.supported, 0.0, 0.0, numbers_ok, [])
        verdicts.append(Verdict(text, passages, invented, check, quotes, result.reason, result.claims))
    return verdicts


def _prepare(sentence: DraftSentence, vector: np.ndarray, evidence_of: EvidenceOf):
    """(quotes, one check item per cited source) for a cited sentence; None when it cites nothing."""
    text, passages = sentence.text, sentence.passages
    if not passages:
        return None
    quotes: dict[str, str] = {}
    by_source: dict[str, tuple[list[str], list[np.ndarray]]] = {}
    for passage in passages:
        texts, vectors = evidence_of(passage)
        evidence_texts, evidence_vectors = by_source.setdefault(passage.chunk.source_id, ([], []))
        if len(texts):
            evidence_texts.extend(texts)
            evidence_vectors.append(np.asarray(vectors))
            quotes[passage.chunk.id] = _best_quote(text, texts, np.asarray(vectors) @ vector)
        else:
            evidence_texts.append(passage.text)
    items = []
    for evidence_texts, evidence_vectors in by_source.values():
        stacked = (
            np.vstack(evidence_vectors)
            if evidence_vectors and sum(len(v) for v in evidence_vectors) == len(evidence_texts)
            else None
        )
        items.append((text, evidence_texts, vector if stacked is not None else None, stacked))
    return quotes, items


def _best_quote(sentence: str, texts: list[str], similarities: np.ndarray) -> str:
    """The evidence sentence quoted for `sentence`: itself when verbatim, else the most similar."""
    stripped = sentence.strip()
    for text in texts:
        if text.strip() == stripped:
            return text
    return texts[int(np.argmax(similarities))]


# -- the entailment judge (issue 21 item 6): one batched call per answer, after the rules -------------
#: [(sentence, its cited evidence)] -> one verdict per sentence (False vetoes it), or None when the judge
#: could not answer (`assistant.claims.judge.make_batch_judge` builds one from the settings).
SentenceJudge = Callable[[Sequence[tuple[str, str]]], "list[bool] | None"]


def veto_by_judge(verdicts: list[Verdict], judge: SentenceJudge | None) -> str | None:
    """Asks the judge about every supported sentence of one answer in ONE call; a "no" vetoes it.

    The judge can only veto: an unsupported sentence is not asked about, and a judge that fails, times
    out or gives no usable reply changes nothing. Returns a notice for the user in that last case, else
    None. A vetoed verdict is unsupported with reason "judge".
    """
    if judge is None:
        return None
    asked = [verdict for verdict in verdicts if verdict.supported]
    if not asked:
        return None
    entailed = judge([(verdict.text, _judged_evidence(verdict)) for verdict in asked])
    if entailed is None:
        from assistant.generation.prompts import NOTICE_JUDGE_UNAVAILABLE

        return NOTICE_JUDGE_UNAVAILABLE
    for verdict, yes in zip(asked, entailed):
        if not yes:
            verdict.check.supported = False
            verdict.reason = "judge"
    return None


def _judged_evidence(verdict: Verdict) -> str:
    """What the judge reads for a sentence: the evidence sentences its clauses were aligned to (what the
    rules checked), else the quoted sentence of each cited passage, else the passages' text."""
    aligned = list(dict.fromkeys(text for claim in verdict.claims for text in claim.evidence))
    if aligned:
        return " ".join(aligned)
    if verdict.quotes:
        return " ".join(dict.fromkeys(verdict.quotes.values()))
    return " ".join(passage.text for passage in verdict.passages)
