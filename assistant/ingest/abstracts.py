"""The common shape of a cited study's abstract, whatever format it came in, and its `Document`.

A document holds the abstract's sections and, after them, "Article information": the record's authors,
journal, year and identifiers as citable sentences (`assistant/ingest/details.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.common import clean, labelled_abstract, normalize_doi, slug, unique_sections
from assistant.ingest.details import details_section
from assistant.types import Document, Section, Source, SourceKind


@dataclass
class AbstractRecord:
    """One study's bibliographic record and abstract, as read from PubMed, RIS, BibTeX or CSL-JSON."""

    title: str = ""
    abstract: list[Section] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""

    def set_abstract_text(self, text: str) -> None:
        """Unlabelled abstract text; 'BACKGROUND: ... METHODS: ...' is split at its labels."""
        self.abstract = labelled_abstract(text)


def year_of(text: str) -> int | None:
    match = re.search(r"\b(1[89]\d{2}|20\d{2})\b", str(text or ""))
    return int(match.group(1)) if match else None


def record_id(record: AbstractRecord, path: Path, position: int) -> str:
    if record.pmid:
        return f"pmid-{record.pmid}"
    if record.doi:
        return f"doi-{slug(record.doi)}"
    return f"{slug(path.stem)}-{position}"


def documents_from_records(records: list[AbstractRecord], path: Path, kind_name: str) -> list[Document]:
    """Documents for the records that carry an abstract; a file with none is refused."""
    if not records:
        raise CorpusError(f"{path}: no {kind_name} records found.", path=str(path))
    documents = []
    for position, record in enumerate(records, start=1):
        sections = unique_sections([s for s in record.abstract if clean(s.text)])
        if not sections:
            continue  # a record without an abstract has nothing to cite
        pmid = record.pmid if record.pmid.isdigit() else ""
        source = Source(
            id=record_id(record, path, position),
            kind=SourceKind.ABSTRACT,
            title=clean(record.title) or f"Record {position} of {path.name}",
            authors=tuple(clean(a) for a in record.authors if clean(a)),
            year=record.year,
            journal=clean(record.journal),
            doi=normalize_doi(record.doi),
            pmid=pmid,
            pmcid=record.pmcid,
            extra=(("file", path.name),),
        )
        details = details_section(source)
        # unique_sections again: an abstract of its own may carry an "Article information" label
        documents.append(
            Document(source=source, sections=unique_sections([*sections, *([details] if details else [])]))
        )
    if not documents:
        raise CorpusError(f"{path}: none of its {len(records)} {kind_name} records has an abstract.", path=str(path))
    return documents
