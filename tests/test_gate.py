"""The relevance gate, through the public API: questions the sources do not cover are refused with the
fixed sentence and no citations; covered questions are answered with citations. Questions written for
this test (not taken from the curated evaluation set)."""

from __future__ import annotations

import pytest

from assistant.generation import prompts


@pytest.mark.parametrize(
    "question",
    [
        "How long should sourdough bread rise before baking?",
        "Which team won the 1998 football World Cup?",
        "What is the boiling point of ethanol at sea level?",
    ],
)
def test_off_topic_questions_are_refused(assistant, question):
    answer = assistant.answer(question)
    assert answer.refused and answer.refusal_reason in ("off_topic", "not_in_sources")
    assert answer.text.startswith((prompts.REFUSAL_OFF_TOPIC, prompts.REFUSAL))
    assert not answer.citations


def test_a_question_whose_distinctive_term_the_sources_lack_is_refused(assistant):
    # "phase III" appears nowhere in the corpus; MSCs and RSA do, which must not be enough
    answer = assistant.answer("What did the phase III trial of intravenous MSCs in women with RSA report?")
    assert answer.refused and not answer.citations


@pytest.mark.parametrize(
    "question",
    [
        "What do mesenchymal stem cells do to natural killer cells in the decidua?",
        "Do MSCs change the number of regulatory T cells in mice prone to abortion?",
        # capitals name nothing when the whole question is in them, and "explain simply" or "according
        # to the literature" say how to answer, not what about
        "HOW DO MSCS ACT ON DECIDUAL NK CELLS? EXPLAIN SIMPLY",
        "WHAT DO MSCS DO TO DECIDUAL NK CELLS ACCORDING TO THE LITERATURE?",
    ],
)
def test_covered_questions_are_answered_with_citations(assistant, question):
    answer = assistant.answer(question)
    assert not answer.refused, answer.text
    assert answer.citations
    for sentence in answer.sentences:
        if sentence.supported:
            assert sentence.citations


@pytest.mark.parametrize(
    "question, spelt",
    [
        (
            "What do mesenchymal stem cells do to natural killer cells in the deciduaa?",
            "What do mesenchymal stem cells do to natural killer cells in the decidua?",
        ),
        (
            "What did the trophoblst experiments with umbilical cord MSCs show?",
            "What did the trophoblast experiments with umbilical cord MSCs show?",
        ),
    ],
)
def test_a_misspelt_question_is_answered_like_the_spelt_one(assistant, question, spelt):
    answer, expected = assistant.answer(question), assistant.answer(spelt)
    assert not answer.refused, answer.text
    assert {c.passage.source_id for c in answer.citations} & {c.passage.source_id for c in expected.citations}


def test_a_question_naming_a_trial_phase_in_roman_numerals_finds_the_arabic_one(assistant):
    # the corpus registers a "Phase 2" trial: "phase II" is the same designation
    answer = assistant.answer("What did the phase II trial of MSCs in recurrent spontaneous abortion find?")
    assert not answer.refused, answer.text
    assert any(c.passage.source.trial_id for c in answer.citations)
