"""An identifier (DOI, trial registration, PubMed Central id) is supported only as the evidence writes it."""

from __future__ import annotations

from assistant.claims import check_sentence
from tests.answer_checks import assert_rejected

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


def test_a_date_is_copied_with_its_event():
    evidence = ["Received: March 3, 2024 Revised: June 9, 2024 Accepted: August 1, 2024."]
    assert check_sentence("The paper was accepted on August 1, 2024.", evidence).supported
    assert check_sentence("It was received on 3 March 2024.", evidence).supported
    assert_rejected("The paper was received on March 3, 2023.", evidence, "number")
    assert_rejected("The paper was accepted on June 9, 2024.", evidence, "number_binding")
    # "may" as a verb is no month
    assert check_sentence(
        "Of the 12 patients, 12 may have relapsed.", ["Of the 12 patients, 12 may have relapsed."]
    ).supported


def test_a_name_spelled_out_or_abbreviated_is_the_same_name():
    evidence = ["The S gene is closely related to the Korean Porcine epidemic diarrhea virus strain KNU-141."]
    assert check_sentence("The S gene is closely related to the Korean PEDV strain KNU-141.", evidence).supported
    journal = ["The review of sleep and memory appeared in Nat Rev Neurosci in 2021."]
    assert check_sentence(
        "The review of sleep and memory appeared in Nature Reviews Neuroscience in 2021.", journal
    ).supported
    assert_rejected("The review of sleep and memory appeared in Nature Reviews Cardiology in 2021.", journal, "entity")
