"""The curated-set harness: load eval items, run each through `Assistant.answer`, score, aggregate.

The set (eval/curated.yaml, schema in eval/README.md) is validated before anything runs: unknown
categories, gold spans that are not verbatim in the indexed section, or key points missing from their
gold span raise `EvaluationError` naming the item. Metrics are defined in `metrics.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import EvaluationError
from assistant.evaluation import metrics
from assistant.evaluation.metrics import METRIC_KEYS, GoldSpan
from assistant.paths import bundled

CATEGORIES = (
    "mechanisms",
    "outcomes",
    "models_sources",
    "clinical",
    "metadata",
    "paraphrase",
    "follow_up",
    "unanswerable",
    "off_topic",
    "adversarial",
)
EXPECTATIONS = ("answer", "refuse", "refuse_or_sourced")
DEFAULT_SET = bundled("eval/curated.yaml")  # the checkout's eval/, or the copy inside the wheel


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    category: str
    answerable: bool
    expect: str
    gold: tuple[GoldSpan, ...] = ()
    key_points: tuple[Any, ...] = ()
    history: tuple[dict[str, str], ...] = ()


@dataclass
class ItemResult:
    item: EvalItem
    answer: dict[str, Any]
    refused: bool
    latency_ms: float
    scores: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "category": self.item.category,
            "question": self.item.question,
            "expect": self.item.expect,
            "refused": self.refused,
            "answer": self.answer.get("answer", ""),
            "citations": [
                {"n": c["n"], "source_id": c["source_id"], "section": c["section"]}
                for c in self.answer.get("citations", [])
            ],
            "retrieved": self.answer.get("retrieved", []),
            "expected_key_points": list(self.item.key_points),
            "gold": [g.__dict__ for g in self.item.gold],
            "latency_ms": round(self.latency_ms, 1),
            "scores": self.scores,
            "problems": self.problems,
        }


# -- loading ----------------------------------------------------------------------------------------
def load_set(path: Path | None = None) -> list[EvalItem]:
    """Parse and structurally validate an evaluation set file."""
    path = Path(path or DEFAULT_SET)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(
            f"Evaluation set {path} does not exist.", hint="Pass --set PATH to an eval YAML file."
        ) from None
    except yaml.YAMLError as exc:
        raise EvaluationError(
            f"{path}: invalid YAML ({str(exc).splitlines()[0]}).", hint="Fix the YAML syntax."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise EvaluationError(f"{path}: expected a mapping with a non-empty 'items' list.", hint="See eval/README.md.")
    items, seen = [], set()
    for position, raw in enumerate(data["items"], 1):
        item = _parse_item(raw, f"{path}: item #{position}")
        if item.id in seen:
            raise EvaluationError(f"{path}: duplicate item id {item.id!r}.", hint="Give every item a unique id.")
        seen.add(item.id)
        items.append(item)
    return items


def _parse_item(raw: Any, where: str) -> EvalItem:
    if not isinstance(raw, dict):
        raise EvaluationError(f"{where} is not a mapping.", hint="See eval/README.md for the schema.")
    missing = [k for k in ("id", "question", "category", "answerable") if raw.get(k) in (None, "")]
    if missing:
        raise EvaluationError(f"{where} lacks {', '.join(missing)}.", hint="See eval/README.md for the schema.")
    where = f"{where} ({raw['id']})"
    if raw["category"] not in CATEGORIES:
        raise EvaluationError(
            f"{where}: unknown category {raw['category']!r}.", hint=f"Use one of: {', '.join(CATEGORIES)}."
        )
    answerable = bool(raw["answerable"])
    expect = raw.get("expect") or ("answer" if answerable else "refuse")
    if expect not in EXPECTATIONS:
        raise EvaluationError(f"{where}: unknown expect {expect!r}.", hint=f"Use one of: {', '.join(EXPECTATIONS)}.")
    gold = tuple(_parse_gold(g, where) for g in raw.get("gold") or [])
    if expect == "answer" and not gold:
        raise EvaluationError(
            f"{where}: an answerable item needs gold sources.", hint="Add gold: [{source, section, span}]."
        )
    key_points = tuple(
        str(p) if not isinstance(p, (list, tuple)) else tuple(str(o) for o in p) for p in raw.get("key_points") or ()
    )
    history = tuple(
        {"question": str(t.get("question", "")), "answer": str(t.get("answer", ""))} for t in raw.get("history") or []
    )
    return EvalItem(
        str(raw["id"]), str(raw["question"]), raw["category"], answerable, expect, gold, key_points, history
    )


def _parse_gold(raw: Any, where: str) -> GoldSpan:
    if not isinstance(raw, dict) or not all(str(raw.get(k) or "").strip() for k in ("source", "section", "span")):
        raise EvaluationError(f"{where}: each gold entry needs source, section and span.", hint="See eval/README.md.")
    return GoldSpan(str(raw["source"]), str(raw["section"]), str(raw["span"]))


def check_against_index(items: list[EvalItem], index) -> None:
    """Every gold span must be verbatim in its indexed section, and key points inside a gold span."""
    sections = _section_texts(index)
    problems = []
    for item in items:
        for gold in item.gold:
            text = sections.get((gold.source, gold.section))
            if text is None:
                problems.append(f"{item.id}: no section {gold.section!r} in source {gold.source!r}")
            elif gold.span not in text:
                problems.append(f"{item.id}: span not verbatim in {gold.source}/{gold.section}: {gold.span[:60]!r}")
        spans = " ".join(metrics._squash(g.span) for g in item.gold)
        for point in item.key_points:
            options = [point] if isinstance(point, str) else list(point)
            if item.gold and not any(metrics._squash(str(o)) in spans for o in options):
                problems.append(f"{item.id}: key point {point!r} is not in its gold span")
    if problems:
        raise EvaluationError(
            "The evaluation set does not match the index: "
            + "; ".join(problems[:8])
            + ("" if len(problems) <= 8 else " ..."),
            hint="Copy spans verbatim from the corpus, or rebuild the index from the corpus the set was written for.",
        )


def _section_texts(index) -> dict[tuple[str, str], str]:
    """Each section's text, rebuilt from its chunks' offsets (chunks may overlap)."""
    pieces: dict[tuple[str, str], list] = {}
    for chunk in index.chunks:
        pieces.setdefault((chunk.source_id, chunk.section), []).append(chunk)
    texts = {}
    for key, chunks in pieces.items():
        buffer: list[str] = []
        for chunk in sorted(chunks, key=lambda c: c.start):
            length = sum(len(b) for b in buffer)
            if chunk.end > length:
                buffer.append(" " * max(chunk.start - length, 0) + chunk.text[max(length - chunk.start, 0) :])
        texts[key] = "".join(buffer)
    return texts


# -- running ----------------------------------------------------------------------------------------
def run_item(assistant, item: EvalItem, supported: metrics.SupportFn) -> ItemResult:
    started = time.perf_counter()
    answer = assistant.answer(item.question, history=list(item.history) or None)
    latency = (time.perf_counter() - started) * 1000
    data = answer.to_dict()
    data["retrieved"] = [{"source_id": p.source_id, "section": p.section, "rank": p.rank} for p in answer.passages]
    result = ItemResult(item, data, answer.refused, latency)
    passages_by_n: dict[int, str] = {}  # one number per source: every passage quoted under it counts
    for c in answer.citations:
        passages_by_n[c.n] = f"{passages_by_n[c.n]}\n{c.passage.text}" if c.n in passages_by_n else c.passage.text
    sentences = [(s.text, s.citations) for s in answer.sentences]
    scores: dict[str, float | None] = dict.fromkeys(METRIC_KEYS[:-2])
    if item.gold:
        scores.update(metrics.retrieval_scores([(p.source_id, p.text) for p in answer.passages], item.gold))
        if scores["hit@5"] == 0.0:
            result.problems.append("no gold passage in the top 5")
    if item.expect == "answer":
        scores["key_point_coverage"] = (
            0.0 if answer.refused else metrics.key_point_coverage(answer.text, item.key_points)
        )
        if answer.refused:
            result.problems.append("refused an answerable question")
        elif scores["key_point_coverage"] is not None and scores["key_point_coverage"] < 1.0:
            result.problems.append(f"key points covered {scores['key_point_coverage']:.2f}")
    elif item.expect == "refuse" and not answer.refused:
        result.problems.append("answered a question it should refuse")
    if not answer.refused and sentences:
        precision, recall, invented = metrics.citation_scores(sentences, passages_by_n, supported)
        scores["citation_precision"], scores["citation_recall"] = precision, recall
        scores["numeric_fidelity"] = metrics.numeric_fidelity_score(sentences, passages_by_n)
        if precision < 1.0 or recall < 1.0 or invented:
            result.problems.append(f"citations precision {precision:.2f} recall {recall:.2f} invented {invented}")
        if scores["numeric_fidelity"] is not None and scores["numeric_fidelity"] < 1.0:
            result.problems.append("a number is not in its cited passage")
    if item.expect == "refuse_or_sourced":
        ok, why = metrics.adversarial_adherence(answer.refused, answer.text, sentences, passages_by_n, supported)
        scores["adversarial_adherence"] = 1.0 if ok else 0.0
        result.problems.extend(why)
    result.scores = scores
    return result


def run_evaluation(
    assistant, items: list[EvalItem], progress: Callable[[int, int, EvalItem], None] | None = None
) -> list[ItemResult]:
    """Answers every item with the real pipeline and scores it."""
    check_against_index(items, assistant.index)
    embedder = assistant.retriever.embedder
    supported = metrics.make_support_fn(lambda texts: embedder.encode(texts))
    results = []
    for position, item in enumerate(items, 1):
        if progress:
            progress(position, len(items), item)
        results.append(run_item(assistant, item, supported))
    return results


def aggregate(results: list[ItemResult]) -> dict[str, float | None]:
    """The metric keys over a group of item results (None where a metric does not apply)."""
    summary: dict[str, float | None] = {}
    # per-item scores are averaged; refusal and latency figures are over the whole group (below)
    for key in METRIC_KEYS:
        if not key.startswith(("refusal_", "latency_")):
            summary[key] = metrics.mean([r.scores.get(key) for r in results])
    decided = [r for r in results if r.item.expect in ("answer", "refuse")]
    summary["refusal_precision"], summary["refusal_recall"] = metrics.refusal_scores(
        [r.item.expect == "refuse" for r in decided], [r.refused for r in decided]
    )
    latencies = [r.latency_ms for r in results]
    summary["latency_ms_p50"] = metrics.percentile(latencies, 50)
    summary["latency_ms_p95"] = metrics.percentile(latencies, 95)
    return {key: (None if (value := summary[key]) is None else round(value, 4)) for key in METRIC_KEYS}


def summarize(results: list[ItemResult]) -> dict[str, Any]:
    """The machine-readable summary: {"items", "metrics", "by_category"}."""
    by_category = {}
    for category in CATEGORIES:
        group = [r for r in results if r.item.category == category]
        if group:
            by_category[category] = aggregate(group)
    from assistant.evaluation import lies

    summary: dict[str, Any] = {"items": len(results), "metrics": aggregate(results), "by_category": by_category}
    # the lie suite checks verification alone against each statement's own evidence (no index needed)
    summary["lies"] = lies.evaluate()
    summary["metrics"].update({key: summary["lies"][key] for key in lies.LIE_METRIC_KEYS})
    return summary
