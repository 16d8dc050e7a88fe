"""Which loader reads which file type (beyond .yaml/.yml/.txt, which the registry handles itself)."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.registry import Loader


def _pdf(path: Path):
    from assistant.ingest.pdf_review import load_pdf

    return load_pdf(path)


def _html(path: Path):
    from assistant.ingest.html_review import load_html

    return load_html(path)


def _markdown(path: Path):
    from assistant.ingest.markdown import load_markdown

    return load_markdown(path)


def _xml(path: Path):
    from assistant.ingest.pubmed_xml import load_pubmed_xml

    return load_pubmed_xml(path)


def _medline(path: Path):
    from assistant.ingest.medline import load_medline

    return load_medline(path)


def _ris(path: Path):
    from assistant.ingest.ris import load_ris

    return load_ris(path)


def _bibtex(path: Path):
    from assistant.ingest.bibtex import load_bibtex

    return load_bibtex(path)


def _csl_json(path: Path):
    from assistant.ingest.csl_json import load_csl_json

    return load_csl_json(path)


_LOADERS: dict[str, Loader] = {
    ".pdf": _pdf,
    ".html": _html, ".htm": _html, ".xhtml": _html,
    ".md": _markdown, ".markdown": _markdown,
    ".xml": _xml,
    ".nbib": _medline, ".medline": _medline,
    ".ris": _ris,
    ".bib": _bibtex, ".bibtex": _bibtex,
    ".json": _csl_json,
}

#: Suffixes `rsa-assistant corpus add` accepts, for help texts and error hints.
SUPPORTED_SUFFIXES = (".txt", ".yaml", ".yml", *_LOADERS)


def loader_for_suffix(path: Path) -> Loader | None:
    return _LOADERS.get(path.suffix.lower())
