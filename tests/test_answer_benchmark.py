"""The external answer benchmark runner (`eval answers`), on tiny COVID-QA- and PubMedQA-format data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.evaluation import answers as bench

ARTICLES = {
    "article-000": (
        "Influenza in 1918",
        [
            "The 1918 influenza pandemic caused about 50 million deaths worldwide.",
            "An estimated one third of the world's population was infected during the pandemic.",
            "Case-fatality rates were above 2.5%, compared with less than 0.1% in other pandemics.",
        ],
    ),
    "article-001": (
        "Coronavirus entry",
        [
            "SARS-CoV-2 enters human cells by binding the ACE2 receptor on the cell surface.",
            "The spike protein is cleaved by the protease TMPRSS2 before membrane fusion.",
        ],
    ),
    "article-002": (
        "Hand hygiene",
        [
            "Washing hands with soap for twenty seconds removes most respiratory viruses from the skin.",
            "Alcohol-based rubs with at least 60% alcohol inactivate enveloped viruses.",
        ],
    ),
}
QUESTIONS = [
    (
        "c1",
        "How many deaths did the 1918 influenza pandemic cause?",
        "about 50 million deaths worldwide",
        "article-000",
    ),
    ("c2", "Which receptor does SARS-CoV-2 bind to enter cells?", "the ACE2 receptor", "article-001"),
    ("c3", "Which protease cleaves the spike protein?", "TMPRSS2", "article-001"),
    ("c4", "How long should hands be washed with soap?", "twenty seconds", "article-002"),
]


def _write_covidqa(folder):
    (folder / "articles").mkdir(parents=True)
    for stem, (title, paragraphs) in ARTICLES.items():
        (folder / "articles" / f"{stem}.md").write_text(
            f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
    with open(folder / "questions.jsonl", "w", encoding="utf-8") as handle:
        for qid, question, answer, article in QUESTIONS:
            handle.write(json.dumps({"id": qid, "question": question, "answer": answer, "article": article}) + "\n")
    return folder


def _write_pubmedqa(folder):
    folder.mkdir()
    abstracts = [
        (
            "2001",
            "Coffee and diabetes",
            "A cohort of 40,000 adults reported coffee intake; coffee drinkers had a lower risk of type 2 diabetes.",
        ),
        (
            "2002",
            "Helicopter intubation",
            "In-flight oral endotracheal intubation by flight nurses took longer than on a stretcher.",
        ),
        ("2003", "Statin myalgia", "Muscle pain was reported by a few statin users in the randomised trial."),
    ]
    with open(folder / "abstracts.jsonl", "w") as handle:
        for pmid, _label, text in abstracts:
            handle.write(
                json.dumps({"pmid": pmid, "year": "2015", "sections": [{"label": "RESULTS", "text": text}]}) + "\n"
            )
    with open(folder / "dev_questions.jsonl", "w") as handle:
        for qid, question, gold, long in [
            (
                "p1",
                "Does coffee consumption lower the risk of type 2 diabetes?",
                "2001",
                "Coffee drinkers had a lower risk of type 2 diabetes.",
            ),
            (
                "p2",
                "Is oral endotracheal intubation slower during helicopter flight?",
                "2002",
                "Intubation in flight took longer.",
            ),
        ]:
            handle.write(json.dumps({"id": qid, "question": question, "gold_pmid": gold, "long_answer": long}) + "\n")
    return folder


def test_gold_word_recall_and_span_containment():
    assert (
        bench.gold_word_recall("The pandemic caused 50 million deaths worldwide. [1]", "50 million deaths worldwide")
        == 1.0
    )
    assert bench.gold_word_recall("Nothing relevant here.", "50 million deaths") == 0.0
    assert 0 < bench.gold_word_recall("50 deaths", "50 million deaths") < 1
    assert bench.contains_span("It caused 50 million\ndeaths worldwide [2].", "50 million deaths worldwide")
    assert not bench.contains_span("It caused 50 deaths.", "50 million deaths worldwide")


def test_refusal_metrics_over_answerable_and_unanswerable():
    metrics = bench.refusal_metrics([False, False, True, False], [True, True, False, True])
    assert metrics["refusal_precision"] == 0.75 and metrics["refusal_recall"] == 0.75


def test_covidqa_questions_split_by_article(tmp_path):
    loaded = bench.load_answer_benchmark("covidqa", _write_covidqa(tmp_path / "cq"))
    assert len(loaded.documents) == 3 and len(loaded.questions) == 4
    assert {d.source.id for d in loaded.documents} == set(ARTICLES)
    splits = {q.gold_source: q.split for q in loaded.questions}
    assert splits["article-002"] == "held-out" and splits["article-000"] == "dev"  # every third article is held out
    assert [q.id for q in bench.select_questions(loaded.questions, "held-out")] == ["c4"]
    assert len(bench.select_questions(loaded.questions, "dev", limit=1)) == 1
    with pytest.raises(bench.BenchmarkDataError):
        bench.select_questions(loaded.questions, "test")


def test_bad_folders_raise_clear_errors(tmp_path):
    with pytest.raises(bench.BenchmarkDataError, match="does not exist"):
        bench.load_answer_benchmark("covidqa", tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(bench.BenchmarkDataError, match="COVID-QA"):
        bench.load_answer_benchmark("covidqa", tmp_path / "empty")
    with pytest.raises(bench.BenchmarkDataError, match="Unknown"):
        bench.load_answer_benchmark("squad", tmp_path / "empty")


@pytest.fixture()
def run_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_CACHE_DIR", str(tmp_path / "cache"))

    def run(*args):
        from assistant.cli import app

        result = CliRunner().invoke(app, ["eval", "answers", *args])
        assert result.exit_code == 0, result.output
        return result

    return run


@pytest.mark.slow
def test_covidqa_run_reports_answers_beside_baselines_and_writes_files(tmp_path, run_answers):
    data = _write_covidqa(tmp_path / "cq")
    out, reports = tmp_path / "report.json", tmp_path / "reports"
    run_answers(
        "--format", "covidqa", "--data", str(data), "--split", "all", "--json", str(out), "--reports", str(reports)
    )
    report = json.loads(out.read_text())
    assert report["benchmark"] == "covidqa" and report["questions"] == 4
    answer = report["answer"]
    assert set(answer) >= {
        "gold_word_recall",
        "gold_span_contained",
        "wrong_refusal_rate",
        "sentences_per_answer",
        "latency_ms_p50",
    }
    assert set(report["baselines"]) == {"top1_passage", "top5_passages"}
    assert answer["gold_word_recall"] >= 0.75  # each question plainly matches one sentence
    assert answer["wrong_refusal_rate"] <= 0.25
    assert (
        report["baselines"]["top5_passages"]["gold_word_recall"]
        >= report["baselines"]["top1_passage"]["gold_word_recall"]
    )
    names = {p.name for p in reports.iterdir()}
    assert {"answers-covidqa-all.json", "answers-covidqa-all.md"} <= names
    assert "| answer (extractive) |" in (reports / "answers-covidqa-all.md").read_text()
    builds = list((tmp_path / "cache" / "benchmarks").glob("*/index/builds/*"))
    run_answers(
        "--format", "covidqa", "--data", str(data), "--limit", "1", "--json", str(out), "--reports", str(reports)
    )
    assert list((tmp_path / "cache" / "benchmarks").glob("*/index/builds/*")) == builds  # cached, not rebuilt
    assert json.loads(out.read_text())["questions"] == 1


@pytest.mark.slow
def test_pubmedqa_run_reports_refusal_over_answerable_and_gold_removed(tmp_path, run_answers):
    out = tmp_path / "report.json"
    run_answers(
        "--format",
        "pubmedqa",
        "--data",
        str(_write_pubmedqa(tmp_path / "pq")),
        "--split",
        "all",
        "--json",
        str(out),
        "--reports",
        str(tmp_path / "reports"),
    )
    report = json.loads(out.read_text())
    refusal = report["refusal"]
    assert refusal["answerable"] == 2 and refusal["unanswerable"] == 2
    assert 0.0 <= refusal["refusal_precision"] <= 1.0 and 0.0 <= refusal["refusal_recall"] <= 1.0
    assert refusal["refusal_recall"] == 1.0  # with its abstract gone, nothing else speaks to the question
