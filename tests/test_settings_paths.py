"""Folders named by settings (issue #14, items 8 and 9): a bad one is one settings error (exit 3), and
when every folder points elsewhere nothing is written into the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).with_name("rsa-assistant")
REPO = Path(__file__).resolve().parent.parent


def _cli(*args: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RSA_", "TIKTOKEN_"))}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout, env={**clean, **env})


def _one_settings_line(result: subprocess.CompletedProcess, variable: str) -> str:
    assert result.returncode == 3, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and variable in lines[0], result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture()
def a_file(tmp_path) -> Path:
    path = tmp_path / "not-a-folder"
    path.write_text("x", encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["file", "/proc/rsa-index", "/dev/null/x"])
def test_index_dir_that_cannot_hold_an_index(where, a_file, tmp_path):
    index_dir = str(a_file) if where == "file" else where
    line = _one_settings_line(
        _cli("index", RSA_INDEX_DIR=index_dir, RSA_CACHE_DIR=str(tmp_path / "cache")), "RSA_INDEX_DIR"
    )
    assert index_dir in line


@pytest.mark.parametrize("where", ["file", "/dev/null/x"])
def test_ask_with_an_index_dir_that_is_not_a_folder(where, a_file):
    index_dir = str(a_file) if where == "file" else where
    _one_settings_line(_cli("ask", "What is RSA?", RSA_INDEX_DIR=index_dir), "RSA_INDEX_DIR")


@pytest.mark.parametrize(
    "command", [["index"], ["corpus", "list"], ["corpus", "add", "x.md"], ["corpus", "remove", "x"]]
)
def test_corpus_dir_that_is_a_file(command, a_file, tmp_path):
    result = _cli(*command, RSA_CORPUS_DIR=str(a_file), RSA_INDEX_DIR=str(tmp_path / "index"))
    assert "is a file, not a folder" in _one_settings_line(result, "RSA_CORPUS_DIR")


def test_reports_dir_is_checked_before_the_evaluation_runs(a_file, tmp_path):
    started = time.monotonic()
    # no index either: were the reports folder checked after the run, this would fail on the index (exit 5)
    result = _cli("eval", RSA_REPORTS_DIR=str(a_file), RSA_INDEX_DIR=str(tmp_path / "no-index"))
    _one_settings_line(result, "RSA_REPORTS_DIR")
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("prefix", ["", "a b", "x" * 58, "-rsa", "rsa."])
def test_collection_prefix_is_checked_in_embedded_mode(prefix, tmp_path):
    result = _cli("index", RSA_COLLECTION_PREFIX=prefix, RSA_INDEX_DIR=str(tmp_path / "index"))
    line = _one_settings_line(result, "RSA_COLLECTION_PREFIX")
    assert "server" not in line


def test_cli_flag_paths_are_checked_too(a_file):
    result = _cli("index", "--index-dir", str(a_file))
    assert "--index-dir" in _one_settings_line(result, "RSA_INDEX_DIR")


# -- item 9: nothing written into the source tree when the settings point elsewhere ------------------
_IGNORED_DIRS = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "test-artifacts",
    "node_modules",
    "build",
    "dist",
}
#: source files other people may be editing while the suite runs; what the assistant writes is data
_SOURCE_SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".txt", ".html", ".css", ".js"}


def _written_since(started: float) -> list[str]:
    found = []
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = Path(root) / name
            if path.suffix in _SOURCE_SUFFIXES or name.endswith(".pyc"):
                continue
            try:
                if path.lstat().st_mtime >= started:
                    found.append(str(path.relative_to(REPO)))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_index_and_ask_write_nothing_into_the_source_tree(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    env = {
        f"RSA_{name.upper()}": str(tmp_path / name)
        for name in ("index_dir", "feedback_dir", "reports_dir", "cache_dir")
    }
    env["RSA_CORPUS_DIR"] = str(corpus)
    started = time.time() - 1
    built = _cli("index", **env)
    assert built.returncode == 0, built.stderr
    asked = _cli("ask", "How do MSCs act on decidual NK cells?", **env)
    assert asked.returncode == 0, asked.stderr
    assert _written_since(started) == []
    # the token encodings went where RSA_CACHE_DIR points
    assert any((tmp_path / "cache_dir" / "tiktoken").iterdir())


def test_token_cache_follows_rsa_cache_dir(tmp_path):
    code = "from assistant import tokens; print(tokens.count_tokens('hello world'))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RSA_", "TIKTOKEN_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "RSA_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"
    assert len(list((tmp_path / "cache" / "tiktoken").iterdir())) == 1
    from assistant import tokens

    tokens.count_tokens("no leak")
    assert "TIKTOKEN_CACHE_DIR" not in os.environ  # child processes follow their own RSA_CACHE_DIR
