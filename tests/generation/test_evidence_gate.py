"""The evidence gate's rule (`evidence_gate`): weak meaning, missing terms, terms spread over sources."""

from __future__ import annotations

import pytest

from assistant.generation.gate import GATE, GateEvidence, GateThresholds, evidence_gate
from assistant.settings import Settings

SETTINGS = Settings()


def test_strong_evidence_in_one_source_passes():
    assert evidence_gate(GateEvidence(0.7, 0.9, 0.9), SETTINGS) == ""


@pytest.mark.parametrize(
    "evidence, reason",
    [
        (GateEvidence(0.2, 0.9, 0.9), "low similarity"),
        (GateEvidence(0.7, 0.3, 0.3), "low term coverage"),
        # the terms are in the evidence, but no one source holds enough of them
        (GateEvidence(0.7, 0.8, GATE.one_source - 0.05), "no single source"),
        # one source holds the terms, but meaning and terms together are too weak
        (GateEvidence(0.5, 0.8, 0.6), "weak evidence"),
    ],
)
def test_weak_evidence_is_refused_with_its_reason(evidence, reason):
    assert evidence_gate(evidence, SETTINGS).startswith(reason)


def test_a_source_holding_every_term_needs_only_the_lower_similarity_floor():
    # "What is discussed in this publication?": vague, far from every sentence, every term found
    assert evidence_gate(GateEvidence(0.3, 1.0, 1.0), SETTINGS) == ""
    assert evidence_gate(GateEvidence(0.3, 0.9, 0.9), SETTINGS).startswith("weak evidence")


def test_personal_questions_are_judged_leniently():
    evidence = GateEvidence(0.5, 0.8, 0.4, personal=True)
    assert evidence_gate(evidence, SETTINGS) == ""
    assert evidence_gate(GateEvidence(0.5, 0.8, 0.4), SETTINGS) != ""


def test_other_thresholds_change_the_verdict():
    evidence = GateEvidence(0.6, 0.8, 0.58)  # joint 0.348
    assert evidence_gate(evidence, SETTINGS, GateThresholds(one_source=0.45, joint=0.30)) == ""
    assert evidence_gate(evidence, SETTINGS, GateThresholds(one_source=0.45, joint=0.40)) != ""
