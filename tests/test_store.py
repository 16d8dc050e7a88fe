"""The vector store wrapper (embedded Chroma): round trip, filters, and errors that say how to fix."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from assistant.errors import StoreUnavailableError
from assistant.indexing.store import VectorStore, make_client


def _unit_vectors(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture()
def store(tmp_path) -> VectorStore:
    store = VectorStore(make_client(None, tmp_path / "chroma"), "test-collection")
    store.create()
    return store


def test_round_trip_returns_nearest_first(store):
    vectors = _unit_vectors(50)
    ids = [f"c{i}" for i in range(50)]
    store.add(ids, vectors, [{"source_id": f"s{i % 5}"} for i in range(50)])
    assert store.count() == 50
    hits = store.query(vectors[7], 5)
    assert hits[0].id == "c7"
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-4)
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)


def test_metadata_filter_restricts_hits(store):
    vectors = _unit_vectors(30, seed=1)
    store.add([f"c{i}" for i in range(30)], vectors, [{"source_id": f"s{i % 3}"} for i in range(30)])
    hits = store.query(vectors[0], 30, where={"source_id": "s1"})
    assert hits and all(int(h.id[1:]) % 3 == 1 for h in hits)


def test_adds_in_batches_larger_than_one_call(store, monkeypatch):
    import assistant.indexing.store as store_module

    monkeypatch.setattr(store_module, "_ADD_BATCH", 7)
    store.add([f"c{i}" for i in range(20)], _unit_vectors(20, seed=2), [{"source_id": "s"}] * 20)
    assert store.count() == 20


def test_create_replaces_an_existing_collection(store):
    store.add(["a"], _unit_vectors(1), [{"source_id": "s"}])
    store.create()
    assert store.count() == 0


def test_missing_collection_says_to_rebuild(tmp_path):
    store = VectorStore(make_client(None, tmp_path / "chroma"), "never-created")
    with pytest.raises(StoreUnavailableError, match="index --rebuild"):
        store.count()


def test_unreachable_server_names_the_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(StoreUnavailableError) as caught:
        make_client(url, None)
    assert url in str(caught.value)
    assert "\n" not in str(caught.value)


# -- the embedded read path: exact search over the build's vouched-for copy of the vectors -------------------


def _chroma_of(index) -> VectorStore:
    """The same collection, queried through Chroma (no exact copy)."""
    return VectorStore(make_client(None, index.folder / "chroma"), index.store.name)


def test_exact_search_returns_chromas_ids_in_chromas_order(settings, built_index):
    from assistant.indexing.embedding import get_embedder
    from assistant.indexing.index import load_index

    index = load_index(settings)
    assert index.store.exact is not None, "an embedded build must be searched without Chroma"
    chroma = _chroma_of(index)
    embedder = get_embedder(settings.embedding_model_path, settings.cache_dir)
    questions = [
        "How do MSCs act on decidual NK cells?",
        "recurrent spontaneous abortion definition",
        "exosomes from umbilical cord",
        "Th17/Treg balance in mice",
    ]
    probes = [
        *embedder.encode(questions),
        *index.chunk_vectors[:5],
        *_unit_vectors(5, dim=index.chunk_vectors.shape[1]),
    ]
    n_all = len(index.chunks)
    source = index.chunks[0].source_id
    for vector in probes:
        for n in (5, 20, n_all):
            exact, stored = index.store.query(vector, n), chroma.query(vector, n)
            assert [h.id for h in exact] == [h.id for h in stored]
            assert [h.similarity for h in exact] == pytest.approx([h.similarity for h in stored], abs=1e-5)
        for where in ({"source_id": source}, {"source_id": {"$in": [source, index.chunks[-1].source_id]}}):
            assert [h.id for h in index.store.query(vector, n_all, where)] == [
                h.id for h in chroma.query(vector, n_all, where)
            ]


def test_a_stale_copy_is_ignored_and_chroma_answers(settings, built_index, tmp_path):
    import json
    import shutil

    from assistant.indexing.index import load_index
    from assistant.indexing.layout import IndexLayout

    shutil.copytree(settings.index_dir, tmp_path / "index")
    copy = settings.model_copy(update={"index_dir": tmp_path / "index"})
    layout = IndexLayout(copy.index_dir)
    folder = layout.build_folder(layout.current_build_id())
    fresh = load_index(copy)
    assert fresh.store.exact is not None
    question = fresh.chunk_vectors[3].copy()
    expected = [h.id for h in fresh.store.query(question, 10)]

    vectors = np.load(folder / "chunk_embeddings.npy")
    vectors[[0, 1]] = vectors[[1, 0]]  # same shape and values, rows swapped: no longer the collection's copy
    np.save(folder / "chunk_embeddings.npy", vectors)
    stale = load_index(copy)
    assert stale.store.exact is None
    assert [h.id for h in stale.store.query(question, 10)] == expected  # Chroma, the store of record, answers

    np.save(
        folder / "chunk_embeddings.npy", np.load(settings.index_dir / "builds" / folder.name / "chunk_embeddings.npy")
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["dense_mirror"]  # a build from before the record
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert load_index(copy).store.exact is None


def test_exact_search_refuses_filters_it_cannot_express():
    from assistant.indexing.store import ExactSearch, mirror_record

    vectors = _unit_vectors(6)
    ids = [f"c{i}" for i in range(6)]
    manifest = {"dense_mirror": mirror_record(ids, vectors)}
    exact = ExactSearch.from_build(manifest, ids, vectors, ["a", "a", "b", "b", "c", "c"])
    assert exact is not None
    assert [h.id for h in exact.query(vectors[2], 2, {"source_id": "b"})] == ["c2", "c3"]
    assert exact.query(vectors[2], 2, {"year": 2020}) is None  # not a source filter: Chroma is asked
    assert (
        ExactSearch.from_build({"dense_mirror": {**manifest["dense_mirror"], "rows": 5}}, ids, vectors, ["a"] * 6)
        is None
    )


_NO_CHROMA = """
import sys
from assistant import retrieve
assert retrieve("How do MSCs act on decidual NK cells?", k=3), "no passages"
print("CHROMA=" + str("chromadb" in sys.modules), "SCIPY=" + str("scipy.sparse" in sys.modules))
"""


@pytest.mark.slow
def test_answering_from_an_embedded_build_never_imports_chromadb_or_scipy(settings, built_index):
    """Chroma stays the store of record, bm25s the lexical index; querying needs neither chromadb nor scipy."""
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    env = subprocess_env(settings)
    result = subprocess.run([sys.executable, "-c", _NO_CHROMA], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "CHROMA=False SCIPY=False" in result.stdout, result.stdout
