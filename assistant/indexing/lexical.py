"""The lexical side of retrieval: a bm25s index over chunk texts, persisted with the build.

Chunk texts are expanded with the glossary before tokenizing, so "RSA" and "recurrent spontaneous
abortion" meet whichever way a passage and a question spell them.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from types import ModuleType

import numpy as np

from assistant.text import lexical_tokens


def _bm25s() -> ModuleType:
    """bm25s, imported without its optional extras unless the process already has them.

    bm25s treats scipy as optional (its NumPy CSC backend needs none, and `build` below always uses
    that backend, so indexes are the same either way) and reads DISABLE_TQDM once at import. Querying a
    saved index needs neither scipy.sparse nor tqdm, and they are about half of a cold `ask`'s BM25
    cost (~0.15 s), so they are kept out of the import here: scipy by a None entry in `sys.modules`
    (Python's documented way to make an import fail), removed again right after. Only while this is
    the process's one thread (the CLI): another thread could be importing scipy in that moment.
    """
    if "bm25s" in sys.modules:
        return sys.modules["bm25s"]
    if threading.active_count() > 1:  # a server or UI process: import it whole, another thread may need scipy
        import bm25s

        return bm25s
    blocked = "scipy.sparse" not in sys.modules
    tqdm_was = os.environ.get("DISABLE_TQDM")
    if blocked:
        sys.modules["scipy.sparse"] = None  # type: ignore[assignment]
    os.environ["DISABLE_TQDM"] = "1"  # we never show bm25s progress bars (show_progress=False)
    try:
        import bm25s
    finally:
        if blocked and sys.modules.get("scipy.sparse", ...) is None:
            del sys.modules["scipy.sparse"]
        if tqdm_was is None:
            os.environ.pop("DISABLE_TQDM", None)
        else:
            os.environ["DISABLE_TQDM"] = tqdm_was
    return bm25s


class LexicalIndex:
    """BM25 over tokenized chunk texts; results are row numbers into the build's chunk list."""

    def __init__(self, retriever, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        bm25s = _bm25s()
        corpus_tokens = [lexical_tokens(text) or ["<empty>"] for text in texts]
        # NumPy CSC backend: equal scores to scipy's and as fast (measured at 50k documents), whether or not scipy is loaded
        retriever = bm25s.BM25(k1=1.2, b=0.75, csc_backend="numpy")
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(token, len(vocab)) for token in doc] for doc in corpus_tokens]
        retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        return cls(_bm25s().BM25.load(str(folder)), size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros where nothing matches)."""
        vocab = self._retriever.vocab_dict
        token_ids = [vocab[token] for token in lexical_tokens(query) if token in vocab]
        if not token_ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(token_ids), dtype=np.float32)
