"""Loader for full-text articles as PDF (text layer read with pypdf).

Lines repeated on many pages (running headers, footers, page numbers) are removed, words hyphenated
across line ends are joined, heading-like lines start sections, and the numbered reference list after a
'References' heading becomes `Document.references`. Scanned PDFs without a text layer are refused.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError
from assistant.ingest.common import clean, own_doi, slug, unique_sections
from assistant.ingest.references import is_reference_heading, split_off_references
from assistant.types import Document, Section, Source, SourceKind

_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*\.?)\s+[A-Z][^.!?]{1,80}$")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_KNOWN_HEADINGS = re.compile(
    r"^(abstract|introduction|background|methods?|materials and methods|results|discussion|conclusions?|"
    r"core tip|acknowledg(e)?ments?|funding|references|bibliography|summary|limitations)$",
    re.I,
)


def load_pdf(path: Path) -> list[Document]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files warn per object; we report once
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise CorpusError(f"{path}: the PDF is encrypted.", path=str(path), hint="Save an unencrypted copy.")
        pages = [page.extract_text() or "" for page in reader.pages]
        info: Any = reader.metadata or {}
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc}).", path=str(path)) from None
    lines = _body_lines(pages)
    if not any(line.strip() for line in lines):
        raise CorpusError(
            f"{path}: the PDF has no text layer (a scan?).", path=str(path), hint="Supply a text PDF, HTML or text."
        )
    title = clean(str(info.get("/Title") or "")) or next(line for line in lines if line.strip())
    sections, references = split_off_references(_sections(lines, title))
    # the document's own DOI: before its reference list, and not one of the DOIs it cites
    head = lines[:80]
    cut = next((i for i, line in enumerate(head) if is_reference_heading(line)), len(head))
    doi = own_doi("\n".join(head[:cut]), references)
    author = clean(str(info.get("/Author") or ""))
    source = Source(
        id=f"review-{slug(doi)}" if doi else slug(path.stem),
        kind=SourceKind.REVIEW,
        title=title,
        authors=tuple(a.strip() for a in re.split(r",|;| and ", author) if a.strip()),
        doi=doi,
        evidence="review",
        extra=(("file", path.name),),
    )
    return [Document(source=source, sections=unique_sections(sections), references=tuple(references))]


def _body_lines(pages: list[str]) -> list[str]:
    """All pages' lines without running headers/footers and page numbers."""
    page_lines = [[line.strip() for line in page.splitlines()] for page in pages]
    shape = lambda line: re.sub(r"\d+", "#", line.lower())  # noqa: E731 - "Page 3" and "Page 4" are one header
    counts = Counter(shape(line) for lines in page_lines for line in set(lines) if line)
    repeated = {s for s, n in counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    result: list[str] = []
    for lines in page_lines:
        for line in lines:
            if line and (shape(line) in repeated or _PAGE_NUMBER.match(line)):
                continue
            result.append(line)
    return result


def is_heading(line: str, next_line: str) -> bool:
    words = line.split()
    if not line or len(line) > 90 or len(words) > 12 or line.endswith((".", ",", ";", ":")):
        return False
    if _KNOWN_HEADINGS.match(line) or is_reference_heading(line):
        return True
    if _NUMBERED_HEADING.match(line):
        return True
    # upper-case lines ("IMMUNE REGULATION") followed by a capitalised line read as headings
    return line.isupper() and len(words) <= 8 and next_line[:1].isupper()


def _sections(lines: list[str], title: str) -> list[Section]:
    sections: list[Section] = []
    name, paragraph, paragraphs = "Text", "", []
    skipping_title = True
    for i, line in enumerate(lines):
        following = next((n for n in lines[i + 1 :] if n), "")
        if skipping_title and line and (line in title or title.startswith(line)):
            continue  # the title lines at the top of page 1
        skipping_title = False
        if is_heading(line, following) and not (name and is_reference_heading(name)):
            paragraphs.append(paragraph)
            sections.append(Section(name, "\n".join(p for p in paragraphs if p)))
            name, paragraph, paragraphs = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", line) or line, "", []
            continue
        if is_reference_heading(name):
            paragraphs.append(line)  # reference lists keep their lines for entry parsing
            continue
        if not line:
            paragraphs.append(paragraph)
            paragraph = ""
        elif paragraph.endswith("-") and line[:1].islower() and paragraph[-2:-1].isalpha():
            paragraph = _join_hyphenated(paragraph, line)
        else:
            paragraph = f"{paragraph} {line}" if paragraph else line
    paragraphs.append(paragraph)
    sections.append(Section(name, "\n".join(p for p in paragraphs if p)))
    return sections


#: Prefixes whose hyphen is real ("anti-inflammatory"), so it is kept when the word wraps there.
_KEPT_HYPHEN_PREFIXES = {
    "anti",
    "non",
    "pro",
    "pre",
    "post",
    "co",
    "self",
    "multi",
    "inter",
    "intra",
    "cross",
    "well",
    "long",
    "short",
    "high",
    "low",
    "cell",
    "stem",
    "immune",
    "dose",
    "time",
}


def _join_hyphenated(paragraph: str, line: str) -> str:
    """'immuno-' + 'logical' -> 'immunological', but 'anti-' + 'inflammatory' keeps its hyphen."""
    word = re.split(r"[\s(\[/]", paragraph[:-1])[-1].lower()
    return paragraph + line if word in _KEPT_HYPHEN_PREFIXES else paragraph[:-1] + line
