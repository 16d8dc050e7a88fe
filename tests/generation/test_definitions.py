"""Definition questions: which terms they ask about, and their long forms cited to the glossary."""

from __future__ import annotations

import pytest

from assistant.generation.definitions import definitions_for
from assistant.generation.question import build_question
from assistant.types import Filters, QuestionKind
from tests.answer_checks import assert_defined_first


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("What is RSA?", ("RSA",)),
        ("dNK cell = ?", ("dNK",)),
        ("what do PGE2 and HGF stand for", ("PGE2", "HGF")),
        ("Define TRAF6 please", ("TRAF6",)),
        ("dMSC vs DSC - whats the difference between the two abbreviations?", ("dMSC", "DSC")),
        ("LIT and IVIG - what are they?", ("LIT", "IVIG")),
        ("ISCT - what does it stand for?", ("ISCT",)),
        ("what does SMD mean in the mouse meta-analysis?", ("SMD",)),
    ],
)
def test_a_definition_question_names_the_terms_it_asks_about(question, terms):
    asked = build_question(question)
    assert asked.kind is QuestionKind.DEFINITION
    assert asked.defines == terms


@pytest.mark.parametrize(
    "question",
    [
        "What is the role of IDO in MSC therapy?",  # definition-shaped, but IDO and MSC are its topic
        "How do MSCs act on decidual NK cells?",
        "Which MSC source works best for RSA?",
    ],
)
def test_a_question_about_a_topic_defines_nothing(question):
    assert build_question(question).defines == ()


def test_only_terms_the_glossary_knows_are_defined_and_never_under_filters():
    glossary = {"lit": "lymphocyte immunotherapy"}.get
    asked = build_question("LIT and XYZQ - what are they?")
    found = definitions_for(asked, lambda term: glossary(term.lower()))
    assert [(d.term, d.text) for d in found] == [("LIT", "LIT stands for lymphocyte immunotherapy.")]
    assert found[0].passage.source.kind.value == "glossary"
    filtered = build_question("LIT and XYZQ - what are they?", filters=Filters(kind=("study_digest",)))
    assert definitions_for(filtered, lambda term: glossary(term.lower())) == ()


def test_a_definition_sentence_is_about_the_term_only_when_it_writes_it_or_its_long_form():
    long_forms = {"msc": "mesenchymal stem cell", "dmsc": "decidual mesenchymal stem cell"}
    asked = build_question("What does dMSC stand for?")
    (definition,) = definitions_for(asked, lambda term: long_forms.get(term.lower().rstrip("s")))
    assert definition.written_in("Decidual MSCs from 30 women raised regulatory T cells.")
    assert definition.written_in("dMSCs lowered IL-6.")
    # the kind-naming first word may not be the one left out
    assert not definition.written_in("Bone-marrow MSC stem cells lowered IL-6.")


@pytest.mark.parametrize(
    ("question", "definitions"),
    [
        # each was refused, or answered with no long form, before the glossary was citable (dev batch 3)
        (
            "LIT and IVIG - what are they?",
            ["LIT stands for lymphocyte immunotherapy.", "IVIG stands for intravenous immunoglobulin."],
        ),
        ("ISCT - what does it stand for?", ["ISCT stands for International Society for Cellular Therapy."]),
        (
            "what do PGE2 and HGF stand for",
            ["PGE2 stands for prostaglandin E2.", "HGF stands for hepatocyte growth factor."],
        ),
        ("dNK cell = ?", ["dNK stands for decidual natural killer cell."]),
    ],
)
def test_a_definition_question_hears_each_long_form_first_cited_to_the_glossary(assistant, question, definitions):
    answer = assistant.answer(question)
    assert not answer.refused, answer.text
    assert_defined_first(answer, definitions[0])
    assert [s.text for s in answer.sentences[: len(definitions)]] == definitions
    assert all(s.supported for s in answer.sentences[: len(definitions)])
    glossary = [c for c in answer.citations if c.passage.source.kind.value == "glossary"]
    assert len({c.n for c in glossary}) == 1  # one source, one number, however many terms


def test_what_follows_the_long_forms_is_about_the_terms(assistant):
    """Not a sentence that merely shares a word with the question ("what are they")."""
    answer = assistant.answer("LIT and IVIG - what are they?")
    for sentence in answer.sentences[2:]:
        assert any(w in sentence.text for w in ("lymphocyte immunotherapy", "immunoglobulin", "LIT", "IVIG")), (
            sentence.text
        )


def test_the_glossary_is_not_a_kind_a_user_can_filter_by(assistant):
    from assistant.errors import InvalidFilterError

    with pytest.raises(InvalidFilterError, match="Use one of"):
        assistant.answer("What is RSA?", filters={"kind": "glossary"})


def test_a_question_that_names_its_topic_before_its_pronoun_borrows_nothing(assistant):
    """ "they" points at LIT and IVIG, not at the earlier question's topic (issue 21 item 4)."""
    first = assistant.answer("How do MSCs act on decidual NK cells?")
    answer = assistant.answer("LIT and IVIG - what are they?", history=[first])
    assert answer.searched_query == "LIT and IVIG - what are they?", answer.searched_query
    assert "lymphocyte immunotherapy" in answer.text
    follow = assistant.answer("Do they raise Tregs?", history=[first])
    assert follow.searched_query != "Do they raise Tregs?"  # a bare pronoun still leans on the chat
