"""The ONNX query encoder: same vectors as sentence-transformers, a checked cache, and no torch on the query path."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import subprocess_env

REPO_ROOT = Path(__file__).resolve().parents[1]


TEXTS = [
    "How do MSCs act on decidual NK cells?",
    "Bone-marrow MSCs raised Tregs in abortion-prone CBA/J x DBA/2 mice (p<0.05) and lowered resorption. " * 4,
    "x",
    "word " * 400,  # longer than the model reads: truncated exactly as sentence-transformers truncates
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from assistant.indexing.embedding import Embedder

    embedder = Embedder(None, tmp_path_factory.mktemp("onnx-cache"))
    assert embedder.ensure_query_encoder() is not None
    return embedder


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(exported):
    from assistant.indexing import onnx_encoder

    found = onnx_encoder.load_export(exported.path, exported.cache_dir)
    assert found is not None
    fast = onnx_encoder.OnnxEncoder(found.path, exported.path)
    reference = exported.model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    batch = fast.encode(TEXTS)
    one_by_one = np.stack([fast.encode([text])[0] for text in TEXTS])  # padding must not change a vector
    assert batch.shape == reference.shape == (4, 384)
    assert np.abs(batch - reference).max() < 1e-5
    assert np.abs(one_by_one - reference).max() < 1e-5


@pytest.mark.slow
def test_the_mapped_runtime_copy_gives_the_same_vectors(exported):
    from assistant.indexing import onnx_encoder

    found = onnx_encoder.load_export(exported.path, exported.cache_dir)
    assert found is not None and found.runtime is not None and found.runtime.suffix == ".ort"
    assert found.load_path == found.runtime  # what a query process loads
    mapped = onnx_encoder.OnnxEncoder(found.runtime, exported.path).encode(TEXTS)
    parsed = onnx_encoder.OnnxEncoder(found.path, exported.path).encode(TEXTS)
    reference = exported.model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert np.abs(mapped - parsed).max() < 1e-6
    assert np.abs(mapped - reference).max() < 1e-5


def test_a_corrupt_or_stale_runtime_copy_is_not_loaded_and_is_remade(exported, tmp_path):
    from assistant.indexing import onnx_encoder
    from assistant.indexing.embedding import Embedder

    embedder = Embedder(None, tmp_path / "cache")
    assert embedder.ensure_query_encoder() is not None
    found = onnx_encoder.load_export(embedder.path, embedder.cache_dir)
    assert found is not None and found.runtime is not None
    data = bytearray(found.runtime.read_bytes())
    data[len(data) // 3] ^= 0xFF
    found.runtime.unlink()
    found.runtime.write_bytes(bytes(data))  # same size, new mtime: hashed again, and refused
    again = onnx_encoder.load_export(embedder.path, embedder.cache_dir)
    assert again is not None and again.runtime is None and again.load_path == again.path
    remade = onnx_encoder.install_runtime(embedder.path, embedder.cache_dir, again)
    assert (
        remade.runtime is not None
        and onnx_encoder.load_export(embedder.path, embedder.cache_dir).runtime == remade.runtime
    )

    # a copy made from another .onnx than the current one is stale
    record_file = found.path.parent / "export.json"
    record = json.loads(record_file.read_text())
    record["ort"]["from"] = "0" * 64
    record_file.write_text(json.dumps(record))
    assert onnx_encoder.load_export(embedder.path, embedder.cache_dir).runtime is None


def test_stale_or_corrupt_export_is_detected_and_redone(exported, tmp_path):
    from assistant.indexing import onnx_encoder
    from assistant.indexing.embedding import Embedder

    embedder = Embedder(None, tmp_path / "cache")
    path = embedder.ensure_query_encoder()
    assert path is not None and onnx_encoder.load_export(embedder.path, embedder.cache_dir) is not None
    record_file = path.parent / "export.json"

    # corrupt: same size, other bytes (written as a new file: the export may be hard-linked elsewhere)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.unlink()
    path.write_bytes(bytes(data))
    assert onnx_encoder.load_export(embedder.path, embedder.cache_dir) is None
    assert embedder.ensure_query_encoder() is not None
    assert onnx_encoder.load_export(embedder.path, embedder.cache_dir) is not None

    # stale: the record names another source model
    record = json.loads(record_file.read_text())
    record["source"]["files"]["model.safetensors"] = [1, 1]
    record_file.write_text(json.dumps(record))
    assert onnx_encoder.load_export(embedder.path, embedder.cache_dir) is None
    embedder.ensure_query_encoder()
    assert onnx_encoder.load_export(embedder.path, embedder.cache_dir) is not None

    # missing: made again on first use
    for leftover in path.parent.iterdir():
        leftover.unlink()
    assert onnx_encoder.load_export(embedder.path, embedder.cache_dir) is None
    assert embedder.ensure_query_encoder() is not None


def test_small_batches_use_the_onnx_encoder_and_cache(exported):
    from assistant.indexing.embedding import Embedder

    embedder = Embedder(None, exported.cache_dir)
    first = embedder.encode(TEXTS[:2])
    assert type(embedder._query_encoder()).__name__ == "OnnxEncoder"
    first[:] = 0  # callers may scribble on results; the cache must not change
    again = embedder.encode(TEXTS[:2])
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


_NO_TORCH = textwrap.dedent("""
    import sys
    from assistant import retrieve
    passages = retrieve("How do MSCs act on decidual NK cells?", k=3)
    assert passages, "no passages"
    heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
    print("HEAVY=" + ",".join(heavy))
""")


@pytest.mark.slow
def test_ask_and_retrieve_never_import_torch(settings, built_index):
    env = subprocess_env(settings)
    result = subprocess.run([sys.executable, "-c", _NO_TORCH], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HEAVY=\n" in result.stdout, result.stdout

    probe = (
        "import sys, runpy\n"
        "sys.argv = ['rsa-assistant', 'ask', '--json', 'How do MSCs act on decidual NK cells?']\n"
        "try:\n"
        "    from assistant.cli import main; main()\n"
        "except SystemExit as exit:\n"
        "    heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "    print('EXIT', exit.code, 'HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert "EXIT 0 HEAVY=\n" in result.stderr, result.stderr[-2000:]
    assert json.loads(result.stdout)["citations"]


_UI_NO_TORCH = textwrap.dedent("""
    import sys
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(sys.argv[1], default_timeout=300).run()
    at.chat_input(key="question").set_value("How do MSCs act on decidual NK cells?").run()
    assert not at.exception, at.exception
    answer = at.session_state["turns"][-1]["answer"]
    assert answer is not None and answer.citations, "no answer"
    heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
    print("HEAVY=" + ",".join(heavy))
""")


@pytest.mark.slow
def test_the_ui_answer_path_never_imports_torch(settings, built_index):
    env = subprocess_env(settings)
    app = str(REPO_ROOT / "ui" / "app.py")
    result = subprocess.run(
        [sys.executable, "-c", _UI_NO_TORCH, app], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "HEAVY=\n" in result.stdout, result.stdout
