"""What an answer says first, by question kind, and the gate's typed refusals (issue 21).

Each test is an example from the issue, asked through the real pipeline (real index, real model).
"""

from __future__ import annotations

import dataclasses

import pytest

from assistant.generation import prompts
from assistant.generation.question import build_question
from assistant.types import Question, QuestionKind, RefusalReason, Turn
from tests.answer_checks import assert_defined_first


def _first(answer) -> str:
    supported = [s for s in answer.sentences if s.supported]
    assert supported, answer.text
    return supported[0].text


def _cited_sources(answer):
    return {c.passage.source_id: c.passage.source for c in answer.citations}


# -- the typed question ---------------------------------------------------------------------------
def test_the_question_is_built_once_typed_and_frozen():
    question = build_question("Who wrote this review and who funded it?")
    assert isinstance(question, Question) and question.kind is QuestionKind.METADATA
    assert question.parts == ("Who wrote this review?", "who funded this review?")
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.text = "something else"  # type: ignore[misc]
    narrowed = build_question("What did menstrual blood-derived stem cells do in abortion-prone mice?")
    assert narrowed.population.species == "mouse" and narrowed.population.cell_source == "menstrual blood"


# -- what the answer says first -------------------------------------------------------------------
def test_the_mechanisms_question_opens_with_the_sentence_that_lists_them(assistant):
    answer = assistant.answer("Through which mechanisms can MSCs improve pregnancy outcomes in RSA?")
    first = _first(answer)
    assert "immune cell homeostasis" in first and "tissue regeneration" in first
    assert not first.startswith("This article provides")


def test_a_how_does_it_work_question_also_opens_with_the_mechanisms(assistant):
    """ "How do X work?" asks through which mechanisms without the word."""
    answer = assistant.answer("How do mesenchymal stem cells work against recurrent miscarriage?")
    first = _first(answer)
    assert "immune tolerance" in first and "angiogenic" in first, answer.text


def test_which_source_works_best_opens_with_the_sentence_that_ranks_them(assistant):
    answer = assistant.answer("Which MSC source works best for RSA?")
    assert "helped most" in _first(answer)
    titles = {source.title.rstrip(".") for source in _cited_sources(answer).values()}
    assert not any(s.text.rstrip(".") in titles for s in answer.sentences), "a title was cited as a sentence"


def test_a_yes_no_question_about_approval_hears_that_the_sources_do_not_say_so(assistant):
    answer = assistant.answer("Is MSC therapy approved for RSA?")
    assert not answer.refused
    assert answer.text.startswith(prompts.FRAME_NOT_SAID)
    assert "approved" not in answer.text.lower()


def test_a_yes_no_question_answered_in_other_words_is_not_told_the_sources_are_silent(assistant):
    """ "improved angiogenesis" answers "Do MSCs promote angiogenesis?": no "do not say so" frame."""
    answer = assistant.answer("Do MSCs promote angiogenesis?")
    assert not answer.refused and "angiogen" in answer.text
    assert not answer.text.startswith(prompts.FRAME_NOT_SAID)


def test_a_yes_no_question_the_sources_answer_opens_with_yes_and_in_whom(assistant):
    answer = assistant.answer("Do MSCs lower the abortion rate in mice?")
    assert answer.text.startswith("In mice, yes: ") and answer.lead == "In mice, yes:"
    assert answer.sentences[0].supported and answer.text.startswith(f"In mice, yes: {answer.sentences[0].text}")


def test_a_cell_source_in_a_population_not_covered_says_so_and_labels_the_nearest_evidence(assistant):
    answer = assistant.answer("What did menstrual blood-derived stem cells do in abortion-prone mice?")
    first = answer.text
    assert first.startswith("The sources hold no mouse data on menstrual blood cells"), first
    assert "the nearest evidence is in women" in first or "the nearest evidence is in human cells" in first
    for source in _cited_sources(answer).values():
        assert "menstrual" in source.msc_source, source.id  # no adipose or bone-marrow study in mice


def test_what_is_rsa_opens_with_a_definition(assistant):
    answer = assistant.answer("What is RSA?")
    assert_defined_first(answer, "RSA stands for recurrent spontaneous abortion.")
    # then the review's own sentence that defines it
    assert "recurrent spontaneous abortion (RSA), a" in answer.sentences[1].text, answer.text


def test_a_trial_registration_line_is_cited_as_a_sentence_with_a_subject(assistant):
    answer = assistant.answer("Which clinical trials of MSCs in RSA are registered?")
    assert not answer.refused
    assert not any(s.text.startswith("24 patients") for s in answer.sentences)


# -- follow-ups and multi-part questions ---------------------------------------------------------------
def test_a_follow_up_borrows_only_the_last_answered_turns_own_question(assistant):
    first = assistant.answer("Do MSCs lower the abortion rate in mice?")
    humans = assistant.answer("And in humans?", [first])
    exosomes = assistant.answer("What about exosomes?", [first, humans])
    assert "humans" not in exosomes.searched_query.lower()
    assert "abortion" in exosomes.searched_query.lower()


def test_a_self_contained_question_later_in_a_chat_borrows_nothing_and_answers_both_parts(assistant):
    history = [assistant.answer("Do MSCs lower the abortion rate in mice?")]
    history.append(assistant.answer("And in humans?", history))
    answer = assistant.answer("Who wrote this review and who funded it?", history)
    assert answer.searched_query == "Who wrote this review and who funded it?"
    assert "Jing-Li Sun" in answer.text and "Natural Science Foundation of Liaoning Province" in answer.text


def test_a_part_the_sources_do_not_answer_is_said_to_be_unanswered(assistant):
    answer = assistant.answer("Who funded this review and what is the boiling point of ethanol?")
    assert not answer.refused
    assert "Natural Science Foundation" in answer.text
    unanswered = prompts.PART_NOT_COVERED.format(part="what is the boiling point of ethanol?")
    assert unanswered in answer.text and unanswered in (answer.notice or "")  # the notice is what renderers show


def test_a_refused_turn_keeps_its_refusal_and_lends_no_topic(assistant):
    refused = assistant.answer("What is the capital of France?")
    assert refused.refused and Turn.of(refused).refused
    follow = assistant.answer("Do they raise Tregs?", [refused])
    assert "France" not in follow.searched_query


# -- the gate's typed reasons ---------------------------------------------------------------------------
def test_the_gate_names_why_it_refused(assistant):
    assert assistant.answer("What is the capital of France?").refusal_reason == RefusalReason.OFF_TOPIC.value
    filtered = assistant.answer("Do MSCs lower the abortion rate in mice?", filters={"year_min": 2199})
    assert filtered.refused and filtered.refusal_reason == RefusalReason.FILTERED_OUT.value
    assert "clear the filters" in (filtered.notice or "")


def test_a_refusal_about_the_review_body_says_what_is_indexed_and_how_to_add_it(assistant):
    answer = assistant.answer("What does the review's discussion section say about tumorigenicity of MSCs?")
    assert answer.refused and answer.refusal_reason == RefusalReason.NOT_IN_SOURCES.value
    assert "Abstract and Core Tip" in answer.text
    assert prompts.REFUSAL_ADD_REVIEW in answer.text


def test_the_terminal_shows_what_the_answer_says_first(assistant):
    from assistant.rendering.markdown import answer_text_markdown
    from assistant.rendering.terminal import answer_lines

    answer = assistant.answer("Do MSCs lower the abortion rate in mice?")
    assert answer_lines(answer)[0].plain == "In mice, yes:"
    assert answer_text_markdown(answer).lstrip().startswith("In mice, yes:")
