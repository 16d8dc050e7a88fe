"""Questions that name the kind of answer they want ("which strains", "which microRNA", "which
molecules", "the trial number", "who first-authored"), whose answers the sources write as instances
("CBA/J x DBA/2", "miR-101", "IL-6", "NCT03724617") or as a study's record line; through the real
pipeline. Worded apart from the tunable dev questions (eval/dev/questions-dev.yaml)."""

from __future__ import annotations

from assistant.generation.question import analyse, question_parts
from assistant.types import is_front_matter_section
from tests.answer_checks import assert_defined_first


def _first(answer) -> str:
    return next(s.text for s in answer.sentences if s.supported)


def test_answer_kinds_are_read_from_the_words_that_name_them():
    assert analyse("Which strains of mice were crossed?").expected == "strain"
    assert analyse("Which miRNAs did the exosomes carry?").expected == "microRNA"
    assert analyse("Which cytokines were lowered?").expected == "molecule"
    assert analyse("What is the registration number of that trial?").expected == "trial id"
    strain = analyse("Which strains of mice were crossed?")
    assert strain.holds_expected("In CBA/J x DBA/2 matings the resorption rate fell.")
    assert not strain.holds_expected("The Th17/Treg ratio fell.")  # a ratio, not a strain


def test_a_word_naming_the_answer_kind_is_covered_by_an_instance_of_it(assistant):
    answer = assistant.answer("Which strains of mice are crossed to make the abortion-prone model?")
    assert not answer.refused, answer.text
    assert "CBA/J" in answer.text
    answer = assistant.answer("Which microRNA rose after bone-marrow MSC exosomes were given to mice?")
    assert not answer.refused, answer.text
    assert "miR-101" in answer.text


def test_a_part_naming_only_the_answer_kind_asks_about_the_first_part(assistant):
    parts = question_parts("How do menstrual-blood MSCs act on NK cells, and which molecules are involved?")
    assert len(parts) == 2 and "NK" in parts[1]
    answer = assistant.answer("How do menstrual-blood MSCs act on NK cells, and which molecules are involved?")
    assert not answer.refused and "do not answer this part" not in answer.text, answer.text
    assert "IL-6" in answer.text or "TGF-beta" in answer.text


def test_a_lay_verb_reads_as_the_sources_technical_one(assistant):
    answer = assistant.answer("Can stem cells from menstrual blood calm NK cells?")
    assert not answer.refused, answer.text
    assert "inhibited" in answer.text


def test_a_leading_phrase_without_a_verb_is_not_a_question_of_its_own(assistant):
    question = "On which day of pregnancy and how were the amniotic MSCs given to the mice?"
    assert question_parts(question) == ()
    answer = assistant.answer(question)
    assert not answer.refused, answer.text
    assert "4.5" in _first(answer)
    # the review's dates line ("Received: ... Processing time: 122 Days") shares "day", and answers nothing
    assert not any(
        is_front_matter_section(c.passage.section) and not c.passage.source.kind.is_study for c in answer.citations
    ), answer.text


def test_a_study_asked_for_by_its_topic_brings_its_record_line(assistant):
    answer = assistant.answer("Who was the first author of the meta-analysis of MSCs in abortion-prone mice?")
    assert not answer.refused, answer.text
    assert "Zhao X" in _first(answer)


def test_a_trial_number_question_leads_with_the_registration(assistant):
    answer = assistant.answer("What is the trial registration number of the collagen scaffold umbilical cord study?")
    assert not answer.refused, answer.text
    assert "NCT0" in _first(answer)


def test_the_review_named_in_other_words_is_still_the_review(assistant):
    answer = assistant.answer("Who wrote the minireview about MSC treatment for repeated miscarriage?")
    assert not answer.refused, answer.text
    assert "Yi Xiao" in answer.text and answer.citations[0].passage.source_id == "review"


def test_the_article_type_answers_whether_the_review_is_original_research(assistant):
    answer = assistant.answer("Is this paper original research or a review?")
    assert not answer.refused, answer.text
    assert "Minireview" in answer.text


def test_an_abbreviation_written_with_its_own_abbreviations_still_hears_its_long_form(assistant):
    answer = assistant.answer("What does hAMSC stand for?")
    assert not answer.refused
    assert_defined_first(answer, "hAMSC stands for human amniotic mesenchymal stem cell.")
    assert "Human amniotic MSCs" in answer.text  # and a sentence about them, from their study


def test_a_topic_question_in_the_reviews_title_words_is_not_about_its_front_matter(assistant):
    """ "work" points at the affiliations only in a question about people ("Where do the authors work?")."""
    answer = assistant.answer("How do mesenchymal stem cells work against recurrent miscarriage?")
    assert not answer.refused
    assert "Department of" not in answer.text, answer.text
    assert "Department of" in assistant.answer("Where do the authors work?").text


def test_who_as_a_relative_pronoun_asks_for_no_person():
    assert "person" not in analyse("Do MSCs help women who have had three miscarriages?").expected_all
    assert "person" in analyse("Who wrote the review, and who funded it?").expected_all


def test_a_question_about_the_reviews_reference_list_is_refused_with_how_to_add_the_body(assistant):
    answer = assistant.answer("How many references are in the review's bibliography?")
    assert answer.refused, answer.text
    assert "corpus fetch --review" in answer.text


def test_a_short_second_part_asks_its_field_of_the_first_parts_study(assistant):
    question = "Which cytokines did amniotic MSCs raise in RSA mice, and what's the DOI?"
    parts = question_parts(question)
    assert len(parts) == 2 and "amniotic" in parts[1]
    answer = assistant.answer(question)
    assert not answer.refused, answer.text
    assert "10.1093/biolre" in answer.text or "doi" in answer.text.lower()
    assert "10.4252/wjsc" not in answer.text  # not the review's own DOI


def test_a_pubmed_id_question_about_a_study_in_lay_words_is_answered_from_its_record(assistant):
    answer = assistant.answer(
        "PubMed ID of the study giving fat-derived MSCs to abortion-prone mice from different donors?"
    )
    assert not answer.refused, answer.text
    assert "30507094" in answer.text


def test_an_abbreviation_named_anywhere_in_a_definition_question_hears_its_long_form(assistant):
    answer = assistant.answer("URSA: what does that acronym stand for?")
    assert not answer.refused, answer.text
    assert_defined_first(answer, "URSA stands for unexplained recurrent spontaneous abortion.")


def test_the_journals_initials_name_the_review(assistant):
    answer = assistant.answer("Which volume and issue of WJSC carried the Xiao review?")
    assert not answer.refused, answer.text
    assert "17(8)" in answer.text and answer.citations[0].passage.source_id == "review"


def test_retrieval_appends_the_record_passages_it_is_asked_for(assistant):
    plain = assistant.retriever.retrieve("MSCs in abortion-prone mice", 4)
    asked = assistant.retriever.retrieve("MSCs in abortion-prone mice", 4, records_for=("plosone-2023-meta-analysis",))
    assert [p.chunk.id for p in asked.passages[: len(plain.passages)]] == [p.chunk.id for p in plain.passages]
    extra = asked.passages[len(plain.passages) :]
    assert extra and all(
        p.source_id == "plosone-2023-meta-analysis" and is_front_matter_section(p.section) for p in extra
    )
