"""Every numeric setting has finite bounds (issue 22, item 5): inf, nan and negative values of each are
refused with the one-line `Invalid settings: RSA_…` error (exit 3), never an OverflowError or a raw
multi-line pydantic block. The test walks all numeric fields, so a setting added later is covered too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from assistant.errors import ConfigurationError
from assistant.ingest.fetch import FetchSettings
from assistant.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
BAD_VALUES = ["inf", "-inf", "nan", "-1", "1e999"]


def _numeric_fields(model: type) -> list[str]:
    def numeric(annotation: object) -> bool:
        if annotation in (int, float):
            return True
        return any(a in (int, float) for a in typing.get_args(annotation) if a is not type(None))

    return [name for name, info in model.model_fields.items() if numeric(info.annotation)]


def _cases() -> list[tuple[str, str, str]]:
    return [
        (kind, name, value)
        for kind, model in (("settings", Settings), ("fetch", FetchSettings))
        for name in _numeric_fields(model)
        for value in BAD_VALUES
    ]


def test_the_walk_finds_the_fetch_settings():
    fetch = _numeric_fields(FetchSettings)
    assert {"eutils_timeout_s", "eutils_backoff_s", "eutils_max_retries", "eutils_max_response_mb"} <= set(fetch)
    assert {"top_k", "llm_timeout_s", "dense_weight", "chunk_max_tokens"} <= set(_numeric_fields(Settings))


@pytest.mark.parametrize(("kind", "name", "value"), _cases())
def test_each_numeric_setting_refuses_a_non_finite_or_negative_value(monkeypatch, kind, name, value):
    variable = f"RSA_{name.upper()}"
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings() if kind == "settings" else FetchSettings()
    message = str(caught.value)
    assert message.startswith(f"Invalid settings: {variable}: "), message
    assert "\n" not in message and "pydantic" not in message and "For further information" not in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RSA_EUTILS_BACKOFF_S", "inf"), ("RSA_EUTILS_TIMEOUT_S", "inf"), ("RSA_EUTILS_TIMEOUT_S", "nan")],
)
def test_the_cli_gives_one_settings_line_and_exit_3(tmp_path, variable, value):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RSA_")}
    env = {
        **clean,
        variable: value,
        "RSA_CORPUS_DIR": str(tmp_path / "corpus"),
        "RSA_INDEX_DIR": str(tmp_path / "index"),
        "RSA_EUTILS_BASE_URL": "http://127.0.0.1:9/entrez/eutils",  # never reached: the settings fail first
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "corpus", "fetch", "--pmid", "1", "--no-index"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: Invalid settings: {variable}: "), result.stderr
    assert "internal error" not in result.stderr
