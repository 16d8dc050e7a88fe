"""The bm25s lexical index: NumPy-built CSC scores equal scipy's, and a saved index answers after loading."""

from __future__ import annotations

import numpy as np

from assistant.indexing.lexical import LexicalIndex
from assistant.text import lexical_tokens

TEXTS = [
    "Mesenchymal stem cells raise regulatory T cells in abortion-prone mice.",
    "Decidual natural killer cells are modulated by MSC-derived exosomes.",
    "Recurrent spontaneous abortion: two or more consecutive pregnancy losses.",
    "Umbilical cord MSCs improved endometrial thickness in women with Asherman syndrome.",
]


def test_the_numpy_built_index_scores_like_scipys(tmp_path):
    import bm25s

    ours = LexicalIndex.build(TEXTS)
    reference = bm25s.BM25(k1=1.2, b=0.75, csc_backend="scipy")
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in lexical_tokens(text)] for text in TEXTS]
    reference.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    for query in ("MSC exosomes natural killer", "recurrent abortion", "stem cells T cells mice"):
        tokens = [vocab[t] for t in lexical_tokens(query) if t in vocab]
        assert np.allclose(ours.scores(query), reference.get_scores(tokens), atol=1e-6)
        assert ours.scores(query).any()

    ours.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25", len(TEXTS))
    assert np.array_equal(loaded.scores("decidual natural killer"), ours.scores("decidual natural killer"))
    assert not loaded.scores("zebrafish").any()
