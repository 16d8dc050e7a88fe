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
    check = check_sentence(claim, EVIDENCE)
    assert check.supported is supported, check.reason
    if not supported:
        assert check.reason == "comparison"


def test_a_raised_outcome_makes_the_higher_value_the_better_arm():
    evidence = ["Letrozole raised the live-birth rate to 40% and clomiphene to 25%."]
    assert check_sentence("Letrozole outperformed clomiphene in raising the live-birth rate.", evidence).supported
    assert not check_sentence("Clomiphene outperformed letrozole in raising the live-birth rate.", evidence).supported
