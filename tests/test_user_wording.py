"""Questions in a user's words rather than the corpus's (issue 20's chat repros), through the real
pipeline: typos in short words, and a place the sources do not tie the finding to."""

from __future__ import annotations

from assistant.generation import prompts
from assistant.generation.question import build_question
from tests.answer_checks import assert_defined_first


def test_short_word_typos_are_read_as_the_corpus_words(assistant):
    answer = assistant.answer("do mesenchymal stem cels reduce misscarriage in mise?")
    assert not answer.refused, answer.text
    evidence = {(c.passage.source.evidence or "").lower() for c in answer.citations}
    assert any("mouse" in e or "mice" in e or "animal" in e for e in evidence), evidence
    assert any(word in answer.text.lower() for word in ("abortion", "resorption", "absorption"))


def test_a_real_word_the_corpus_never_uses_is_not_read_as_a_typo(assistant):
    answer = assistant.answer("Do MSCs help dogs?")
    assert answer.refused


def test_a_place_the_sources_do_not_tie_the_finding_to_is_said_first(assistant):
    answer = assistant.answer("Do MSCs promote angiogenesis in the endometrium?")
    assert not answer.refused, answer.text
    gap = prompts.PLACE_NOT_COVERED.format(place="the endometrium")
    assert answer.lead == gap and answer.text.startswith(gap)
    assert "angiogen" in answer.text and not answer.text.startswith(prompts.FRAME_NOT_SAID)
    assert all(s.supported for s in answer.sentences[:1])


def test_a_place_the_sources_never_name_is_refused(assistant):
    assert assistant.answer("Does MSC therapy work in the brain?").refused


def test_the_place_phrase_is_part_of_the_typed_question():
    question = build_question("Do MSCs promote angiogenesis in the endometrium?")
    assert question.place == ("Do MSCs promote angiogenesis?", "the endometrium")
    assert build_question("Do MSCs lower the abortion rate in mice?").place == ("", "")


def test_how_people_ask_for_an_abbreviation_hears_its_long_form(assistant):
    for question, lead in [
        ("what does RSA stand for", "RSA stands for recurrent spontaneous abortion."),
        ("IUA meaning?", "IUA stands for intrauterine adhesion."),
        ("what is IDO short for", "IDO stands for indoleamine 2,3-dioxygenase."),
    ]:
        answer = assistant.answer(question)
        assert not answer.refused, question
        assert_defined_first(answer, lead)


def test_a_study_named_by_its_first_author_is_found_by_its_record(assistant):
    answer = assistant.answer("PMID of the Rezaei Cell J paper?")
    assert not answer.refused and "30507094" in answer.text
    answer = assistant.answer("whats the doi of the Fu 2015 Exp Ther Med paper")
    assert not answer.refused and "10.3892/etm.2015.2742" in answer.text


def test_a_surname_several_sources_share_names_no_study_alone(assistant):
    """ "Xiao" wrote the review and a mouse study: "the Xiao et al. review" is not the mouse study."""
    answer = assistant.answer("What is the DOI of the Xiao et al. review on MSC therapies for RSA?")
    assert not answer.refused
    assert answer.citations[0].passage.source_id == "review"


def test_lay_words_and_light_verbs_do_not_sink_a_question_the_sources_answer(assistant):
    answer = assistant.answer("do stem cells actually help women who keep having miscarriages?")
    assert not answer.refused, answer.text
    answer = assistant.answer("how many women got pregnant in Zhang's 2021 collagen scaffold pilot?")
    assert not answer.refused and "3 of 15" in answer.text


def test_which_journal_published_a_named_study_leads_with_its_record_line(assistant):
    answer = assistant.answer("Which journal published Singh's paper on autologous stem cells for Ashermans?")
    assert not answer.refused
    assert "J Hum Reprod Sci" in _first(answer)


def _first(answer) -> str:
    return next(s.text for s in answer.sentences if s.supported)


def test_a_shared_surname_with_its_initials_names_the_study():
    from assistant.retrieval import _names_study
    from assistant.types import Source, SourceKind

    study = Source("s", SourceKind.STUDY_DIGEST, "A review", authors=("Zhao QY",), year=2022)
    counts = {"Zhao": 3}
    assert _names_study("the decidual macrophage review by Zhao QY", study, counts)
    assert not _names_study("Which institution is Feng Zhao affiliated with?", study, counts)
    assert _names_study("Zhao's 2022 review", study, counts)


def test_an_affiliation_question_about_one_author_cites_that_authors_line(assistant):
    answer = assistant.answer("Which institution is Feng Zhao affiliated with?")
    assert not answer.refused
    assert answer.text.startswith("Feng Zhao, Department of Basic Medical, China Medical University")


def test_verbs_and_adverbs_the_corpus_never_uses_do_not_sink_the_question(assistant):
    """ "invade", "grow" and "ever" are nowhere in the corpus, which writes "invasion", "proliferation"; as
    question terms they weighed as much as the rarest corpus word and the question was refused."""
    answer = assistant.answer("Can umbilical cord MSCs make trophoblasts invade and grow better?")
    assert not answer.refused, answer.text
    assert "invasion" in _first(answer) and "trophoblast" in _first(answer)
    answer = assistant.answer("were human stem cells ever given to mice in these RSA studies?")
    assert not answer.refused, answer.text


def test_a_noun_the_corpus_never_uses_still_names_an_uncovered_topic(assistant):
    assert assistant.answer("Do MSCs help women with lupus who keep miscarrying?").refused
    assert assistant.answer("How much does MSC therapy cost?").refused


def test_a_gene_written_with_a_hyphen_is_the_one_the_corpus_writes_without(assistant):
    answer = assistant.answer("is HO-1 involved in how MSCs protect pregnancy?")
    assert not answer.refused, answer.text
    assert "Ho1" in answer.text
