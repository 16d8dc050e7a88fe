"""Loader for full-text articles in JATS XML (PubMed Central `.nxml`, publisher deposits), via defusedxml.

JATS is the richest form of a paper the corpus can get: the article's metadata (title, authors,
affiliations, journal, volume/issue, dates, DOI/PMID/PMCID, licence, funding, conflicts), the abstract
and the body as nested sections, figure and table captions, tables, and a reference list whose entries
carry PMIDs and DOIs, linked from the text by `<xref ref-type="bibr">`.

What the rest of the pipeline sees:
- one `Section` per heading path, named like "Results › Effect of host growth rates", so a chunk (which
  never crosses a section) names where it came from;
- each figure, table and box as its own section ("Results › Table 1"), so it is its own passage; table
  rows are "cell | cell" lines, each its own sentence;
- in-text citations rewritten as `[n]` markers ("[3-5]", "[3,7]"; author-year citations keep their text
  and gain the marker), so every sentence and chunk knows the references it cites;
- `Document.references` numbered as the markers are.

`.xml` files are sniffed: a root `<article>` is JATS, anything else goes to the PubMed XML loader.
Entity declarations (billion laughs) and external entities are refused by defusedxml, never expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from assistant.errors import CorpusError
from assistant.ingest.common import clean, normalize_doi, slug, unique_sections
from assistant.ingest.pubmed_xml import parse_pubmed_xml
from assistant.markers import marker_body
from assistant.types import Document, Reference, Section, Source, SourceKind

#: Joins the headings of nested sections in a section name.
PATH_SEPARATOR = " › "
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: Block elements read as their own passages or paragraphs, never as part of a paragraph's text.
_BLOCKS = {
    "fig",
    "table-wrap",
    "boxed-text",
    "list",
    "disp-quote",
    "sec",
    "fig-group",
    "table-wrap-group",
    "supplementary-material",
    "def-list",
    "statement",
}
#: Elements whose text is not prose (formula sources, alternative renderings, private notes).
_SKIPPED = {"tex-math", "object-id", "graphic", "media", "inline-graphic", "alt-text", "processing-meta"}
_CITATION_TAGS = ("mixed-citation", "element-citation", "citation", "nlm-citation")
# private-use characters stand for a citation while a paragraph is assembled
_OPEN, _CLOSE = "\ue000", "\ue001"
_SENTINEL = re.compile(f"{_OPEN}([0-9,]+){_CLOSE}")
_RUN = re.compile(
    rf"(?P<open>[\[(]\s*)?(?P<body>{_OPEN}[0-9,]+{_CLOSE}(?:\s*[,–—-]\s*{_OPEN}[0-9,]+{_CLOSE})*)(?P<close>\s*[\])])?"
)
_CONFLICT_TITLE = re.compile(
    r"competing interests?|conflicts? of interests?|declaration of interests?|disclosures?", re.I
)
_FUNDING_TITLE = re.compile(r"^(funding|financial support|grant support)", re.I)
_CC_LICENCE = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)", re.I)


@dataclass
class JatsReference:
    """One entry of the reference list, with the title kept apart (fetch and tests use it)."""

    number: int
    ref_id: str
    text: str
    title: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""

    def to_reference(self) -> Reference:
        return Reference(number=self.number, text=self.text, doi=self.doi, pmid=self.pmid)


@dataclass
class JatsArticle:
    """Everything read from one JATS file."""

    source: Source
    sections: list[Section] = field(default_factory=list)
    references: list[JatsReference] = field(default_factory=list)

    def document(self) -> Document:
        return Document(
            source=self.source,
            sections=unique_sections(self.sections),
            references=tuple(r.to_reference() for r in self.references),
        )


#: sections this loader (and the plain-text review loader) make of front matter, not of the article's text
FRONT_SECTIONS = (
    "Article information",
    "Authors",
    "Affiliations",
    "Corresponding author",
    "Funding",
    "Conflict of interest",
    "Licence",
    "Dates",
)


def outline(document: Document) -> tuple[str, ...]:
    """The top-level headings of a full text, in order ("Abstract", "Background", "Results", ...)."""
    heads = (s.name.split(PATH_SEPARATOR)[0] for s in document.sections if s.name not in FRONT_SECTIONS)
    return tuple(dict.fromkeys(heads))


def is_jats_root(root: Element) -> bool:
    return _local(root.tag) == "article"


def load_xml(path: Path) -> list[Document]:
    """`.xml`: JATS when the root is `<article>`, PubMed XML otherwise."""
    root = parse_pubmed_xml(path.read_bytes(), path)
    if is_jats_root(root):
        return [jats_document(root, path)]
    from assistant.ingest.pubmed_xml import load_pubmed_xml

    return load_pubmed_xml(path)


def load_jats(path: Path) -> list[Document]:
    """`.nxml` (and JATS `.xml`): one full-text document."""
    root = parse_pubmed_xml(path.read_bytes(), path)
    if not is_jats_root(root):
        raise CorpusError(
            f"{path}: XML root <{_local(root.tag)}> is not a JATS <article>.",
            path=str(path),
            hint="A JATS file (PubMed Central .nxml) starts with <article>.",
        )
    return [jats_document(root, path)]


def parse_jats(data: bytes, path: Path) -> JatsArticle:
    root = parse_pubmed_xml(data, path)
    if not is_jats_root(root):
        raise CorpusError(f"{path}: XML root <{_local(root.tag)}> is not a JATS <article>.", path=str(path))
    return read_article(root, path)


def jats_document(root: Element, path: Path) -> Document:
    document = read_article(root, path).document()
    if not document.sections:
        raise CorpusError(f"{path}: the JATS article has no abstract or body text.", path=str(path))
    return document


def read_article(root: Element, path: Path) -> JatsArticle:
    _strip_namespaces(root)
    front = root.find("front")
    meta = front.find("article-meta") if front is not None else None
    if meta is None:
        raise CorpusError(
            f"{path}: JATS <article> without <front>/<article-meta>; not a usable article.", path=str(path)
        )
    body, back = root.find("body"), root.find("back")
    references = _references(back) if back is not None else []
    numbers = {r.ref_id: r.number for r in references if r.ref_id}
    reader = _Reader(numbers)
    for abstract in meta.findall("abstract"):
        kind = (abstract.get("abstract-type") or "").lower()
        if kind in ("graphical", "teaser", "toc", "web-summary"):
            continue
        title = _text(abstract.find("title")) or ("Abstract" if not kind else kind.replace("-", " ").capitalize())
        reader.container(abstract, [title])
    if body is None:
        # PMC serves front matter alone for articles that are not open access: not a full text
        raise CorpusError(
            f"{path}: the JATS article has no <body> (no full text).",
            path=str(path),
            hint="Use the open-access full-text JATS file (PMC .nxml), or add the abstract as PubMed XML.",
        )
    reader.container(body, [])
    funding, conflicts = _funding(meta), _conflicts(meta)
    if back is not None:
        for child in back:
            tag = _local(child.tag)
            title = _text(child.find("title"))
            if tag == "sec" and _CONFLICT_TITLE.search(title):
                conflicts.append(_paragraphs_text(child))
            elif tag == "sec" and _FUNDING_TITLE.search(title):
                funding.append(_paragraphs_text(child))
            elif tag in ("sec", "ack", "app-group", "app", "notes", "glossary"):
                reader.container(
                    child, [title or {"ack": "Acknowledgements", "app-group": "Appendix"}.get(tag, "Notes")]
                )
            elif tag == "fn-group":
                for fn in child.iter("fn"):
                    (
                        conflicts
                        if fn.get("fn-type") in ("conflict", "COI-statement")
                        else funding
                        if fn.get("fn-type") == "financial-disclosure"
                        else []
                    ).append(_paragraphs_text(fn))
    floats = root.find("floats-group")  # PMC often gathers figures and tables at the article's end
    for child in floats if floats is not None else []:
        reader.block(child, ["Figures and tables"])
    source = _source(root, meta, path, references, reader, funding, conflicts)
    sections = _front_sections(source, meta) + reader.ordered_sections()
    return JatsArticle(source=source, sections=sections, references=references)


# -- text -------------------------------------------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root: Element) -> None:
    """JATS from some publishers carries a default namespace; tag names are matched without it."""
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = _local(element.tag)


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return _tidy("".join(_itertext(element, {})))


def _itertext(element: Element, numbers: dict[str, int], skip_blocks: bool = False):
    """The text of an element with bibliography xrefs turned into sentinels (numbered later)."""
    tag = _local(element.tag)
    if not isinstance(element.tag, str) or tag in _SKIPPED:
        return
    if tag == "xref" and element.get("ref-type") == "bibr" and numbers:
        found = [numbers[r] for r in (element.get("rid") or "").split() if r in numbers]
        label = clean("".join(element.itertext()))
        if found:
            if marker_body(label.strip("()")) is None:
                yield label  # author-year citations keep their words and gain the marker
            yield f"{_OPEN}{','.join(str(n) for n in found)}{_CLOSE}"
            return
    if tag in ("name", "string-name") and element.find("surname") is not None:
        yield " ".join(x for x in (_text(element.find("surname")), _text(element.find("given-names"))) if x)
        return
    if element.text:
        yield _plain(element.text)
    for child in element:
        if not (skip_blocks and _local(child.tag) in _BLOCKS):
            yield from _itertext(child, numbers, skip_blocks)
        if child.tail:
            yield _plain(child.tail)


def _plain(text: str) -> str:
    """Article text without the two private-use characters that stand for citations while assembling."""
    return text.replace(_OPEN, "").replace(_CLOSE, "") if _OPEN in text or _CLOSE in text else text


def _tidy(text: str) -> str:
    text = clean(text)
    return re.sub(r"\s+([,.;:)\]])", r"\1", text).replace("( ", "(")


def _markers(text: str) -> str:
    """Sentinel runs like "[S1-S9]" or "S17,S18" become "[1-9]", "[17,18]"; a lone one "[n]"."""

    def run(match: re.Match) -> str:
        body, last, separator = "", "", ","
        for numbers, sep in re.findall(rf"{_OPEN}([0-9,]+){_CLOSE}|([,–—-])", match.group("body")):
            if sep:
                separator = sep
                continue
            if body:
                ranged = separator != "," and "," not in numbers and "," not in last
                body += "-" if ranged else ","
            body, last, separator = body + numbers, numbers, ","
        before = match.string[match.start() - 1] if match.start() > 0 else " "
        space = " " if match.group("open") is None and before.isalnum() else ""
        # a bracket closes the marker only when one opened it: "(Smith, 2010 [4])" keeps its parenthesis
        close = match.group("close").strip() if match.group("open") is None and match.group("close") else ""
        return f"{space}[{body}]{close}"

    text = _RUN.sub(run, text)
    text = _SENTINEL.sub(lambda m: f"[{m.group(1)}]", text)
    return re.sub(r"\s+([,.;:])", r"\1", text)


def _paragraphs_text(element: Element) -> str:
    paragraphs = [_text(p) for p in element.iter("p")]
    return " ".join(p for p in paragraphs if p) or _text(element)


# -- sections ---------------------------------------------------------------------------------------


class _Reader:
    """Walks abstract/body/back containers into sections keyed by their heading path."""

    def __init__(self, numbers: dict[str, int]) -> None:
        self.numbers = numbers
        self.sections: dict[str, list[str]] = {}
        self.paths: list[str] = []  # heading paths of the article's own sections, in reading order

    def ordered_sections(self) -> list[Section]:
        return [Section(name, "\n\n".join(parts)) for name, parts in self.sections.items() if parts]

    def _add(self, path: list[str], text: str) -> None:
        name = PATH_SEPARATOR.join(p for p in path if p) or "Main text"
        self.sections.setdefault(name, [])
        if text:
            self.sections[name].append(text)

    def paragraph(self, element: Element) -> str:
        return _markers(_tidy("".join(_itertext(element, self.numbers, skip_blocks=True))))

    def container(self, element: Element, path: list[str]) -> None:
        name = PATH_SEPARATOR.join(p for p in path if p)
        if name and name not in self.paths:
            self.paths.append(name)
        for child in element:
            self.block(child, path)

    def block(self, child: Element, path: list[str]) -> None:
        tag = _local(child.tag)
        if tag in ("title", "label", "sec-meta", "object-id", "kwd-group", "ref-list", "fn-group"):
            return
        if tag == "sec":
            title = _text(child.find("title")) or _text(child.find("label")) or "Section"
            self.container(child, path + [title])
        elif tag in ("p", "disp-quote", "statement", "speech", "verse-group", "preformat", "def-list"):
            self._add(path, self.paragraph(child))
            for nested in child:
                if _local(nested.tag) in _BLOCKS:
                    self.block(nested, path)
        elif tag == "list":
            self._add(path, self.list_text(child))
        elif tag in ("fig", "table-wrap", "boxed-text", "fig-group", "table-wrap-group"):
            self.display(child, path)
        elif tag in ("supplementary-material", "disp-formula", "graphic", "media", "alternatives"):
            return  # file links and formula renderings are not prose
        else:
            # an unknown element: its prose is kept, so an unfamiliar tag loses no text
            text = self.paragraph(child)
            if text:
                self._add(path, text)

    def list_text(self, element: Element) -> str:
        items = []
        for item in element.findall("list-item"):
            text = " ".join(self.paragraph(p) for p in item if _local(p.tag) in ("p", "title"))
            items.append(f"• {text or self.paragraph(item)}")
            for nested in item.findall("list"):
                items.append(self.list_text(nested))
        return "\n\n".join(i for i in items if i.strip("• "))

    def display(self, element: Element, path: list[str]) -> None:
        """A figure, table or box: its own section, so it is its own passage."""
        tag = _local(element.tag)
        if tag in ("fig-group", "table-wrap-group"):
            for child in element:
                if _local(child.tag) in ("fig", "table-wrap"):
                    self.display(child, path)
            return
        label = _text(element.find("label"))
        caption = element.find("caption")
        title = _text(caption.find("title")) if caption is not None else ""
        if tag == "boxed-text":
            name = label or title or "Box"
            self.container(element if caption is None else _without(element, "caption"), path + [name])
            for part in caption.findall("p") if caption is not None else []:
                self._add(path + [name], self.paragraph(part))  # its title already names the section
            return
        name = label.rstrip(".:") or title or ("Figure" if tag == "fig" else "Table")
        lines = []
        if caption is not None:
            captured = " ".join(self.paragraph(part) for part in caption) or self.paragraph(caption)
            lines.append(f"{label.rstrip('.:')}. {captured}" if label and not captured.startswith(label) else captured)
        if tag == "table-wrap":
            for table in element.iter("table"):
                lines.extend(self.table_rows(table))
            for foot in element.iter("table-wrap-foot"):
                lines.append(self.paragraph(foot))
        self._add(path + [name], "\n\n".join(line for line in lines if line))

    def table_rows(self, table: Element) -> list[str]:
        rows = []
        for row in table.iter("tr"):
            cells = [self.paragraph(cell) for cell in row if _local(cell.tag) in ("td", "th")]
            if any(cells):
                rows.append(" | ".join(cells))
        return rows


def _without(element: Element, tag: str) -> Element:
    copy = Element(element.tag, element.attrib)
    copy.text = element.text or ""
    for child in element:
        if _local(child.tag) != tag:
            copy.append(child)
        elif child.tail:  # the text after a dropped element stays ("<label>1</label>Department of ...")
            if len(copy):
                copy[-1].tail = (copy[-1].tail or "") + child.tail
            else:
                copy.text += child.tail
    return copy


# -- references -------------------------------------------------------------------------------------


def _references(back: Element) -> list[JatsReference]:
    refs = [ref for ref_list in back.iter("ref-list") for ref in ref_list.findall("ref")]
    labels = [re.sub(r"[^\d]", "", _text(ref.find("label"))) for ref in refs]
    # numbered by label when every label is a distinct number, else by position (author-year lists)
    by_label = all(labels) and len(set(labels)) == len(labels)
    references = []
    for position, (ref, label) in enumerate(zip(refs, labels, strict=True), start=1):
        number = int(label) if by_label else position
        references.append(_reference(ref, number))
    return references


def _reference(ref: Element, number: int) -> JatsReference:
    citation = next((c for tag in _CITATION_TAGS for c in ref.iter(tag)), None)
    citation = ref if citation is None else citation
    ids = {(p.get("pub-id-type") or "").lower(): clean("".join(p.itertext())) for p in citation.iter("pub-id")}
    doi = normalize_doi(ids.get("doi", ""))
    pmid = ids.get("pmid", "") if ids.get("pmid", "").isdigit() else ""
    for link in citation.iter("ext-link"):
        href = link.get(_XLINK_HREF) or "".join(link.itertext())
        if not doi and "doi.org/" in href:
            doi = normalize_doi(href)
        found = re.search(r"pubmed(?:\.ncbi\.nlm\.nih\.gov)?/(\d+)", href)
        if not pmid and found:
            pmid = found.group(1)
    pmcid = ids.get("pmcid", "") or ids.get("pmc", "")
    title = (
        _text(citation.find("article-title")) or _text(citation.find("chapter-title")) or _text(citation.find("source"))
    )
    return JatsReference(
        number=number,
        ref_id=ref.get("id") or "",
        text=_citation_text(citation),
        title=title,
        doi=doi,
        pmid=pmid,
        pmcid=f"PMC{pmcid}" if pmcid.isdigit() else pmcid,
    )


def _citation_text(citation: Element) -> str:
    """The entry as read: its own punctuation when it has some (mixed-citation), else assembled."""
    loose = (citation.text or "") + "".join(child.tail or "" for child in citation)
    if len(clean(loose)) > 12 or not len(citation):
        parts = []
        for piece in _itertext(_without(citation, "pub-id"), {}):
            parts.append(piece)
        return _tidy("".join(parts))
    names = []
    for person in citation.iter():
        tag = _local(person.tag)
        if tag in ("name", "string-name"):
            surname, given = _text(person.find("surname")), _text(person.find("given-names"))
            names.append(" ".join(x for x in (surname, given) if x) or _text(person))
        elif tag == "collab":
            names.append(_text(person))
        elif tag == "etal":
            names.append("et al")
    title = _text(citation.find("article-title")) or _text(citation.find("chapter-title"))
    source, year = _text(citation.find("source")), _text(citation.find("year"))
    volume, issue = _text(citation.find("volume")), _text(citation.find("issue"))
    pages = _pages(citation)
    where = f"{year};{volume}" if volume else year
    where += f"({issue})" if issue else ""
    where += f":{pages}" if pages else ""
    pieces = [", ".join(names), title, source, where]
    return _tidy(". ".join(p.rstrip(".") for p in pieces if p)) + "."


def _pages(element: Element) -> str:
    first, last = _text(element.find("fpage")), _text(element.find("lpage"))
    return f"{first}–{last}" if first and last and last != first else first or last


# -- metadata ---------------------------------------------------------------------------------------


def _funding(meta: Element) -> list[str]:
    """The funders with their award ids, then the funding statement (which often names no funder)."""
    awards = []
    for award in meta.iter("award-group"):
        sources = "; ".join(_parts_text(s) for s in award.iter("funding-source"))
        ids = ", ".join(_text(i) for i in award.iter("award-id"))
        awards.append(f"{sources} ({ids})" if ids and sources else sources)
    funders = "; ".join(a for a in awards if a)
    found = [f"Funded by {funders}." if funders else ""] + [_text(s) for s in meta.iter("funding-statement")]
    return [f for f in found if f]


def _parts_text(element: Element) -> str:
    """An address-like element (affiliation, funder) as readable text: its parts joined with commas,
    without labels and registry ids (ROR, FundRef URLs)."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        tag = _local(node.tag)
        if tag in ("label", "institution-id", "email"):
            return
        if node.text and node.text.strip():
            parts.append(node.text.strip())
        for child in node:
            walk(child)
            if child.tail and child.tail.strip(" ,;"):
                parts.append(child.tail.strip(" ,;"))

    walk(element)
    return _tidy(", ".join(p.strip(" ,;") for p in parts if p.strip(" ,;")))


def _conflicts(meta: Element) -> list[str]:
    return [_paragraphs_text(fn) for fn in meta.iter("fn") if fn.get("fn-type") in ("conflict", "COI-statement")]


def _date(element: Element | None) -> str:
    if element is None:
        return ""
    if element.get("iso-8601-date"):
        return element.get("iso-8601-date", "")
    parts = [_text(element.find(x)) for x in ("year", "month", "day")]
    return "-".join(p.zfill(2) if i else p for i, p in enumerate(parts) if p)


def _licence_statement(meta: Element) -> str:
    """The licence's own words (its paragraphs), without the bare licence URL some publishers put first."""
    licence = next(meta.iter("license"), None)
    if licence is None:
        return ""
    paragraphs = [_text(p) for p in licence.iter("license-p")]
    return " ".join(p for p in paragraphs if p) or _text(licence)


def _licence(meta: Element) -> str:
    for licence in meta.iter("license"):
        href = licence.get(_XLINK_HREF) or ""
        for ref in licence.iter("license_ref"):
            href = href or "".join(ref.itertext())
        text = _text(licence)
        href = href or next((link.get(_XLINK_HREF) or "" for link in licence.iter("ext-link")), "")
        match = _CC_LICENCE.search(href) or _CC_LICENCE.search(text)
        if match:
            kind = match.group(2).upper()
            return "Public domain" if match.group(1).lower() == "publicdomain" else f"CC {kind} {match.group(3)}"
        if "creative commons attribution" in text.lower():
            return "CC BY"
        return text[:200] or licence.get("license-type", "")
    return ""


def _source(
    root: Element,
    meta: Element,
    path: Path,
    references: list[JatsReference],
    reader: _Reader,
    funding: list[str],
    conflicts: list[str],
) -> Source:
    ids = {(a.get("pub-id-type") or "").lower(): clean("".join(a.itertext())) for a in meta.findall("article-id")}
    doi = normalize_doi(ids.get("doi", ""))
    pmid = ids.get("pmid", "") if ids.get("pmid", "").isdigit() else ""
    pmcid = ids.get("pmc", "") or ids.get("pmcid", "")
    pmcid = f"PMC{pmcid}" if pmcid.isdigit() else pmcid
    title = _text(meta.find("title-group/article-title")) or path.stem
    authors = []
    for contrib in meta.iter("contrib"):
        if (contrib.get("contrib-type") or "author") != "author":
            continue
        name = contrib.find("name") if contrib.find("name") is not None else contrib.find("string-name")
        if name is not None:
            surname, given = _text(name.find("surname")), _text(name.find("given-names"))
            authors.append(" ".join(x for x in (given, surname) if x) or _text(name))
        elif contrib.find("collab") is not None:
            authors.append(_text(contrib.find("collab")))
    editors = {
        id(aff)
        for c in meta.iter("contrib")
        if (c.get("contrib-type") or "author") != "author"
        for aff in c.iter("aff")
    }
    affiliations = [_parts_text(aff) for aff in meta.iter("aff") if id(aff) not in editors]
    journal_meta = root.find("front/journal-meta")
    journal = ""
    if journal_meta is not None:
        journal = (
            _text(journal_meta.find("journal-title-group/journal-title"))
            or _text(journal_meta.find("journal-title"))
            or _text(journal_meta.find("journal-id"))
        )
    dates: dict[str, str] = {}
    for pub in meta.findall("pub-date"):
        kind = pub.get("pub-type") or pub.get("date-type") or "pub"
        dates.setdefault(kind, _date(pub))
    published = next(
        (dates[k] for k in ("epub", "pub", "ppub", "collection", "epub-ppub") if dates.get(k)),
        next(iter(dates.values()), ""),
    )
    history = {d.get("date-type", ""): _date(d) for d in meta.iter("date")}
    year = re.match(r"(\d{4})", published)
    article_type = root.get("article-type", "")
    extra = {
        # key names shared with the plain-text review loader, so front-matter questions work on either
        "format": "JATS",
        "file": path.name,
        "article_type": article_type,
        "published": published,
        "published_online": published,
        "corresponding_author": _corresponding(meta),
        "licence_statement": _licence_statement(meta),
        "received": history.get("received", ""),
        "accepted": history.get("accepted", ""),
        "volume": _text(meta.find("volume")),
        "issue": _text(meta.find("issue")),
        "pages": _pages(meta) or _text(meta.find("elocation-id")),
        "affiliations": "; ".join(a for a in affiliations if a),
        "funding": " ".join(funding),
        "conflicts": " ".join(c for c in conflicts if c),
        "sections": str(len(reader.paths)),
        "references": str(len(references)),
    }
    return Source(
        id=f"review-{slug(doi)}" if doi else (f"review-{pmcid.lower()}" if pmcid else slug(path.stem)),
        kind=SourceKind.REVIEW,
        title=title,
        authors=tuple(authors),
        year=int(year.group(1)) if year else None,
        journal=journal,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        evidence="review" if article_type == "review-article" else article_type,
        licence=_licence(meta),
        url=f"https://doi.org/{doi}" if doi else "",
        extra=tuple(sorted((k, v) for k, v in extra.items() if v)),
    )


def _corresponding(meta: Element) -> str:
    for contrib in meta.iter("contrib"):
        if contrib.get("corresp") == "yes":
            name = contrib.find("name")
            surname, given = (
                (_text(name.find("surname")), _text(name.find("given-names"))) if name is not None else ("", "")
            )
            email = _text(next(contrib.iter("email"), None))
            return ", ".join(x for x in (" ".join(y for y in (given, surname) if y), email) if x)
    return ""


def _front_sections(source: Source, meta: Element) -> list[Section]:
    """The article's facts as searchable text, one statement per line, labelled as the plain-text review
    loader labels them ("Received: …", "Funding: …"), so front-matter questions find the stating sentence."""
    extra = dict(source.extra)
    citation = f"{source.journal}. {extra.get('published', '')[:4]}"
    if extra.get("volume"):
        citation += f";{extra['volume']}" + (f"({extra['issue']})" if extra.get("issue") else "")
    if extra.get("pages"):
        citation += f":{extra['pages']}"
    ids = ", ".join(f"{k} {v}" for k, v in (("DOI", source.doi), ("PMID", source.pmid), ("PMCID", source.pmcid)) if v)
    kind = extra.get("article_type", "").replace("-", " ")
    citation = citation.strip(" .;:")
    info = [
        source.title if source.title.endswith((".", "?", "!")) else f"{source.title}.",
        f"{citation}." if citation else "",
        f"{ids}." if ids else "",
        f"Article type: {kind}." if kind else "",
    ]
    sections = [Section("Article information", "\n\n".join(i for i in info if i))]
    if source.authors:
        sections.append(Section("Authors", ", ".join(source.authors) + "."))
    if extra.get("affiliations"):
        sections.append(Section("Affiliations", extra["affiliations"].replace("; ", "\n\n")))
    if extra.get("corresponding_author"):
        sections.append(Section("Corresponding author", f"Corresponding author: {extra['corresponding_author']}."))
    if extra.get("funding"):
        sections.append(Section("Funding", f"Funding: {extra['funding']}"))
    if extra.get("conflicts"):
        sections.append(Section("Conflict of interest", extra["conflicts"]))
    if source.licence:
        sections.append(Section("Licence", extra.get("licence_statement") or f"Licence: {source.licence}."))
    dates = [
        f"{label}: {extra[key]}."
        for key, label in (("received", "Received"), ("accepted", "Accepted"), ("published", "Published online"))
        if extra.get(key)
    ]
    if dates:
        sections.append(Section("Dates", "\n\n".join(dates)))
    return sections
