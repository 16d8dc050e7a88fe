"""What a question is about (assistant/generation/terms.py): its distinctive terms and the forms
evidence may write them in."""

from __future__ import annotations

import pytest

from assistant.generation.terms import TermStatistics, named_terms, question_terms, term_coverage
from assistant.text import lexical_tokens

#: stems as an index counts them (chunks holding each)
STATS = TermStatistics(
    {
        "msc": 9,
        "mscs": 4,
        "mice": 6,
        "decidu": 5,
        "nk": 3,
        "carrageenan": 2,
        "second": 2,
        "wave": 2,
        "phase": 3,
        "2": 8,
    },
    n=40,
)


def _covers(question: str, evidence: str) -> float:
    terms, forms, weights = question_terms(question, STATS)
    return term_coverage(forms, weights, frozenset(lexical_tokens(evidence)))


@pytest.mark.parametrize(
    "question, evidence",
    [
        ("What do MSCs do?", "MSC therapy lowered the abortion rate."),  # no vowel, so no stem: both forms
        ("What do dMSCs do?", "Decidual MSCs raised regulatory T cells."),  # a prefixed abbreviation
        ("What happened in the mouse studies?", "In mice the rate fell."),  # an irregular plural
        ("What happened in the 2nd wave?", "The second wave was milder."),
        ("What did the phase II trial find?", "A Phase 2 trial enrolled 60 patients."),
        ("Is carageenan antiviral?", "Carrageenan nasal spray was antiviral."),  # misspelt
    ],
)
def test_a_question_term_matches_the_forms_evidence_writes_it_in(question, evidence):
    assert _covers(question, evidence) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "question",
    [
        "What is an example of the topic?",
        "Is it really worth it according to the literature?",
        "Explain simply: what is the term describing it?",
    ],
)
def test_words_that_only_frame_a_question_are_no_topic_terms(question):
    assert question_terms(question, STATS)[0] == []


def test_names_are_written_in_capitals_but_a_shouted_question_names_nothing():
    assert named_terms("How do MSC exosomes act on decidual NK cells?") == {"msc", "nk"}
    assert named_terms("Are postictal psychotic episodes II predictive?") == set()  # a roman numeral
    assert named_terms("HOW DO MSCS ACT ON DECIDUAL NK CELLS?") == set()


def test_only_absent_words_that_cannot_name_a_thing_leave_the_question_terms():
    from assistant.generation.terms import TermStatistics, question_terms
    from assistant.text import is_predicate_word

    assert is_predicate_word("invade") and is_predicate_word("instead") and is_predicate_word("ever")
    assert not is_predicate_word("lupus") and not is_predicate_word("cost") and not is_predicate_word("heart")
    from assistant.text import content_terms

    secrete = content_terms("secrete")[0]
    stats = TermStatistics({"trophoblast": 3, "msc": 9, secrete: 4}, 20)
    terms, _, _ = question_terms("Do MSCs make trophoblasts invade the lupus lining? They secrete it", stats)
    assert "invad" not in terms  # a verb the corpus never uses
    assert "lupus" in terms  # a noun the corpus never uses: a topic it does not cover
    assert secrete in terms  # a verb the corpus uses stays
