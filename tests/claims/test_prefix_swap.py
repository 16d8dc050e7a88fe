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
