"""`rsa-assistant corpus add|list|remove` on a temp corpus (indexing skipped: see test_ingest_index_sync)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import CorpusError
from assistant.ingest import load_corpus
from assistant.ingest.links import link_abstracts
from tests.ingest import samples


def _run(*args):
    return CliRunner().invoke(app, ["corpus", *args])


def test_add_refuses_bad_files_and_keeps_the_rest(tmp_path, sample_files):
    corpus = tmp_path / "corpus"
    bad = tmp_path / "junk.txt"
    bad.write_bytes(b"\x00\x01binary")
    result = _run(
        "add",
        str(sample_files["review.html"]),
        str(bad),
        str(sample_files["cited.xml"]),
        "--no-index",
        "--corpus-dir",
        str(corpus),
    )
    assert result.exit_code == 4
    assert "added: review.html" in result.output and "added: cited.xml" in result.output
    refused = [line for line in result.output.splitlines() if line.startswith("refused:")]
    assert len(refused) == 1 and "junk.txt" in refused[0]
    assert sorted(p.name for p in corpus.iterdir()) == ["cited.xml", "review.html"]
    again = _run("add", str(sample_files["review.html"]), "--no-index", "--corpus-dir", str(corpus))
    assert again.exit_code == 0 and "already in the corpus: review.html" in again.output


def test_add_refuses_a_document_id_already_present(tmp_path, sample_files):
    corpus = tmp_path / "corpus"
    _run("add", str(sample_files["cited.xml"]), "--no-index", "--corpus-dir", str(corpus))
    result = _run("add", str(sample_files["cited.bib"]), "--no-index", "--corpus-dir", str(corpus))
    assert result.exit_code == 4 and "pmid-90000002" in result.output and "cited.xml" in result.output


def test_list_and_remove_files_and_entries(tmp_path, sample_files):
    corpus = tmp_path / "corpus"
    _run(
        "add", str(sample_files["review.md"]), str(sample_files["cited.xml"]), "--no-index", "--corpus-dir", str(corpus)
    )
    (corpus / "digest.yaml").write_text(
        "# header comment kept\nstudies:\n  - id: s1\n    pmid: '90000001'\n    finding: First.\n"
        "  - id: s2\n    finding: Second.\n",
        encoding="utf-8",
    )
    listed = json.loads(_run("list", "--json", "--corpus-dir", str(corpus)).output)
    rows = {row["id"]: row for row in listed["documents"]}
    assert rows["pmid-90000004"] == {
        "id": "pmid-90000004",
        "kind": "abstract",
        "title": "Placental stromal cells and regulatory T cells",
        "file": "cited.xml",
        "sections": 2,  # its abstract and its "Article information" (assistant/ingest/details.py)
        "references": 0,
        "status": "",
        "headings": [],
    }
    assert rows["s1"]["kind"] == "study_digest"
    assert _run("remove", "pmid-90000004", "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    assert _run("remove", "s2", "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    assert (
        _run("remove", "review-10-9999-test-review-2025-001", "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    )
    ids = {d.source.id for d in load_corpus(corpus).documents}
    assert ids == {"pmid-90000001", "pmid-90000002", "pmid-90000003", "s1"}
    assert (corpus / "digest.yaml").read_text(encoding="utf-8").startswith("# header comment kept")
    missing = _run("remove", "nope", "--no-index", "--corpus-dir", str(corpus))
    assert isinstance(missing.exception, CorpusError) and "nope" in str(missing.exception)


def test_link_abstracts_by_pmid_and_doi(review_corpus):
    (review_corpus / "digest.yaml").write_text(
        "studies:\n  - id: s1\n    doi: 10.9999/CITED.two\n    finding: Digest summary.\n"
        "  - id: s9\n    pmid: '90000009'\n    finding: Unmatched.\n",
        encoding="utf-8",
    )
    (review_corpus / "cited.xml").write_text(samples.pubmed_xml(["90000001", "90000002", "90000004"]), encoding="utf-8")
    links = link_abstracts(load_corpus(review_corpus).documents)
    review = "review-10-9999-test-review-2025-001"
    assert links[f"{review}#1"] == "pmid-90000001"
    assert links[f"{review}#4"] == "pmid-90000004"  # by DOI: the reference has no PMID
    assert f"{review}#3" not in links  # no abstract, no digest entry
    assert links["s1"] == "pmid-90000002"  # digest entry linked by DOI, case-insensitively
    assert "s9" not in links
