"""The vector store: ChromaDB, embedded (`PersistentClient`) or a `chroma run` server (`HttpClient`).

Chroma never embeds for us (its default embedding function downloads a model); we always pass
vectors. Collections are named by build, so a new build never disturbs the one being served.

Chroma is the store of record: every build writes its collection, and a server (`RSA_CHROMA_URL`) is
always queried. An embedded build is read differently: the build keeps the same chunk vectors in
`chunk_embeddings.npy` (retrieval needs them anyway, for exact fused scores and MMR) and records
their checksum in the manifest (`mirror_record`); while that record matches, dense search is exact
cosine over those rows in NumPy (`ExactSearch`) and chromadb is never imported, which is most of a
cold `ask` (importing chromadb alone costs about as much as the whole rest of the answer). Exact
search returns what Chroma's HNSW index returns at the bundled sizes (tests/test_store.py checks ids
and order on the built index), and a stale or missing record, a missing Chroma store, a filter it
cannot express or more than `EXACT_MAX_ROWS` rows send the query to Chroma as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.errors import StoreUnavailableError

_ADD_BATCH = 2000
#: Above this many chunks an embedded store is searched by Chroma's HNSW index: exact search grows
#: linearly with the rows (0.6 ms at 20k, 5 ms at 100k on the 2-core development machine), HNSW
#: barely grows. Below it, exact search costs less than importing chromadb, by far.
EXACT_MAX_ROWS = 20_000
#: The manifest key under which a build records its copy of the chunk vectors (see `mirror_record`).
MIRROR_KEY = "dense_mirror"
MIRROR_FILE = "chunk_embeddings.npy"
log = logging.getLogger(__name__)


@dataclass
class DenseHit:
    id: str
    similarity: float


def _quiet_chroma() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def make_client(chroma_url: str | None, path: Path | None):
    """A Chroma client: HTTP when a server URL is given, else embedded at `path`."""
    _quiet_chroma()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreUnavailableError(
                f"Chroma server at {chroma_url} is unreachable ({type(exc).__name__}).",
                hint="Start it with `chroma run --path DIR --host 127.0.0.1 --port PORT` or unset RSA_CHROMA_URL.",
            ) from None
        return client
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreUnavailableError(
            f"The Chroma store at {path} cannot be opened ({type(exc).__name__}: {exc}).",
            hint="Run `rsa-assistant index --rebuild`.",
        ) from None


def _mirror_checksum(ids: Sequence[str], vectors: np.ndarray) -> str:
    digest = hashlib.sha256("\n".join(ids).encode("utf-8"))
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return digest.hexdigest()


def mirror_record(ids: Sequence[str], vectors: np.ndarray) -> dict[str, Any]:
    """What the manifest records about the build's copy of the vectors it stored in Chroma."""
    return {
        "file": MIRROR_FILE,
        "rows": len(ids),
        "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
        "sha256": _mirror_checksum(ids, vectors),
    }


class ExactSearch:
    """Exact cosine search over unit-length chunk vectors, answering like `VectorStore.query`.

    `source_ids` (one per row) serve the one filter retrieval sends: `{"source_id": id}` or
    `{"source_id": {"$in": [...]}}`; any other filter is left to Chroma (`query` returns None).
    """

    def __init__(self, ids: Sequence[str], vectors: np.ndarray, source_ids: Sequence[str]) -> None:
        self.ids = list(ids)
        self.vectors = vectors
        self.source_ids = np.asarray(source_ids)

    @classmethod
    def from_build(
        cls, manifest: dict, ids: Sequence[str], vectors: np.ndarray, source_ids: Sequence[str]
    ) -> ExactSearch | None:
        """The build's copy when the manifest vouches for it (same ids, same vectors); else None (stale)."""
        record = manifest.get(MIRROR_KEY)
        if not isinstance(record, dict):
            return None  # a build from before the record: Chroma answers
        if (
            record.get("rows") != len(ids)
            or vectors.ndim != 2
            or record.get("dim") != vectors.shape[1]
            or record.get("sha256") != _mirror_checksum(ids, vectors)
        ):
            log.warning(
                "The chunk vectors of build %s differ from its manifest; searching Chroma instead",
                manifest.get("build_id"),
            )
            return None
        if len(ids) > EXACT_MAX_ROWS:
            return None
        return cls(ids, vectors, source_ids)

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[DenseHit] | None:
        rows: np.ndarray | None = None
        if where:
            wanted = where.get("source_id") if set(where) == {"source_id"} else None
            if isinstance(wanted, dict) and set(wanted) == {"$in"}:
                wanted = wanted["$in"]
            elif isinstance(wanted, str):
                wanted = [wanted]
            if not isinstance(wanted, list):
                return None
            rows = np.flatnonzero(np.isin(self.source_ids, wanted))
        vectors = self.vectors if rows is None else self.vectors[rows]
        if not len(vectors) or n <= 0:
            return []
        # Chroma's cosine distance is 1 - dot of the normalised vectors; the rows are unit length already
        similarity = vectors @ np.asarray(vector, dtype=np.float32)
        n = min(n, len(similarity))
        best = np.argpartition(-similarity, n - 1)[:n] if n < len(similarity) else np.arange(len(similarity))
        best = best[np.argsort(-similarity[best], kind="stable")]
        return [
            DenseHit(id=self.ids[int(i) if rows is None else int(rows[i])], similarity=float(similarity[i]))
            for i in best
        ]


class VectorStore:
    """One Chroma collection holding chunk vectors and the metadata that filters use.

    `client` is a Chroma client, or None with `open_client` making one on first use (an embedded
    store read through `exact` never needs one). Queries go to `exact` when it can answer them.
    """

    def __init__(
        self,
        client: Any,
        collection_name: str,
        *,
        url: str | None = None,
        open_client: Callable[[], Any] | None = None,
        exact: ExactSearch | None = None,
    ) -> None:
        if client is None and open_client is None:
            raise ValueError("VectorStore needs a client or a way to open one")
        self._client = client
        self._open_client = open_client
        self.name = collection_name
        self.url = url
        self.exact = exact
        self._collection = None

    @property
    def client(self) -> Any:
        if self._client is None:
            assert self._open_client is not None
            self._client = self._open_client()
        return self._client

    def _where(self) -> str:
        return f"Chroma server at {self.url}" if self.url else "the embedded Chroma store"

    def _fail(self, exc: Exception) -> StoreUnavailableError:
        return StoreUnavailableError(
            f"{self._where()} failed ({type(exc).__name__}: {str(exc)[:160]}).",
            hint="Check the server is running, or run `rsa-assistant index --rebuild`.",
        )

    @property
    def collection(self):
        if self._collection is None:
            try:
                self._collection = self.client.get_collection(self.name, embedding_function=None)
            except Exception as exc:
                raise StoreUnavailableError(
                    f"Collection '{self.name}' is missing from {self._where()} ({type(exc).__name__}).",
                    hint="Run `rsa-assistant index --rebuild`.",
                ) from None
        return self._collection

    def create(self) -> None:
        try:
            try:
                self.client.delete_collection(self.name)
            except Exception:
                pass
            self._collection = self.client.create_collection(
                self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        except StoreUnavailableError:
            raise
        except Exception as exc:
            raise self._fail(exc) from None

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        try:
            for at in range(0, len(ids), _ADD_BATCH):
                self.collection.add(
                    ids=ids[at : at + _ADD_BATCH],
                    embeddings=vectors[at : at + _ADD_BATCH].tolist(),
                    metadatas=metadatas[at : at + _ADD_BATCH],
                )
        except StoreUnavailableError:
            raise
        except Exception as exc:
            raise self._fail(exc) from None

    def count(self) -> int:
        try:
            return self.collection.count()
        except StoreUnavailableError:
            raise
        except Exception as exc:
            raise self._fail(exc) from None

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[DenseHit]:
        if self.exact is not None:
            hits = self.exact.query(vector, n, where)
            if hits is not None:
                return hits
        try:
            result = self.collection.query(
                query_embeddings=[vector.tolist()], n_results=n, where=where or None, include=["distances"]
            )
        except StoreUnavailableError:
            raise
        except Exception as exc:
            raise self._fail(exc) from None
        ids, distances = result["ids"][0], result["distances"][0]
        return [DenseHit(id=i, similarity=1.0 - float(d)) for i, d in zip(ids, distances)]

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:
            pass
