"""The on-disk layout of the index folder and its atomic switch.

index/CURRENT             name of the build being served (replaced atomically)
index/builds/<id>/        one complete build: manifest.json, chunks, sentences, vectors, bm25/, chroma/
index/.build.lock         held while a build runs, so two builds never interleave
index/LAST_FAILURE.json   the error of the last failed build, until a build succeeds (`ask` warns)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.errors import IndexMissingError
from assistant.settings import Settings

#: Why a built index no longer matches; `staleness_reason` is the one rule, used by the build (is a
#: rebuild needed?), the loader (may this index answer?) and the status shown by the CLI and the UI.
SETTINGS_CHANGED = "the settings that shape the index changed"
STORE_CHANGED = "the vector store location changed"
CORPUS_CHANGED = "the corpus changed"


def store_name(settings: Settings) -> str:
    """The store a build is written for, as its manifest records it."""
    return settings.chroma_url or "embedded"


def staleness_reason(settings: Settings, manifest: dict, corpus_fingerprint: str | None = None) -> str | None:
    """Why the build described by `manifest` does not match the settings (and the corpus, when its
    current fingerprint is given), or None when it still matches."""
    if manifest.get("settings_fingerprint") != settings.index_fingerprint():
        return SETTINGS_CHANGED
    if manifest.get("store") != store_name(settings):
        return STORE_CHANGED
    if corpus_fingerprint is not None and manifest.get("corpus_fingerprint") != corpus_fingerprint:
        return CORPUS_CHANGED
    return None


class IndexLayout:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.builds = self.root / "builds"
        self.current_file = self.root / "CURRENT"

    def build_folder(self, build_id: str) -> Path:
        return self.builds / build_id

    def current_build_id(self) -> str | None:
        try:
            value = self.current_file.read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            return None
        return value or None

    def current_manifest(self, *, strict: bool = False) -> dict | None:
        """The served build's manifest; None when there is none (or, unless strict, when it is unreadable)."""
        build_id = self.current_build_id()
        if build_id is None:
            return None
        path = self.build_folder(build_id) / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or "build_id" not in manifest:
                raise ValueError("not a manifest")
            return manifest
        except (OSError, ValueError):
            if strict:
                raise IndexMissingError(
                    f"The index in {self.root} is damaged ({path.name} of build {build_id} is missing or unreadable).",
                    hint="Run `rsa-assistant index --rebuild`.",
                ) from None
            return None

    def new_build_folder(self, build_id: str) -> Path:
        folder = self.build_folder(build_id)
        folder.mkdir(parents=True, exist_ok=False)
        (folder / ".incomplete").touch()
        return folder

    def switch_to(self, build_id: str) -> None:
        """Make `build_id` the served build in one atomic rename."""
        folder = self.build_folder(build_id)
        (folder / ".incomplete").unlink(missing_ok=True)
        _fsync_dir(folder)
        temporary = self.root / f"CURRENT.{os.getpid()}.tmp"
        temporary.write_text(build_id, encoding="utf-8")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.current_file)
        _fsync_dir(self.root)

    def remove_abandoned_builds(self) -> None:
        """Builds left half-written by an interrupted run (killed, crashed) are removed."""
        current = self.current_build_id()
        if not self.builds.is_dir():
            return
        for folder in self.builds.iterdir():
            if folder.name != current and (folder / ".incomplete").exists():
                shutil.rmtree(folder, ignore_errors=True)

    def prune(self, keep: set[str], drop_collection: Callable[[dict], None] | None = None) -> None:
        """Remove builds other than `keep` (the current and the previous one stay for open readers)."""
        if not self.builds.is_dir():
            return
        for folder in self.builds.iterdir():
            if folder.name in keep:
                continue
            if drop_collection is not None:
                with contextlib.suppress(Exception):
                    drop_collection(json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
            shutil.rmtree(folder, ignore_errors=True)

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".build.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """One JSON object per line (chunks.jsonl, sentences.jsonl of a build)."""
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
