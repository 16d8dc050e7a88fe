"""Entry point of the Streamlit UI (`rsa-assistant ui`, `streamlit run ui/app.py`): the page menu.

Two pages, named for people: "Chat" (ui/chat.py, the default) and "Evaluation" (ui/evaluation.py).
Each page renders only; everything they show comes from the `assistant` package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
# `streamlit run ui/app.py` puts ui/ on sys.path; the folder above it is needed for `ui.components`.
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

st.set_page_config(page_title="MSC-RSA research assistant", page_icon="🧬", layout="centered")
pages = [
    st.Page(HERE / "chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page(HERE / "evaluation.py", title="Evaluation", icon=":material/analytics:", url_path="evaluation"),
]
st.navigation(pages).run()
