"""An identifier (DOI, trial registration, PubMed Central id) is supported only as the evidence writes it."""

from __future__ import annotations

from assistant.claims import check_sentence

EVIDENCE = [
    "The DOI of the study by Okafor N (2021) is 10.1016/j.fertnstert.2021.03.014 and its PMCID is PMC8112233.",
    "The registration number of this study is NCT04123456.",
]


def test_an_identifier_with_one_character_changed_is_not_supported():
    for claim in (
        "The study by Okafor N has the DOI 10.1016/j.fertnstert.2021.03.041.",
        "Its PMCID is PMC8112323.",
        "The study was registered as NCT04123465.",
    ):
        check = check_sentence(claim, EVIDENCE)
        assert not check.supported and check.reason == "number", (claim, check.reason)


def test_an_identifier_copied_exactly_is_supported_in_any_sentence_around_it():
    assert check_sentence(
        "Okafor N's 2021 study (DOI 10.1016/j.fertnstert.2021.03.014) is PMC8112233.", EVIDENCE
    ).supported
    assert check_sentence("The registration number of the study is NCT04123456.", EVIDENCE).supported
