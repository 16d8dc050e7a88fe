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
    assert answer.refused
    assert answer.text == prompts.REFUSAL
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
    ],
)
def test_covered_questions_are_answered_with_citations(assistant, question):
    answer = assistant.answer(question)
    assert not answer.refused, answer.text
    assert answer.citations
    for sentence in answer.sentences:
        if sentence.supported:
            assert sentence.citations
