"""Corpus management behind `rsa-assistant corpus`: add validated files, list and remove documents.

Each added file is loaded first; a file that cannot be used (unreadable, a duplicate, a name the
indexer skips or that is not UTF-8) is refused with a one-line reason and the rest of the batch still
goes in. Changes hold the corpus lock, so concurrent runs never both add the same document. The caller
re-indexes afterwards (incrementally: unchanged text is not embedded again).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.registry import (
    ASSIGNABLE_KINDS,
    KINDS_FILE,
    chosen_kinds,
    content_hash,
    load_corpus,
    load_path,
    skip_reason,
    with_chosen_kind,
)
from assistant.settings import shown_path
from assistant.types import Document

_TEMPORARY = itertools.count()


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)  # corpus-relative paths written
    unchanged: list[str] = field(default_factory=list)  # identical files already there
    refused: list[str] = field(default_factory=list)  # one line each, naming the file
    skipped: list[str] = field(default_factory=list)  # files found in a folder that are never indexed
    relabelled: list[str] = field(default_factory=list)  # files already there, given the kind asked for


@contextlib.contextmanager
def corpus_lock(corpus_dir: Path) -> Iterator[None]:
    """Exclusive lock on the corpus folder for the duration of a change (blocks until free).

    Held while the corpus is read and changed, so concurrent `corpus add/remove` runs never both pass
    the duplicate check. The lock is taken on the folder itself (flock works on directories), so no
    lock file ever sits among the corpus files.
    """
    corpus_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(corpus_dir, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _candidates(paths: list[Path], skipped: list[str]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for each path given; folders contribute their files, in a stable order.

    Links found inside a folder are not followed (a folder from elsewhere may hold `x.txt -> /etc/passwd`);
    each is added to `skipped` by name. A link named on the command line is the user's own choice: its
    file is copied, as `cp` would.
    """
    files: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for folder, dirs, names in os.walk(path, followlinks=False):
                for name in sorted(dirs + names):
                    entry = Path(folder) / name
                    if entry.is_symlink():
                        skipped.append(f"{shown_path(entry)}: a symbolic link; links in a folder are not followed")
                dirs.sort()
                files.extend((Path(folder) / n, False) for n in sorted(names) if not (Path(folder) / n).is_symlink())
        else:
            files.append((path, True))
    return files


_TEMPORARY_PREFIX = ".rsa-tmp-"


def _temporary_name(corpus_dir: Path) -> Path:
    # short and fixed-length: a name derived from the file's own could pass the 255-byte limit
    return corpus_dir / f"{_TEMPORARY_PREFIX}{os.getpid()}-{next(_TEMPORARY)}"


def _remove_leftovers(corpus_dir: Path) -> None:
    """Delete temporary copies a killed run left (hidden, so never read); only called under the lock,
    when no other run can be writing one."""
    for leftover in corpus_dir.glob(f"{_TEMPORARY_PREFIX}*"):
        leftover.unlink(missing_ok=True)


def check_kind(kind: str | None) -> str | None:
    """The kind `corpus add --kind` was given, validated (None when not given)."""
    if kind is None:
        return None
    value = kind.strip().lower()
    if value not in ASSIGNABLE_KINDS:
        raise CorpusError(
            f"Unknown document kind {kind!r}; nothing was added.",
            hint=f"Use one of: {', '.join(ASSIGNABLE_KINDS)}.",
        )
    return value


def add_files(corpus_dir: Path, paths: list[Path], *, kind: str | None = None) -> AddReport:
    """Copy each usable file into `corpus_dir` (after loading it); refuse the others with a reason.

    Every file of the batch is tried: each one is either added (and reported) or refused with its
    reason, whatever happened to the others. Runs under the corpus lock. `kind` (one of
    ASSIGNABLE_KINDS) replaces the kind the loader gives every document of the files added.
    """
    kind = check_kind(kind)  # before anything is read or written: a typo adds nothing
    report = AddReport()
    with corpus_lock(corpus_dir):
        _remove_leftovers(corpus_dir)
        existing = load_corpus(corpus_dir)  # read under the lock: the duplicate check sees every earlier add
        taken = dict(existing.document_files)
        for path, explicit in _candidates(paths, report.skipped):
            try:
                reason = skip_reason(path.name)
                if reason and not explicit:
                    report.skipped.append(f"{shown_path(path)}: {reason}")
                    continue
                if reason:
                    raise CorpusError(f"{shown_path(path)}: not added: {reason}.", hint="Rename the file to add it.")
                documents = with_chosen_kind(load_path(path), kind)
                target = corpus_dir / path.name
                if target.exists():
                    if content_hash(target) == content_hash(path):
                        if kind and chosen_kinds(corpus_dir).get(target.name) != kind:
                            _set_kind(corpus_dir, target.name, kind)
                            report.relabelled.append(f"{target.name}: kind {kind}")
                        else:
                            report.unchanged.append(target.name)
                        continue
                    raise CorpusError(f"{path}: a different file named {path.name} is already in the corpus.")
                clashes = [d.source.id for d in documents if d.source.id in taken]
                if clashes:
                    raise CorpusError(
                        f"{path}: document id '{clashes[0]}' is already in the corpus ({taken[clashes[0]]})."
                    )
                _copy_into(path, target)
                _set_kind(corpus_dir, target.name, kind)
            except CorpusError as exc:
                report.refused.append(str(exc))
                continue
            taken.update({d.source.id: target.name for d in documents})
            report.added.append(target.name)
    return report


def _copy_into(path: Path, target: Path) -> None:
    """Copy through a temporary file and one rename: never a half-copied file in the corpus."""
    temporary = _temporary_name(target.parent)
    try:
        shutil.copyfile(path, temporary)
        os.replace(temporary, target)
    except OSError as exc:
        raise CorpusError(
            f"{shown_path(path)}: could not be copied into the corpus ({exc.strerror or type(exc).__name__}).",
            hint="Check the free space and permissions of the corpus folder.",
        ) from None
    finally:
        temporary.unlink(missing_ok=True)


def _set_kind(folder: Path, name: str, kind: str | None) -> None:
    """Record (or, with None, forget) the kind chosen for one file of `folder`, written atomically."""
    kinds = dict(chosen_kinds(folder))
    if kinds.get(name) == kind:
        return
    if kind:
        kinds[name] = kind
    else:
        kinds.pop(name, None)
    if kinds:
        _replace(folder / KINDS_FILE, json.dumps(kinds, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        (folder / KINDS_FILE).unlink(missing_ok=True)


@dataclass(frozen=True)
class Listed:
    id: str
    kind: str
    title: str
    file: str
    #: headed sections of a full text (JATS counts its own headings), and its reference-list entries
    sections: int = 0
    references: int = 0
    #: "" when indexed; "superseded by <id>" when a fuller copy of the same article is indexed instead
    status: str = ""
    #: top-level headings of a full text with a reference list (empty for abstracts and digests)
    headings: tuple[str, ...] = ()


def list_documents(corpus_dir: Path) -> tuple[list[Listed], list[str]]:
    from assistant.ingest.jats import outline
    from assistant.ingest.supersede import superseded_by

    loaded = load_corpus(corpus_dir)
    replaced = superseded_by(loaded.documents)
    rows = [
        Listed(
            d.source.id,
            d.source.kind.value,
            d.source.title,
            loaded.document_files.get(d.source.id, ""),
            sections=int(dict(d.source.extra).get("sections") or len(d.sections)),
            references=len(d.references),
            status=f"superseded by {replaced[d.source.id]}" if d.source.id in replaced else "",
            headings=outline(d) if d.references else (),
        )
        for d in loaded.documents
    ]
    return rows, loaded.problems


def remove_document(corpus_dir: Path, identifier: str) -> str:
    """Remove a document by id (or a corpus file by its path); returns what was removed, in words."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus folder {shown_path(corpus_dir)} does not exist.", hint="Check RSA_CORPUS_DIR.")
    with corpus_lock(corpus_dir):
        return _remove_locked(corpus_dir, identifier)


def _remove_locked(corpus_dir: Path, identifier: str) -> str:
    file_path = corpus_dir / identifier
    if file_path.is_symlink() and file_path.parent.resolve().is_relative_to(corpus_dir.resolve()):
        file_path.unlink()  # the link itself, never its target (which may lie outside the corpus)
        return f"removed link {shown_path(identifier)}"
    if file_path.is_file() and file_path.resolve().is_relative_to(corpus_dir.resolve()):
        file_path.unlink()  # also how a file with an unusable (non-UTF-8) name leaves the corpus
        _set_kind(file_path.parent, file_path.name, None)
        return f"removed file {shown_path(identifier)}"
    loaded = load_corpus(corpus_dir)
    relative = loaded.document_files.get(identifier)
    if relative is None:
        raise CorpusError(
            f"No document or file '{shown_path(identifier)}' in {shown_path(corpus_dir)}.",
            hint="See `rsa-assistant corpus list`.",
        )
    path = corpus_dir / relative
    siblings = [i for i, f in loaded.document_files.items() if f == relative]
    if len(siblings) == 1:
        path.unlink()
        _set_kind(path.parent, path.name, None)
        return f"removed file {relative} (document {identifier})"
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        _remove_yaml_entry(path, identifier)
    elif suffix == ".xml":
        _remove_xml_entry(path, identifier)
    else:
        raise CorpusError(
            f"{relative} holds {len(siblings)} documents and entries of a {suffix} file cannot be removed one by one.",
            hint=f"Remove the whole file: rsa-assistant corpus remove {relative}",
        )
    return f"removed entry {identifier} from {relative}"


def _remove_yaml_entry(path: Path, identifier: str) -> None:
    """Cut the `- id: <identifier>` block out of a digest, keeping every other line (and comments)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if re.match(rf"^(\s*)-\s+id:\s*['\"]?{re.escape(identifier)}['\"]?\s*$", line)
        ),
        None,
    )
    if start is None:
        raise CorpusError(
            f"{path}: entry '{identifier}' is not written as '- id: {identifier}'; edit the file by hand."
        )
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and not (lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) <= indent):
        end += 1
    _replace(path, "".join(lines[:start] + lines[end:]))


def _remove_xml_entry(path: Path, identifier: str) -> None:
    import xml.etree.ElementTree as ET

    from assistant.ingest.pubmed_xml import parse_pubmed_xml

    root = parse_pubmed_xml(path.read_bytes(), path)
    pmid = identifier.removeprefix("pmid-")
    kept = [a for a in root.findall("PubmedArticle") if (a.findtext("MedlineCitation/PMID") or "").strip() != pmid]
    if len(kept) == len(root.findall("PubmedArticle")):
        raise CorpusError(f"{path}: no article with PMID {pmid}.")
    body = "".join(ET.tostring(a, encoding="unicode") for a in kept)
    _replace(path, f'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n')


def _replace(path: Path, text: str) -> None:
    temporary = _temporary_name(path.parent)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def reference_identifiers(documents: list[Document], *, digest: bool = False) -> tuple[list[str], list[str]]:
    """PMIDs, and DOIs lacking a PMID, of the reviews' references (and of digest entries, when asked)."""
    pmids: list[str] = []
    dois: list[str] = []
    for document in documents:
        items = [(r.pmid, r.doi) for r in document.references]
        if digest and document.source.kind.value == "study_digest":
            items.append((document.source.pmid, document.source.doi))
        for pmid, doi in items:
            if pmid and pmid.isdigit():
                pmids.append(pmid)
            elif doi:
                dois.append(doi)
    return list(dict.fromkeys(pmids)), list(dict.fromkeys(dois))
