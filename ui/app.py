"""Streamlit chat page: a thin layer over `assistant` (render only; no pipeline logic here)."""

from __future__ import annotations

import streamlit as st

from assistant import Assistant, AssistantError, load_settings
from assistant.generation import prompts
from assistant.types import Answer

st.set_page_config(page_title="MSC-RSA assistant", page_icon="🧬", layout="wide")


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def get_assistant() -> Assistant:
    assistant = Assistant(load_settings())
    assistant.chain  # load now, shared by every session
    return assistant


def render_sources(answer: Answer) -> None:
    for citation in answer.citations:
        source = citation.passage.source
        with st.expander(f"[{citation.n}] {source.title} — {citation.passage.section}"):
            st.caption(" · ".join(str(x) for x in (source.kind.label, source.evidence, source.year) if x))
            st.markdown(" ".join(f"[{name}]({url})" for name, url in source.links.items()))
            st.text(citation.passage.text)


st.title("MSC therapies for recurrent spontaneous abortion")
st.caption(prompts.DISCLAIMER)
if "messages" not in st.session_state:
    st.session_state.messages = []
for message in st.session_state.messages:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])
        if message.get("answer"):
            render_sources(message["answer"])

question = st.chat_input("Ask about MSCs and recurrent spontaneous abortion")
if question:
    st.session_state.messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        try:
            answer = get_assistant().answer(question)
        except AssistantError as exc:
            st.error(str(exc))
        else:
            st.markdown(answer.text)
            render_sources(answer)
            st.session_state.messages.append({"role": "assistant", "content": answer.text, "answer": answer})
