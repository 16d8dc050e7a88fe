"""The index follows the corpus: vectors reused by content hash, a killed build harms nothing, and a
cited review passage lists the studies it cites with their abstracts' key sentences."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.ingest import samples

REVIEW_ID = "review-10-9999-test-review-2025-001"
QUESTION = "How did umbilical cord stromal cells affect decidual natural killer cells?"


@pytest.fixture(scope="module")
def review_settings(tmp_path_factory):
    from assistant.indexing.build import build_index
    from assistant.settings import load_settings

    root = tmp_path_factory.mktemp("review-index")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "review.html").write_text(samples.review_html(), encoding="utf-8")
    (corpus / "cited.xml").write_text(samples.pubmed_xml(), encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, index_dir=root / "index", cache_dir=root / "cache")
    report = build_index(settings)
    assert report.status == "built" and report.embedded > 0
    return settings


def test_forced_rebuild_of_unchanged_corpus_embeds_nothing(review_settings):
    from assistant.indexing.build import build_index

    assert build_index(review_settings).status == "up-to-date"
    report = build_index(review_settings, rebuild=True)
    assert report.status == "built" and report.embedded == 0 and report.reused > 0


def test_review_citation_lists_cited_studies_and_abstract_sentences(review_settings):
    from assistant.api import Assistant

    answer = Assistant(review_settings).answer(QUESTION)
    review = [c for c in answer.citations if c.passage.source.id == REVIEW_ID]
    assert review, answer.to_dict()
    references = {r.number: r for r in review[0].references}
    assert {1, 2} <= set(references)
    assert references[1].pmid == "90000001" and references[1].abstract_id == "pmid-90000001"
    assert references[1].key_sentence in samples.ABSTRACTS["90000001"][1][2][1] + " ".join(
        t for _, t in samples.ABSTRACTS["90000001"][1]
    )
    assert references[1].key_sentence
    assert review[0].to_dict()["references"][0]["abstract_id"] == "pmid-90000001"


_KILLABLE_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from assistant.indexing.build import build_index
    from assistant.settings import load_settings

    marker = Path(sys.argv[3])
    def progress(stage, fraction):
        if stage == "Embedding":
            marker.write_text("embedding")
            time.sleep(120)  # held here until the test kills the process
    build_index(load_settings(corpus_dir=sys.argv[1], index_dir=sys.argv[2]), progress=progress)
""")


@pytest.mark.slow
def test_build_killed_while_embedding_leaves_old_index_and_next_build_recovers(review_settings, tmp_path):
    from assistant.api import Assistant
    from assistant.indexing.build import build_index
    from assistant.indexing.layout import IndexLayout

    layout = IndexLayout(review_settings.index_dir)
    served = layout.current_build_id()
    new_abstract = samples.pubmed_xml(["90000004"]).replace("90000004", "90000005").replace("Placental", "Amnion")
    (review_settings.corpus_dir / "more.xml").write_text(new_abstract, encoding="utf-8")
    marker = tmp_path / "embedding.marker"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLABLE_BUILD,
            str(review_settings.corpus_dir),
            str(review_settings.index_dir),
            str(marker),
        ],
        env=env,
    )
    try:
        for _ in range(600):
            if marker.exists() or process.poll() is not None:
                break
            time.sleep(0.5)
        assert marker.exists(), "the build never reached the embedding stage"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert layout.current_build_id() == served
    assert any((folder / ".incomplete").exists() for folder in layout.builds.iterdir())
    answer = Assistant(review_settings).answer(QUESTION)  # the old index still answers
    assert not answer.refused and answer.citations
    report = build_index(review_settings)
    assert report.status == "built" and layout.current_build_id() == report.build_id != served
    assert not any((folder / ".incomplete").exists() for folder in layout.builds.iterdir())
    assert report.documents == 6 and report.embedded > 0 and report.reused > 0  # only the new abstract was embedded
