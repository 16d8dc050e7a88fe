"""The external retrieval benchmark runner, on tiny synthetic PubMedQA- and BioASQ-format data sets."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.evaluation import benchmark as bench

METRICS = {"recall@1", "recall@5", "recall@10", "mrr@10", "latency_ms_p50", "latency_ms_p95"}

ABSTRACTS = [
    (
        "1001",
        "2010",
        [
            ("BACKGROUND", "Helicopter transport may impair oral endotracheal intubation by flight nurses."),
            ("RESULTS", "In-flight intubation took longer than intubation on a stretcher."),
        ],
    ),
    (
        "1002",
        "2015",
        [
            ("OBJECTIVE", "We asked whether coffee consumption lowers the risk of type 2 diabetes."),
            ("METHODS", "A cohort of 40,000 adults reported coffee intake; diabetes was recorded."),
        ],
    ),
    (
        "1003",
        "2018",
        [
            ("BACKGROUND", "Statins are widely prescribed to lower cholesterol in adults."),
            ("RESULTS", "Muscle pain was reported by a few statin users in the trial."),
        ],
    ),
    (
        "1004",
        "2020",
        [
            ("INTRODUCTION", "Sleep deprivation in resident physicians affects their attention."),
            ("METHODS", "Residents completed vigilance tests after night shifts."),
        ],
    ),
]


def _write_pubmedqa(folder):
    folder.mkdir()
    with open(folder / "abstracts.jsonl", "w") as handle:
        for pmid, year, sections in ABSTRACTS:
            row = {
                "pmid": pmid,
                "year": year,
                "meshes": [],
                "sections": [{"label": label, "text": t} for label, t in sections],
            }
            handle.write(json.dumps(row) + "\n")
    questions = [
        ("q1", "Does coffee consumption lower the risk of type 2 diabetes?", "1002"),
        ("q2", "Is oral endotracheal intubation impaired during helicopter transport?", "1001"),
        ("q3", "Does sleep deprivation affect the attention of resident physicians?", "1004"),
    ]
    with open(folder / "dev_questions.jsonl", "w") as handle:
        for qid, text, gold in questions:
            handle.write(json.dumps({"id": qid, "question": text, "gold_pmid": gold, "final_decision": "yes"}) + "\n")
    return folder


def _write_bioasq(folder):
    folder.mkdir()
    data = {
        "questions": [
            {
                "id": "b1",
                "body": "Which enzyme is inhibited by statins?",
                "type": "factoid",
                "snippets": [
                    {
                        "text": "Statins inhibit HMG-CoA reductase, the rate-limiting enzyme of cholesterol synthesis.",
                        "document": "http://www.ncbi.nlm.nih.gov/pubmed/1",
                    },
                    {"text": "HMG-CoA reductase inhibition by statins lowers LDL cholesterol.", "document": "x"},
                ],
            },
            {
                "id": "b2",
                "body": "What virus causes chickenpox?",
                "type": "factoid",
                "snippets": [{"text": "Chickenpox is caused by the varicella zoster virus.", "document": "y"}],
            },
            {
                "id": "b3",
                "body": "Is insulin produced by pancreatic beta cells?",
                "type": "yesno",
                "snippets": [{"text": "Pancreatic beta cells produce and secrete insulin.", "document": "z"}],
            },
        ]
    }
    (folder / "golden_1.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.fixture()
def run_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_CACHE_DIR", str(tmp_path / "cache"))

    def run(*args):
        from assistant.cli import app

        result = CliRunner().invoke(app, ["eval", "retrieval", *args])
        assert result.exit_code == 0, result.output
        return result

    return run


def test_loads_pubmedqa_format(tmp_path):
    loaded = bench.load_benchmark("pubmedqa", _write_pubmedqa(tmp_path / "pq"))
    assert len(loaded.documents) == 4 and len(loaded.questions) == 3
    assert loaded.documents[0].sections[0].name == "Background"
    assert loaded.questions[0].gold == frozenset({"pmid-1002"}) and loaded.questions[0].split == "dev"


def test_loads_bioasq_snippets_as_the_corpus(tmp_path):
    loaded = bench.load_benchmark("bioasq", _write_bioasq(tmp_path / "ba"))
    assert len(loaded.documents) == 4 and len(loaded.questions) == 3
    assert len(loaded.questions[0].gold) == 2 and loaded.snippet_recall


def test_bad_folders_raise_clear_errors(tmp_path):
    with pytest.raises(bench.BenchmarkDataError, match="abstracts.jsonl"):
        bench.load_benchmark("pubmedqa", tmp_path)
    with pytest.raises(bench.BenchmarkDataError, match="does not exist"):
        bench.load_benchmark("bioasq", tmp_path / "missing")
    with pytest.raises(bench.BenchmarkDataError, match="format"):
        bench.load_benchmark("trec", tmp_path)


def test_scores_judge_documents_once_at_their_best_rank():
    assert bench.distinct_sources(["a", "a", "b", "a", "c"]) == ["a", "b", "c"]
    scores = bench.RetrieverScores(ranks=[1, 3, None, 12], latencies_ms=[1.0, 2.0, 3.0, 4.0])
    summary = scores.summary(with_snippets=False)
    assert summary["recall@1"] == 0.25 and summary["recall@5"] == 0.5 and summary["recall@10"] == 0.5
    assert summary["mrr@10"] == round((1 + 1 / 3) / 4, 4)


@pytest.mark.slow
def test_pubmedqa_run_writes_the_json_report_and_reuses_its_index(tmp_path, run_cli):
    data = _write_pubmedqa(tmp_path / "pq")
    out = tmp_path / "report.json"
    result = run_cli("--format", "pubmedqa", "--data", str(data), "--json", str(out), "--split", "dev")
    assert "project" in result.output and "bm25" in result.output
    report = json.loads(out.read_text())
    assert set(report) == {"questions", "passages", "retrievers"}
    assert report["questions"] == 3 and report["passages"] >= 4
    assert set(report["retrievers"]) == {"project", "bm25", "dense"}
    for metrics in report["retrievers"].values():
        assert set(metrics) == METRICS
    assert report["retrievers"]["project"]["recall@1"] == 1.0  # each question plainly matches its abstract
    builds = list((tmp_path / "cache" / "benchmarks").glob("*/index/builds/*"))
    run_cli("--format", "pubmedqa", "--data", str(data), "--limit", "1", "--json", str(out))
    assert list((tmp_path / "cache" / "benchmarks").glob("*/index/builds/*")) == builds  # cached, not rebuilt
    assert json.loads(out.read_text())["questions"] == 1


@pytest.mark.slow
def test_bioasq_run_reports_snippet_recall(tmp_path, run_cli):
    out = tmp_path / "report.json"
    run_cli("--format", "bioasq", "--data", str(_write_bioasq(tmp_path / "ba")), "--json", str(out))
    report = json.loads(out.read_text())
    assert report["questions"] == 3 and report["passages"] == 4
    for metrics in report["retrievers"].values():
        assert set(metrics) == METRICS | {"snippet_recall@10"}
    project = report["retrievers"]["project"]
    assert project["recall@1"] == 1.0 and project["snippet_recall@10"] == 1.0
