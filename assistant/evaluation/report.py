"""Evaluation reports: report.json, report.md and PNG plots per run; regression diffs; the gate.

A run writes `<reports_dir>/<timestamp>/`. The gate reads versioned thresholds (eval/thresholds.yaml):
`min:` metrics must reach their value, `max:` metrics (latencies) must not exceed theirs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import EvaluationError
from assistant.evaluation.metrics import METRIC_KEYS
from assistant.paths import bundled

DEFAULT_THRESHOLDS = bundled("eval/thresholds.yaml")  # the checkout's eval/, or the copy inside the wheel
#: A change smaller than this is noise, not a regression.
TOLERANCE = 0.005


def write_report(summary: dict[str, Any], results: list, reports_dir: Path, settings_dict: dict[str, Any]) -> Path:
    """Writes report.json, report.md and plots into a new timestamped folder; returns the folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(reports_dir) / stamp
    folder.mkdir(parents=True, exist_ok=False)
    full = {
        **summary,
        "created": stamp,
        "settings": settings_dict,
        "results": [r.to_dict() for r in results],
    }
    (folder / "report.json").write_text(json.dumps(full, indent=1, ensure_ascii=False), encoding="utf-8")
    (folder / "report.md").write_text(markdown(summary, results), encoding="utf-8")
    plot(summary, results, folder)
    return folder


def _fmt(value: float | None, key: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if key.startswith("latency") else f"{value:.3f}"


def markdown(summary: dict[str, Any], results: list) -> str:
    """Summary table first (overall and per category), then every failure with what was expected."""
    keys = list(METRIC_KEYS)
    lines = [
        f"# Evaluation report ({summary['items']} items)",
        "",
        "| group | " + " | ".join(keys) + " |",
        "| --- |" + " --- |" * len(keys),
    ]
    rows = [("overall", summary["metrics"]), *summary["by_category"].items()]
    for name, values in rows:
        lines.append(f"| {name} | " + " | ".join(_fmt(values.get(k), k) for k in keys) + " |")
    failures = [r for r in results if r.failed]
    lines += ["", f"## Failures ({len(failures)})", ""]
    for r in failures:
        lines += [
            f"### {r.item.id} ({r.item.category})",
            "",
            f"- **question:** {r.item.question}",
            f"- **problems:** {'; '.join(r.problems)}",
            f"- **expected:** {r.item.expect}"
            + (f"; key points {list(r.item.key_points)}" if r.item.key_points else ""),
        ]
        if r.item.gold:
            lines.append("- **gold:** " + "; ".join(f"{g.source}/{g.section}: “{g.span}”" for g in r.item.gold))
        retrieved = ", ".join(f"{p['source_id']}/{p['section']}" for p in r.answer.get("retrieved", [])[:5])
        lines += [f"- **retrieved (top 5):** {retrieved}", f"- **answer:** {r.answer.get('answer', '')}", ""]
    return "\n".join(lines) + "\n"


def plot(summary: dict[str, Any], results: list, folder: Path) -> None:
    """metrics_by_category.png and latency.png (matplotlib, Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k in METRIC_KEYS if not k.startswith("latency")]
    categories = list(summary["by_category"])
    fig, ax = plt.subplots(figsize=(max(8, len(categories) * 1.3), 5))
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        values = [summary["by_category"][c].get(key) for c in categories]
        xs = [j + i * width for j, v in enumerate(values) if v is not None]
        ax.bar(xs, [v for v in values if v is not None], width, label=key)
    ax.set_xticks([j + 0.4 for j in range(len(categories))], categories, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Metrics by category")
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    fig.tight_layout()
    fig.savefig(folder / "metrics_by_category.png", dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([r.latency_ms for r in results], bins=20)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=100)
    plt.close(fig)


# -- the terminal table ---------------------------------------------------------------------------------
#: Column headings for the terminal: short words, so that a heading wraps instead of widening its column.
TERMINAL_LABELS = {
    "hit@5": "hit@5",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "key_point_coverage": "key points",
    "citation_precision": "citation precision",
    "citation_recall": "citation recall",
    "numeric_fidelity": "numeric fidelity",
    "refusal_precision": "refusal precision",
    "refusal_recall": "refusal recall",
    "adversarial_adherence": "adversarial adherence",
    "latency_ms_p50": "p50 ms",
    "latency_ms_p95": "p95 ms",
}
#: Room one metric column takes in the terminal (a wrapped heading's longest word, padding, border).
_METRIC_COLUMN_CELLS = 14


def terminal_tables(summary: dict[str, Any], width: int) -> list[Any]:
    """The summary as rich tables that fit `width` columns: as many metrics per table as fit.

    All twelve metrics in one table made lines of ~240 characters, cut or wrapped by an 80- or
    100-column terminal; now a narrow terminal gets two or three tables of the same rows.
    """
    from rich.table import Table

    rows = [("overall", summary["metrics"]), *summary["by_category"].items()]
    group_cells = max(len(str(name)) for name, _ in rows) + 4
    per_table = max(1, (width - group_cells) // _METRIC_COLUMN_CELLS)
    keys = list(METRIC_KEYS)
    chunks = [keys[i : i + per_table] for i in range(0, len(keys), per_table)]
    tables = []
    for number, chunk in enumerate(chunks, 1):
        part = f", {number}/{len(chunks)}" if len(chunks) > 1 else ""
        table = Table(title=f"Curated evaluation ({summary['items']} items{part})", title_justify="left")
        table.add_column("group", no_wrap=True)
        for key in chunk:
            table.add_column(TERMINAL_LABELS.get(key, key.replace("_", " ")), justify="right", overflow="fold")
        for name, values in rows:
            style = "bold" if name == "overall" else None
            table.add_row(str(name), *(_fmt(values.get(k), k) for k in chunk), style=style)
        tables.append(table)
    return tables


def print_terminal_summary(summary: dict[str, Any]) -> None:
    """Prints the summary tables on stderr at the terminal's width (COLUMNS, else 80 when not a terminal)."""
    from rich.console import Console

    console = Console(stderr=True)
    for table in terminal_tables(summary, console.width):
        console.print(table)


# -- comparison ---------------------------------------------------------------------------------------
def load_summary(path: Path) -> dict[str, Any]:
    """A previous summary from a report folder (its report.json) or a JSON file."""
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(
            f"No previous report at {path}.", hint="Pass a report folder or its report.json."
        ) from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(
            f"{path} is not JSON ({exc.msg}).", hint="Pass a report.json written by `rsa-assistant eval`."
        ) from None
    if not isinstance(data, dict) or "metrics" not in data:
        raise EvaluationError(f"{path} has no 'metrics'.", hint="Pass a report.json written by `rsa-assistant eval`.")
    return data


def compare(previous: dict[str, Any], current: dict[str, Any]) -> list[dict[str, Any]]:
    """Per overall metric: before, after, change, and whether it got better, worse or stayed."""
    rows = []
    for key in METRIC_KEYS:
        before, after = previous["metrics"].get(key), current["metrics"].get(key)
        if before is None or after is None:
            verdict, delta = "n/a", None
        else:
            delta = after - before
            lower_is_better = key.startswith("latency")
            tolerance = TOLERANCE * (max(abs(before), 1.0) if not lower_is_better else max(before, 1.0) * 2)
            if abs(delta) <= tolerance:
                verdict = "same"
            else:
                verdict = "better" if (delta < 0) == lower_is_better else "worse"
        rows.append({"metric": key, "before": before, "after": after, "delta": delta, "verdict": verdict})
    return rows


# -- the gate -----------------------------------------------------------------------------------------
def load_thresholds(path: Path | None = None) -> dict[str, dict[str, float]]:
    path = Path(path or DEFAULT_THRESHOLDS)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise EvaluationError(f"Threshold file {path} does not exist.", hint="Create eval/thresholds.yaml.") from None
    bounds = {"min": data.get("min") or {}, "max": data.get("max") or {}}
    from assistant.evaluation.lies import LIE_METRIC_KEYS

    unknown = [k for part in bounds.values() for k in part if k not in METRIC_KEYS and k not in LIE_METRIC_KEYS]
    if unknown:
        raise EvaluationError(f"{path}: unknown metrics {unknown}.", hint=f"Use: {', '.join(METRIC_KEYS)}.")
    return bounds


def gate_failures(summary: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Human-readable failures: each metric below its minimum or above its maximum."""
    failures = []
    metrics = summary["metrics"]
    for key, minimum in thresholds["min"].items():
        value = metrics.get(key)
        if value is None or value < minimum:
            failures.append(f"{key} = {_fmt(value, key)} < {minimum}")
    for key, maximum in thresholds["max"].items():
        value = metrics.get(key)
        if value is None or value > maximum:
            failures.append(f"{key} = {_fmt(value, key)} > {maximum}")
    return failures


def enforce_gate(summary: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> None:
    failures = gate_failures(summary, thresholds)
    if failures:
        raise EvaluationError(
            f"Evaluation gate failed on {len(failures)} metric(s): " + "; ".join(failures) + ".",
            hint="See the report's failures section, fix the regression, or (deliberately) change eval/thresholds.yaml.",
        )
