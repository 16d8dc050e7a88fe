"""Loader for BibTeX files, parsed by bibtexparser 2 with its LaTeX-decoding middleware.

bibtexparser resolves `@string` macros, removes enclosing braces/quotes and (with pylatexenc) turns
LaTeX into text (`M{\\"u}ller` -> Müller, `\\&` -> &, `--` -> –). Only what a cited abstract needs is
read (title, abstract, author, year, journal, doi, pmid).
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.abstracts import AbstractRecord, documents_from_records, year_of
from assistant.ingest.common import read_text
from assistant.types import Document


def load_bibtex(path: Path) -> list[Document]:
    try:
        entries = parse_bibtex(read_text(path))
    except CorpusError as exc:
        raise CorpusError(f"{path}: {exc.message}", path=str(path), hint=exc.hint) from None
    if not entries:
        raise CorpusError(f"{path}: no BibTeX entries found.", path=str(path))
    return documents_from_records([_record(fields) for fields in entries], path, "BibTeX")


def parse_bibtex(text: str) -> list[dict[str, str]]:
    """Each entry's fields (lower-case names, plain text); @comment, @string and @preamble are not entries."""
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", None)
        where = f" (the block starting on line {line + 1})" if isinstance(line, int) else ""
        raise CorpusError(
            f"malformed BibTeX entry{where}: {getattr(block, 'error', 'unparseable')}".rstrip() + ".",
            hint="Check that the entry's braces and quotes are balanced.",
        )
    return [{field.key.lower(): _plain(field.value) for field in entry.fields} for entry in library.entries]


def _plain(value: object) -> str:
    # leftover braces (e.g. protected capitals the decoder kept) and any whitespace, ~ included, collapse
    return " ".join(str(value).replace("{", "").replace("}", "").split())


def _record(fields: dict[str, str]) -> AbstractRecord:
    pmid = fields.get("pmid", "")
    if not pmid and fields.get("eprinttype", "").lower() == "pubmed":
        pmid = fields.get("eprint", "")
    record = AbstractRecord(
        title=fields.get("title", ""),
        authors=[a.strip() for a in re.split(r"\s+and\s+", fields.get("author", "")) if a.strip()],
        year=year_of(fields.get("year") or fields.get("date", "")),
        journal=fields.get("journal") or fields.get("journaltitle", ""),
        doi=fields.get("doi", ""),
        pmid=pmid.strip(),
        pmcid=fields.get("pmcid", ""),
    )
    record.set_abstract_text(fields.get("abstract", ""))
    return record
