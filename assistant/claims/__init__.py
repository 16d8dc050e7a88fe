"""Claim-level verification: does an answer sentence say what its evidence says, clause by clause?

No entailment model ships offline here, so the checks come from the structure of the text: each
sentence is split into clauses (`clauses.py`), each clause is aligned to its best evidence
sentence(s) and checked for polarity, direction, numbers bound to their groups, comparisons,
entities, strength, advice, hedging, causation and roles (`checks.py`, reading `features.py`,
whose word lists live in `lexicon.py`). An optional LLM judge (`judge.py`) can only veto.

Pure and index-free: `check_sentence(text, evidence_sentences, glossary=...)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.claims.checks import REASONS, Checker, Claim, Judge, SentenceCheck
from assistant.claims.clauses import split_clauses

__all__ = ["REASONS", "Checker", "Claim", "Judge", "SentenceCheck", "check_sentence", "split_clauses"]

_CHECKERS: dict[tuple[int, bool], tuple[object, Checker]] = {}


def checker_for(glossary=None, judge: Judge | None = None, learned: bool = False) -> Checker:
    """A cached `Checker` per glossary object (its expansion cache survives across calls); `learned`
    lets the learned verifier decide what the rules do not settle (`RSA_VERIFIER=learned`)."""
    if judge is not None:
        return Checker(glossary, judge, learned=learned)
    key = (id(glossary), learned)
    held = _CHECKERS.get(key)
    if held is None or held[0] is not glossary:
        if len(_CHECKERS) > 8:
            _CHECKERS.clear()
        held = _CHECKERS[key] = (glossary, Checker(glossary, learned=learned))
    return held[1]


def check_sentence(
    text: str,
    evidence: Sequence[str],
    glossary=None,
    vector: np.ndarray | None = None,
    evidence_vectors: np.ndarray | None = None,
    judge: Judge | None = None,
    learned: bool = False,
) -> SentenceCheck:
    """Whether `text` is supported by the evidence sentences, with a named reason and its claims."""
    return checker_for(glossary, judge, learned).check_sentence(text, evidence, vector, evidence_vectors)
