"""The evidence gate: whether the retrieved evidence is strong enough to answer from at all.

`evidence_gate` is the one rule (the extractive generator applies it; `bench/helpers/gate_sweep.py`
replays it at other thresholds to calibrate `GATE` on external questions).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.settings import Settings

__all__ = ["GATE", "GateEvidence", "GateThresholds", "evidence_gate"]


@dataclass(frozen=True)
class GateEvidence:
    """What the evidence gate judges: the best sentence's meaning (dense similarity), the share of the
    question's (IDF-weighted) terms in the top evidence and in ONE source's retrieved sentences, and
    whether the question asks personal advice (judged leniently: what the sources found is still
    reported, under the advice note)."""

    similarity: float
    coverage: float
    source_coverage: float
    personal: bool = False


@dataclass(frozen=True)
class GateThresholds:
    """The evidence gate's thresholds beyond the settings' (see `evidence_gate`)."""

    one_source: float = 0.0
    joint: float = 0.0


def evidence_gate(evidence: GateEvidence, settings: Settings, thresholds: GateThresholds | None = None) -> str:
    """Why the evidence is too weak to answer from, or "" when it is strong enough (the one rule; the
    gate sweep, `bench/helpers/gate_sweep.py`, calls it with other thresholds)."""
    limits = thresholds or GATE
    reason = _weak_evidence(evidence.similarity, evidence.coverage, settings, lenient=evidence.personal)
    if reason or evidence.personal:
        return reason
    if evidence.source_coverage < limits.one_source:
        return f"no single source covers the question ({evidence.source_coverage:.2f})"
    if evidence.source_coverage < _ALL_TERMS and evidence.similarity * evidence.source_coverage < limits.joint:
        return (
            f"weak evidence (similarity {evidence.similarity:.2f} x one-source coverage {evidence.source_coverage:.2f})"
        )
    return ""


def _weak_evidence(similarity: float, coverage: float, settings: Settings, *, lenient: bool = False) -> str:
    """Why the evidence is too weak to answer from, or "" when it is strong enough.

    Two signals must agree: the best sentence means something close to the question (dense
    similarity), and the question's distinctive terms are in the evidence (IDF-weighted coverage).
    When every distinctive term is found, a lower similarity suffices: terse metadata lines
    ("Published online: August 26, 2025") embed far from any question about them.
    """
    needed_similarity = settings.min_evidence_similarity * (0.75 if coverage >= _ALL_TERMS else 1.0)
    needed_coverage = settings.min_term_coverage
    if lenient:
        # a personal story around a topic question ("I had three miscarriages...") names words no
        # source holds; what the sources found on the topic is still worth reporting
        needed_similarity, needed_coverage = needed_similarity * 0.8, needed_coverage * 0.6
    if similarity < needed_similarity:
        return f"low similarity {similarity:.2f}"
    if coverage < needed_coverage:
        return f"low term coverage {coverage:.2f}"
    return ""


#: `one_source`: one source's retrieved sentences (with its metadata) must cover this much of the
#: question: on PubMedQA with the gold abstract removed the terms are spread over unrelated abstracts.
#: `joint`: the best sentence's meaning (dense similarity) times one source's coverage of the question
#: must reach this: weak meaning is enough only when one source holds the question's terms, and the
#: other way round. A source holding every term (`_ALL_TERMS`) is exempt: a vague question ("What is
#: discussed in this publication?") embeds far from every sentence, and a lower similarity floor
#: already applies to it. Calibrated on PubMedQA dev answerable/gold-removed and COVID-QA dev with
#: `bench/helpers/gate_sweep.py` (the plateau is 0.45-0.5 x 0.35-0.36; see README "Evaluation")
GATE = GateThresholds(one_source=0.45, joint=0.36)


#: the share of the question's (IDF-weighted) terms at which "every term is found"
_ALL_TERMS = 0.95
