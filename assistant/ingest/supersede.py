"""One copy per review: a fuller copy of the same article supersedes the others.

The corpus ships the review's front matter, Abstract and Core Tip as text. When its full text is added
(JATS, HTML, PDF) or fetched, both copies share a DOI (or PMID); indexing both would make answers cite
the same statement twice under two sources. The fuller copy (more references, then more text) is
indexed; the others stay on disk, are left out of the index, and `corpus list` says what replaced them.
"""

from __future__ import annotations

from assistant.ingest.common import normalize_doi
from assistant.types import Document, SourceKind


def _identities(document: Document) -> list[str]:
    source = document.source
    keys = [f"doi:{normalize_doi(source.doi)}"] if source.doi else []
    return keys + ([f"pmid:{source.pmid}"] if source.pmid else [])


def _fullness(document: Document) -> tuple[int, int]:
    return len(document.references), len(document.text)


def superseded_by(documents: list[Document]) -> dict[str, str]:
    """{superseded document id: id of the fuller copy of the same article that replaces it}."""
    groups: dict[str, list[Document]] = {}
    for document in documents:
        if document.source.kind is SourceKind.REVIEW:
            for key in _identities(document):
                groups.setdefault(key, []).append(document)
    replaced: dict[str, str] = {}
    for copies in groups.values():
        if len(copies) < 2:
            continue
        best = max(copies, key=_fullness)
        for copy in copies:
            if copy is not best and copy.source.id != best.source.id:
                replaced[copy.source.id] = best.source.id
    # a chain (a -> b, b -> c) points everything at the copy that is kept
    for old, new in list(replaced.items()):
        seen = {old}
        while new in replaced and new not in seen:
            seen.add(new)
            new = replaced[new]
        replaced[old] = new
    return replaced


def drop_superseded(loaded) -> dict[str, str]:
    """Remove superseded documents from a `LoadResult` (in place); returns {old id: new id}.

    The files stay in `loaded.file_hashes` (they are still corpus files, so the index's fingerprint
    notices when they change) and in `loaded.document_files`, so `corpus list` can show them.
    """
    replaced = superseded_by(loaded.documents)
    if replaced:
        loaded.documents[:] = [d for d in loaded.documents if d.source.id not in replaced]
    return replaced
