"""Loader for CSL-JSON (what Zotero, Mendeley and citation.js export): a list of item objects."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.abstracts import AbstractRecord, documents_from_records, year_of
from assistant.ingest.common import read_text
from assistant.types import Document


def load_csl_json(path: Path) -> list[Document]:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno}).", path=str(path)) from None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
    if not items or not all(isinstance(item, dict) for item in items) or not any("title" in item for item in items):
        raise CorpusError(f"{path}: not CSL-JSON (expected a list of items with 'title').", path=str(path))
    return documents_from_records([_record(item) for item in items], path, "CSL-JSON")


def _text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


def _record(item: dict) -> AbstractRecord:
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    year = (
        year_of(parts[0][0])
        if parts and isinstance(parts, list) and parts[0]
        else year_of(_text(issued.get("raw", "")) if isinstance(issued, dict) else "")
    )
    authors = []
    for author in item.get("author") or []:
        if isinstance(author, dict):
            name = author.get("literal") or " ".join(
                str(author.get(k, "")) for k in ("family", "given") if author.get(k)
            )
            if name:
                authors.append(str(name))
    record = AbstractRecord(
        title=_text(item.get("title")),
        authors=authors,
        year=year,
        journal=_text(item.get("container-title")) or _text(item.get("container-title-short")),
        doi=_text(item.get("DOI")),
        pmid=_text(item.get("PMID")),
        pmcid=_text(item.get("PMCID")),
    )
    record.set_abstract_text(_text(item.get("abstract")))
    return record
