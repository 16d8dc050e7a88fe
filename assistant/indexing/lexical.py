"""The lexical side of retrieval: a bm25s index over chunk texts, persisted with the build.

Chunk texts are expanded with the glossary before tokenizing, so "RSA" and "recurrent spontaneous
abortion" meet whichever way a passage and a question spell them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.text import lexical_tokens


class LexicalIndex:
    """BM25 over tokenized chunk texts; results are row numbers into the build's chunk list."""

    def __init__(self, retriever, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        corpus_tokens = [lexical_tokens(text) or ["<empty>"] for text in texts]
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(token, len(vocab)) for token in doc] for doc in corpus_tokens]
        retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder)), size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros where nothing matches)."""
        vocab = self._retriever.vocab_dict
        token_ids = [vocab[token] for token in lexical_tokens(query) if token in vocab]
        if not token_ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(token_ids), dtype=np.float32)
