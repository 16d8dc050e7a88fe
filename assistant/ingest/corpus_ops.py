"""Corpus management behind `rsa-assistant corpus`: add validated files, list and remove documents.

Each added file is loaded first; a file that cannot be used is refused with a one-line reason and the
rest of the batch still goes in. The caller re-indexes afterwards (incrementally: unchanged text is
not embedded again).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.registry import file_hash, load_corpus, load_path
from assistant.types import Document


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)  # corpus-relative paths written
    unchanged: list[str] = field(default_factory=list)  # identical files already there
    refused: list[str] = field(default_factory=list)  # one line each, naming the file


def _candidates(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
                     if path.is_dir() else [path])
    return files


def add_files(corpus_dir: Path, paths: list[Path]) -> AddReport:
    """Copy each usable file into `corpus_dir` (after loading it); refuse the others with a reason."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    existing = load_corpus(corpus_dir)
    taken = dict(existing.document_files)
    report = AddReport()
    for path in _candidates(paths):
        try:
            documents = load_path(path)
            target = corpus_dir / path.name
            if target.exists():
                if file_hash(target) == file_hash(path):
                    report.unchanged.append(target.name)
                    continue
                raise CorpusError(f"{path}: a different file named {path.name} is already in the corpus.")
            clashes = [d.source.id for d in documents if d.source.id in taken]
            if clashes:
                raise CorpusError(
                    f"{path}: document id '{clashes[0]}' is already in the corpus ({taken[clashes[0]]})."
                )
        except CorpusError as exc:
            report.refused.append(exc.message)
            continue
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(path, temporary)
        os.replace(temporary, target)  # never a half-copied file in the corpus
        taken.update({d.source.id: target.name for d in documents})
        report.added.append(target.name)
    return report


@dataclass(frozen=True)
class Listed:
    id: str
    kind: str
    title: str
    file: str


def list_documents(corpus_dir: Path) -> tuple[list[Listed], list[str]]:
    loaded = load_corpus(corpus_dir)
    rows = [
        Listed(d.source.id, d.source.kind.value, d.source.title, loaded.document_files.get(d.source.id, ""))
        for d in loaded.documents
    ]
    return rows, loaded.problems


def remove_document(corpus_dir: Path, identifier: str) -> str:
    """Remove a document by id (or a corpus file by its path); returns what was removed, in words."""
    file_path = corpus_dir / identifier
    if file_path.is_file() and file_path.resolve().is_relative_to(corpus_dir.resolve()):
        file_path.unlink()
        return f"removed file {identifier}"
    loaded = load_corpus(corpus_dir)
    relative = loaded.document_files.get(identifier)
    if relative is None:
        raise CorpusError(f"No document or file '{identifier}' in {corpus_dir}.", hint="See `rsa-assistant corpus list`.")
    path = corpus_dir / relative
    siblings = [i for i, f in loaded.document_files.items() if f == relative]
    if len(siblings) == 1:
        path.unlink()
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
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"^(\s*)-\s+id:\s*['\"]?{re.escape(identifier)}['\"]?\s*$", line)), None)
    if start is None:
        raise CorpusError(f"{path}: entry '{identifier}' is not written as '- id: {identifier}'; edit the file by hand.")
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
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


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
