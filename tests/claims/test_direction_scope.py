"""Which change of the evidence a claim's change is about, when one sentence reports several."""

from __future__ import annotations

from assistant.claims import check_sentence
from tests.answer_checks import assert_rejected

POOLED = [
    "Across 8 trials the vaccine raised serum IgG (SMD 1.20) and IgA (SMD 0.90), and lowered "
    "hospital admissions (OR 0.40) and deaths (OR 0.55)."
]


def test_a_change_is_matched_by_what_its_clause_names_further_on():
    assert check_sentence("The vaccine lowered deaths (OR 0.55).", POOLED).supported
    assert check_sentence("The vaccine raised serum IgA (SMD 0.90).", POOLED).supported
    assert_rejected("The vaccine raised deaths (OR 0.55).", POOLED, "direction")
    assert_rejected("The vaccine lowered serum IgG (SMD 1.20).", POOLED, "direction")


def test_values_before_and_after_state_the_change():
    evidence = [
        "While pre-treatment ferritin levels were 310.5±20.1 ng/mL, post-treatment levels were 120.2±15.3 ng/mL."
    ]
    assert check_sentence("Ferritin levels fell after treatment.", evidence).supported
    assert_rejected("Ferritin levels rose after treatment.", evidence, "direction")
