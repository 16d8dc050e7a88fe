"""Streamlit page: the latest curated-evaluation report (render only; `rsa-assistant eval` writes it)."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from assistant import load_settings

st.set_page_config(page_title="Evaluation", page_icon="📊", layout="wide")
st.title("Evaluation: the curated set")

reports_dir = Path(load_settings().reports_dir)
runs = sorted((p for p in reports_dir.glob("*/report.json")), reverse=True) if reports_dir.exists() else []
if not runs:
    st.info(f"No evaluation report in {reports_dir} yet. Run `rsa-assistant eval` to make one.")
    st.stop()

chosen = st.selectbox("Report", runs, format_func=lambda p: p.parent.name)
report = json.loads(chosen.read_text(encoding="utf-8"))
st.caption(f"{report['items']} items · backend {report.get('settings', {}).get('backend', '?')} · {chosen.parent}")

rows = [{"group": "overall", **report["metrics"]}] + [{"group": name, **values} for name, values in report["by_category"].items()]
st.dataframe(rows, hide_index=True, width="stretch")
for image in ("metrics_by_category.png", "latency.png"):
    if (chosen.parent / image).exists():
        st.image(str(chosen.parent / image))

failures = [r for r in report.get("results", []) if r.get("problems")]
st.subheader(f"Failures ({len(failures)})")
for result in failures:
    with st.expander(f"{result['id']} ({result['category']}): {'; '.join(result['problems'])}"):
        st.markdown(f"**Question:** {result['question']}")
        st.markdown(f"**Answer:** {result['answer']}")
        st.markdown(f"**Expected:** {result['expect']}; key points {result.get('expected_key_points') or '—'}")
        for gold in result.get("gold", []):
            st.markdown(f"- gold `{gold['source']}` / {gold['section']}: “{gold['span']}”")
