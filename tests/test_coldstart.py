"""A cold `rsa-assistant ask` does only what one question needs (issue 20 item 6: cold CPU <= 3x the
numpy + onnxruntime import; the figure itself is measured by bench/, never asserted here).

- the curated glossary, fingerprinted by every `ask` (is the index stale?), is read from a JSON copy
  in the cache folder instead of importing PyYAML and parsing the file;
- the one-shot query encoder skips ONNX Runtime's weight pre-packing, with the same vectors (1e-5);
- no cyclic garbage collection runs while `ask` answers (it would free almost nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import subprocess_env

GLOSSARY = "RSA: recurrent spontaneous abortion\nMSC: mesenchymal stem cell\n"


def _refuse_yaml(monkeypatch):
    import yaml

    def refuse(*_args, **_kwargs):
        raise AssertionError("glossary.yaml was parsed although its JSON copy is current")

    monkeypatch.setattr(yaml, "safe_load", refuse)


def test_the_curated_glossary_is_read_from_its_json_copy(tmp_path, monkeypatch):
    from assistant.indexing.glossary import load_curated

    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    parsed = load_curated(corpus, cache)
    assert parsed == {"RSA": "recurrent spontaneous abortion", "MSC": "mesenchymal stem cell"}
    assert parsed == load_curated(corpus)  # the same pairs as without a cache

    with monkeypatch.context() as patched:
        _refuse_yaml(patched)
        assert load_curated(corpus, cache) == parsed


def test_an_edited_or_damaged_glossary_copy_is_parsed_again(tmp_path):
    from assistant.indexing.glossary import load_curated

    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    (corpus / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    load_curated(corpus, cache)
    (corpus / "glossary.yaml").write_text(GLOSSARY + "NK: natural killer\n", encoding="utf-8")
    assert load_curated(corpus, cache)["NK"] == "natural killer"  # a new text: parsed, not the old copy

    for copy in (cache / "glossary").glob("curated-*.json"):
        copy.write_text("{not json", encoding="utf-8")
    assert load_curated(corpus, cache)["NK"] == "natural killer"
    (corpus / "glossary.yaml").unlink()
    assert load_curated(corpus, cache) == {}


def test_a_read_only_cache_still_gives_the_glossary(tmp_path):
    from assistant.indexing.glossary import load_curated

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")  # the cache folder cannot be made under a file
    assert load_curated(corpus, blocker)["RSA"] == "recurrent spontaneous abortion"


def _encoder(settings, prepack: bool, monkeypatch):
    from assistant.indexing import onnx_encoder
    from assistant.indexing.embedding import model_path

    model = model_path(settings.embedding_model_path)
    found = onnx_encoder.load_export(model, settings.cache_dir)
    assert found is not None, "the index build exports the query encoder"
    monkeypatch.setattr(onnx_encoder, "_prepack", prepack)
    return onnx_encoder.OnnxEncoder(found.load_path, model)


def test_a_one_shot_encoder_skips_prepacking_with_the_same_vectors(settings, built_index, monkeypatch):
    from assistant.indexing import onnx_encoder

    monkeypatch.setattr(onnx_encoder, "_prepack", True)  # restored after the test: favour_start_up is global
    onnx_encoder.favour_start_up()
    assert onnx_encoder._prepack is False
    texts = ["How do MSCs act on decidual NK cells?", "Bone-marrow MSCs raised Tregs in abortion-prone mice."]
    fast_start = _encoder(settings, False, monkeypatch)
    usual = _encoder(settings, True, monkeypatch)
    options = fast_start.session.get_session_options()
    assert options.get_session_config_entry("session.disable_prepacking") == "1"
    with pytest.raises(RuntimeError):  # never set: the default, pre-packing
        usual.session.get_session_options().get_session_config_entry("session.disable_prepacking")
    assert np.abs(fast_start.encode(texts) - usual.encode(texts)).max() < 1e-5


_PROBE = (
    "import gc, sys\n"
    "sys.argv = ['rsa-assistant', *sys.argv[1:]]\n"
    "from assistant.cli import main\n"
    "collections = []\n"
    "gc.callbacks.append(lambda phase, info: collections.append(info) if phase == 'start' else None)\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exit:\n"
    "    from assistant.indexing import onnx_encoder\n"
    "    print('EXIT', exit.code, 'YAML', 'yaml' in sys.modules, 'PREPACK', onnx_encoder._prepack,\n"
    "          'COLLECTIONS', len(collections), 'GC', gc.isenabled(), file=sys.stderr)\n"
)


def _run(settings, *args: str) -> subprocess.CompletedProcess:
    env = subprocess_env(settings, RSA_BACKEND="extractive")
    return subprocess.run([sys.executable, "-c", _PROBE, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_cold_ask_parses_no_yaml_collects_no_garbage_and_starts_the_encoder_cheaply(settings, built_index):
    """After a build (which leaves the glossary's JSON copy), `ask` answers without importing PyYAML,
    its encoder skips pre-packing, and no garbage collection runs from start to exit; any other
    command gets collection back."""
    result = _run(settings, "ask", "--json", "How do MSCs act on decidual NK cells?")
    assert "EXIT 0 YAML False PREPACK False COLLECTIONS 0 GC False" in result.stderr, result.stderr[-2000:]
    assert json.loads(result.stdout)["citations"]
    other = _run(settings, "index", "--help")
    assert "GC True" in other.stderr, other.stderr[-2000:]
