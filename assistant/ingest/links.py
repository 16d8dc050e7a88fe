"""Links from a review's reference-list entries (and digest entries) to the ingested abstracts.

A reference and an abstract are the same study when they share a PMID or a DOI. The build stores the
links (`abstract_links.json`, and `abstract_id` on each reference); at answer time the loaded index
(`LoadedIndex.cited_references`) uses them to attach to a retrieved review passage the studies it
cites and the key sentence of each one's abstract.
"""

from __future__ import annotations

import dataclasses

from assistant.ingest.common import normalize_doi
from assistant.types import Document, Reference, SourceKind


def identity_keys(pmid: str, doi: str) -> list[str]:
    keys = [f"pmid:{pmid.strip()}"] if pmid and pmid.strip().isdigit() else []
    return keys + ([f"doi:{normalize_doi(doi)}"] if doi and normalize_doi(doi) else [])


def reference_key(source_id: str, number: int) -> str:
    return f"{source_id}#{number}"


def link_abstracts(documents: list[Document]) -> dict[str, str]:
    """{'<review id>#<n>' or '<digest entry id>': abstract source id} for every study matched by PMID/DOI.

    When no abstract is ingested for a review reference, a digest entry with the same identifiers is
    linked instead, so the chain still has a summary of the cited study to show.
    """
    abstracts = _by_identity(d for d in documents if d.source.kind is SourceKind.ABSTRACT)
    digests = _by_identity(d for d in documents if d.source.kind is SourceKind.STUDY_DIGEST)
    links: dict[str, str] = {}
    for document in documents:
        for reference in document.references:
            keys = identity_keys(reference.pmid, reference.doi)
            target = next((abstracts[k] for k in keys if k in abstracts), None) or next(
                (digests[k] for k in keys if k in digests), None
            )
            if target:
                links[reference_key(document.source.id, reference.number)] = target
        if document.source.kind is SourceKind.STUDY_DIGEST:
            keys = identity_keys(document.source.pmid, document.source.doi)
            target = next((abstracts[k] for k in keys if k in abstracts), None)
            if target:
                links[document.source.id] = target
    return links


def _by_identity(documents) -> dict[str, str]:
    found: dict[str, str] = {}
    for document in documents:
        for key in identity_keys(document.source.pmid, document.source.doi):
            found.setdefault(key, document.source.id)
    return found


def linked_references(document: Document, links: dict[str, str]) -> list[Reference]:
    """The document's references with `abstract_id` filled in from `links`."""
    return [
        dataclasses.replace(ref, abstract_id=links.get(reference_key(document.source.id, ref.number), ref.abstract_id))
        for ref in document.references
    ]
