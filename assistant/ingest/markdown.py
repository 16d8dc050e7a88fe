"""Loader for articles and notes written in Markdown: '#' headings become sections, the first H1 the title.

A file with a DOI of its own or a reference list is a `review`; any other is a `note`.

Emphasis and link syntax are reduced to their text (link targets are kept for DOI/PMID discovery in
the reference list); a 'References' heading's numbered entries become `Document.references`.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.common import bounded_title, own_doi, read_text, slug, unique_sections
from assistant.ingest.references import is_reference_heading, split_off_references
from assistant.types import Document, Section, Source, SourceKind

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_SUPERSCRIPT = re.compile(r"<sup>\s*\[?([\d,\s–-]+)\]?\s*</sup>|\^\[?([\d,–-]+)\]?\^")


def load_markdown(path: Path) -> list[Document]:
    text = read_text(path)
    front_matter = re.match(r"\A---\n(.*?)\n---\n", text, flags=re.S)
    text = text[front_matter.end() :] if front_matter else text  # YAML front matter is not article text
    title = ""
    sections: list[Section] = []
    name, lines, fenced = "Text", list[str](), False
    for raw in text.splitlines():
        if raw.strip().startswith("```"):
            fenced = not fenced
            continue
        heading = None if fenced else _HEADING.match(raw)
        if heading:
            heading_text = _inline(heading.group(2))
            if len(heading.group(1)) == 1 and not title:
                title = heading_text
                if not lines:
                    continue
            sections.append(Section(name, _paragraphs(lines)))
            name, lines = heading_text, []
            continue
        lines.append(raw)
    sections.append(Section(name, _paragraphs(lines)))
    sections, references = split_off_references(sections)
    title = title or path.stem
    # the document's own DOI: in its front matter or its text before the reference list, never a cited one
    front = _before_references(text)[:3000]
    doi = own_doi((front_matter.group(1) + "\n" if front_matter else "") + front, references)
    # an article (its own DOI or a reference list) is a review; anything else is the user's note
    is_review = bool(doi or references)
    source = Source(
        id=f"review-{slug(doi)}" if doi else slug(path.stem),
        kind=SourceKind.REVIEW if is_review else SourceKind.NOTE,
        title=bounded_title(title),
        doi=doi,
        evidence="review" if is_review else "",
        extra=(("file", path.name),),
    )
    return [Document(source=source, sections=unique_sections(sections), references=tuple(references))]


def _before_references(text: str) -> str:
    for match in _HEADING_LINE.finditer(text):
        if is_reference_heading(_inline(match.group(1))):
            return text[: match.start()]
    return text


_HEADING_LINE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _inline(text: str) -> str:
    text = _SUPERSCRIPT.sub(lambda m: f"[{(m.group(1) or m.group(2)).replace(' ', '')}]", text)
    text = _LINK.sub(
        lambda m: f"{m.group(1)} {m.group(2)}" if "doi" in m.group(2) or "pubmed" in m.group(2) else m.group(1), text
    )
    return _EMPHASIS.sub(r"\2", text).strip()


def _paragraphs(lines: list[str]) -> str:
    """Lines joined into paragraphs (blank-line separated); list items stay one per line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        item = re.match(r"^(?:[-*+]|\d+[.)])\s+", stripped)
        if not stripped or item:
            if current:
                paragraphs.append(" ".join(current))
            # numbered items keep their number (reference entries); bullets lose their mark
            numbered = item is not None and stripped[:1].isdigit()
            current = [_inline(stripped if numbered else stripped[item.end() :])] if item else []
            continue
        current.append(_inline(stripped.lstrip("> ")))
    if current:
        paragraphs.append(" ".join(current))
    # a blank line between paragraphs, as in the source: a paragraph always ends its last sentence
    # (a header line "DOI: 10.1/x" never runs on into the abstract's first sentence)
    return "\n\n".join(p for p in paragraphs if p)
