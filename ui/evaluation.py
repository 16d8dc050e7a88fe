"""The "Evaluation" page: the latest curated-set report and the external answer benchmarks (render only).

`rsa-assistant eval` writes `<reports_dir>/<timestamp>/report.json`; `rsa-assistant eval answers` writes
`<reports_dir>/answers-<benchmark>-<split>.json`. Only the latter are versioned (eval/reports/answers-*):
curated runs are local, and the test suite's gate run writes to a temporary folder, so a fresh clone
has none. The page therefore opens with the versioned benchmark reports when there is no curated run,
and says how to make one. It uses the full width: the metric tables have up to 13 columns.

Reports quote questions, answers and gold spans from
the corpus: untrusted text, so every such string is escaped (`escape_markdown`) and tables are
dataframes (plain-text cells), never Markdown — a corpus sentence holding `![x](http://…)` must not
make the browser fetch anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st

from assistant.errors import AssistantError
from assistant.rendering.sanitize import escape_markdown as esc
from assistant.settings import load_settings


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        st.warning(f"Could not read {esc(path)}: {esc(exc)}")
        return None
    return data if isinstance(data, dict) else None


def curated_runs(reports_dir: Path) -> list[Path]:
    """The curated-set runs' report.json files, newest first."""
    return sorted(reports_dir.glob("*/report.json"), reverse=True) if reports_dir.is_dir() else []


def no_curated_run(reports_dir: Path) -> None:
    st.header("The curated set")
    st.info(
        f"No run of the curated set in {esc(reports_dir)} on this machine yet (runs are not versioned; "
        "the test suite's gate writes to a temporary folder). `make eval` or `rsa-assistant eval` makes one "
        "(a few minutes); it then shows here, above the benchmarks."
    )


def _metric_columns() -> dict[str, Any]:
    """Short headings and three decimals, so the 12 metric columns take less width (they scroll if need be)."""
    from assistant.evaluation.report import TERMINAL_LABELS

    return {
        key: st.column_config.NumberColumn(label, format="%.0f" if key.startswith("latency") else "%.3f")
        for key, label in TERMINAL_LABELS.items()
    }


def curated_report(runs: list[Path]) -> None:
    st.header("The curated set")
    chosen = st.selectbox("Report", runs, format_func=lambda p: p.parent.name)
    report = _load(chosen)
    if report is None:
        return
    backend = (report.get("settings") or {}).get("backend", "?")
    st.caption(esc(f"{report.get('items', '?')} items · backend {backend} · {chosen.parent}"))
    rows = [{"group": "overall", **(report.get("metrics") or {})}]
    rows += [{"group": name, **values} for name, values in (report.get("by_category") or {}).items()]
    st.dataframe(rows, hide_index=True, width="stretch", column_config=_metric_columns())
    for image in ("metrics_by_category.png", "latency.png"):
        if (chosen.parent / image).exists():
            st.image(str(chosen.parent / image))

    failures = [r for r in report.get("results", []) if r.get("problems")]
    st.subheader(f"Failures ({len(failures)})")
    for result in failures:
        title = f"{result.get('id')} ({result.get('category')}): {'; '.join(map(str, result['problems']))}"
        with st.expander(esc(title)):
            st.markdown(f"**Question:** {esc(result.get('question'))}")
            st.markdown(f"**Answer:** {esc(result.get('answer'))}")
            key_points = result.get("expected_key_points") or "—"
            st.markdown(f"**Expected:** {esc(result.get('expect'))}; key points {esc(key_points)}")
            for gold in result.get("gold", []):
                st.markdown(f"- gold {esc(gold.get('source'))} / {esc(gold.get('section'))}: “{esc(gold.get('span'))}”")


def answer_benchmarks(reports_dir: Path) -> None:
    st.header("Answers on external benchmarks")
    files = sorted(reports_dir.glob("answers-*.json")) if reports_dir.is_dir() else []
    if not files:
        st.info("No answer benchmark report yet. Run `rsa-assistant eval answers` to make one.")
        return
    for path in files:
        result = _load(path)
        if not result:
            continue
        st.subheader(
            esc(
                f"{result.get('benchmark', path.stem)} ({result.get('split', '?')}, "
                f"{result.get('questions', '?')} questions)"
            )
        )
        rows = [{"answerer": "answer", **(result.get("answer") or {})}]
        rows += [
            {"answerer": name, **values}
            for name, values in (result.get("baselines") or {}).items()
            if isinstance(values, dict)
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
        facts = []
        if result.get("answer_vs_ceiling") is not None:
            facts.append(f"answer / ceiling (gold-word recall): {result['answer_vs_ceiling']}")
        refusal = result.get("refusal")
        if isinstance(refusal, dict):
            facts.append(
                f"refusal precision {refusal.get('refusal_precision')}, recall {refusal.get('refusal_recall')}"
            )
        if facts:
            st.caption(esc(" · ".join(facts)))
        if path.with_suffix(".png").exists():
            st.image(str(path.with_suffix(".png")))
        examples = result.get("examples") or []
        if examples:
            with st.expander(f"Examples ({len(examples)})"):
                st.dataframe(
                    [e if isinstance(e, dict) else {"example": str(e)} for e in examples],
                    hide_index=True,
                    width="stretch",
                )


def main() -> None:
    # wide: in the centred column (~730 px) the benchmark tables were cut off even at a 1,400 px window
    st.set_page_config(page_title="Evaluation · MSC-RSA research assistant", layout="wide")
    st.title("Evaluation")
    try:
        reports_dir = Path(load_settings().reports_dir)
    except AssistantError as exc:
        st.error(str(exc), icon="🚫")
        return
    runs = curated_runs(reports_dir)
    if runs:
        curated_report(runs)
        answer_benchmarks(reports_dir)
    else:  # a fresh clone: open with what is versioned, then say how to make a curated run
        answer_benchmarks(reports_dir)
        no_curated_run(reports_dir)


main()
