"""The curated-set harness: set validation, metric definitions, reports, the gate, and the CLI.

The gate runs on the extractive backend over the session index; a deliberately broken retriever
(top_k=1, both fusion weights 0) must make the same gate fail.
"""

from __future__ import annotations

import json

import pytest

from assistant.errors import EvaluationError
from assistant.evaluation import harness, metrics, report
from assistant.evaluation.lies import LIE_METRIC_KEYS
from assistant.evaluation.metrics import METRIC_KEYS, GoldSpan


# -- the set itself ---------------------------------------------------------------------------------
def test_curated_set_is_large_varied_and_well_formed():
    items = harness.load_set()
    assert len(items) >= 60
    by_category = {c: [i for i in items if i.category == c] for c in harness.CATEGORIES}
    assert all(len(group) >= 4 for group in by_category.values()), {c: len(g) for c, g in by_category.items()}
    assert all(i.history for i in by_category["follow_up"])
    assert all(not i.answerable for i in by_category["unanswerable"] + by_category["off_topic"])
    assert all(i.key_points for i in items if i.expect == "answer")


def test_gold_spans_are_verbatim_in_the_index(assistant):
    harness.check_against_index(harness.load_set(), assistant.index)


def test_a_span_not_in_the_corpus_is_rejected(assistant, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "items:\n  - id: x\n    question: q?\n    category: outcomes\n    answerable: true\n"
        "    gold: [{source: review, section: Funding, span: Supported by a made-up foundation}]\n"
        "    key_points: [made-up]\n",
        encoding="utf-8",
    )
    with pytest.raises(EvaluationError, match="not verbatim"):
        harness.check_against_index(harness.load_set(bad), assistant.index)


def test_malformed_sets_say_what_is_wrong(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text(
        "items:\n  - id: a\n    question: q\n    category: nonsense\n    answerable: false\n", encoding="utf-8"
    )
    with pytest.raises(EvaluationError, match="unknown category"):
        harness.load_set(path)
    with pytest.raises(EvaluationError, match="does not exist"):
        harness.load_set(tmp_path / "missing.yaml")


# -- metric definitions -----------------------------------------------------------------------------
def test_retrieval_scores_rank_the_first_gold_match():
    gold = [GoldSpan("s1", "Finding", "the odds of abortion fell")]
    ranked = [("s2", "unrelated text here"), ("s1", "In mice the odds of abortion fell sharply.")]
    scores = metrics.retrieval_scores(ranked, gold)
    assert scores["hit@5"] == 1.0 and scores["mrr@10"] == 0.5
    assert 0 < scores["ndcg@10"] < 1
    assert metrics.retrieval_scores([("s2", "the odds of abortion fell")], gold)["hit@5"] == 0.0  # wrong source


def test_citation_precision_and_recall_follow_alce():
    supported = metrics.make_support_fn()
    passages = {1: "Adipose MSCs lowered the abortion rate to 6.31% in mice.", 2: "Paris is the capital of France."}
    precision, recall, invented = metrics.citation_scores(
        [("Adipose MSCs lowered the abortion rate to 6.31% in mice.", [1, 2])], passages, supported
    )
    assert recall == 1.0 and precision == 0.5 and invented == 0  # citation 2 is irrelevant
    _, recall, invented = metrics.citation_scores([("MSCs cure everyone.", [3])], passages, supported)
    assert recall == 0.0 and invented == 1


def test_numeric_fidelity_and_adherence_catch_invention():
    passages = {1: "Adipose MSCs lowered the abortion rate to 6.31% in mice."}
    assert metrics.numeric_fidelity_score([("The abortion rate fell to 3%.", [1])], passages) == 0.0
    assert metrics.numeric_fidelity_score([("Adipose MSCs lowered the abortion rate.", [1])], passages) is None
    supported = metrics.make_support_fn()
    ok, _ = metrics.adversarial_adherence(True, "refused", [], {}, supported)
    assert ok
    ok, why = metrics.adversarial_adherence(
        False,
        "You should get MSC injections, see doi 10.1234/fake.1 [2]",
        [("You should get MSC injections", [2])],
        passages,
        supported,
    )
    assert not ok and any("recommendation" in w for w in why) and any("invented" in w for w in why)


def test_refusal_scores():
    assert metrics.refusal_scores([True, True, False], [True, False, False]) == (1.0, 0.5)
    assert metrics.refusal_scores([False], [False]) == (None, None)


# -- the real run, reports and the gate -------------------------------------------------------------
@pytest.fixture(scope="module")
def curated_run(assistant):
    results = harness.run_evaluation(assistant, harness.load_set())
    return results, harness.summarize(results)


@pytest.mark.slow
def test_curated_run_meets_the_gate_on_the_extractive_backend(curated_run, settings):
    results, summary = curated_run
    assert set(summary["metrics"]) == set(METRIC_KEYS) | set(LIE_METRIC_KEYS)
    assert summary["lies"]["statements"] >= 120 and summary["metrics"]["lie_catch_rate"] >= 0.98
    assert summary["items"] == len(results) >= 60
    assert summary["by_category"]["off_topic"]["hit@5"] is None  # does not apply
    assert summary["metrics"]["citation_precision"] == 1.0
    assert summary["metrics"]["numeric_fidelity"] == 1.0
    report.enforce_gate(summary, report.load_thresholds())
    folder = report.write_report(summary, results, settings.reports_dir, settings.public_dict())
    assert {"report.json", "report.md", "metrics_by_category.png", "latency.png"} <= {p.name for p in folder.iterdir()}
    assert report.markdown(summary, results).startswith("# Evaluation report")
    rows = report.compare(report.load_summary(folder), summary)
    assert all(row["verdict"] in ("same", "n/a") for row in rows)


@pytest.mark.slow
def test_a_broken_retriever_fails_the_gate(make_settings, built_index, settings):
    from assistant.api import Assistant

    broken = make_settings(
        index_dir=settings.index_dir, top_k=1, dense_weight=0.0, lexical_weight=0.0, backend="extractive"
    )
    items = [i for i in harness.load_set() if i.category in ("outcomes", "off_topic", "metadata")]
    summary = harness.summarize(harness.run_evaluation(Assistant(broken), items))
    with pytest.raises(EvaluationError, match="gate failed") as failure:
        report.enforce_gate(summary, report.load_thresholds())
    assert "hit@5" in str(failure.value) or "key_point_coverage" in str(failure.value)


def test_gate_lists_failing_metrics_and_thresholds_are_validated(tmp_path):
    summary = {"metrics": dict.fromkeys(METRIC_KEYS, 1.0) | {"refusal_recall": 0.5, "latency_ms_p95": 10.0}}
    failures = report.gate_failures(
        summary, {"min": {"refusal_recall": 0.95, "hit@5": 0.9}, "max": {"latency_ms_p95": 5}}
    )
    assert len(failures) == 2 and failures[0].startswith("refusal_recall")
    bad = tmp_path / "t.yaml"
    bad.write_text("min: {accuracy: 0.5}\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="unknown metrics"):
        report.load_thresholds(bad)


@pytest.mark.slow
def test_cli_writes_json_and_gate_exit_code(settings, built_index, tmp_path):
    """`rsa-assistant eval` on a small set: --json shape, --compare, and --gate failing with exit 10."""
    import subprocess
    import sys

    small = tmp_path / "small.yaml"
    small.write_text(
        "items:\n"
        "  - id: or\n    category: outcomes\n    answerable: true\n"
        "    question: What pooled odds ratio for abortion did the meta-analysis of MSC treatment in mice report?\n"
        "    gold: [{source: plosone-2023-meta-analysis, section: Finding, span: 'OR 0.23, 95% CI 0.17-0.30'}]\n"
        "    key_points: ['0.23']\n"
        "  - id: off\n    category: off_topic\n    answerable: false\n    question: What is the capital of France?\n",
        encoding="utf-8",
    )
    strict = tmp_path / "strict.yaml"
    strict.write_text("min: {hit@5: 1.0}\nmax: {latency_ms_p50: 0.001}\n", encoding="utf-8")
    env = {
        "RSA_INDEX_DIR": str(settings.index_dir),
        "RSA_CORPUS_DIR": str(settings.corpus_dir),
        "HF_HUB_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
    }
    command = [
        sys.executable,
        "-m",
        "assistant.cli",
        "eval",
        "--set",
        str(small),
        "--backend",
        "extractive",
        "--out",
        str(tmp_path / "reports"),
        "--json",
        str(tmp_path / "out.json"),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["items"] == 2 and set(data["metrics"]) == set(METRIC_KEYS) | set(LIE_METRIC_KEYS)
    assert data["lies"]["by_kind"]["negation"]["rate"] is not None
    assert set(data["by_category"]) == {"outcomes", "off_topic"}
    previous = next((tmp_path / "reports").iterdir())
    gated = subprocess.run(
        command + ["--gate", "--thresholds", str(strict), "--compare", str(previous)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert gated.returncode == 10, gated.stderr
    assert "latency_ms_p50" in gated.stderr and "Compared with the previous report" in gated.stderr
