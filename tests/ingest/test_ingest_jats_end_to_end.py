"""End to end through the real command line against a fake NCBI on 127.0.0.1 serving a real JATS article:
`corpus fetch --review <DOI>` builds the full text plus its cited abstracts in one command, and `ask`
answers from the body, naming the section, and links a cited [n] to the fetched abstract of reference n.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.fake_eutils_server import cli_env, serve
from tests.ingest import jats_samples

CLI = [sys.executable, "-m", "assistant.cli"]


def _run(env, *args):
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_fetch_review_then_ask_cites_sections_and_the_cited_abstracts(tmp_path):
    fake = jats_samples.fake_ncbi()
    with serve(fake) as url:
        env = cli_env(tmp_path, url)
        fetched = _run(env, "corpus", "fetch", "--review", jats_samples.LONG_DOI)
        assert fetched.returncode == 0, fetched.stderr
        assert "full text (JATS): fetched, fulltext/PMC3166277.nxml; 64 references" in fetched.stdout
        assert "cited abstracts: fetched 57, already cached 0" in fetched.stdout
        assert "Index built: 58 documents" in fetched.stdout  # the review plus 57 cited abstracts
        assert "references 36, 49, 53, 56 (no PMID or DOI" in fetched.stderr
        again = _run(env, "corpus", "fetch", "--review", jats_samples.LONG_PMCID, "--no-index")
        assert "already cached" in again.stdout and "fetched 0, already cached 57" in again.stdout

    listed = json.loads(_run(env, "corpus", "list", "--json").stdout)
    review = next(row for row in listed["documents"] if row["id"] == "review-10-1186-1471-2180-11-174")
    assert review["references"] == 64 and review["sections"] >= 20 and review["status"] == ""
    assert review["headings"][:4] == ["Abstract", "Background", "Results", "Discussion"]
    shown = _run(env, "corpus", "list").stdout
    assert "64 references: Abstract, Background, Results, Discussion, Conclusions" in shown

    asked = _run(
        env,
        "ask",
        "--json",
        "In which microbial organisms has population heterogeneity from molecular stochasticity been documented?",
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    cited = [c for c in answer["citations"] if c["source_id"] == review["id"] and c["references"]]
    assert cited, answer
    linked = [r for c in cited for r in c["references"] if r["abstract_id"]]
    assert linked and all(r["abstract_id"] == f"pmid-{r['pmid']}" for r in linked)
    assert all(r["key_sentence"] for r in linked)  # the fetched abstract's sentence closest to the passage
    assert {10, 14, 17, 19} & {r["number"] for r in linked}

    body_only = _run(env, "ask", "--json", "How was the copy number of the lambda genome checked?")
    answer = json.loads(body_only.stdout)
    assert not answer["refused"], answer
    sections = [c["section"] for c in answer["citations"] if c["source_id"] == review["id"]]
    assert "Methods › Bacterial strains" in sections, sections
    assert "PCR" in answer["answer"]


@pytest.mark.slow
def test_fetch_a_real_review_builds_it_with_its_cited_abstracts(tmp_path):
    """The REVIEW fixture (eLife, article-type review-article): the review plus 58 cited abstracts, linked from [n]."""
    fake = jats_samples.fake_ncbi(review=True)
    with serve(fake) as url:
        env = cli_env(tmp_path, url)
        fetched = _run(env, "corpus", "fetch", "--review", jats_samples.REVIEW_DOI)
        assert fetched.returncode == 0, fetched.stderr
        assert f"fetched, fulltext/{jats_samples.REVIEW_PMCID}.nxml; 61 references" in fetched.stdout
        assert "cited abstracts: fetched 58, already cached 0, not fetched 3" in fetched.stdout
        assert "Index built: 59 documents" in fetched.stdout  # the review plus 58 cited abstracts
        assert "not fetched: DOI 10.1086/667843 (PubMed has no PMID for it)" in fetched.stderr

    listed = json.loads(_run(env, "corpus", "list", "--json").stdout)
    review = next(row for row in listed["documents"] if row["id"] == "review-10-7554-elife-82250")
    assert review["references"] == 61 and review["status"] == ""
    asked = _run(
        env,
        "ask",
        "--json",
        "Which hippocampal subfield showed large changes in firing patterns in response to minimal changes in the environment?",
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["refused"], answer
    cited = [c for c in answer["citations"] if c["source_id"] == review["id"]]
    animal = "Introduction › Hippocampal contributions to pattern separation › Animal studies"
    assert cited and cited[0]["section"] == animal, cited
    linked = {r["number"]: r for c in cited for r in c["references"] if r["abstract_id"]}
    assert linked[24]["abstract_id"] == "pmid-17303747"  # Leutgeb et al., 2007 -> its fetched abstract
    assert all(r["abstract_id"] == f"pmid-{r['pmid']}" and r["key_sentence"] for r in linked.values())


@pytest.mark.slow
def test_full_text_of_the_bundled_review_supersedes_its_front_matter_in_the_index(make_settings):
    """With the review's full text added, the index holds one copy of the review and answers cite it."""
    import shutil

    from assistant.api import Assistant
    from assistant.indexing.build import build_index
    from assistant.indexing.index import load_index

    settings = make_settings()
    shutil.copy(jats_samples.FIXTURES / "synthetic-wjsc-fulltext.nxml", settings.corpus_dir / "review" / "full.nxml")
    report = build_index(settings)
    assert report.status == "built" and not report.problems
    index = load_index(settings)
    reviews = [s.id for s in index.sources.values() if s.doi == "10.4252/wjsc.v17.i8.108695"]
    assert reviews == ["review-10-4252-wjsc-v17-i8-108695"]  # the front-matter copy ("review") is not indexed
    assert (settings.corpus_dir / "review" / "wjsc-2025-17-8-108695.txt").is_file()
    answer = Assistant(settings).answer("Which made-up factor do decidual natural killer cells respond to?")
    assert not answer.refused, answer.text
    cited = [c for c in answer.citations if c.passage.source.id == reviews[0]]
    assert cited and cited[0].passage.section == "Mechanisms › NK cells"
    assert all(c.passage.source.id != "review" for c in answer.citations)
