"""Helpers every format loader shares: reading text safely, identifiers, slugs, section hygiene."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import CorpusError
from assistant.types import Section

DOI_PATTERN = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>\]\[]+)", re.IGNORECASE)
PMID_PATTERN = re.compile(
    r"(?:PMID\s*:?\s*|pubmed(?:\.ncbi\.nlm\.nih\.gov)?/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b", re.IGNORECASE
)
#: Labels of structured abstracts ("BACKGROUND: ...", "METHODS AND RESULTS: ...").
ABSTRACT_LABEL = re.compile(r"(?:^|(?<=[.!?]\s))([A-Z][A-Z ,/&-]{2,40}):\s+")


def read_text(path: Path) -> str:
    """UTF-8 text (a BOM is allowed); binary content is refused with a clear reason."""
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise CorpusError(f"{path}: binary content, not text (NUL bytes).", path=str(path))
    return data.decode("utf-8-sig")


#: Longest title a loader takes from a document's text; longer first lines stay body text.
MAX_TITLE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'])")


def bounded_title(line: str, limit: int = MAX_TITLE_CHARS) -> str:
    """A title made from a first line: the line itself when short, else its first sentence, cut at a
    word boundary to at most `limit` characters (a 10 MB one-line file must not become a 10 MB title)."""
    line = clean(line)
    if len(line) <= limit:
        return line
    line = _SENTENCE_END.split(line, maxsplit=1)[0]
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut
    return cut.rstrip(" ,;:") + "…"


def normalize_doi(value: str) -> str:
    """A bare lowercase DOI: no resolver prefix, no 'doi:' label, no trailing punctuation."""
    value = (value or "").strip()
    value = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.IGNORECASE)
    return value.rstrip(".,;)]}>").lower()


def find_doi(text: str) -> str:
    match = DOI_PATTERN.search(text or "")
    return normalize_doi(match.group(1)) if match else ""


def own_doi(text: str, references=()) -> str:
    """The first DOI in `text` that is not one of the document's references' DOIs.

    Loaders pass the front of a document; a document without a DOI of its own must not take the
    first DOI of its reference list as its identity (and link).
    """
    cited = {normalize_doi(r.doi) for r in references if getattr(r, "doi", "")}
    for match in DOI_PATTERN.finditer(text or ""):
        doi = normalize_doi(match.group(1))
        if doi not in cited:
            return doi
    return ""


def find_pmid(text: str) -> str:
    match = PMID_PATTERN.search(text or "")
    return match.group(1) if match else ""


def slug(text: str, fallback: str = "document") -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:80] or fallback


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces (non-breaking spaces included)."""
    return " ".join((text or "").replace("\u00a0", " ").split())


def unique_sections(sections: list[Section]) -> tuple[Section, ...]:
    """Non-empty sections with unique names (a repeated heading gets ' (2)'), as indexing requires."""
    seen: dict[str, int] = {}
    result = []
    for section in sections:
        if not section.text.strip():
            continue
        name = section.name.strip() or "Text"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        result.append(Section(name, section.text.strip()))
    return tuple(result)


def labelled_abstract(text: str) -> list[Section]:
    """An abstract split at its structure labels (BACKGROUND:, METHODS:); otherwise one 'Abstract' section."""
    text = clean(text)
    matches = list(ABSTRACT_LABEL.finditer(text))
    if not matches or matches[0].start() != 0:
        return [Section("Abstract", text)] if text else []
    sections = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        sections.append(Section(match.group(1).strip().title().replace("And", "and"), text[match.end() : end].strip()))
    return sections
