"""The built index, loaded for querying: chunks, sources, vectors, BM25, glossary and the store.

`LoadedIndex` is the one owner of the index's rows: callers ask it for a passage with its evidence
(`passage`, `sentences_of`, `cited_references`, `passage_of_sentence`) and for derived statistics
(`document_frequencies`, stored by the build; `sentences_by_source`), each computed at most once per
loaded index. Only retrieval's scoring works on the row arrays (vectors, BM25 scores) directly.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.errors import IndexMissingError, IndexStaleError
from assistant.indexing.glossary import Glossary
from assistant.indexing.layout import SETTINGS_CHANGED, IndexLayout, read_jsonl, staleness_reason, store_name
from assistant.indexing.lexical import LexicalIndex
from assistant.indexing.store import ExactSearch, VectorStore, make_client
from assistant.settings import Settings
from assistant.text import Speller, lexical_tokens, split_sentences
from assistant.types import Chunk, EvidenceSentence, Passage, Reference, Source, source_context


@dataclass(frozen=True)
class SentenceRow:
    source_id: str
    section: str
    start: int
    end: int
    text: str


@dataclass
class LoadedIndex:
    """One served build, in memory; read-only after loading (derived values are its own cached properties)."""

    manifest: dict
    folder: Path
    chunks: list[Chunk]
    chunk_sentences: list[list[int]]
    sources: dict[str, Source]
    references: dict[str, list[Reference]]
    chunk_vectors: np.ndarray
    sentences: list[SentenceRow]
    sentence_vectors: np.ndarray
    lexical: LexicalIndex
    glossary: Glossary
    store: VectorStore
    row_of: dict[str, int] = field(default_factory=dict)

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]

    # -- a chunk's evidence ---------------------------------------------------------------------------
    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self.row_of.get(chunk_id)
        return self.chunks[row] if row is not None else None

    def sentences_of(self, chunk: Chunk) -> tuple[EvidenceSentence, ...]:
        """The chunk's sentences with spans relative to its text and their stored vectors.

        A build without sentence rows (retrieval benchmarks) still gets the chunk split into
        sentences, without vectors (`vector=None`, `id=-1`).
        """
        row = self.row_of.get(chunk.id)
        rows = self.chunk_sentences[row] if row is not None and row < len(self.chunk_sentences) else []
        if rows:
            found = []
            for i in rows:
                sentence = self.sentences[i]
                start, end = sentence.start - chunk.start, sentence.end - chunk.start
                found.append(EvidenceSentence(sentence.text, start, end, self.sentence_vectors[i], i))
            return tuple(found)
        spans = split_sentences(chunk.text) or [(0, len(chunk.text))]
        return tuple(EvidenceSentence(chunk.text[s:e], s, e) for s, e in spans)

    def passage(
        self,
        chunk: Chunk,
        *,
        score: float = 0.0,
        dense_score: float | None = None,
        lexical_score: float | None = None,
        rank: int = 0,
    ) -> Passage:
        """A `Passage` of one chunk with its evidence attached (sentences and cited references)."""
        return Passage(
            chunk=chunk,
            source=self.sources[chunk.source_id],
            score=score,
            dense_score=dense_score,
            lexical_score=lexical_score,
            rank=rank,
            sentences=self.sentences_of(chunk),
            references=self.cited_references(chunk),
        )

    def source_sentences(self, source_id: str) -> list[tuple[int, str]]:
        """(sentence id, text) of every indexed sentence of one source, in document order."""
        return [(row, self.sentences[row].text) for row in self.sentences_by_source.get(source_id, [])]

    def passage_of_sentence(self, sentence_id: int, **scores) -> Passage | None:
        """The passage of the first chunk holding an indexed sentence (by `EvidenceSentence.id`)."""
        row = self._chunk_of_sentence.get(sentence_id)
        return self.passage(self.chunks[row], **scores) if row is not None else None

    @cached_property
    def _chunk_of_sentence(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk_row, rows in enumerate(self.chunk_sentences):
            for row in rows:
                found.setdefault(row, chunk_row)
        return found

    def chunk_vector(self, chunk: Chunk) -> np.ndarray | None:
        row = self.row_of.get(chunk.id)
        return np.asarray(self.chunk_vectors[row]) if row is not None else None

    def cited_references(self, chunk: Chunk) -> tuple[Reference, ...]:
        """The references a chunk cites, each with its linked abstract's sentence closest to the chunk."""
        wanted = set(chunk.ref_numbers)
        if not wanted:
            return ()
        references = [ref for ref in self.references.get(chunk.source_id, []) if ref.number in wanted]
        if not any(ref.abstract_id for ref in references):
            return tuple(references)
        passage_vector = self.chunk_vector(chunk)
        result = []
        for ref in references:
            rows = self.sentences_by_source.get(ref.abstract_id, []) if ref.abstract_id in self.sources else []
            if not rows:
                result.append(ref)
                continue
            if passage_vector is not None and len(self.sentence_vectors):
                best = rows[int(np.argmax(self.sentence_vectors[rows] @ passage_vector))]
            else:
                best = rows[-1]
            result.append(dataclasses.replace(ref, key_sentence=self.sentences[best].text))
        return tuple(result)

    # -- derived statistics, computed once per loaded index ---------------------------------------------
    @cached_property
    def sentences_by_source(self) -> dict[str, list[int]]:
        """source id -> its sentence rows (for the key sentence of a cited abstract)."""
        rows: dict[str, list[int]] = {}
        for row, sentence in enumerate(self.sentences):
            rows.setdefault(sentence.source_id, []).append(row)
        return rows

    @cached_property
    def speller(self) -> Speller:
        """The corpus spelling of a misspelt query word (`text.known_spelling`), remembered per word."""
        return Speller(self.document_frequencies)

    @cached_property
    def document_frequencies(self) -> Counter[str]:
        """Chunks containing each lexical term (chunk text plus its source's metadata, glossary-expanded).

        For the extractive generator's IDF weights and its "term absent from the corpus" check. The
        build stores them (`term_frequencies.json`); an older build without the file counts them here.
        """
        try:
            return Counter(json.loads((self.folder / TERM_FREQUENCIES_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            chunks = ((self.sources[c.source_id], c.section, c.text) for c in self.chunks)
            return count_document_frequencies(chunks, self.glossary.expand)


#: The build's stored document frequencies (see `count_document_frequencies`).
TERM_FREQUENCIES_FILE = "term_frequencies.json"


def count_document_frequencies(chunks: Iterable[tuple[Source, str, str]], expand: Callable[[str], str]) -> Counter[str]:
    """For each lexical term, how many (source, section, text) chunks contain it, metadata included."""
    df: Counter[str] = Counter()
    for source, section, text in chunks:
        df.update(set(lexical_tokens(expand(f"{source_context(source, section)} {text}"))))
    return df


def load_index(settings: Settings, *, allow_stale: bool = True) -> LoadedIndex:
    """Open the served build; a missing or damaged index raises a clear 'run rsa-assistant index'.

    A rebuild running meanwhile switches `CURRENT` and then removes builds older than the one it
    replaced, so a reader that read `CURRENT` just before two quick switches may find its build gone:
    it then loads the new current build (a few tries), and while a build still holds the lock says so
    instead of calling the index damaged.
    """
    layout = IndexLayout(settings.index_dir)
    for _ in range(_LOAD_TRIES - 1):
        build_id = layout.current_build_id()
        try:
            return _load_current(settings, layout, allow_stale)
        except IndexStaleError:
            raise
        except IndexMissingError:
            if layout.current_build_id() == build_id:  # nothing switched under us: really missing or damaged
                if build_id is not None and layout.build_running():
                    raise IndexMissingError(
                        f"The index in {settings.index_dir} is being rebuilt.",
                        hint="Try again when `rsa-assistant index` has finished.",
                    ) from None
                raise
    return _load_current(settings, layout, allow_stale)


#: How often `load_index` follows a `CURRENT` that a concurrent rebuild switched while it was reading.
_LOAD_TRIES = 3


def _load_current(settings: Settings, layout: IndexLayout, allow_stale: bool) -> LoadedIndex:
    manifest = layout.current_manifest(strict=True)
    if manifest is None:
        raise IndexMissingError(
            f"No index found in {settings.index_dir}.", hint="Run `rsa-assistant index` to build it."
        )
    if staleness_reason(settings, manifest) == SETTINGS_CHANGED and not allow_stale:
        raise IndexStaleError(
            "The index was built with other settings.", hint="Run `rsa-assistant index` to rebuild it."
        )
    if manifest.get("store") != store_name(settings):  # a build for another store cannot answer at all
        raise IndexStaleError(
            f"The index was built for the store '{manifest.get('store')}', not '{store_name(settings)}'.",
            hint="Run `rsa-assistant index` with the current store settings.",
        )
    folder = layout.build_folder(manifest["build_id"])
    try:
        chunk_rows = list(read_jsonl(folder / "chunks.jsonl"))
        sentence_rows = list(read_jsonl(folder / "sentences.jsonl"))
        source_rows = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
        chunk_vectors = np.load(folder / "chunk_embeddings.npy", mmap_mode="r")
        sentence_vectors = np.load(folder / "sentence_embeddings.npy")
        lexical = LexicalIndex.load(folder / "bm25", len(chunk_rows))
        glossary = Glossary.from_file(folder / "glossary.json")
    except (OSError, ValueError, KeyError) as exc:
        raise IndexMissingError(
            f"The index in {settings.index_dir} is damaged ({type(exc).__name__}: {str(exc)[:120]}).",
            hint="Run `rsa-assistant index --rebuild`.",
        ) from None
    if len(chunk_vectors) != len(chunk_rows) or len(sentence_vectors) != len(sentence_rows):
        raise IndexMissingError(
            f"The index in {settings.index_dir} is damaged (vector and chunk counts differ).",
            hint="Run `rsa-assistant index --rebuild`.",
        )
    chunks = [
        Chunk(
            id=row["id"],
            source_id=row["source_id"],
            section=row["section"],
            start=row["start"],
            end=row["end"],
            text=row["text"],
            tokens=row.get("tokens", 0),
            ref_numbers=tuple(row.get("ref_numbers", ())),
        )
        for row in chunk_rows
    ]
    chunk_vectors = np.ascontiguousarray(chunk_vectors)
    store = _open_store(settings, manifest, folder, chunks, chunk_vectors)
    return LoadedIndex(
        manifest=manifest,
        folder=folder,
        chunks=chunks,
        chunk_sentences=[row.get("sentences", []) for row in chunk_rows],
        sources={row["source"]["id"]: Source.from_dict(row["source"]) for row in source_rows},
        references={
            row["source"]["id"]: [Reference(**ref) for ref in row.get("references", [])] for row in source_rows
        },
        chunk_vectors=chunk_vectors,
        sentences=[
            SentenceRow(row["source_id"], row["section"], row["start"], row["end"], row["text"])
            for row in sentence_rows
        ],
        sentence_vectors=sentence_vectors,
        lexical=lexical,
        glossary=glossary,
        store=store,
        row_of={chunk.id: i for i, chunk in enumerate(chunks)},
    )


def _open_store(
    settings: Settings, manifest: dict, folder: Path, chunks: list[Chunk], vectors: np.ndarray
) -> VectorStore:
    """The build's vector store. A server is connected now (an unreachable one fails at load); an
    embedded store is searched exactly over the build's vouched-for copy of its vectors and opened
    only if a query needs Chroma (see assistant/indexing/store.py)."""
    if settings.chroma_url:
        return VectorStore(
            make_client(settings.chroma_url, folder / "chroma"), manifest["collection"], url=settings.chroma_url
        )
    chroma_folder = folder / "chroma"
    exact = None
    if (chroma_folder / "chroma.sqlite3").is_file():  # the store of record must exist for its copy to stand in
        exact = ExactSearch.from_build(manifest, [c.id for c in chunks], vectors, [c.source_id for c in chunks])
    return VectorStore(None, manifest["collection"], open_client=lambda: make_client(None, chroma_folder), exact=exact)
