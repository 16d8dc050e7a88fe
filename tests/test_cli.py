"""The rsa-assistant command as a user runs it (subprocess): index, ask --json, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "rsa-assistant"


def run_cli(settings, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, RSA_INDEX_DIR=str(settings.index_dir), RSA_CORPUS_DIR=str(settings.corpus_dir))
    return subprocess.run([str(BIN), *args], input=stdin, capture_output=True, env=env, timeout=300)


@pytest.mark.slow
def test_index_is_up_to_date_after_build(settings, built_index):
    result = run_cli(settings, "index")
    assert result.returncode == 0, result.stderr
    assert b"up to date" in result.stdout


@pytest.mark.slow
def test_ask_json_cites_the_abstract(settings, built_index):
    result = run_cli(settings, "ask", "--json", "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["refused"] is False
    assert any(c["source_id"] == "review" and c["section"] == "Abstract" for c in data["citations"])
    for citation in data["citations"]:
        assert citation["quote"] in citation["passage"]


@pytest.mark.slow
def test_ask_json_refuses_off_topic(settings, built_index):
    result = run_cli(settings, "ask", "--json", "What is the capital of France?")
    data = json.loads(result.stdout)
    assert data["refused"] is True and data["citations"] == []


@pytest.mark.slow
@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_nonzero_with_one_line(settings, built_index, question):
    result = run_cli(settings, "ask", question)
    assert result.returncode != 0
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")


@pytest.mark.slow
def test_question_from_stdin_and_invalid_utf8(settings, built_index):
    ok = run_cli(settings, "ask", "--json", "-", stdin="How do MSCs act on decidual NK cells?".encode())
    assert ok.returncode == 0 and json.loads(ok.stdout)["question"].startswith("How do MSCs")
    bad = run_cli(settings, "ask", "-", stdin=b"\xff\xfe\xfa broken")
    assert bad.returncode != 0 and b"UTF-8" in bad.stderr and b"Traceback" not in bad.stderr


def test_help_lists_the_commands():
    result = subprocess.run([str(BIN), "--help"], capture_output=True, timeout=60)
    assert result.returncode == 0
    for command in (b"index", b"ask", b"ui", b"eval"):
        assert command in result.stdout
