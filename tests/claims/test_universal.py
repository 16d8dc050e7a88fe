""" "All" of a counted group where the evidence reports a share of it."""

from __future__ import annotations

from assistant.claims import check_sentence
from tests.answer_checks import assert_rejected

EVIDENCE = ["In 9 children with refractory asthma, lung function recovered fully in 4 (P=0.01)."]


def test_all_of_a_counted_group_is_not_a_share_of_it():
    assert_rejected("Lung function recovered fully in all nine children with refractory asthma.", EVIDENCE, "strength")
    assert check_sentence(
        "In 9 children with refractory asthma, lung function recovered fully in 4.", EVIDENCE
    ).supported


def test_a_share_of_something_else_leaves_all_of_the_group_alone():
    evidence = ["12 patients were followed for 2 years, and 5 of 12 relapsed."]
    assert check_sentence("All 12 patients were followed for 2 years.", evidence).supported


def test_work_in_a_dish_was_given_to_no_one():
    evidence = ["Placental cells from 20 donors lowered T-cell proliferation in co-culture in vitro."]
    assert_rejected(
        "Given as a treatment to patients, placental cells lowered T-cell proliferation.", evidence, "entity"
    )
    assert check_sentence("Placental cells from 20 donors lowered T-cell proliferation in vitro.", evidence).supported
