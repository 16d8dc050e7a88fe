"""The Streamlit chat page driven headlessly with streamlit.testing (AppTest) over the test index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.export import conversation_json
from assistant.generation import prompts

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")
QUESTION = "Which MSC source lowered the abortion rate most in mice?"


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture()
def app_env(settings, built_index, monkeypatch):
    """Point the app at the session's test index (cached resources are shared by every AppTest)."""
    monkeypatch.setenv("RSA_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RSA_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("RSA_FEEDBACK_DIR", str(settings.feedback_dir))
    monkeypatch.setenv("RSA_CACHE_DIR", str(settings.cache_dir))
    return settings


def _app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def _ask(at, question: str):
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, at.exception
    return at


def _last_answer(at):
    return at.session_state["turns"][-1]["answer"]


def test_asking_renders_the_answer_with_linked_markers_and_source_cards(app_env):
    at = _ask(_app(), QUESTION)
    answer = _last_answer(at)
    assert answer is not None and not answer.refused and answer.citations
    turn_id = at.session_state["turns"][-1]["id"]
    texts = [m.value for m in at.markdown]
    assert any(f"(#src-{turn_id}-1)" in text for text in texts), "the [1] marker links to its source card"
    assert any(":orange-background[" in text for text in texts), "the cited sentence is highlighted"
    headings = [h.value for h in at.subheader]
    assert any(answer.citations[0].passage.source.title.split()[0] in h for h in headings)
    assert len(at.feedback) == 1
    assert not at.error


def test_example_question_click_asks_it(app_env):
    at = _app()
    labels = [button.label for button in at.button]
    assert set(prompts.EXAMPLE_QUESTIONS) <= set(labels)
    at.button(key="example-0").click().run()
    assert at.session_state["turns"][-1]["question"] == prompts.EXAMPLE_QUESTIONS[0]
    assert _last_answer(at) is not None
    assert "example-0" not in [button.key for button in at.button], "examples make way for the chat"


def test_new_chat_clears_history_and_follow_ups_use_it(app_env):
    at = _ask(_app(), QUESTION)
    at = _ask(at, "What about in rats?")
    follow_up = _last_answer(at)
    assert len(at.session_state["turns"]) == 2
    assert follow_up.searched_query != follow_up.question, "the follow-up borrowed the previous turn's topic"
    at.button(key="new-chat").click().run()
    assert at.session_state["turns"] == []
    assert not at.chat_message and "example-0" in [button.key for button in at.button]


def test_filter_to_preclinical_mouse_changes_the_cited_sources(app_env):
    at = _ask(_app(), QUESTION)
    unfiltered = _last_answer(at)
    at.multiselect(key="f_evidence").set_value(["preclinical-mouse"]).run()
    at = _ask(at, QUESTION)
    filtered = _last_answer(at)
    evidence = {c.passage.source.evidence for c in filtered.citations}
    assert filtered.citations and evidence == {"preclinical-mouse"}
    assert {c.passage.source.id for c in filtered.citations} != {c.passage.source.id for c in unfiltered.citations}
    assert any("preclinical-mouse" in caption.value.replace("\\", "") for caption in at.caption)


def test_export_buttons_offer_the_conversation(app_env, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    saved: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        saved[filename or ""] = path_or_data if isinstance(path_or_data, bytes) else str(path_or_data).encode()
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    at = _app()
    assert not at.get("download_button"), "no downloads before the first answer"
    at = _ask(at, QUESTION)
    labels = [button.label for button in at.get("download_button")]
    assert labels == ["Download Markdown", "Download JSON"]
    answer = _last_answer(at)
    markdown = saved["rsa-conversation.md"].decode()
    assert f"## 1. {QUESTION}" in markdown and "## References" in markdown
    assert answer.citations[0].passage.source.title in markdown
    exported = json.loads(saved["rsa-conversation.json"])
    assert exported["turns"][0]["answer"] == answer.text
    assert json.loads(conversation_json([answer]))["turns"] == exported["turns"]


def test_feedback_appends_a_jsonl_line(app_env):
    path = app_env.feedback_dir / "feedback.jsonl"
    before = path.read_text().splitlines() if path.exists() else []
    at = _ask(_app(), QUESTION)
    at.feedback[0].set_value(0).run()
    assert not at.exception
    lines = path.read_text().splitlines()
    assert len(lines) == len(before) + 1
    record = json.loads(lines[-1])
    assert record["rating"] == "down" and record["question"] == QUESTION
    assert record["answer"] == _last_answer(at).text and record["citations"] and record["timestamp"]


def test_two_sessions_do_not_share_history(app_env):
    first = _ask(_app(), QUESTION)
    second = _app()
    assert second.session_state["turns"] == []
    second = _ask(second, "How do MSCs act on decidual NK cells?")
    assert [t["question"] for t in first.session_state["turns"]] == [QUESTION]
    assert [t["question"] for t in second.session_state["turns"]] == ["How do MSCs act on decidual NK cells?"]


def test_missing_index_shows_an_error_not_a_traceback(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_INDEX_DIR", str(tmp_path / "no-index"))
    _clear_streamlit_caches()
    try:
        at = _ask(_app(), QUESTION)
        errors = [error.value for error in at.error]
        assert any("No index found" in error and "rsa-assistant index" in error for error in errors), errors
        assert not at.exception
        assert "Build index" in [button.label for button in at.button]
    finally:
        _clear_streamlit_caches()  # the next test reads the real test index again


def test_rendering_escapes_corpus_text_and_marks_unsupported_sentences():
    import sys

    sys.path.insert(0, str(Path(APP).parent.parent))  # the app does the same to import ui.components
    from assistant.types import Answer, AnswerSentence, Chunk, Citation, Passage, Source, SourceKind
    from ui.components import answer_markdown, escape_markdown, highlighted_passage

    assert escape_markdown("*x* [a](javascript:1) $y$ <b>") == r"\*x\* \[a\]\(javascript\:1\) \$y\$ \<b\>"
    source = Source(id="s", kind=SourceKind.REVIEW, title="T")
    text = "First *bold* claim. Second claim with [12] marker."
    citation = Citation(1, Passage(Chunk("c", "s", "Body", 0, len(text), text), source), "Second claim with [12] marker.")
    assert highlighted_passage(citation) == (
        r"First \*bold\* claim\. :orange-background[Second claim with \[12\] marker\.]")
    answer = Answer("q", "", sentences=[AnswerSentence("Fine.", [1]), AnswerSentence("Shaky_one.", [1], False)],
                    citations=[citation])
    rendered = answer_markdown(answer, "abc")
    assert r"Fine\. [\[1\]](#src-abc-1)" in rendered
    assert r":red[Shaky\_one\.]" in rendered and "not supported" in rendered
