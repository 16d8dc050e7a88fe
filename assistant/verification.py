"""Citation verification: every answer sentence is checked against the passages it cites.

A sentence is supported when its cited passages contain its meaning (lexical overlap or embedding
similarity) AND every number it states (numeric fidelity). Markers that point to no source are
removed. The same check scores citation precision and recall in the evaluation harness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.text import content_terms, lexical_tokens, number_set, numbers_in

MARKERS = re.compile(r"\s*\[(\d{1,3})\]")
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
    """A sentence without its [n] markers, and the marker numbers in order."""
    numbers = [int(n) for n in MARKERS.findall(sentence)]
    text = MARKERS.sub("", sentence).strip()
    return text, list(dict.fromkeys(numbers))


def lexical_support(sentence: str, evidence: str) -> float:
    terms = content_terms(sentence)
    if not terms:
        return 1.0
    evidence_tokens = set(lexical_tokens(evidence))
    return sum(1 for t in terms if t in evidence_tokens) / len(terms)


def numeric_fidelity(sentence: str, evidence: str) -> tuple[bool, list[str]]:
    """Every number in the sentence must appear in the evidence (3% is not 6.31%)."""
    available = number_set(evidence)
    missing = [n for n in numbers_in(sentence) if n not in available and n.rstrip("%") not in available]
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
