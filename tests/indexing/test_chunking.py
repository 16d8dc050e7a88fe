"""Chunk bounds: token budget respected, no silent truncation by the embedder, offsets exact."""

from __future__ import annotations

import pytest

from assistant.indexing.chunking import ChunkingRules, chunk_document, embedding_text
from assistant.indexing.embedding import get_embedder
from assistant.ingest import load_corpus
from assistant.tokens import count_tokens
from assistant.types import Document, Section, Source, SourceKind


@pytest.fixture(scope="module")
def rules():
    embedder = get_embedder(None)
    return ChunkingRules(
        max_tokens=160,
        overlap_sentences=1,
        encoding_name="cl100k_base",
        max_word_pieces=256,
        count_word_pieces=embedder.count_word_pieces,
    )


def _doc(text: str, title: str = "A study") -> Document:
    return Document(Source(id="doc", kind=SourceKind.ABSTRACT, title=title), (Section("Body", text),))


def test_bundled_corpus_chunks_fit_the_embedder_and_the_budget(rules, corpus_copy):
    documents = load_corpus(corpus_copy).documents
    embedder = get_embedder(None)
    for document in documents:
        sections = {s.name: s.text for s in document.sections}
        for chunk in chunk_document(document, rules):
            assert count_tokens(chunk.text) <= rules.max_tokens
            assert embedder.count_word_pieces(embedding_text(document.source.title, chunk.section, chunk.text)) <= 256
            assert sections[chunk.section][chunk.start : chunk.end] == chunk.text


def test_long_sentence_is_split_not_truncated(rules):
    sentence = " ".join(f"interleukin-{i} rose in decidual tissue" for i in range(120)) + "."
    chunks = chunk_document(_doc(sentence), rules)
    assert len(chunks) > 1
    covered = " ".join(chunk.text for chunk in chunks)
    assert covered.split() == sentence.split()  # every word kept, none lost
    for chunk in chunks:
        assert count_tokens(chunk.text) <= rules.max_tokens


def test_chunks_keep_source_section_and_offsets(rules):
    text = "First sentence about MSCs. Second sentence about Tregs [3]. Third one about NK cells [4-6]."
    chunks = chunk_document(_doc(text), rules)
    assert chunks[0].source_id == "doc" and chunks[0].section == "Body"
    assert text[chunks[0].start : chunks[0].end] == chunks[0].text
    assert set(chunks[0].ref_numbers) == {3, 4, 5, 6}


def test_word_piece_limit_binds_even_when_token_budget_is_loose():
    embedder = get_embedder(None)
    strict = ChunkingRules(
        max_tokens=250,
        overlap_sentences=0,
        encoding_name="cl100k_base",
        max_word_pieces=40,
        count_word_pieces=embedder.count_word_pieces,
    )
    text = " ".join(f"Sentence {i} mentions immunomodulation by mesenchymal stromal cells." for i in range(20))
    for chunk in chunk_document(_doc(text), strict):
        assert embedder.count_word_pieces(embedding_text("A study", "Body", chunk.text)) <= 40
