"""Reference-list entries of a review: numbering, and the DOI/PMID each entry carries."""

from __future__ import annotations

import re

from assistant.ingest.common import clean, find_doi, find_pmid
from assistant.types import Reference, Section

#: Headings that start a reference list.
REFERENCE_HEADING = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?(references?|bibliography|literature cited|works cited)\s*:?\s*$", re.I
)
#: "12 Author", "[12] Author", "12. Author", "12) Author" at the start of an entry.
ENTRY_START = re.compile(r"^\s*\[?(\d{1,4})[\].)]?\s+(?=\S)")


def is_reference_heading(text: str) -> bool:
    return bool(REFERENCE_HEADING.match(text or ""))


def make_reference(number: int, text: str, *, doi: str = "", pmid: str = "") -> Reference:
    text = clean(text)
    return Reference(number=number, text=text, doi=doi or find_doi(text), pmid=pmid or find_pmid(text))


def parse_reference_lines(lines: list[str]) -> list[Reference]:
    """Entries from the lines of a reference list; a line without a leading number continues the entry."""
    entries: list[tuple[int, list[str]]] = []
    for line in lines:
        if not line.strip():
            continue
        start = ENTRY_START.match(line)
        expected = entries[-1][0] + 1 if entries else None
        # a number starts a new entry only when it is plausible (first entry, or the next in sequence)
        if start and (expected is None or int(start.group(1)) in (expected, expected + 1) or not entries):
            entries.append((int(start.group(1)), [line[start.end() :]]))
        elif entries:
            entries[-1][1].append(line)
    return [make_reference(number, _join_wrapped(parts)) for number, parts in entries]


def _join_wrapped(parts: list[str]) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        if text.endswith("-") and part[:1].islower():
            text = text[:-1] + part  # a word hyphenated across lines
        elif text.endswith(("/", "-")) and part[:1].isalnum():
            text += part  # DOIs and URLs wrapped across lines
        else:
            text = f"{text} {part}" if text else part
    return text


def split_off_references(sections: list[Section]) -> tuple[list[Section], list[Reference]]:
    """Sections without the reference list, and the references parsed from it."""
    kept: list[Section] = []
    references: list[Reference] = []
    for section in sections:
        if is_reference_heading(section.name):
            references.extend(parse_reference_lines(section.text.splitlines()))
        else:
            kept.append(section)
    return kept, references
