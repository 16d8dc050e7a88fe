"""Loader for RIS exports (TY/TI/AB/AU/PY/JO/DO tags, records ending with 'ER  -')."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.abstracts import AbstractRecord, documents_from_records, year_of
from assistant.ingest.common import find_pmid, read_text
from assistant.types import Document

_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


def load_ris(path: Path) -> list[Document]:
    text = read_text(path)
    if not re.search(r"^TY  - ", text, re.MULTILINE):
        raise CorpusError(f"{path}: not RIS (no 'TY  - ' record start).", path=str(path))
    return documents_from_records(parse_ris(text), path, "RIS")


def parse_ris(text: str) -> list[AbstractRecord]:
    records: list[AbstractRecord] = []
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = _TAG.match(line.rstrip())
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "ER":
                records.append(_record(fields))
                fields = []
            else:
                fields.append((tag, value))
        elif line.strip() and fields:
            fields[-1] = (fields[-1][0], f"{fields[-1][1]} {line.strip()}")
    if fields:
        records.append(_record(fields))
    return records


def _record(fields: list[tuple[str, str]]) -> AbstractRecord:
    first = lambda *tags: next((v for tag in tags for t, v in fields if t == tag and v), "")  # noqa: E731
    accession = first("AN")
    record = AbstractRecord(
        title=first("TI", "T1"),
        authors=[v for t, v in fields if t in ("AU", "A1")],
        year=year_of(first("PY", "Y1", "DA")),
        journal=first("JO", "JF", "T2", "JA"),
        doi=first("DO"),
        pmid=accession
        if accession.isdigit()
        else find_pmid(" ".join(v for t, v in fields if t in ("UR", "AN", "N1", "C1"))),
    )
    record.set_abstract_text(first("AB", "N2"))
    return record
