"""Chunk bounds: token budget respected, no silent truncation by the embedder, offsets exact."""

from __future__ import annotations

import pytest

from assistant.indexing import chunking
from assistant.indexing.chunking import ChunkingRules, chunk_document, embedding_text
from assistant.indexing.embedding import get_embedder
from assistant.ingest import load_corpus
from assistant.tokens import count_tokens, encoding
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


def _assert_pieces_cover(text: str, chunks, rules) -> None:
    """Every chunk within the budget, and the chunks laid end to end give back every character."""
    assert chunks
    for chunk in chunks:
        assert count_tokens(chunk.text) <= rules.max_tokens
        assert chunk.tokens <= rules.max_tokens
        assert text[chunk.start : chunk.end] == chunk.text
    assert "".join(chunk.text for chunk in chunks).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    "word",
    [
        "x" * 400_000,  # a Markdown file holding one huge word
        "aGVsbG8gd29ybGQ" * 20_000,  # base64
        "https://example.org/" + "/".join(f"segment{i}?q={i}" for i in range(20_000)),  # a long URL
        "間葉系幹細胞" * 30_000,  # PDF text without spaces, multi-byte characters
    ],
    ids=["one-word", "base64", "url", "cjk"],
)
def test_a_word_longer_than_a_chunk_is_cut_into_chunks_that_fit(rules, word):
    text = f"Short opening sentence. {word} Closing sentence."
    chunks = chunk_document(_doc(text), rules)
    assert len(chunks) > 2
    _assert_pieces_cover(text, chunks, rules)


def test_long_words_inside_a_long_sentence_are_cut_and_the_words_kept(rules):
    text = " ".join(["cells"] * 300 + ["Z" * 50_000] + ["decidua"] * 300) + "."
    chunks = chunk_document(_doc(text), rules)
    _assert_pieces_cover(text, chunks, rules)


class _CountingEncoding:
    """The real tiktoken encoding, counting the characters it is asked to tokenize."""

    def __init__(self, real):
        self.real, self.characters = real, 0

    def encode(self, text: str, **options):
        self.characters += len(text)
        return self.real.encode(text, **options)

    def decode_single_token_bytes(self, token: int) -> bytes:
        return self.real.decode_single_token_bytes(token)


def _work_for(text: str, rules: ChunkingRules, monkeypatch) -> int:
    """Characters tokenized to chunk `text`: a measure of work, not of time."""
    counting = _CountingEncoding(encoding(rules.encoding_name))
    monkeypatch.setattr(chunking, "encoding", lambda name: counting)
    chunk_document(_doc(text), rules)
    return counting.characters


@pytest.mark.parametrize("unit", ["q", "word "], ids=["one-word", "one-sentence"])
def test_chunking_work_grows_linearly_with_an_over_long_unit(rules, unit, monkeypatch):
    small = _work_for(unit * 20_000, rules, monkeypatch)
    large = _work_for(unit * 40_000, rules, monkeypatch)
    assert large <= 3 * small
