"""The "Chat" page: a thin layer over the `assistant` API (render only; `ui/app.py` routes to it).

Shared, heavy things (settings, one `Assistant` per backend) live in `st.cache_resource`; everything
that belongs to one visitor (conversation, filters, backend, feedback) lives in `st.session_state`,
so several people can use one server at once without seeing each other's chats.

Order of work in one run: the question is read first (so "New chat" and the example buttons already
reflect it), the question and a "Searching the sources…" status are on screen before the pipeline
starts, and the slower sidebar parts (index status, downloads) are filled in after the answer.
"""

from __future__ import annotations

import logging
import uuid

import streamlit as st

from assistant.errors import AssistantError
from assistant.export import append_feedback, conversation_json, conversation_markdown, feedback_record
from assistant.facets import Facets, facets_of
from assistant.generation import prompts
from assistant.guide import SourceGuide, source_guide, suggested_questions
from assistant.rendering.sanitize import escape_markdown_piece
from assistant.settings import Settings, load_settings
from assistant.types import Answer, SourceKind, Turn
from ui import components as ui

log = logging.getLogger("rsa.ui")
BACKEND_LABELS = {"extractive": "Extractive (quotes the sources)", "llm": "Language model (configured endpoint)"}
UNEXPECTED = "Something went wrong while answering ({kind}). Try again; if it persists, check the server log."


# -- shared resources ------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def get_assistant(backend: str):
    from assistant.api import Assistant

    return Assistant(get_settings().model_copy(update={"backend": backend}))


def backends(settings: Settings) -> list[str]:
    """Extractive always; the language model only when one is configured."""
    return ["extractive", "llm"] if settings.llm_configured else ["extractive"]


# -- per-session state -----------------------------------------------------------------------------
def init_state(settings: Settings) -> None:
    state = st.session_state
    state.setdefault("session_id", uuid.uuid4().hex[:12])
    state.setdefault("turns", [])
    state.setdefault("pending", None)
    options = backends(settings)
    default = "llm" if "llm" in options and settings.backend in ("auto", "llm") else "extractive"
    if state.get("backend") not in options:
        state["backend"] = default
    state.setdefault("k", settings.top_k)


def answers() -> list[Answer]:
    return [turn["answer"] for turn in st.session_state["turns"] if turn.get("answer") is not None]


def new_chat() -> None:
    st.session_state["turns"] = []
    st.session_state["pending"] = None


def ask_example(question: str) -> None:
    st.session_state["pending"] = question


def clear_filters() -> None:
    for key in ("f_kinds", "f_evidence", "f_msc"):
        st.session_state[key] = []
    st.session_state.pop("f_years", None)


def record_feedback(turn_id: str) -> None:
    """st.feedback callback: append the rating of one answer to the feedback JSONL."""
    value = st.session_state.get(f"fb-{turn_id}")
    turn = next((t for t in st.session_state["turns"] if t["id"] == turn_id), None)
    if value is None or turn is None or turn.get("answer") is None:
        return
    rating = "up" if value == 1 else "down"
    record = feedback_record(turn["answer"], rating, session=st.session_state["session_id"])
    try:
        append_feedback(get_settings().feedback_dir, record)
    except AssistantError as exc:
        turn["feedback_error"] = str(exc)
    else:
        turn["feedback"] = rating
        turn.pop("feedback_error", None)
        st.toast("Thank you, your feedback was saved.", icon="✅")


# -- sidebar -----------------------------------------------------------------------------------------
def load_facets(backend: str) -> Facets | None:
    """The index's filter choices, or None (with a sidebar error) when the index cannot be opened."""
    try:
        return facets_of(get_assistant(backend).index)
    except AssistantError as exc:
        st.sidebar.error(str(exc), icon="🚫")
        return None


def sidebar_answering(settings: Settings) -> None:
    st.header("Answering")
    options = backends(settings)
    if len(options) > 1:
        st.radio("Backend", options, key="backend", format_func=BACKEND_LABELS.get)
    else:
        st.caption(f"Backend: {BACKEND_LABELS['extractive']}. Set RSA_LLM_BASE_URL to offer a language model.")
    st.slider("Passages to retrieve", 1, 20, key="k", help="How many passages the answer may draw on.")


def sidebar_filters(facets: Facets | None) -> dict:
    st.header("Filters")
    if facets is None:
        st.caption("Filters appear once the index is built.")
        return {}
    kinds = st.multiselect(
        "Source kind", list(facets.kinds), key="f_kinds", format_func=lambda kind: SourceKind(kind).label.capitalize()
    )
    evidence = st.multiselect(
        "Evidence", list(facets.evidence), key="f_evidence", format_func=lambda value: value.replace("-", " ")
    )
    msc = st.multiselect("MSC source", list(facets.msc_sources), key="f_msc")
    years = None
    if facets.year_min and facets.year_max and facets.year_min < facets.year_max:
        years = st.slider(
            "Publication year", facets.year_min, facets.year_max, (facets.year_min, facets.year_max), key="f_years"
        )
    filters = facets.filters(kinds=kinds, evidence=evidence, msc_sources=msc, years=years)
    if filters:
        st.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    return filters


def _index_status(settings: Settings) -> dict:
    from assistant.indexing.build import index_status, last_failure

    try:
        status = dict(index_status(settings))
    except AssistantError as exc:
        st.error(str(exc))
        return {"exists": False, "reason": "unreadable"}
    status["last_failure"] = last_failure(settings)  # a failed build leaves the previous one answering
    return status


def sidebar_index(settings: Settings, slot) -> None:
    """Index facts and the (re)build button; the facts are redrawn after a rebuild."""
    with slot, st.expander("Index", icon=":material/database:"):
        panel = st.empty()
        status = _index_status(settings)
        with panel.container():
            ui.render_index_status(status)
        label = "Rebuild index" if status.get("exists") else "Build index"
        if st.button(label, key="rebuild", icon=":material/refresh:") and rebuild_index(settings):
            with panel.container():  # the new build's facts replace the old ones in place
                ui.render_index_status(_index_status(settings))


def rebuild_index(settings: Settings) -> bool:
    from assistant.indexing.build import build_index

    bar = st.progress(0.0, text="Starting…")
    try:
        report = build_index(
            settings,
            rebuild=True,
            progress=lambda stage, fraction: bar.progress(min(max(fraction, 0.0), 1.0), text=stage),
        )
    except AssistantError as exc:
        st.error(str(exc))
        return False
    for backend in backends(settings):
        get_assistant(backend).reload()
    st.success(f"Indexed {report.documents} documents into {report.chunks} chunks.")
    return True


def export_buttons(slot) -> None:
    """Download buttons, filled at the end of the run so the newest answer is included."""
    done = answers()
    with slot:
        st.header("Conversation")
        if not done:
            st.caption("Ask a question to enable the downloads.")
            return
        st.download_button(
            "Download Markdown",
            conversation_markdown(done),
            file_name="rsa-conversation.md",
            mime="text/markdown",
            icon=":material/description:",
            key="dl-md",
            on_click="ignore",
        )
        st.download_button(
            "Download JSON",
            conversation_json(done),
            file_name="rsa-conversation.json",
            mime="application/json",
            icon=":material/data_object:",
            key="dl-json",
            on_click="ignore",
        )


# -- main area ---------------------------------------------------------------------------------------
@st.cache_resource(show_spinner="Reading what the index holds…")
def get_guide(build_id: str) -> tuple[SourceGuide, tuple[str, ...]]:
    """The source guide and the vetted starter questions of one build (the id keys the cache, so a
    rebuild is described afresh). Vetted with the extractive backend: quick, no model calls."""
    assistant = get_assistant("extractive")
    return source_guide(assistant), suggested_questions(assistant, prompts.SUGGESTED_QUESTION_CANDIDATES)


def load_guide() -> tuple[SourceGuide, tuple[str, ...]] | None:
    """The guide of the served build, or None when there is no index (the sidebar says why)."""
    try:
        return get_guide(get_assistant("extractive").index.build_id)
    except AssistantError:
        return None


def welcome() -> None:
    st.markdown(
        "Ask about mesenchymal stem cell (MSC) therapies for recurrent spontaneous abortion. "
        "Every sentence of an answer cites the passage it comes from; click a **\\[n\\]** to see it."
    )
    loaded = load_guide()
    if loaded is None:
        st.caption(prompts.GUIDE_NO_INDEX)
        return
    guide, suggested = loaded
    ui.render_source_guide(guide)
    if suggested:
        st.caption(prompts.GUIDE_SUGGESTED)
    for i, question in enumerate(suggested):
        st.button(question, key=f"example-{i}", on_click=ask_example, args=(question,), icon=":material/help:")


def searched_label(answer: Answer) -> str:
    passages = len(answer.passages)
    return prompts.SEARCHED.format(passages=passages, ms=answer.timings.get("total_ms", 0.0))


def render_turn(turn: dict) -> None:
    with st.chat_message("user"):
        st.markdown(ui.escape_markdown(turn["question"]))
    with st.chat_message("assistant"):
        if turn.get("error"):
            st.error(turn["error"], icon="🚫")
            return
        st.status(searched_label(turn["answer"]), state="complete", expanded=False)
        ui.render_answer(turn["answer"], turn["id"])
        feedback_widget(turn)


def feedback_widget(turn: dict) -> None:
    st.feedback("thumbs", key=f"fb-{turn['id']}", on_change=record_feedback, args=(turn["id"],))
    if turn.get("feedback_error"):
        st.error(turn["feedback_error"])


def _text_pieces(events, holder: list):
    """Escaped preview text for st.write_stream; the final Answer is kept aside in `holder`."""
    from assistant.generation.base import FinalAnswer, TextPiece

    for event in events:
        if isinstance(event, FinalAnswer):
            holder.append(event.answer)
        elif isinstance(event, TextPiece):
            yield escape_markdown_piece(event.text)


def ask(question: str, backend: str, filters: dict, k: int) -> None:
    """Stream one answer into the page and add the turn to this session's history."""
    history = [Turn.of(a) for a in answers()]
    turn = {"id": uuid.uuid4().hex[:10], "question": question, "answer": None, "error": None}
    with st.chat_message("user"):
        st.markdown(ui.escape_markdown(question))
    with st.chat_message("assistant"):
        # on screen before any work starts (st.spinner would wait half a second before showing)
        status = st.status(prompts.SEARCHING, expanded=False)
        slot = st.empty()
        holder: list[Answer] = []
        try:
            assistant = get_assistant(backend)
            events = assistant.events(question, history, filters=filters or None, k=k)
            with slot.container():
                st.write_stream(_text_pieces(events, holder))
        except AssistantError as exc:
            turn["error"] = str(exc)
        except Exception as exc:  # the user sees a message, the log gets the traceback
            log.exception("answering failed")
            turn["error"] = UNEXPECTED.format(kind=type(exc).__name__)
        if turn["error"] is None and not holder:
            turn["error"] = UNEXPECTED.format(kind="no answer was produced")
        if turn["error"]:
            status.update(label=prompts.SEARCHING.rstrip("…"), state="error")
            slot.error(turn["error"], icon="🚫")
        else:
            turn["answer"] = holder[-1]
            status.update(label=searched_label(turn["answer"]), state="complete")
            with slot.container():
                ui.render_answer(turn["answer"], turn["id"])
            feedback_widget(turn)
    st.session_state["turns"].append(turn)


def main() -> None:
    st.html(ui.PAGE_CSS)  # our own static CSS only; corpus text is never rendered as HTML
    try:
        settings = get_settings()
    except AssistantError as exc:
        st.error(str(exc), icon="🚫")
        return
    init_state(settings)
    state = st.session_state

    # read the question first: the header and the examples below already reflect it
    typed = st.chat_input("Ask about MSCs and recurrent spontaneous abortion…", key="question")
    question = typed or state["pending"]
    state["pending"] = None
    chatting = bool(state["turns"] or question)

    with st.sidebar:
        sidebar_answering(settings)
        facets = load_facets(state["backend"])
        filters = sidebar_filters(facets)
        export_slot = st.container()
        index_slot = st.container()

    head, button = st.columns([5, 1], vertical_alignment="bottom")
    head.title("MSC therapies for RSA")
    button.button("New chat", on_click=new_chat, icon=":material/add_comment:", key="new-chat", disabled=not chatting)
    st.caption(f":material/info: {ui.escape_markdown(prompts.DISCLAIMER)}")
    if filters:
        st.caption(f":material/filter_alt: Filtered to {ui.escape_markdown(ui.describe_filters(filters))}")

    if not chatting:
        welcome()
    for turn in state["turns"]:
        render_turn(turn)
    if question:
        ask(question, state["backend"], filters, state["k"])
    export_buttons(export_slot)
    sidebar_index(settings, index_slot)


try:
    main()
except Exception as exc:  # last resort: never show a traceback to the visitor
    log.exception("the chat page failed")
    st.error(UNEXPECTED.format(kind=type(exc).__name__), icon="🚫")
