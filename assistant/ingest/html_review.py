"""Loader for full-text articles saved as HTML (publisher pages, PMC pages).

Metadata come from the `<meta name="citation_*">` tags publishers embed (falling back to `<title>` and
`<h1>`); headings h1-h4 become sections, paragraphs and list items their text, figure and table
captions go to a 'Figures and tables' section, and the numbered reference list becomes
`Document.references`. Superscript citations (<sup>12</sup>, <sup>3-5</sup>) and bare linked numbers
are rewritten as [n] text markers, so chunks record which references they cite.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree

from assistant.errors import CorpusError
from assistant.ingest.common import PMID_PATTERN, clean, find_doi, normalize_doi, slug, unique_sections
from assistant.ingest.references import ENTRY_START, is_reference_heading, make_reference
from assistant.markers import marker_body
from assistant.types import Document, Reference, Section, Source, SourceKind
from assistant.urls import safe_http_url

_HEADINGS = ("h1", "h2", "h3", "h4")
_BLOCKS = ("p", "li", "figcaption", "caption", "blockquote", "dd")
_DROPPED = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "button", "svg", "template")
_NUMBER_IN_ID = re.compile(r"(\d{1,4})$")
CAPTIONS = "Figures and tables"
_LINK_LABELS = {
    "pubmed",
    "doi",
    "crossref",
    "google scholar",
    "pmc",
    "pmc free article",
    "full text",
    "free article",
    "reference citation analysis",
    "[pubmed]",
    "[doi]",
    "[crossref]",
}


#: Deeper than this, a page is refused rather than read: libxml2 stops building the tree near 256
#: levels (the text below is lost), and every BeautifulSoup pass over such a tree is slow. Real
#: articles nest a few dozen levels.
MAX_NESTING = 200


def load_html(path: Path) -> list[Document]:
    data = path.read_bytes()
    _check_nesting(data, path)
    soup = BeautifulSoup(data, "lxml")
    if soup.find("html") is None and soup.find("body") is None:
        raise CorpusError(f"{path}: not an HTML document.", path=str(path))
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    _markers_as_text(soup)
    source = _source(soup, path)
    sections, references = _walk(soup, source.title)
    if not sections:
        raise CorpusError(f"{path}: no paragraphs of text found in the HTML.", path=str(path))
    return [Document(source=source, sections=unique_sections(sections), references=tuple(references))]


def _check_nesting(data: bytes, path: Path) -> None:
    """Refuse, naming the file and why, a page nested too deep to read whole (never drop its text silently)."""
    depth = deepest = 0
    try:
        # libxml2's streaming parser, in C: a linear pass that stops counting near its own limit
        for event, _ in etree.iterparse(io.BytesIO(data), events=("start", "end"), html=True, recover=True):
            depth += 1 if event == "start" else -1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                break
    except etree.LxmlError:
        return  # not parseable this way: BeautifulSoup decides below
    if deepest > MAX_NESTING:
        raise CorpusError(
            f"{path}: the HTML is nested more than {MAX_NESTING} levels deep; its text would be dropped, "
            "so the file is not indexed.",
            path=str(path),
            hint="Save the article again from the publisher's page (or as .txt) and add it again.",
        )


def _meta(soup: BeautifulSoup, *names: str) -> list[str]:
    values = []
    for name in names:
        for tag in soup.find_all("meta", attrs={"name": re.compile(f"^{re.escape(name)}$", re.I)}):
            content = clean(str(tag.get("content") or ""))
            if content:
                values.append(content)
    return values


def _source(soup: BeautifulSoup, path: Path) -> Source:
    first = lambda *names: next(iter(_meta(soup, *names)), "")  # noqa: E731
    h1 = soup.find("h1")
    title = (
        first("citation_title", "dc.title")
        or (clean(h1.get_text(" ")) if h1 else "")
        or (clean(soup.title.get_text()) if soup.title else path.stem)
    )
    doi = normalize_doi(first("citation_doi", "dc.identifier", "prism.doi"))
    doi = doi if doi.startswith("10.") else find_doi(doi)
    date = first("citation_publication_date", "citation_date", "citation_online_date", "dc.date", "citation_year")
    year = re.search(r"\b(19|20)\d{2}\b", date)
    pmid = first("citation_pmid")
    return Source(
        id=f"review-{slug(doi)}" if doi else slug(path.stem),
        kind=SourceKind.REVIEW,
        title=title,
        authors=tuple(_meta(soup, "citation_author", "dc.creator")),
        year=int(year.group(0)) if year else None,
        journal=first("citation_journal_title", "citation_journal_abbrev", "prism.publicationName"),
        doi=doi,
        pmid=pmid if pmid.isdigit() else "",
        evidence="review",
        licence=first("dc.rights", "citation_license"),
        # meta tags are untrusted: only a plain http(s) URL may become the source's link
        url=next(
            (u for u in _meta(soup, "citation_fulltext_html_url", "citation_abstract_html_url") if safe_http_url(u)), ""
        ),
        extra=(("file", path.name),),
    )


def _markers_as_text(soup: BeautifulSoup) -> None:
    """<sup>12</sup> and <a href="#B12">12</a> become literal '[12]' text, so markers survive get_text."""
    for sup in soup.find_all("sup"):
        body = marker_body(clean(sup.get_text("")))
        if body and not sup.find_parent(_HEADINGS):
            sup.replace_with(NavigableString(f"[{body}]"))
    for link in soup.find_all("a", href=re.compile(r"^#")):
        text = clean(link.get_text(""))
        if text.isdigit() and len(text) <= 4:
            link.replace_with(NavigableString(f"[{text}]"))


def _walk(soup: BeautifulSoup, title: str) -> tuple[list[Section], list[Reference]]:
    body = soup.body or soup
    sections: list[Section] = []
    captions: list[str] = []
    references: list[Reference] = []
    name, buffer, in_references = "Text", list[str](), False

    def flush() -> None:
        if buffer and not in_references:
            sections.append(Section(name, "\n".join(buffer)))

    for element in body.find_all(_HEADINGS + _BLOCKS):
        if element.find_parent(_BLOCKS):
            continue  # its text is read with the enclosing block
        text = clean(element.get_text(" "))
        text = re.sub(r"\s+([,.;:)\]])", r"\1", text).replace("] [", "][")
        if not text:
            continue
        if element.name in _HEADINGS:
            if element.name == "h1" and text == title and not sections and not buffer:
                continue  # the article title is the source's title, not a section
            flush()
            in_references = is_reference_heading(text)
            name, buffer = text, []
            continue
        if element.name in ("figcaption", "caption"):
            captions.append(text)
        elif in_references or (element.name == "li" and _is_reference_item(element)):
            references.append(_reference(element, text, len(references) + 1))
        else:
            buffer.append(text)
    flush()
    if captions:
        sections.append(Section(CAPTIONS, "\n".join(captions)))
    return sections, _renumbered(references)


def _is_reference_item(element: Tag) -> bool:
    parent = element.find_parent(["ol", "ul", "div", "section"])
    marks = " ".join([*(str(v) for v in (parent.get("class") or [])), str(parent.get("id") or "")]) if parent else ""
    return bool(re.search(r"ref-list|references|bibliography|citation-list", marks, re.I))


def _reference(element: Tag, text: str, position: int) -> Reference:
    number = _number_of(element, text, position)
    doi = pmid = ""
    for link in element.find_all("a", href=True):
        href = str(link["href"])
        doi = doi or (find_doi(href) if "doi" in href.lower() else "")
        match = PMID_PATTERN.search(href)
        pmid = pmid or (match.group(1) if match else "")
        if clean(link.get_text(" ")).lower() in _LINK_LABELS:
            link.decompose()  # "PubMed", "DOI" buttons are not part of the entry's text
    text = clean(element.get_text(" "))
    text = ENTRY_START.sub("", text, count=1) if ENTRY_START.match(text) else text
    return make_reference(number, text, doi=doi, pmid=pmid)


def _number_of(element: Tag, text: str, position: int) -> int:
    start = ENTRY_START.match(text)
    if start:
        return int(start.group(1))
    for candidate in (element.get("id"), *(a.get("id") or a.get("name") for a in element.find_all("a"))):
        match = _NUMBER_IN_ID.search(str(candidate or ""))
        if match:
            return int(match.group(1))
    if element.name == "li" and element.parent is not None and element.parent.name == "ol":
        items = [li for li in element.parent.find_all("li", recursive=False)]
        start_attr = str(element.parent.get("start") or "1")
        first = int(start_attr) if start_attr.isdigit() else 1
        return first + items.index(element)
    return position


def _renumbered(references: list[Reference]) -> list[Reference]:
    """One entry per number: the first wins (publisher pages sometimes repeat the list)."""
    seen: dict[int, Reference] = {}
    for reference in references:
        seen.setdefault(reference.number, reference)
    return sorted(seen.values(), key=lambda r: r.number)
