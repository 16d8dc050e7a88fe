"""Chunking: sentence-aligned, token-bounded spans of each section.

Lengths are measured in tiktoken tokens (the budget unit everywhere) and checked against the
embedding model's word-piece limit, so no chunk is ever silently truncated by the embedder.
Chunks keep their source id, section name and character offsets into the section text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.markers import reference_numbers
from assistant.text import split_sentences
from assistant.tokens import encoding
from assistant.types import Chunk, Document, is_front_matter_section


@dataclass(frozen=True)
class ChunkingRules:
    max_tokens: int
    overlap_sentences: int
    encoding_name: str
    max_word_pieces: int
    count_word_pieces: Callable[[str], int]


def embedding_text(title: str, section: str, text: str) -> str:
    """What the embedder (and BM25) reads for a chunk: its context (title, section) and its text.

    Front-matter lines (authors, funding, dates, licence...) go without the title: a title names the
    article's whole topic, and a dozen tiny lines carrying it would match every topic question; they
    say instead that they are about the article ("Who funded the article?"); of the wordings tried this
    one brings article questions closest to their line and topic questions least close.
    """
    if is_front_matter_section(section):
        return f"About the article - {section}: {text}"
    return f"{title}. {section}: {text}" if title else text


def chunk_id(source_id: str, section: str, start: int, end: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")
    if len(slug) > 40:
        # long heading paths ("Results › Effect of … › Figure 3") share their first 40 characters with
        # their parent section: a short hash of the whole name keeps the ids of the two apart
        slug = f"{slug[:40]}-{hashlib.sha1(section.encode('utf-8')).hexdigest()[:6]}"
    return f"{source_id}::{slug}::{start}-{end}"


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def sentence_spans(section: str, text: str, title: str, rules: ChunkingRules) -> list[tuple[int, int]]:
    """Sentence spans of a section, long sentences cut into pieces that fit one chunk."""
    return [span for s in split_sentences(text) for span in _split_long(s, section, text, title, rules)]


def chunk_document(document: Document, rules: ChunkingRules) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in document.sections:
        spans = sentence_spans(section.name, section.text, document.source.title, rules)
        for start, end in _group_spans(spans, section.name, section.text, document.source.title, rules):
            text = section.text[start:end]
            chunks.append(
                Chunk(
                    id=chunk_id(document.source.id, section.name, start, end),
                    source_id=document.source.id,
                    section=section.name,
                    start=start,
                    end=end,
                    text=text,
                    tokens=_tokens(text, rules),
                    ref_numbers=reference_numbers(text),
                )
            )
    return chunks


def _tokens(text: str, rules: ChunkingRules) -> int:
    return len(encoding(rules.encoding_name).encode(text, disallowed_special=()))


def _fits(title: str, section: str, text: str, rules: ChunkingRules) -> bool:
    if _tokens(text, rules) > rules.max_tokens:
        return False
    return rules.count_word_pieces(embedding_text(title, section, text)) <= rules.max_word_pieces


def _group_spans(
    sentences: list[tuple[int, int]], section: str, text: str, title: str, rules: ChunkingRules
) -> Iterator[tuple[int, int]]:
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and _fits(title, section, text[sentences[i][0] : sentences[j][1]], rules):
            j += 1
        yield sentences[i][0], sentences[j - 1][1]
        if j >= len(sentences):
            break
        i = max(i + 1, j - rules.overlap_sentences)


def _split_long(
    span: tuple[int, int], section: str, text: str, title: str, rules: ChunkingRules
) -> list[tuple[int, int]]:
    """A sentence too long for one chunk is cut at word boundaries into pieces that fit."""
    start, end = span
    if _fits(title, section, text[start:end], rules):
        return [span]
    pieces: list[tuple[int, int]] = []
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    piece_start = 0
    while piece_start < len(words):
        low, high = piece_start + 1, len(words)
        # binary search for the longest run of words that still fits
        while low < high:
            middle = (low + high + 1) // 2
            if _fits(title, section, text[words[piece_start][0] : words[middle - 1][1]], rules):
                low = middle
            else:
                high = middle - 1
        pieces.append((words[piece_start][0], words[low - 1][1]))
        piece_start = low
    return pieces
