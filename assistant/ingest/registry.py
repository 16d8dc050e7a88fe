"""Dispatch of corpus files to their loaders, with per-file error collection."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.formats import Loader, loader_for_suffix
from assistant.types import Document, SourceKind

#: Files in a corpus folder that describe it rather than belong to it.
_SKIPPED_NAMES = {"readme", "license", "licence", "notice", "glossary"}
_SKIPPED_DIRS = {"fetch-cache", "_cache", "__pycache__"}
MAX_FILE_BYTES = 20 * 1024 * 1024

__all__ = ["Loader", "LoadResult", "corpus_files", "file_hash", "load_corpus", "load_path"]


@dataclass
class LoadResult:
    """Documents read from a corpus plus the files that were refused, each with its reason."""

    documents: list[Document] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    file_hashes: dict[str, str] = field(default_factory=dict)
    #: document id -> the corpus file (relative path) it was read from
    document_files: dict[str, str] = field(default_factory=dict)


def _loader_for(path: Path) -> Loader | None:
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        from assistant.ingest.digest import load_digest

        return load_digest
    if suffix == ".txt":
        from assistant.ingest.review_text import load_text

        return load_text
    return loader_for_suffix(path)


def skip_reason(name: str) -> str | None:
    """Why a corpus file of this name is not indexed (hidden, or a README/LICENSE/NOTICE/GLOSSARY file)."""
    if name.startswith("."):
        return "hidden files (names starting with '.') are not indexed"
    if name.lower().split(".")[0] in _SKIPPED_NAMES:
        return "files named README, LICENSE/LICENCE, NOTICE or GLOSSARY describe the corpus and are not indexed"
    return None


def load_path(path: Path) -> list[Document]:
    """Load one file; raises CorpusError naming the file when it cannot be used."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        # the index, its manifest and every message hold names as UTF-8 text
        shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise CorpusError(
            f"{shown}: the file name is not valid UTF-8.",
            path=shown,
            hint="Rename the file (UTF-8 name) and add it again.",
        ) from None
    if not path.is_file():
        raise CorpusError(f"{path}: no such file.", path=str(path), hint="Check the path.")
    size = path.stat().st_size
    if size == 0:
        raise CorpusError(f"{path}: the file is empty.", path=str(path))
    if size > MAX_FILE_BYTES:
        raise CorpusError(
            f"{path}: {size / 1e6:.0f} MB is larger than the {MAX_FILE_BYTES // 1_000_000} MB a corpus file may be.",
            path=str(path),
            hint="Split it or remove it.",
        )
    loader = _loader_for(path)
    if loader is None:
        raise CorpusError(
            f"{path}: unsupported file type '{path.suffix or '(none)'}'.",
            path=str(path),
            hint="Use .txt, .md, .html, .pdf (review) or .xml, .nbib, .ris, .bib, .json (abstracts).",
        )
    try:
        documents = loader(path)
    except CorpusError:
        raise
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not valid UTF-8 text.", path=str(path), hint="Re-save it as UTF-8.") from None
    except Exception as exc:  # a loader bug or a malformed file must not stop the batch
        raise CorpusError(f"{path}: could not be read ({type(exc).__name__}: {exc}).", path=str(path)) from None
    if not documents:
        raise CorpusError(f"{path}: no text found.", path=str(path))
    return documents


def _walk(corpus_dir: Path) -> Iterator[Path]:
    """Every entry under `corpus_dir` (files and links), never descending into a linked folder."""
    for folder, dirs, names in os.walk(corpus_dir, followlinks=False):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        base = Path(folder)
        # a link to a folder is listed in `dirs` but not walked: check it like a linked file
        yield from (base / d for d in dirs if (base / d).is_symlink())
        yield from (base / n for n in names)


def escapes(path: Path, corpus_dir: Path) -> bool:
    """Whether `path` is a link whose target is missing or lies outside the corpus folder.

    Links are followed only inside the corpus: `passwd.txt -> /etc/passwd` must never become a
    document whose text is listed, indexed and cited.
    """
    if not path.is_symlink():
        return False
    target = path.resolve()
    return not target.exists() or not target.is_relative_to(corpus_dir.resolve())


def outside_links(corpus_dir: Path) -> list[str]:
    """Corpus-relative names of links that point outside the corpus (or nowhere): skipped, reported."""
    return sorted(
        str(p.relative_to(corpus_dir)) for p in _walk(corpus_dir) if not skip_reason(p.name) and escapes(p, corpus_dir)
    )


def link_problem(name: str) -> str:
    """The one line `corpus list`, `index` and `corpus add` print for a skipped outside link."""
    return (
        f"{name}: a link to a file outside the corpus folder (or to nothing); not read. "
        f"Copy the file in instead, or remove the link: rsa-assistant corpus remove {name}"
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of a corpus folder that are meant to be indexed, in a stable order.

    Links pointing outside the corpus are left out (see `outside_links`); links to folders are not walked.
    """
    files = [
        path
        for path in _walk(corpus_dir)
        if path.is_file() and not skip_reason(path.name) and not escapes(path, corpus_dir)
    ]
    return sorted(files)


_HASHES: dict[tuple[str, int, int], str] = {}

#: Per folder: the kind chosen with `corpus add --kind` for files of that folder ({file name: kind}).
#: A hidden file, so never read as a document; it sits next to the files it describes.
KINDS_FILE = ".rsa-kinds.json"
#: Kinds `corpus add --kind` accepts (a study digest is a YAML format of its own, not a label; the
#: glossary is the index's own).
ASSIGNABLE_KINDS = tuple(k.value for k in SourceKind if k not in (SourceKind.STUDY_DIGEST, SourceKind.GLOSSARY))
_KINDS_CACHE: dict[tuple[str, int, int], dict[str, str]] = {}


def content_hash(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime): the UI checks staleness on every rerun."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    digest = _HASHES.get(key)
    if digest is None:
        digest = _HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def file_hash(path: Path) -> str:
    """What the index's fingerprint holds for a corpus file: its content hash, plus the kind chosen
    for it with `--kind`, so choosing another kind makes the index stale like an edit does."""
    kind = chosen_kinds(path.parent).get(path.name)
    return content_hash(path) + (f"+kind={kind}" if kind else "")


def chosen_kinds(folder: Path) -> dict[str, str]:
    """{file name: kind} chosen with `corpus add --kind` for the files of `folder` (empty when none)."""
    sidecar = folder / KINDS_FILE
    try:
        stat = sidecar.stat()
    except OSError:
        return {}
    key = (str(sidecar), stat.st_size, stat.st_mtime_ns)
    if key not in _KINDS_CACHE:
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        valid = data.items() if isinstance(data, dict) else ()
        _KINDS_CACHE[key] = {str(n): str(k) for n, k in valid if k in ASSIGNABLE_KINDS}
    return _KINDS_CACHE[key]


def with_chosen_kind(documents: list[Document], kind: str | None) -> list[Document]:
    """The documents of one file, relabelled with the kind chosen for it (unchanged when none)."""
    if not kind:
        return documents
    return [replace(d, source=replace(d.source, kind=SourceKind(kind))) for d in documents]


def load_corpus(corpus_dir: Path) -> LoadResult:
    """Load every corpus file under `corpus_dir`; bad files become problems, not failures."""
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder {corpus_dir} does not exist.", hint="Set RSA_CORPUS_DIR to a folder of corpus files."
        )
    result = LoadResult()
    result.problems.extend(link_problem(name) for name in outside_links(corpus_dir))
    seen_ids: dict[str, Path] = {}
    for path in corpus_files(corpus_dir):
        try:
            documents = with_chosen_kind(load_path(path), chosen_kinds(path.parent).get(path.name))
        except CorpusError as exc:
            result.problems.append(exc.message)
            continue
        for document in documents:
            if document.source.id in seen_ids:
                result.problems.append(
                    f"{path}: document id '{document.source.id}' is already used by {seen_ids[document.source.id]}; skipped."
                )
                continue
            seen_ids[document.source.id] = path
            result.documents.append(document)
            result.document_files[document.source.id] = str(path.relative_to(corpus_dir))
        result.file_hashes[str(path.relative_to(corpus_dir))] = file_hash(path)
    return result
