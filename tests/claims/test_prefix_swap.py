"""A word with another prefix names another thing ("polyclonal" for "monoclonal"); one with its prefix
left off ("coronavirus" for "betacoronavirus") is only less specific."""

from __future__ import annotations

import pytest

from assistant.claims import check_sentence

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
    check = check_sentence(claim, EVIDENCE)
    assert not check.supported and check.reason == "entity", check.reason


def test_the_same_word_or_a_less_specific_one_holds():
    assert check_sentence("Monoclonal antibodies against four tick-borne viruses were raised.", EVIDENCE).supported
    evidence = ["Betacoronaviruses were found in 12 of 40 bat samples."]
    assert check_sentence("Coronaviruses were found in 12 of 40 bat samples.", evidence).supported


def test_a_negating_prefix_dropped_or_added_is_the_opposite():
    evidence = ["The efficacy of current treatments is unsatisfactory, and the effect was dependent on dose."]
    dropped = check_sentence("The efficacy of current treatments is satisfactory.", evidence)
    assert not dropped.supported and dropped.reason == "polarity", dropped.reason
    added = check_sentence("The effect was independent of dose.", evidence)
    assert not added.supported and added.reason == "polarity", added.reason
    # "improved" is no negation of "proved"
    assert check_sentence("The therapy improved outcomes.", ["The therapy proved to improve outcomes."]).supported


def test_a_first_author_named_at_the_start_of_a_claim_must_be_the_evidences():
    evidence = ["Okafor N et al. found that the booster raised antibody titres in 40 adults."]
    wrong = check_sentence("Lindqvist M et al. found that the booster raised antibody titres in 40 adults.", evidence)
    assert not wrong.supported and wrong.reason == "entity", wrong.reason
    assert check_sentence(
        "Okafor N et al. found that the booster raised antibody titres in 40 adults.", evidence
    ).supported
    assert not check_sentence(
        "Lindqvist and colleagues found that the booster raised antibody titres.", evidence
    ).supported
