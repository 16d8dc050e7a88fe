"""Loader for the review as received in plain text: front matter, Abstract, Core Tip, later sections.

The front matter becomes the review's `Source` metadata (title, authors, journal, DOI, dates, licence,
funding) and also stays searchable as sections, so questions about the article itself are answerable.
Other `.txt` files without that front matter are read as plain text, split at heading-like lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.types import FRONT_MATTER_NAMES, Document, Section, Source, SourceKind

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\]\[\"<>]+[^\s\]\[\"<>.,;])")
_CITATION_LINE = re.compile(
    r"^(?P<authors>[^.]+)\.\s+(?P<title>.+?)\.\s+(?P<journal>[A-Z][^.;]+?)\s+(?P<year>\d{4});\s*(?P<volume>\d+)\((?P<issue>\d+)\):\s*(?P<article>\w+)"
)
_DATE_FIELDS = ("Received", "Revised", "Accepted", "Published online")
_FRONT_LABELS = {
    "Author contributions": "Author contributions",
    "Supported by": "Funding",
    "Conflict-of-interest statement": "Conflict of interest",
    "Open Access": "Licence",
    "Corresponding author": "Corresponding author",
    "Co-first authors": "Authors",
    "Received": "Dates",
}
_INLINE_SECTION = re.compile(r"^(Core Tip|Key Words|Keywords|Citation)\s*:\s*", re.IGNORECASE)
_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][A-Za-z0-9 ,'’&/()-]{1,80}$")


def load_text(path: Path) -> list[Document]:
    from assistant.ingest.common import read_text

    text = read_text(path)
    from assistant.ingest.medline import looks_like_medline

    if looks_like_medline(text):  # PubMed's "MEDLINE" export is saved as .txt
        from assistant.ingest.medline import load_medline

        return load_medline(path)
    if _looks_like_review(text):
        return [parse_review_text(text, source_id=_review_id(text, path))]
    return [_plain_text_document(text, path)]


def _looks_like_review(text: str) -> bool:
    head = text[:6000]
    return bool(_DOI.search(head)) and bool(re.search(r"^Abstract\s*$", text, re.MULTILINE))


def _review_id(text: str, path: Path) -> str:
    """`review` for the article in the corpus's own `review/` folder (the bundled review, whose id the
    evaluation set and saved chats use); any other text review gets a DOI-derived id like the HTML,
    Markdown and PDF loaders give, so a second review is a new document and not a duplicate."""
    if path.parent.name == "review":
        return "review"
    from assistant.ingest.common import normalize_doi, slug

    abstract_at = re.search(r"^Abstract\s*$", text, re.MULTILINE)
    match = _DOI.search(text[: abstract_at.start()] if abstract_at else text[:6000])
    return f"review-{slug(normalize_doi(match.group(1)))}" if match else f"review-{slug(path.stem)}"


def parse_review_text(text: str, *, source_id: str = "review") -> Document:
    """Split a review in the publisher's plain-text layout into metadata and sections."""
    lines = [line.strip() for line in text.splitlines()]
    abstract_at = next(i for i, line in enumerate(lines) if line == "Abstract")
    front, body = lines[:abstract_at], lines[abstract_at:]
    source = _source_from_front_matter(front, source_id)
    sections = list(_front_sections(front, source)) + list(_body_sections(body))
    return Document(source=source, sections=tuple(s for s in sections if s.text.strip()))


def _source_from_front_matter(front: list[str], source_id: str) -> Source:
    first = front[0] if front else ""
    joined = "\n".join(front)
    match = _CITATION_LINE.match(first)
    title = match.group("title") if match else first
    journal = match.group("journal") if match else ""
    year = int(match.group("year")) if match else None
    doi_match = _DOI.search(joined)
    authors: tuple[str, ...] = ()
    if title in front:
        at = front.index(title, 1) if front.count(title) > 1 else front.index(title)
        if at + 1 < len(front):
            authors = tuple(a.strip() for a in front[at + 1].split(",") if a.strip())
    extra: dict[str, str] = {}
    if match:
        extra["citation"] = first
        extra["volume"], extra["issue"], extra["article_number"] = match.group("volume", "issue", "article")
    for line in front:
        for field_name in _DATE_FIELDS:
            found = re.search(rf"{field_name}:\s*([A-Z][a-z]+ \d{{1,2}}, \d{{4}})", line)
            if found:
                extra[field_name.lower().replace(" ", "_")] = found.group(1)
        if line.startswith("Supported by"):
            extra["funding"] = line.removeprefix("Supported by").strip(" .:")
    extra.update(_labelled_fields(front, authors))
    licence = "CC BY-NC 4.0" if "CC BY-NC 4.0" in joined else ""
    return Source(
        id=source_id,
        kind=SourceKind.REVIEW,
        title=title,
        authors=authors,
        year=year,
        journal=journal,
        doi=doi_match.group(1).rstrip(".") if doi_match else "",
        evidence="review",
        msc_source="mixed",
        licence=licence,
        url=f"https://doi.org/{doi_match.group(1)}" if doi_match else "",
        extra=tuple(sorted(extra.items())),
    )


#: front-matter line prefixes -> the field they state (the line's rest is the value)
_LABELLED = {
    "Co-first authors": "co_first_authors",
    "Corresponding author": "corresponding_author",
    "Conflict-of-interest statement": "conflicts",
    "Open Access": "licence_statement",
}


def _labelled_fields(front: list[str], authors: tuple[str, ...]) -> dict[str, str]:
    """Fields stated by labelled lines, the publisher's captioned fields ("Article-Type of This
    Article" then its value on the next line) and the author affiliation lines."""
    fields: dict[str, str] = {}
    for i, line in enumerate(front):
        for prefix, name in _LABELLED.items():
            if line.startswith(prefix + ":") and name not in fields:
                fields[name] = line[len(prefix) + 1 :].strip(" .")
        caption = re.match(r"^(.+?) of This Article$", line)
        if caption and i + 1 < len(front) and front[i + 1] and not front[i + 1].endswith("of This Article"):
            key = re.sub(r"[^a-z]+", "_", caption.group(1).lower()).strip("_")
            if key in ("article_type", "research_domain"):
                fields[key] = front[i + 1].strip()
    # an author's name, then a department: an affiliation (the corresponding author's contact line has an e-mail)
    affiliations = [
        line
        for line in front
        if "," in line and line.split(",")[0] in authors and "Department" in line and "@" not in line
    ]
    if affiliations:
        fields["affiliations"] = " | ".join(affiliations)
    return fields


def _front_sections(front: list[str], source: Source) -> list[Section]:
    """Front-matter lines grouped under readable names (Citation, Authors, Funding, Licence...)."""
    groups: dict[str, list[str]] = {}
    current = "Article information"
    for line in front:
        if not line:
            continue
        label = next((name for prefix, name in _FRONT_LABELS.items() if line.startswith(prefix)), None)
        if label:
            groups.setdefault(label, []).append(line)
            continue
        if line.endswith("of This Article"):  # publisher's field captions carry no content
            continue
        if source.authors and line.startswith(source.authors[0] + ",") and "Department" in line:
            groups.setdefault("Affiliations", []).append(line)
            continue
        if "Department" in line and "," in line and line.split(",")[0] in source.authors:
            groups.setdefault("Affiliations", []).append(line)
            continue
        groups.setdefault(current, []).append(line)
    # each front-matter line is its own paragraph in the source: a blank line keeps sentences apart
    return [Section(name, "\n\n".join(groups[name])) for name in FRONT_MATTER_NAMES if name in groups]


def _body_sections(body: list[str]) -> list[Section]:
    sections: list[Section] = []
    name, buffer = "Abstract", list[str]()

    def flush() -> None:
        if buffer:
            sections.append(Section(name, "\n\n".join(buffer)))

    for line in body[1:]:
        if not line:
            continue
        inline = _INLINE_SECTION.match(line)
        if inline:
            flush()
            name, buffer = _title_case(inline.group(1)), [line[inline.end() :]]
            continue
        if _is_heading(line):
            flush()
            name, buffer = line, []
            continue
        buffer.append(line)
    flush()
    return sections


def _title_case(label: str) -> str:
    return "Core Tip" if label.lower() == "core tip" else label.title()


def _is_heading(line: str) -> bool:
    return (
        len(line) <= 80
        and not line.endswith((".", ":", ";", ","))
        and bool(_HEADING.match(line))
        and len(line.split()) <= 10
    )


def _plain_text_document(text: str, path: Path) -> Document:
    lines = [line.rstrip() for line in text.splitlines()]
    from assistant.ingest.common import bounded_title, clean

    first = next((line.strip() for line in lines if line.strip()), "")
    title = bounded_title(first) or path.stem
    # the first line leaves the body only when it is a title: short, with text after it (issue 22, item 6)
    as_title = title == clean(first) and sum(1 for line in lines if line.strip()) > 1
    sections: list[Section] = []
    name, buffer = "Text", list[str]()
    for line in lines[1:] if as_title and lines[0].strip() == first else lines:
        stripped = line.strip()
        if stripped and _is_heading(stripped) and len(stripped.split()) <= 8:
            if buffer:
                sections.append(Section(name, "\n".join(buffer)))
            name, buffer = stripped, []
        elif stripped:
            buffer.append(stripped)
    if buffer:
        sections.append(Section(name, "\n".join(buffer)))
    from assistant.ingest.common import unique_sections
    from assistant.ingest.references import split_off_references

    sections, references = split_off_references(sections)
    # a text with a numbered reference list is a review; a short one without is taken as an abstract
    is_review = "review" in path.parts or bool(references)
    source = Source(id=_slug(path.stem), kind=SourceKind.REVIEW if is_review else SourceKind.ABSTRACT, title=title)
    return Document(source=source, sections=unique_sections(sections), references=tuple(references))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"
