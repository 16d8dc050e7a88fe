"""Loader for PubMed XML (E-utilities efetch `PubmedArticleSet`), parsed with defusedxml only.

Entity declarations (billion laughs), external entities and DTD tricks are refused, never expanded.
Structured abstracts keep their labels (BACKGROUND, METHODS...) as section names.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from assistant.errors import CorpusError
from assistant.ingest.abstracts import AbstractRecord, documents_from_records, year_of
from assistant.ingest.common import clean
from assistant.types import Document, Section


def parse_pubmed_xml(data: bytes, path: Path) -> Element:
    """The root element, or a CorpusError naming the file and the problem."""
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise CorpusError(
            f"{path}: XML refused for safety ({type(exc).__name__}: entity or DTD declarations are not allowed).",
            path=str(path),
        ) from None
    except ParseError as exc:
        raise CorpusError(f"{path}: malformed XML ({exc}).", path=str(path)) from None


def load_pubmed_xml(path: Path) -> list[Document]:
    root = parse_pubmed_xml(path.read_bytes(), path)
    if root.tag not in ("PubmedArticleSet", "PubmedArticle"):
        raise CorpusError(f"{path}: XML root <{root.tag}> is not a PubMed <PubmedArticleSet>.", path=str(path))
    articles = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    return documents_from_records([record_from_article(a) for a in articles], path, "PubMed")


def _text(element: Element | None) -> str:
    return clean("".join(element.itertext())) if element is not None else ""


def record_from_article(article: Element) -> AbstractRecord:
    citation = article.find("MedlineCitation")
    citation = citation if citation is not None else Element("MedlineCitation")
    body = citation.find("Article")
    body = body if body is not None else Element("Article")
    record = AbstractRecord(title=_text(body.find("ArticleTitle")), pmid=_text(citation.find("PMID")))
    for part in body.findall("Abstract/AbstractText"):
        label = part.get("Label") or part.get("NlmCategory") or "Abstract"
        record.abstract.append(Section(label.strip().title() if label.isupper() else label, _text(part)))
    if len(record.abstract) == 1 and record.abstract[0].name == "Abstract":
        record.set_abstract_text(record.abstract[0].text)
    for author in body.findall("AuthorList/Author"):
        name = _text(author.find("CollectiveName")) or " ".join(
            x for x in (_text(author.find("LastName")), _text(author.find("Initials"))) if x
        )
        if name:
            record.authors.append(name)
    journal = body.find("Journal")
    if journal is not None:
        record.journal = _text(journal.find("ISOAbbreviation")) or _text(journal.find("Title"))
        date = journal.find("JournalIssue/PubDate")
        record.year = year_of(_text(date.find("Year")) or _text(date.find("MedlineDate"))) if date is not None else None
    for location in body.findall("ELocationID"):
        if location.get("EIdType") == "doi":
            record.doi = _text(location)
    for identifier in article.findall("PubmedData/ArticleIdList/ArticleId"):
        kind = identifier.get("IdType")
        if kind == "doi" and not record.doi:
            record.doi = _text(identifier)
        elif kind == "pmc":
            record.pmcid = _text(identifier)
        elif kind == "pubmed" and not record.pmid:
            record.pmid = _text(identifier)
    return record
