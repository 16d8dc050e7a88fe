"""Security basics: loopback by default, no secrets leaked, no pickle/eval on data."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECRET = "sk-test-DO-NOT-LEAK-1234567890"


def test_ui_binds_loopback_by_default():
    from assistant.settings import load_settings

    assert load_settings().ui_host == "127.0.0.1"


def test_public_settings_never_hold_the_key(monkeypatch):
    from assistant.settings import load_settings

    monkeypatch.setenv("RSA_LLM_API_KEY", SECRET)
    settings = load_settings()
    assert settings.llm_api_key.get_secret_value() == SECRET
    dumped = json.dumps(settings.public_dict())
    assert SECRET not in dumped and SECRET not in repr(settings) and SECRET not in str(settings)


@pytest.mark.slow
def test_cli_never_echoes_the_key_when_the_llm_is_down(settings, built_index):
    env = dict(
        os.environ,
        RSA_INDEX_DIR=str(settings.index_dir),
        RSA_CORPUS_DIR=str(settings.corpus_dir),
        RSA_LLM_BASE_URL="http://127.0.0.1:9/v1",
        RSA_LLM_API_KEY=SECRET,
        RSA_LLM_TIMEOUT_S="2",
        RSA_LLM_MAX_RETRIES="0",
    )
    binary = Path(sys.executable).parent / "rsa-assistant"
    result = subprocess.run(
        [str(binary), "ask", "--json", "How do MSCs act on NK cells?"], capture_output=True, env=env, timeout=300
    )
    assert SECRET.encode() not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr


def _python_files():
    for folder in ("assistant", "ui"):
        yield from (REPO / folder).rglob("*.py")


def test_no_pickle_eval_or_exec_on_data():
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                )
                if any(n and n.split(".")[0] in {"pickle", "marshal", "shelve", "dill"} for n in names):
                    offenders.append(f"{path}: imports {names}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"eval", "exec"}:
                offenders.append(f"{path}:{node.lineno}: calls {node.func.id}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "load"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "yaml"
            ):
                offenders.append(f"{path}:{node.lineno}: yaml.load (use yaml.safe_load)")
    assert offenders == []


def test_no_unsafe_html_in_ui():
    for path in (REPO / "ui").rglob("*.py"):
        assert "unsafe_allow_html=True" not in path.read_text(encoding="utf-8"), path
