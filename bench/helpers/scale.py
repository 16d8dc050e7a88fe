"""Indexing throughput (whole build vs raw encode) and retrieval latency at 1k..100k passages.

Scaling uses synthetic passages: each recombines three real PubMedQA sentences, and its vector is the
normalised mean of those sentences' real model vectors plus a little noise, so 100k passages need no
100k model calls. The indexes are built with the assistant's own VectorStore (Chroma) and LexicalIndex
(bm25s) and searched by its HybridRetriever, so the timings are the assistant's retrieval code.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from helpers import data


def throughput(settings, abstracts: list[dict], folder: Path) -> dict:
    from assistant.indexing.embedding import get_embedder

    embedder = get_embedder(settings.embedding_model_path)
    model = embedder.model
    model.encode(["warm up the model"] * 8, show_progress_bar=False)  # loading is not throughput
    build_settings = settings.model_copy(update={"index_dir": folder / "index", "cache_dir": folder / "cache"})
    documents = data.to_documents(abstracts)
    started = time.perf_counter()
    from assistant.indexing.build import build_from_documents

    report = build_from_documents(build_settings, documents, fingerprint=f"bench-{time.time_ns()}")
    build_s = time.perf_counter() - started
    build_folder = folder / "index" / "builds" / report.build_id
    chunk_texts = [json.loads(line)["embed_text"] for line in open(build_folder / "chunks.jsonl", encoding="utf-8")]
    sentence_texts = [json.loads(line)["text"] for line in open(build_folder / "sentences.jsonl", encoding="utf-8")]
    texts = chunk_texts + sentence_texts
    started = time.perf_counter()
    model.encode(
        chunk_texts, batch_size=settings.embedding_batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    model.encode(
        sentence_texts, batch_size=settings.embedding_batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    encode_s = time.perf_counter() - started
    return {
        "documents": len(documents),
        "texts": len(texts),
        "chunks": len(chunk_texts),
        "sentences": len(sentence_texts),
        "build_s": round(build_s, 2),
        "raw_encode_s": round(encode_s, 2),
        "build_texts_per_s": round(len(texts) / build_s, 1),
        "raw_texts_per_s": round(len(texts) / encode_s, 1),
        "ratio": round(encode_s / build_s, 3),
        "_sentence_bank": (sentence_texts, np.load(build_folder / "sentence_embeddings.npy")),
    }


def synthetic(bank: tuple[list[str], np.ndarray], n: int, seed: int = 7) -> tuple[list[str], np.ndarray]:
    texts, vectors = bank
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(texts), size=(n, 3))
    mixed = vectors[picks].mean(axis=1) + rng.normal(0, 0.02, size=(n, vectors.shape[1])).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    return [" ".join(texts[i] for i in row) for row in picks], mixed.astype(np.float32)


def build_index_object(texts: list[str], vectors: np.ndarray, folder: Path):
    """A loaded-index look-alike built with the assistant's own store, lexical and glossary classes."""
    from assistant.indexing.glossary import Glossary
    from assistant.indexing.index import count_document_frequencies
    from assistant.indexing.lexical import LexicalIndex
    from assistant.indexing.store import VectorStore, make_client
    from assistant.text import Speller
    from assistant.types import Chunk, Passage, Source, SourceKind

    sources = {f"syn-{i}": Source(id=f"syn-{i}", kind=SourceKind.ABSTRACT, title=f"Synthetic {i}") for i in range(1000)}
    chunks = [
        Chunk(
            id=f"p{i}",
            source_id=f"syn-{i % 1000}",
            section="Abstract",
            start=0,
            end=len(t),
            text=t,
            tokens=0,
            ref_numbers=(),
        )
        for i, t in enumerate(texts)
    ]
    timings = {}
    started = time.perf_counter()
    store = VectorStore(make_client(None, folder / "chroma"), "scale")
    store.create()
    store.add([c.id for c in chunks], vectors, [{"source_id": c.source_id} for c in chunks])
    timings["store_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    lexical = LexicalIndex.build(texts)
    timings["bm25_s"] = round(time.perf_counter() - started, 2)
    glossary = Glossary.from_texts([], {})
    started = time.perf_counter()
    # what a build stores for the spelling check of queries (see `LoadedIndex.document_frequencies`)
    frequencies = count_document_frequencies(
        ((sources[c.source_id], c.section, c.text) for c in chunks), glossary.expand
    )
    timings["term_frequencies_s"] = round(time.perf_counter() - started, 2)
    index = SimpleNamespace(
        chunks=chunks,
        sources=sources,
        glossary=glossary,
        document_frequencies=frequencies,
        speller=Speller(frequencies),
        store=store,
        row_of={c.id: i for i, c in enumerate(chunks)},
        lexical=lexical,
        chunk_vectors=vectors,
        # retrieval asks the index for each passage; synthetic chunks carry no evidence
        passage=lambda chunk, **scores: Passage(chunk, sources[chunk.source_id], **scores),
    )
    return index, timings


def scaling(settings, abstracts, bank, sizes: list[int], questions: list[str], folder: Path) -> dict:
    from assistant.indexing.embedding import get_embedder
    from assistant.retrieval import HybridRetriever

    embedder = get_embedder(settings.embedding_model_path)
    rows = {}
    for size in sizes:
        texts, vectors = synthetic(bank, size)
        index, timings = build_index_object(texts, vectors, folder / str(size))
        retriever = HybridRetriever(index, embedder, settings)
        retriever.retrieve("warm up the retriever")
        embedder.clear_cache()  # every size pays the same question encoding: no free cached vectors
        latencies = []
        for question in questions:
            started = time.perf_counter()
            retriever.retrieve(question)
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        rows[str(size)] = {
            "p50_ms": round(float(np.median(latencies)), 2),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
            **timings,
        }
        print(f"[bench]   {size} passages: {rows[str(size)]}", flush=True)
        del index, retriever
    first, last = rows[str(sizes[0])]["p50_ms"], rows[str(sizes[-1])]["p50_ms"]
    return {"sizes": rows, "sentence_bank": len(bank[0]), "ratio_largest_over_smallest": round(last / first, 2)}
