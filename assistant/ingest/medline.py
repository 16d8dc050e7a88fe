"""Loader for MEDLINE/PubMed text exports ('PMID- ', 'TI  - ', 'AB  - ' tagged lines, blank-line records)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.abstracts import AbstractRecord, documents_from_records, year_of
from assistant.ingest.common import read_text
from assistant.types import Document

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*- (.*)$")


def looks_like_medline(text: str) -> bool:
    return bool(re.search(r"^PMID- ?\d+", text[:2000], re.MULTILINE))


def load_medline(path: Path) -> list[Document]:
    return documents_from_records(parse_medline(read_text(path)), path, "MEDLINE")


def parse_medline(text: str) -> list[AbstractRecord]:
    records = []
    for block in re.split(r"\n\s*\n(?=PMID-)", text.strip()):
        fields = _fields(block)
        if fields:
            records.append(_record(fields))
    return records


def _fields(block: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for line in block.splitlines():
        match = _TAG.match(line)
        if match:
            fields.append((match.group(1), match.group(2).strip()))
        elif line.startswith("      ") and fields:  # continuation lines are indented six spaces
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
    return fields


def _record(fields: list[tuple[str, str]]) -> AbstractRecord:
    first = lambda tag: next((v for t, v in fields if t == tag), "")  # noqa: E731
    record = AbstractRecord(
        title=first("TI"),
        pmid=first("PMID"),
        journal=first("TA") or first("JT"),
        year=year_of(first("DP")),
        authors=[v for t, v in fields if t == "AU"] or [v for t, v in fields if t == "FAU"],
    )
    record.set_abstract_text(first("AB"))
    for tag, value in fields:
        if tag in ("AID", "LID") and value.endswith("[doi]") and not record.doi:
            record.doi = value.removesuffix("[doi]").strip()
        if tag == "PMC" and not record.pmcid:
            record.pmcid = value
    return record
