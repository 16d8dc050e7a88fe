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


#: No token of cl100k_base or o200k_base is longer than 128 bytes (so than 128 characters): a text of
#: more characters than 128 x the budget cannot fit, and is rejected without tokenizing it.
_MAX_CHARS_PER_TOKEN = 128


def _fits(title: str, section: str, text: str, rules: ChunkingRules) -> bool:
    # tokenizing a multi-megabyte span only to learn that it is too long would make chunking slow
    # (a long single "word" costs tiktoken more than linear time); the length bound is exact
    if len(text) > rules.max_tokens * _MAX_CHARS_PER_TOKEN:
        return False
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
    """A sentence too long for one chunk is cut at word boundaries into pieces that fit;
    a single word too long for one chunk (PDF text without spaces, base64, a long URL) is cut inside."""
    start, end = span
    if _fits(title, section, text[start:end], rules):
        return [span]
    pieces: list[tuple[int, int]] = []
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    piece_start = 0
    while piece_start < len(words):
        if not _fits(title, section, text[words[piece_start][0] : words[piece_start][1]], rules):
            pieces.extend(_split_word(words[piece_start], section, text, title, rules))
            piece_start += 1
            continue
        # each word is at least one token (tiktoken never merges across a space), so a run of more
        # words than the budget cannot fit: bounding the search keeps each step's text short
        low, high = piece_start + 1, min(len(words), piece_start + rules.max_tokens)
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


def _split_word(
    span: tuple[int, int], section: str, text: str, title: str, rules: ChunkingRules
) -> list[tuple[int, int]]:
    """Consecutive character pieces of one over-long word, each fitting one chunk.

    Each piece costs one tokenization of a bounded window (its first `max_tokens` tokens give the
    piece's length), so an 8 MB word is cut in linear time.
    """
    start, end = span
    pieces: list[tuple[int, int]] = []
    position = start
    while position < end:
        length = _prefix_fitting(text, position, end, rules)
        # the prefix of the first tokens, tokenized alone, may differ at its edge, and the embedder's
        # word pieces may bind first: shrink until the piece really fits (one character always does)
        low, high = 1, max(1, length)
        if not _fits(title, section, text[position : position + high], rules):
            while low < high:
                middle = (low + high + 1) // 2
                if _fits(title, section, text[position : position + middle], rules):
                    low = middle
                else:
                    high = middle - 1
        pieces.append((position, position + high))
        position += high
    return pieces


def _prefix_fitting(text: str, position: int, end: int, rules: ChunkingRules) -> int:
    """How many characters from `position` the first `max_tokens` tokens cover.

    The window starts at 8 characters a token (more than most text has) and doubles only while it
    holds fewer tokens than the budget, up to the bound no token exceeds.
    """
    enc = encoding(rules.encoding_name)
    size = rules.max_tokens * 8
    while True:
        window = text[position : min(end, position + size)]
        tokens = enc.encode(window, disallowed_special=())
        if len(tokens) > rules.max_tokens:
            break
        if position + size >= end or size >= rules.max_tokens * _MAX_CHARS_PER_TOKEN:
            return len(window)
        size *= 2
    covered = b"".join(enc.decode_single_token_bytes(token) for token in tokens[: rules.max_tokens])
    # a token may end inside a multi-byte character: count only the whole characters
    return len(covered.decode("utf-8", errors="ignore"))
