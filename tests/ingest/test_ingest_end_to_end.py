"""End to end through the real command line: add a review and its cited abstracts, then ask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ingest import samples

CLI = [sys.executable, "-m", "assistant.cli"]


@pytest.mark.slow
def test_corpus_add_then_ask_lists_the_referenced_studies(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "article.html").write_text(samples.review_html(), encoding="utf-8")
    (incoming / "cited-abstracts.xml").write_text(samples.pubmed_xml(), encoding="utf-8")
    env = {
        **os.environ,
        "RSA_CORPUS_DIR": str(tmp_path / "corpus"),
        "RSA_INDEX_DIR": str(tmp_path / "index"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    added = subprocess.run(
        [*CLI, "corpus", "add", str(incoming / "article.html"), str(incoming / "cited-abstracts.xml")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert added.returncode == 0, added.stderr
    assert "added: article.html" in added.stdout and "Index built" in added.stdout
    asked = subprocess.run(
        [*CLI, "ask", "--json", "How did umbilical cord stromal cells affect decidual natural killer cells?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    review = [c for c in answer["citations"] if c["kind"] == "review"]
    assert review, answer
    pmids = {r["pmid"] for r in review[0]["references"]}
    assert {"90000001", "90000002"} <= pmids
    assert all(r["abstract_id"] == f"pmid-{r['pmid']}" for r in review[0]["references"] if r["pmid"])
