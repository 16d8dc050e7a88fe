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
