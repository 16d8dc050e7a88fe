"""Fixtures of the ingest tests: sample files in every format, written into a temp folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the repository root makes `tests.ingest.samples` and `tests.fake_eutils_server` importable as modules
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.ingest import samples  # noqa: E402


@pytest.fixture()
def sample_files(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "samples"
    folder.mkdir()
    texts = {
        "review.html": samples.review_html(),
        "review.md": samples.review_markdown(),
        "notes.txt": samples.review_text(),
        "cited.xml": samples.pubmed_xml(),
        "cited.nbib": samples.medline_text(),
        "cited.ris": samples.ris_text(),
        "cited.bib": samples.bibtex_text(),
        "cited.json": samples.csl_json_text(),
    }
    files = {}
    for name, text in texts.items():
        files[name] = folder / name
        files[name].write_text(text, encoding="utf-8")
    files["review.pdf"] = samples.write_review_pdf(folder / "review.pdf")
    return files


@pytest.fixture()
def review_corpus(tmp_path) -> Path:
    """A corpus of the sample HTML review plus a PubMed XML file of the abstracts it cites."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.html").write_text(samples.review_html(), encoding="utf-8")
    (corpus / "cited.xml").write_text(samples.pubmed_xml(), encoding="utf-8")
    return corpus
