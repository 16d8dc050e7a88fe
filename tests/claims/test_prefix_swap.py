"""A word with another prefix names another thing ("polyclonal" for "monoclonal"); one with its prefix
left off ("coronavirus" for "betacoronavirus") is only less specific."""

from __future__ import annotations

import pytest

from assistant.claims import check_sentence
from tests.answer_checks import assert_rejected

EVIDENCE = [
    "Six monoclonal antibodies against four tick-borne viruses were raised for the assay.",
    "Allogeneic cells lowered the infection rate in patients with pertussis.",
]


@pytest.mark.parametrize(
    "claim",
    [
        "Six polyclonal antibodies against four tick-borne viruses were raised for the assay.",
        "Xenogeneic cells lowered the infection rate in patients with pertussis.",
        "Allogeneic cells lowered the infection rate in patients with parapertussis.",
    ],
)
def test_a_swapped_prefix_is_another_entity(claim):
    assert_rejected(claim, EVIDENCE, "entity")


def test_the_same_word_or_a_less_specific_one_holds():
    assert check_sentence("Monoclonal antibodies against four tick-borne viruses were raised.", EVIDENCE).supported
    evidence = ["Betacoronaviruses were found in 12 of 40 bat samples."]
    assert check_sentence("Coronaviruses were found in 12 of 40 bat samples.", evidence).supported


def test_a_negating_prefix_dropped_or_added_is_the_opposite():
    evidence = ["The efficacy of current treatments is unsatisfactory, and the effect was dependent on dose."]
    assert_rejected("The efficacy of current treatments is satisfactory.", evidence, "polarity")
    assert_rejected("The effect was independent of dose.", evidence, "polarity")
    # "improved" is no negation of "proved"
    assert check_sentence("The therapy improved outcomes.", ["The therapy proved to improve outcomes."]).supported


def test_a_first_author_named_at_the_start_of_a_claim_must_be_the_evidences():
    evidence = ["Okafor N et al. found that the booster raised antibody titres in 40 adults."]
    assert_rejected(
        "Lindqvist M et al. found that the booster raised antibody titres in 40 adults.", evidence, "entity"
    )
    assert check_sentence(
        "Okafor N et al. found that the booster raised antibody titres in 40 adults.", evidence
    ).supported
    assert not check_sentence(
        "Lindqvist and colleagues found that the booster raised antibody titres.", evidence
    ).supported
