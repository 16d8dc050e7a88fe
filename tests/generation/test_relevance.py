"""The learned relevance model: the committed weights load and are checked, and they rank the
sentence that answers above one that only repeats the question's words.

Real parts: the committed model files, the bundled embedding model (its ONNX query encoder) for the
sentences' vectors, and the real signal computation of sentence selection (`training/relevance/signals.py`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from assistant.generation.relevance import (
    GATE_FEATURES,
    GATE_INPUTS,
    MODEL_DIR,
    SENTENCE_FEATURES,
    RelevanceModel,
    RelevanceModelError,
    gate_features,
    relevance_model,
    sentence_features,
)
from assistant.generation.terms import TermStatistics
from assistant.text import content_terms, split_sentences
from assistant.types import Chunk, EvidenceSentence, Passage, Source, SourceKind

SOURCE = Source(id="flu", kind=SourceKind.REVIEW, title="The 1918 influenza pandemic: a review")


def test_the_committed_model_loads_with_its_thresholds():
    model = relevance_model()
    assert model is relevance_model()  # loaded once per process
    assert 0.0 < model.gate_threshold < 1.0
    assert 0.0 < model.keep_ratio <= 1.0
    rows = [
        {
            "dense": 0.6,
            "coverage": 0.8,
            "own_coverage": 0.5,
            "passage_score": 0.03,
            "passage_rank": 1,
            "holds_answer": 1,
            "names_anchor": 1,
            "content_size": 12,
            "position": 0,
            "front_matter": 0,
            "fragment": 0,
            "shape": 0,
        }
    ]
    x = sentence_features(rows, "what/which", expects_type=False, n_terms=3)
    assert x.shape == (1, len(SENTENCE_FEATURES))
    p = model.sentence_probability(x)
    assert p.shape == (1,) and 0.0 < p[0] < 1.0
    evidence = dict.fromkeys(GATE_INPUTS, 0.5) | {"has_anchor": 0, "anchor_found": 1, "unknown_specific": 0}
    g = gate_features(evidence, p, "what/which", ["a"])
    assert g.shape == (len(GATE_FEATURES),)
    assert 0.0 < model.answerable_probability(g) < 1.0


def test_weights_that_do_not_match_their_manifest_say_to_rebuild(tmp_path):
    copy = tmp_path / "relevance"
    shutil.copytree(MODEL_DIR, copy)
    with np.load(copy / "weights.npz") as arrays:
        changed = {name: arrays[name] for name in arrays.files}
    changed["gate_intercept"] = changed["gate_intercept"] + 1.0
    np.savez(copy / "weights.npz", **changed)
    with pytest.raises(RelevanceModelError, match="make models") as raised:
        RelevanceModel.load(copy)
    assert "do not match their manifest" in str(raised.value)


def test_a_manifest_naming_other_features_says_to_rebuild(tmp_path):
    copy = tmp_path / "relevance"
    shutil.copytree(MODEL_DIR, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["sentence_features"] = manifest["sentence_features"][:-1]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RelevanceModelError, match="other features"):
        RelevanceModel.load(copy)


def test_a_missing_model_says_to_rebuild(tmp_path):
    with pytest.raises(RelevanceModelError, match="make models"):
        RelevanceModel.load(tmp_path)


@pytest.fixture(scope="module")
def encoder():
    from assistant.indexing.embedding import Embedder

    return Embedder(None)


def _passage(texts: list[str], vectors: np.ndarray) -> Passage:
    text = " ".join(texts)
    spans = split_sentences(text)
    assert len(spans) == len(texts)
    sentences = tuple(
        EvidenceSentence(text[start:end], start, end, vector, id=n)
        for n, ((start, end), vector) in enumerate(zip(spans, vectors))
    )
    chunk = Chunk("flu-1", SOURCE.id, "Results", 0, len(text), text)
    return Passage(chunk, SOURCE, score=0.03, rank=1, sentences=sentences)


def test_a_sentence_that_answers_outranks_one_that_repeats_the_question(encoder):
    from training.relevance.signals import compute

    question = "How long is the incubation period of the virus?"
    restating = "The incubation period of the virus is an important question for public health."
    answering = "The incubation period of the virus ranged from 2 to 14 days, with a median of 5 days."
    texts = [restating, answering]
    vectors = np.stack([encoder.encode_query(t) for t in texts])
    df: dict[str, int] = {}
    for text in [question, SOURCE.title, "results", *texts]:
        for term in content_terms(text):
            df[term] = df.get(term, 0) + 1
    found = compute(
        question, question, encoder.encode_query(question), [_passage(texts, vectors)], TermStatistics(df, 50)
    )
    assert [c.text for c in found.candidates] == texts
    rows = [c.inputs for c in found.candidates]
    # both hold the question's words; only one says how long
    assert rows[0]["own_coverage"] == rows[1]["own_coverage"]
    assert not rows[0]["holds_answer"] and rows[1]["holds_answer"]
    features = sentence_features(
        rows, found.kind, expects_type=found.expects_type, n_terms=int(found.evidence["n_terms"])
    )
    p = relevance_model().sentence_probability(features)
    assert p[1] > p[0]


def test_the_module_imports_no_torch():
    code = (
        "import sys; import assistant.generation.relevance as r; r.relevance_model(); "
        "print('torch' in sys.modules, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
