"""The built index, loaded for querying: chunks, sources, vectors, BM25, glossary and the store."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IndexMissingError, IndexStaleError
from assistant.indexing.glossary import Glossary
from assistant.indexing.layout import IndexLayout, read_jsonl
from assistant.indexing.lexical import LexicalIndex
from assistant.indexing.store import VectorStore, make_client
from assistant.settings import Settings
from assistant.types import Chunk, Reference, Source


@dataclass(frozen=True)
class SentenceRow:
    source_id: str
    section: str
    start: int
    end: int
    text: str


@dataclass
class LoadedIndex:
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


def load_index(settings: Settings, *, allow_stale: bool = True) -> LoadedIndex:
    """Open the served build; a missing or damaged index raises a clear 'run rsa-assistant index'."""
    layout = IndexLayout(settings.index_dir)
    manifest = layout.current_manifest(strict=True)
    if manifest is None:
        raise IndexMissingError(f"No index found in {settings.index_dir}.", hint="Run `rsa-assistant index` to build it.")
    if manifest.get("settings_fingerprint") != settings.index_fingerprint() and not allow_stale:
        raise IndexStaleError(
            "The index was built with other settings.", hint="Run `rsa-assistant index` to rebuild it."
        )
    if manifest.get("store") != (settings.chroma_url or "embedded"):
        raise IndexStaleError(
            f"The index was built for the store '{manifest.get('store')}', not '{settings.chroma_url or 'embedded'}'.",
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
            id=row["id"], source_id=row["source_id"], section=row["section"], start=row["start"], end=row["end"],
            text=row["text"], tokens=row.get("tokens", 0), ref_numbers=tuple(row.get("ref_numbers", ())),
        )
        for row in chunk_rows
    ]
    store = VectorStore(make_client(settings.chroma_url, folder / "chroma"), manifest["collection"], url=settings.chroma_url)
    return LoadedIndex(
        manifest=manifest,
        folder=folder,
        chunks=chunks,
        chunk_sentences=[row.get("sentences", []) for row in chunk_rows],
        sources={row["source"]["id"]: Source.from_dict(row["source"]) for row in source_rows},
        references={
            row["source"]["id"]: [Reference(**ref) for ref in row.get("references", [])] for row in source_rows
        },
        chunk_vectors=np.ascontiguousarray(chunk_vectors),
        sentences=[
            SentenceRow(row["source_id"], row["section"], row["start"], row["end"], row["text"]) for row in sentence_rows
        ],
        sentence_vectors=sentence_vectors,
        lexical=lexical,
        glossary=glossary,
        store=store,
        row_of={chunk.id: i for i, chunk in enumerate(chunks)},
    )
