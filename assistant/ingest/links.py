"""Links from a review's reference-list entries (and digest entries) to the ingested abstracts.

A reference and an abstract are the same study when they share a PMID or a DOI. The build stores the
links (`abstract_links.json`, and `abstract_id` on each reference), and the answer chain uses them to
show, for a cited review passage, the studies it cites and the key sentence of each one's abstract.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

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


# -- at answer time -------------------------------------------------------------------------------

def _sentence_rows(index: Any) -> dict[str, list[int]]:
    """source id -> its sentence rows; computed once per loaded index and kept on it."""
    rows = getattr(index, "_sentence_rows_by_source", None)
    if rows is None:
        rows = {}
        for row, sentence in enumerate(index.sentences):
            rows.setdefault(sentence.source_id, []).append(row)
        index._sentence_rows_by_source = rows
    return rows


def cited_references(index: Any, source_id: str, chunk_id: str, numbers: tuple[int, ...]) -> list[Reference]:
    """The references a passage cites, each with its linked abstract's sentence closest to the passage."""
    wanted = set(numbers)
    references = [ref for ref in index.references.get(source_id, []) if ref.number in wanted]
    if not any(ref.abstract_id for ref in references):
        return references
    row = index.row_of.get(chunk_id)
    passage_vector = np.asarray(index.chunk_vectors[row]) if row is not None else None
    by_source = _sentence_rows(index)
    result = []
    for ref in references:
        rows = by_source.get(ref.abstract_id, []) if ref.abstract_id in index.sources else []
        if not rows:
            result.append(ref)
            continue
        if passage_vector is not None:
            best = rows[int(np.argmax(index.sentence_vectors[rows] @ passage_vector))]
        else:
            best = rows[-1]
        result.append(dataclasses.replace(ref, key_sentence=index.sentences[best].text))
    return result
