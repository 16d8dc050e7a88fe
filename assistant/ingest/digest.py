"""Loader for the curated study digest (`related_studies.yaml`): one document per study.

Each study's document has its "Finding" and, when any field is filled in, its "Article information": the
fields (first author, year, journal, identifiers, trial, evidence kind, MSC source) as citable
sentences (`assistant/ingest/details.py`), so a question naming them finds the study.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CorpusError
from assistant.ingest.details import details_section
from assistant.text import is_fragment
from assistant.types import Document, Section, Source, SourceKind

_REQUIRED = ("id", "finding")


def load_digest(path: Path) -> list[Document]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: invalid YAML ({str(exc).splitlines()[0]}).", path=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise CorpusError(f"{path}: expected a mapping with a 'studies' list.", path=str(path))
    documents = []
    for position, entry in enumerate(data["studies"], start=1):
        documents.append(_study_document(entry, path, position))
    return documents


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _study_document(entry: Any, path: Path, position: int) -> Document:
    if not isinstance(entry, dict):
        raise CorpusError(f"{path}: study #{position} is not a mapping.", path=str(path))
    missing = [key for key in _REQUIRED if not _text(entry.get(key))]
    if missing:
        raise CorpusError(f"{path}: study #{position} lacks {', '.join(missing)}.", path=str(path))
    for key in ("finding", "label", "journal", "doi", "pmid", "pmcid", "trial", "evidence", "msc_source"):
        if entry.get(key) is not None and not isinstance(entry[key], (str, int, float)):
            raise CorpusError(f"{path}: study '{entry['id']}' field '{key}' must be text.", path=str(path))
    year = entry.get("year")
    if year is not None and (isinstance(year, bool) or not str(year).isdigit()):
        raise CorpusError(f"{path}: study '{entry['id']}' has a non-numeric year {year!r}.", path=str(path))
    author = _text(entry.get("first_author"))
    extra = {k: _text(entry.get(k)) for k in ("note",) if _text(entry.get(k))}
    if author:
        extra["first_author"] = author
    source = Source(
        id=_text(entry["id"]),
        kind=SourceKind.STUDY_DIGEST,
        title=_text(entry.get("label")) or _text(entry["id"]),
        authors=(author,) if author else (),
        year=int(year) if year is not None else None,
        journal=_text(entry.get("journal")),
        doi=_text(entry.get("doi")),
        pmid=_text(entry.get("pmid")),
        pmcid=_text(entry.get("pmcid")),
        trial_id=_text(entry.get("trial")),
        evidence=_text(entry.get("evidence")),
        msc_source=_text(entry.get("msc_source")),
        extra=tuple(sorted(extra.items())),
    )
    finding = _as_sentence(" ".join(_text(entry["finding"]).split()), source)
    details = details_section(source, first_author_only=True)
    return Document(source=source, sections=(Section("Finding", finding), *((details,) if details else ())))


def _as_sentence(finding: str, source: Source) -> str:
    """A finding written as a record line ("24 patients, 1 x 10^7 cells; ...") gets a subject and a
    verb, so that cited it reads as a statement about its study, not as a fragment (issue 21 item 3)."""
    if not is_fragment(finding):
        return finding
    if source.trial_id:
        return f"The registration of trial {source.trial_id} gives these details: {finding}"
    return f"The study's record gives these details: {finding}"
