"""Issue 21 item 5: the source guide says what the index holds, and the starter questions are answered.

Over the real index built from the bundled corpus (conftest's `built_index`), and a small real index of a
full-text review; the suggested questions go through the real extractive pipeline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant.generation import prompts
from assistant.guide import answers_well, source_guide, suggested_questions
from assistant.types import Answer, AnswerSentence, SourceKind

REVIEW_DOI = "10.4252/wjsc.v17.i8.108695"
FULL_TEXT = Path(__file__).resolve().parent / "fixtures" / "jats" / "synthetic-wjsc-fulltext.nxml"
MECHANISMS = "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?"


def test_the_guide_counts_the_documents_of_each_kind_in_the_corpus(settings, assistant):
    from assistant.ingest import load_corpus

    corpus = Counter(document.source.kind for document in load_corpus(settings.corpus_dir).documents)
    guide = source_guide(assistant)
    assert {item.kind: item.count for item in guide.kinds} == dict(corpus)
    assert guide.documents == sum(corpus.values()) == len(assistant.index.sources)
    digest = corpus[SourceKind.STUDY_DIGEST]
    assert digest > 30, "precondition: the bundled digest"
    assert (
        f"1 review (its front matter, Abstract and Core Tip) and {digest} study summaries" in guide.indexed_sentence()
    )
    # the studies by kind of evidence, in words, adding up to the digest
    assert sum(n for _, n in guide.evidence) == digest
    assert dict(guide.evidence)["mouse studies"] == sum(
        1 for s in assistant.index.sources.values() if s.evidence == "preclinical-mouse"
    )


def test_the_bundled_review_body_is_reported_missing_with_the_command_that_adds_it(assistant):
    guide = source_guide(assistant.index)  # a LoadedIndex works as well as an Assistant
    assert guide.review_body_indexed is False
    assert guide.review_parts == ("front matter", "Abstract", "Core Tip")
    assert guide.missing == (
        "the body of the review",
        "its reference list",
        "the abstracts of the studies it cites",
    )
    assert guide.add_command == f"rsa-assistant corpus fetch --review {REVIEW_DOI}"
    assert "Not indexed: the body of the review, its reference list and" in guide.missing_sentence()
    assert guide.lines()[-1].strip() == guide.add_command


def test_the_named_command_exists_in_the_cli():
    """The guide names `corpus fetch --review`; the installed CLI offers exactly that option."""
    cli = Path(sys.executable).parent / "rsa-assistant"
    result = subprocess.run(
        [str(cli), "corpus", "fetch", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert "--review" in result.stdout


@pytest.mark.slow
def test_a_full_text_review_is_reported_indexed(make_settings, tmp_path):
    """Once the full text is in the corpus (here a synthetic JATS copy of the review, alone), the guide
    says its body is indexed and names the next missing part: the abstracts it cites."""
    from assistant.indexing.build import build_index
    from assistant.indexing.index import load_index

    corpus = tmp_path / "full-text-corpus"
    corpus.mkdir()
    shutil.copy(FULL_TEXT, corpus / "review.nxml")
    settings = make_settings(corpus_dir=corpus)
    build_index(settings)
    guide = source_guide(load_index(settings))
    assert guide.review_body_indexed is True
    assert guide.review_parts == ("front matter", "Abstract", "body text in 1 section")
    assert guide.missing == ("the abstracts of the studies it cites",)
    assert guide.add_command == "rsa-assistant corpus fetch --from-references"
    assert guide.indexed_sentence() == "Indexed: 1 review (its front matter, Abstract and body text in 1 section)."


def test_every_suggested_question_is_answered_by_the_real_pipeline(assistant):
    suggested = suggested_questions(assistant, prompts.SUGGESTED_QUESTION_CANDIDATES, n=4)
    assert len(suggested) == 4
    assert set(suggested) <= set(prompts.SUGGESTED_QUESTION_CANDIDATES)
    for question in suggested:
        answer = assistant.answer(question)
        assert not answer.refused, question
        assert answer.sentences and all(s.supported and s.citations for s in answer.sentences), question


def test_a_candidate_the_index_does_not_answer_is_not_suggested(assistant):
    off_topic = "What is the capital of France?"
    assert assistant.answer(off_topic).refused, "precondition: the pipeline refuses it"
    assert suggested_questions(assistant, [off_topic, MECHANISMS, "?!"], n=4) == (MECHANISMS,)
    assert suggested_questions(assistant, [MECHANISMS, MECHANISMS.replace("MSCs", "stem cells")], n=1) == (MECHANISMS,)


def test_answers_well_needs_every_sentence_supported_and_cited():
    good = AnswerSentence("MSCs lowered the abortion rate.", [1])
    citation = object()  # only its presence counts
    assert answers_well(Answer("q", "t", [good], [citation]))  # type: ignore[list-item]
    assert not answers_well(Answer("q", "t", [good, AnswerSentence("Shaky.", [1], False)], [citation]))  # type: ignore[list-item]
    assert not answers_well(Answer("q", "t", [good, AnswerSentence("Uncited.", [])], [citation]))  # type: ignore[list-item]
    assert not answers_well(Answer("q", prompts.REFUSAL, [], [], refused=True))
    assert not answers_well(Answer("q", "t", [], []))
