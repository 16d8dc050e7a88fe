"""Faults of the index as a user meets them: a full disk during `index`, `ask` during `index --rebuild`,
and a damaged build (truncated Chroma store, edited manifest, deleted vector copy).

Each case ends in one clear line that says what to do (never `internal error` or a traceback), the
good index survives what it can survive, and a rebuild (or plain `rsa-assistant index`) repairs it.
All parts are real: the `rsa-assistant` command in a child process, the bundled model, embedded Chroma.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import IndexMissingError, SettingsError
from assistant.indexing.build import build_index
from assistant.indexing.index import load_index
from assistant.indexing.layout import IndexLayout
from assistant.settings import load_settings
from tests.conftest import subprocess_env

BIN = Path(sys.executable).parent / "rsa-assistant"
QUESTION = "How do MSCs act on NK cells?"


def _copy_of_index(settings, tmp_path: Path, index_dir: Path):
    """Settings whose index at `index_dir` is a copy of the session's built index (same corpus and cache)."""
    own = load_settings(
        corpus_dir=settings.corpus_dir,
        index_dir=index_dir,
        feedback_dir=tmp_path / "feedback",
        reports_dir=tmp_path / "reports",
        cache_dir=settings.cache_dir,
    )
    shutil.copytree(settings.index_dir, own.index_dir, ignore=shutil.ignore_patterns(".build.lock"))
    return own


@pytest.fixture()
def own_index(tmp_path, settings, built_index):
    """Settings whose index is a private copy of the session's built index (same corpus and cache)."""
    return _copy_of_index(settings, tmp_path, tmp_path / "index")


def _cli(settings, *args: str, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(settings),
        timeout=300,
        preexec_fn=preexec_fn,
    )


def _one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def _answers(settings) -> None:
    result = _cli(settings, "ask", QUESTION)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()


def _file_size_limit(limit: int):
    def apply() -> None:  # runs in the child: every file it writes is capped (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _assert_only_served_build(settings, build_id: str) -> None:
    layout = IndexLayout(settings.index_dir)
    assert layout.current_build_id() == build_id
    assert [folder.name for folder in layout.builds.iterdir()] == [build_id]  # the half build was removed


@pytest.mark.slow
def test_disk_full_during_index_keeps_the_previous_index(own_index):
    before = IndexLayout(own_index.index_dir).current_build_id()
    result = _cli(own_index, "index", "--rebuild", preexec_fn=_file_size_limit(50_000))
    line = _one_line(result)
    assert result.returncode == SettingsError.exit_code
    assert "ran out of space" in line and "previous index is kept" in line
    assert "Free disk space" in line and "rsa-assistant index" in line
    _assert_only_served_build(own_index, before)
    assert load_index(own_index).build_id == before
    _answers(own_index)
    assert "ran out of space" in json.loads((own_index.index_dir / "LAST_FAILURE.json").read_text())["error"]


def _mount_tmpfs(target: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    target.mkdir(parents=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True)
    return result.returncode == 0


@pytest.mark.slow
def test_disk_full_on_a_small_file_system(tmp_path, settings, built_index):
    """A real full disk (ENOSPC from a tmpfs just big enough for one build), where mounting is allowed."""
    disk = tmp_path / "small-disk"
    build_bytes = sum(p.stat().st_size for p in IndexLayout(settings.index_dir).builds.rglob("*") if p.is_file())
    if not _mount_tmpfs(disk, f"{build_bytes * 3 // 2 // 1024 + 64}k"):
        pytest.skip("mounting a tmpfs needs root")
    try:
        small = _copy_of_index(settings, tmp_path, disk / "index")
        before = IndexLayout(small.index_dir).current_build_id()
        result = _cli(small, "index", "--rebuild")
        line = _one_line(result)
        assert result.returncode == SettingsError.exit_code and "ran out of space" in line
        _assert_only_served_build(small, before)
        _answers(small)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.slow
def test_ask_during_index_rebuild(own_index):
    """Questions asked while `index --rebuild` runs (twice) answer from the old or the new build, or
    say the index is being rebuilt; never a crash or a mix of two builds."""
    rebuilding = subprocess.Popen(
        ["sh", "-c", f"'{BIN}' index --rebuild && '{BIN}' index --rebuild"],
        env=subprocess_env(own_index),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    asked = loaded = 0
    try:
        while rebuilding.poll() is None or asked == 0:
            result = _cli(own_index, "ask", QUESTION)
            asked += 1
            if result.returncode != 0:
                assert "being rebuilt" in _one_line(result), result.stderr
            else:
                assert result.stdout.strip() and "Traceback" not in result.stderr
            try:  # in this process too: what loads is one whole build
                index = load_index(own_index)
            except IndexMissingError as exc:
                assert "being rebuilt" in str(exc)
            else:
                loaded += 1
                assert index.folder.name == index.build_id
                assert len(index.chunks) == index.manifest["chunks"] == len(index.chunk_vectors)
                assert len(index.sentences) == index.manifest["sentences"] == len(index.sentence_vectors)
    finally:
        _, errors = rebuilding.communicate(timeout=300)
    assert rebuilding.returncode == 0, errors
    assert asked and loaded
    _answers(own_index)


def _truncate_chroma(folder: Path) -> None:
    store = folder / "chroma" / "chroma.sqlite3"
    with open(store, "r+b") as handle:
        handle.truncate(store.stat().st_size // 3)


def _edit_manifest(key: str, value):
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if value is None:
            del manifest[key]
        else:
            manifest[key] = value
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return edit


DAMAGE = {
    "truncated-chroma-sqlite": _truncate_chroma,
    "manifest-without-collection": _edit_manifest("collection", None),
    "manifest-naming-another-build": _edit_manifest("build_id", "20990101T000000000000-1"),
    "manifest-with-bad-settings": _edit_manifest("settings_fingerprint", "edited"),
    "deleted-vector-copy": lambda folder: (folder / "chunk_embeddings.npy").unlink(),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_build_says_rebuild_and_index_repairs_it(own_index, damage):
    layout = IndexLayout(own_index.index_dir)
    damaged = layout.current_build_id()
    DAMAGE[damage](layout.build_folder(damaged))

    line = _one_line(_cli(own_index, "ask", QUESTION))
    assert "damaged" in line and "rsa-assistant index --rebuild" in line
    with pytest.raises(IndexMissingError, match="rsa-assistant index --rebuild"):
        load_index(own_index)

    # a plain `index` notices the damage and rebuilds (it never calls a damaged index up to date)
    report = build_index(own_index)
    assert report.status == "built" and report.build_id != damaged
    assert not layout.build_folder(damaged).exists()
    _answers(own_index)
