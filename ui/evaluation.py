"""The "Evaluation" page: the latest curated-set report and the external answer benchmarks (render only).

`rsa-assistant eval` writes `<reports_dir>/<timestamp>/report.json`; `rsa-assistant eval answers` writes
`<reports_dir>/answers-<benchmark>-<split>.json`. Reports quote questions, answers and gold spans from
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


def curated_report(reports_dir: Path) -> None:
    st.header("The curated set")
    runs = sorted(reports_dir.glob("*/report.json"), reverse=True) if reports_dir.is_dir() else []
    if not runs:
        st.info(f"No evaluation report in {esc(reports_dir)} yet. Run `rsa-assistant eval` to make one.")
        return
    chosen = st.selectbox("Report", runs, format_func=lambda p: p.parent.name)
    report = _load(chosen)
    if report is None:
        return
    backend = (report.get("settings") or {}).get("backend", "?")
    st.caption(esc(f"{report.get('items', '?')} items · backend {backend} · {chosen.parent}"))
    rows = [{"group": "overall", **(report.get("metrics") or {})}]
    rows += [{"group": name, **values} for name, values in (report.get("by_category") or {}).items()]
    st.dataframe(rows, hide_index=True, width="stretch")
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
    st.title("Evaluation")
    try:
        reports_dir = Path(load_settings().reports_dir)
    except AssistantError as exc:
        st.error(str(exc), icon="🚫")
        return
    curated_report(reports_dir)
    answer_benchmarks(reports_dir)


main()
