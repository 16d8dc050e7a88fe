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
    """Records of a MEDLINE export, in one pass over its lines (linear in the file's size)."""
    records = []
    for block in _blocks(text.strip().splitlines()):
        fields = _fields(block)
        if fields:
            records.append(_record(fields))
    return records


def _blocks(lines: list[str]) -> list[list[str]]:
    """Lines of each record: a new one starts at a 'PMID-' line after a blank line.

    Done line by line rather than with a regex split: a pattern such as `\\n\\s*\\n(?=PMID-)` backtracks
    over every run of blank lines, which a hostile file can make quadratic.
    """
    blocks: list[list[str]] = [[]]
    for position, line in enumerate(lines):
        if line.startswith("PMID-") and position > 0 and not lines[position - 1].strip():
            blocks.append([])
        blocks[-1].append(line)
    for block in blocks:
        while block and not block[-1].strip():
            block.pop()  # the blank lines that separate records belong to neither
    return blocks


def _fields(block: list[str]) -> list[tuple[str, str]]:
    # each field's pieces are collected and joined once: appending to a growing string would copy it
    # for every continuation line, quadratic in a field of 200,000 lines
    parts: list[tuple[str, list[str]]] = []
    for line in block:
        match = _TAG.match(line)
        if match:
            parts.append((match.group(1), [match.group(2).strip()]))
        elif line.startswith("      ") and parts:  # continuation lines are indented six spaces
            parts[-1][1].append(line.strip())
    return [(tag, " ".join(pieces)) for tag, pieces in parts]


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
