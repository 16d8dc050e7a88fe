"""The vector store: ChromaDB, embedded (`PersistentClient`) or a `chroma run` server (`HttpClient`).

Chroma never embeds for us (its default embedding function downloads a model); we always pass
vectors. Collections are named by build, so a new build never disturbs the one being served.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.errors import StoreUnavailableError

_ADD_BATCH = 2000


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


class VectorStore:
    """One Chroma collection holding chunk vectors and the metadata that filters use."""

    def __init__(self, client: Any, collection_name: str, *, url: str | None = None) -> None:
        self.client = client
        self.name = collection_name
        self.url = url
        self._collection = None

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
                    ids=ids[at:at + _ADD_BATCH],
                    embeddings=vectors[at:at + _ADD_BATCH].tolist(),
                    metadatas=metadatas[at:at + _ADD_BATCH],
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
