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
        """The served build's manifest; None when there is none (or, unless strict, when it or its build
        is damaged: an unreadable or edited manifest, a missing file, a truncated Chroma store)."""
        build_id = self.current_build_id()
        if build_id is None:
            return None
        path = self.build_folder(build_id) / "manifest.json"
        problem: str | None
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or "build_id" not in manifest:
                raise ValueError("not a manifest")
        except (OSError, ValueError):
            problem = f"{path.name} of build {build_id} is missing or unreadable"
        else:
            problem = build_damage(self.build_folder(build_id), manifest)
            if problem is None:
                return manifest
        if strict:
            raise IndexMissingError(
                f"The index in {self.root} is damaged ({problem}).", hint="Run `rsa-assistant index --rebuild`."
            )
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

    def build_running(self) -> bool:
        """Whether a build holds the build lock now (another process is writing a build)."""
        try:
            with open(self.root / ".build.lock", "rb") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(handle, fcntl.LOCK_UN)
        except OSError:
            return False
        return False

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".build.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


#: The files every build writes (`build._write_build`); a build missing one cannot answer.
BUILD_FILES = (
    "chunks.jsonl",
    "sentences.jsonl",
    "sources.json",
    "chunk_embeddings.npy",
    "sentence_embeddings.npy",
    "glossary.json",
    "bm25",
)
#: The manifest keys the loader relies on, with their types (an edited manifest may lack them).
_MANIFEST_KEYS: dict[str, type] = {"build_id": str, "collection": str, "store": str, "settings_fingerprint": dict}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def build_damage(folder: Path, manifest: dict) -> str | None:
    """Why the build in `folder` cannot be served as its manifest describes it, or None when it is whole.

    Cheap checks only (no chromadb import, no file read in full), run at every load and before a build
    decides that the served index is up to date, so a damaged index is rebuilt by `rsa-assistant index`.
    """
    for key, kind in _MANIFEST_KEYS.items():
        if not isinstance(manifest.get(key), kind):
            return f"manifest.json of build {folder.name} was edited: '{key}' is missing or invalid"
    if manifest["build_id"] != folder.name:
        return f"manifest.json of build {folder.name} names another build, {manifest['build_id'][:60]!r}"
    missing = [name for name in BUILD_FILES if not (folder / name).exists()]
    if missing:
        return f"{', '.join(missing)} of build {folder.name} {'is' if len(missing) == 1 else 'are'} missing"
    if manifest["store"] == "embedded":
        return sqlite_damage(folder / "chroma" / "chroma.sqlite3")
    return None


def sqlite_damage(path: Path) -> str | None:
    """Why the SQLite file at `path` (the embedded Chroma store) is not whole, from its header alone.

    The header records the page size (bytes 16-17) and, when its version stamp (bytes 92-95) matches the
    change counter (bytes 24-27), the database size in pages (bytes 28-31): a shorter file is truncated.
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return f"the Chroma store {path.parent.parent.name}/chroma/{path.name} is missing or unreadable"
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return f"the Chroma store {path.name} is not a SQLite database (truncated or overwritten)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and pages and size < pages * page_size:
        return f"the Chroma store {path.name} is truncated ({size} of {pages * page_size} bytes)"
    return None


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
