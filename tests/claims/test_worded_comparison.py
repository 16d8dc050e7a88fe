"""Comparisons made in words ("outperformed", "inferior to", "as effective as") are checked against the
values the evidence gives each arm, like "more ... than" is."""

from __future__ import annotations

import pytest

from assistant.claims import check_sentence

EVIDENCE = ["Remdesivir lowered mortality to 12% and favipiravir to 20%, against 30% with placebo."]


@pytest.mark.parametrize(
    "claim, supported",
    [
        ("Favipiravir outperformed remdesivir in lowering mortality.", False),
        ("Remdesivir was inferior to favipiravir at reducing mortality.", False),
        ("Favipiravir was as effective as remdesivir.", False),
        ("Remdesivir outperformed favipiravir in lowering mortality.", True),
        ("Favipiravir was inferior to remdesivir at reducing mortality.", True),
    ],
)
def test_a_worded_comparison_follows_the_arms_values(claim, supported):
    _assert_comparison(claim, EVIDENCE, supported)


def _assert_comparison(claim: str, evidence: list[str], supported: bool) -> None:
    check = check_sentence(claim, evidence)
    assert check.supported is supported, check.reason
    if not supported:
        assert check.reason == "comparison"


def test_a_raised_outcome_makes_the_higher_value_the_better_arm():
    evidence = ["Letrozole raised the live-birth rate to 40% and clomiphene to 25%."]
    assert check_sentence("Letrozole outperformed clomiphene in raising the live-birth rate.", evidence).supported
    assert not check_sentence("Clomiphene outperformed letrozole in raising the live-birth rate.", evidence).supported


# comparisons the evidence states without values: which side has more of what
WORDED = ["The new rapid test showed comparable specificity and higher sensitivity compared with culture."]


@pytest.mark.parametrize(
    "claim, supported",
    [
        ("The new rapid test was less sensitive than culture.", False),
        ("The new rapid test had higher specificity than culture.", False),
        ("The new rapid test was only as sensitive as culture.", False),
        ("Compared with culture, the new rapid test had higher sensitivity and comparable specificity.", True),
        ("Culture had lower sensitivity than the new rapid test.", True),  # the same comparison, other side first
    ],
)
def test_a_comparison_the_evidence_makes_in_words_is_kept_by_attribute_and_side(claim, supported):
    _assert_comparison(claim, WORDED, supported)


def test_how_well_something_worked_is_one_attribute_in_any_word():
    evidence = ["Both vaccines raised antibodies in older adults, but the adjuvanted vaccine did so less strongly."]
    assert not check_sentence("The adjuvanted vaccine was more potent than the other vaccine.", evidence).supported
    assert not check_sentence("The adjuvanted vaccine was as effective as the other vaccine.", evidence).supported
    assert check_sentence("The adjuvanted vaccine raised antibodies less effectively.", evidence).supported
