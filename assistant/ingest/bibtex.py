"""Loader for BibTeX files: a small parser for @type{key, field = {..} | ".." | number, ...} entries.

Only what a cited abstract needs is read (title, abstract, author, year, journal, doi, pmid); braces
and the commonest LaTeX escapes are removed from values.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.abstracts import AbstractRecord, documents_from_records, year_of
from assistant.ingest.common import read_text
from assistant.types import Document

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]")
_FIELD = re.compile(r"\s*([A-Za-z][\w:-]*)\s*=\s*")
_LATEX = {r"\&": "&", r"\%": "%", r"\_": "_", r"\$": "$", "--": "–", "~": " "}


def load_bibtex(path: Path) -> list[Document]:
    entries = parse_bibtex(read_text(path))
    if not entries:
        raise CorpusError(f"{path}: no BibTeX entries found.", path=str(path))
    return documents_from_records([_record(fields) for fields in entries], path, "BibTeX")


def parse_bibtex(text: str) -> list[dict[str, str]]:
    """Each entry's fields (lower-case names); @comment, @string and @preamble are skipped."""
    entries = []
    position = 0
    while match := _ENTRY.search(text, position):
        kind = match.group(1).lower()
        body, position = _balanced(text, match.end() - 1)
        if kind in ("comment", "string", "preamble"):
            continue
        _, _, rest = body.partition(",")  # drop the citation key
        entries.append(_fields(rest))
    return entries


def _balanced(text: str, opening: int) -> tuple[str, int]:
    """The text inside the brace/parenthesis at `opening`, and the index after its match."""
    close = "}" if text[opening] == "{" else ")"
    depth = 0
    for i in range(opening, len(text)):
        char = text[i]
        if char == text[opening]:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return text[opening + 1:i], i + 1
    raise CorpusError("unbalanced braces in a BibTeX entry.")


def _fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while match := _FIELD.match(body, position):
        name, position = match.group(1).lower(), match.end()
        value, position = _value(body, position)
        fields[name] = _plain(value)
        comma = body.find(",", position)
        if comma < 0:
            break
        position = comma + 1
    return fields


def _value(body: str, position: int) -> tuple[str, int]:
    if position < len(body) and body[position] == "{":
        return _balanced(body, position)
    if position < len(body) and body[position] == '"':
        end = position + 1
        depth = 0
        while end < len(body) and not (body[end] == '"' and depth == 0):
            depth += {"{": 1, "}": -1}.get(body[end], 0)
            end += 1
        return body[position + 1:end], end + 1
    match = re.match(r"[^,}\s]+", body[position:])
    return (match.group(0), position + match.end()) if match else ("", position)


def _plain(value: str) -> str:
    for latex, plain in _LATEX.items():
        value = value.replace(latex, plain)
    value = re.sub(r"\\[a-zA-Z]+\s*", "", value)  # \textit, \emph ... keep only their argument text
    return " ".join(value.replace("{", "").replace("}", "").split())


def _record(fields: dict[str, str]) -> AbstractRecord:
    pmid = fields.get("pmid", "")
    if not pmid and fields.get("eprinttype", "").lower() == "pubmed":
        pmid = fields.get("eprint", "")
    record = AbstractRecord(
        title=fields.get("title", ""),
        authors=[a.strip() for a in re.split(r"\s+and\s+", fields.get("author", "")) if a.strip()],
        year=year_of(fields.get("year") or fields.get("date", "")),
        journal=fields.get("journal") or fields.get("journaltitle", ""),
        doi=fields.get("doi", ""),
        pmid=pmid.strip(),
        pmcid=fields.get("pmcid", ""),
    )
    record.set_abstract_text(fields.get("abstract", ""))
    return record
