"""The NumPy query encoder must give the same vectors as sentence-transformers (index vs query parity)."""

from __future__ import annotations

import numpy as np
import pytest

TEXTS = [
    "How do MSCs act on decidual NK cells?",
    "Bone-marrow MSCs raised Tregs in abortion-prone CBA/J x DBA/2 mice (p<0.05) and lowered resorption. " * 4,
    "x",
]


@pytest.mark.slow
def test_numpy_encoder_matches_sentence_transformers():
    from assistant.indexing.embedding import get_embedder
    from assistant.indexing.numpy_encoder import NumpyBertEncoder, supports

    embedder = get_embedder(None)
    assert supports(embedder.path)
    fast = NumpyBertEncoder(embedder.path).encode(TEXTS)
    reference = embedder.model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert fast.shape == reference.shape
    assert np.abs(fast - reference).max() < 1e-5


def test_small_batches_use_the_numpy_encoder_and_cache(tmp_path):
    from assistant.indexing.embedding import Embedder

    embedder = Embedder(None)
    first = embedder.encode(TEXTS[:2])
    assert embedder._model is None  # no torch model was loaded for a question-sized batch
    first[:] = 0  # callers may scribble on results; the cache must not change
    again = embedder.encode(TEXTS[:2])
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)
