"""`LoadedIndex` owns its rows: passages come out of retrieval carrying their evidence."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.indexing.layout import CORPUS_CHANGED, SETTINGS_CHANGED, STORE_CHANGED, staleness_reason
from assistant.types import SourceKind


def test_retrieved_passages_carry_sentences_with_spans_and_vectors(assistant):
    passages = assistant.retrieve("Which MSC source lowered the abortion rate most in mice?", k=5)
    assert passages
    for passage in passages:
        assert passage.sentences, passage.chunk.id
        for sentence in passage.sentences:
            assert passage.text[sentence.start : sentence.end] == sentence.text
            assert sentence.id >= 0 and sentence.vector is not None
            assert abs(float(np.linalg.norm(sentence.vector)) - 1.0) < 1e-3
        assert passage.sentence_vectors().shape == (len(passage.sentences), len(passages[0].sentences[0].vector))


@pytest.mark.slow
def test_review_passages_carry_the_references_they_cite(settings, tmp_path):
    from assistant.indexing.build import build_index
    from assistant.indexing.index import load_index
    from tests.ingest import samples

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.html").write_text(samples.review_html(), encoding="utf-8")
    (corpus / "cited.xml").write_text(samples.pubmed_xml(), encoding="utf-8")
    own = settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp_path / "index"})
    build_index(own)
    index = load_index(own)
    citing = [c for c in index.chunks if c.ref_numbers and index.sources[c.source_id].kind is SourceKind.REVIEW]
    assert citing, "the sample review cites its references"
    linked = 0
    for chunk in citing:
        passage = index.passage(chunk, rank=1)
        assert {r.number for r in passage.references} == set(chunk.ref_numbers) & {
            r.number for r in index.references[chunk.source_id]
        }
        for reference in passage.references:
            if reference.abstract_id in index.sources:  # the key sentence is a sentence of the linked abstract
                linked += 1
                assert reference.key_sentence in {text for _, text in index.source_sentences(reference.abstract_id)}
    assert linked


def test_derived_statistics_are_the_index_own_and_computed_once(assistant):
    from assistant.indexing.index import TERM_FREQUENCIES_FILE, count_document_frequencies

    index = assistant.index
    first = index.document_frequencies
    assert first is index.document_frequencies  # read once per loaded index
    assert (index.folder / TERM_FREQUENCIES_FILE).is_file()  # stored by the build
    counted = count_document_frequencies(
        ((index.sources[c.source_id], c.section, c.text) for c in index.chunks), index.glossary.expand
    )
    assert first == counted and max(first.values()) <= len(index.chunks)
    assert not hasattr(index, "_sentence_rows_by_source")  # nothing attached from outside any more


def test_a_sentence_leads_back_to_its_passage(assistant):
    index = assistant.index
    chunk = next(c for c in index.chunks if index.sentences_of(c))
    sentence = index.sentences_of(chunk)[0]
    passage = index.passage_of_sentence(sentence.id, score=1.0)
    assert passage is not None and sentence.text in passage.text


def test_staleness_is_one_rule(settings, assistant):
    manifest = dict(assistant.index.manifest)
    assert staleness_reason(settings, manifest) is None
    assert staleness_reason(settings, manifest, manifest["corpus_fingerprint"]) is None
    assert staleness_reason(settings, manifest, "another corpus") == CORPUS_CHANGED
    assert staleness_reason(settings.model_copy(update={"chunk_max_tokens": 99}), manifest) == SETTINGS_CHANGED
    assert staleness_reason(settings, {**manifest, "store": "http://elsewhere:8000"}) == STORE_CHANGED
