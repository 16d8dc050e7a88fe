"""Which loader reads which file type (beyond .yaml/.yml/.txt, which the registry handles itself).

Loader modules are imported only when a file of their type is read, so a corpus of text files never
pays for pypdf, BeautifulSoup or defusedxml.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

from assistant.types import Document

#: A loader reads one file into documents (raising CorpusError for a file it cannot use).
Loader = Callable[[Path], list[Document]]

#: suffix -> (module in assistant.ingest, loader function)
_LOADERS: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf_review", "load_pdf"),
    ".html": ("html_review", "load_html"),
    ".htm": ("html_review", "load_html"),
    ".xhtml": ("html_review", "load_html"),
    ".md": ("markdown", "load_markdown"),
    ".markdown": ("markdown", "load_markdown"),
    ".xml": ("jats", "load_xml"),
    ".nxml": ("jats", "load_jats"),  # .xml: JATS <article> or PubMed XML
    ".nbib": ("medline", "load_medline"),
    ".medline": ("medline", "load_medline"),
    ".ris": ("ris", "load_ris"),
    ".bib": ("bibtex", "load_bibtex"),
    ".bibtex": ("bibtex", "load_bibtex"),
    ".json": ("csl_json", "load_csl_json"),
}

#: Suffixes `rsa-assistant corpus add` accepts, for help texts and error hints.
SUPPORTED_SUFFIXES = (".txt", ".yaml", ".yml", *_LOADERS)


def _load(module: str, function: str, path: Path):
    return getattr(importlib.import_module(f"assistant.ingest.{module}"), function)(path)


def loader_for_suffix(path: Path) -> Loader | None:
    target = _LOADERS.get(path.suffix.lower())
    return partial(_load, *target) if target else None
