"""A one-page Streamlit app for test_hostile_metadata_browser.py: the chat's own answer renderer
(`ui.components.render_answer`, source cards included) over an answer whose sources carry hostile
titles, DOIs and URLs (the ones tests/hardening/test_hostile_metadata.py uses)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from test_hostile_metadata import _answer, _hostile_sources  # noqa: E402

from ui.components import render_answer  # noqa: E402

st.title("hostile cards")
render_answer(_answer(_hostile_sources()), "turn1")
st.markdown("rendered-to-the-end")
