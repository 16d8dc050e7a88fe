"""Text rules (assistant/text.py): the corpus spelling of a misspelt question word."""

from __future__ import annotations

import pytest

from assistant.text import content_terms, known_spelling

#: stems as an index counts them (chunks holding each)
FREQUENCIES = {
    "carrageenan": 3,
    "empyema": 2,
    "zanamivir": 5,
    "zanamavin": 1,
    "retrospect": 9,
    "trophoblast": 12,
    "cat": 4,
    "aspir": 2,
    "train": 3,
}


@pytest.mark.parametrize(
    "word, meant",
    [
        ("carageenan", "carrageenan"),  # a letter left out
        ("emphyema", "empyema"),  # a letter too many
        ("Zanamavir", "zanamivir"),  # a letter wrong; the more frequent neighbour wins
        ("restrospective", "retrospect"),
        ("trophoblst", "trophoblast"),
    ],
)
def test_a_misspelt_word_means_the_corpus_term_one_edit_away(word, meant):
    (term,) = content_terms(word)
    assert known_spelling(term, FREQUENCIES) == meant


@pytest.mark.parametrize("word", ["carrageenan", "cats", "te", "brain", "covid19", "aspirin", "ultrasound"])
def test_known_short_numbered_and_unmatched_words_are_left_alone(word):
    # known ("cats" is "cat"); too short to guess ("brain" is not "train"); an identifier; not a word
    # whose edit merely stems to a known term ("aspirin" is not "aspiric" -> "aspir"); nothing near
    (term,) = content_terms(word)
    assert known_spelling(term, FREQUENCIES) is None


#: a corpus where "cell" and "mice" are common and "doi" is in every record
SHORT = {"cell": 80, "mice": 19, "doi": 43, "fell": 3, "plos": 2, "gel": 1}


@pytest.mark.parametrize("word, meant", [("cels", "cell"), ("mise", "mice")])
def test_a_short_misspelt_word_that_is_no_english_word_means_the_common_corpus_term(word, meant):
    (term,) = content_terms(word)
    assert known_spelling(term, SHORT) == meant


@pytest.mark.parametrize("word", ["dog", "feel", "pcos"])
def test_a_short_english_word_or_a_rare_neighbour_is_not_corrected(word):
    # "dog" and "feel" are English words the corpus does not use, not typos of "doi" and "fell";
    # "pcos" has only a rare neighbour ("plos"), too weak a guess for a four-letter word
    (term,) = content_terms(word)
    assert known_spelling(term, SHORT) is None


def test_a_short_name_with_one_digit_keeps_its_digit():
    """ "HO-1" is the gene the corpus writes "Ho1"; split, "ho" names nothing the sources say."""
    assert content_terms("Is HO-1 involved?") == ["ho1", "involv"]
    assert content_terms("PD-1 and IL-6") == ["pd1", "il6"]
    assert content_terms("type-2 diabetes")[0] == "type"  # a plain word with a number stays a word
    assert content_terms("IL-10 rose")[:2] == ["il", "10"]  # a two-digit part is a term of its own already
