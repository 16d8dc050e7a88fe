"""The Streamlit chat page driven headlessly with streamlit.testing (AppTest) over the test index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.export import conversation_json
from assistant.generation import prompts
from assistant.types import SourceKind

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


def test_a_definition_shows_the_glossary_as_its_source_card(app_env):
    at = _ask(_app(), "LIT and IVIG - what are they?")
    answer = _last_answer(at)
    assert answer is not None and not answer.refused, answer
    headings = [h.value for h in at.subheader]
    assert any("Glossary of abbreviations" in h for h in headings), headings
    texts = " ".join(m.value for m in at.markdown)
    assert "lymphocyte immunotherapy" in texts
    assert not at.error


def _suggested(at) -> list[str]:
    return [button.label for button in at.button if str(button.key).startswith("example-")]


def test_example_question_click_asks_it(app_env, assistant):
    from assistant.guide import suggested_questions

    at = _app()
    # the starter questions are the candidates the index answers well, in their order (issue 21 item 5)
    vetted = suggested_questions(assistant, prompts.SUGGESTED_QUESTION_CANDIDATES)
    assert _suggested(at) == list(vetted) and len(vetted) == 4
    at.button(key="example-0").click().run()
    assert at.session_state["turns"][-1]["question"] == vetted[0]
    answer = _last_answer(at)
    assert answer is not None and not answer.refused and answer.citations
    assert "example-0" not in [button.key for button in at.button], "examples make way for the chat"


def test_welcome_screen_says_what_is_indexed_and_how_to_add_the_review(app_env, assistant):
    """Issue 21 item 5: the guide counts the index's documents by kind, says the review's body is not
    indexed, and shows the one command that adds it; asking a question replaces it with the chat."""
    from assistant.guide import source_guide

    guide = source_guide(assistant)
    at = _app()
    texts = [m.value.replace("\\", "") for m in at.markdown]
    digest = guide.count(SourceKind.STUDY_DIGEST)
    assert any(
        f"Indexed: 1 review (its front matter, Abstract and Core Tip) and {digest} study summaries" in t for t in texts
    )
    assert any("Not indexed: the body of the review" in t for t in texts), texts
    assert [c.value for c in at.code] == ["rsa-assistant corpus fetch --review 10.4252/wjsc.v17.i8.108695"]
    assert any(prompts.GUIDE_SUGGESTED in c.value for c in at.caption)
    at = _ask(at, QUESTION)
    assert not at.code and not any("Not indexed:" in m.value for m in at.markdown), "the guide makes way for the chat"


def test_welcome_screen_without_an_index_says_how_to_build_one(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_INDEX_DIR", str(tmp_path / "no-index"))
    _clear_streamlit_caches()
    try:
        at = _app()
        assert any(prompts.GUIDE_NO_INDEX in c.value for c in at.caption)
        assert not _suggested(at) and not at.code
    finally:
        _clear_streamlit_caches()


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
    # a question that names no species: unfiltered, it cites human in-vitro and background work too
    # (a question "in mice" is already answered from mouse studies alone, so a filter changes nothing)
    question = "How do MSCs affect regulatory T cells?"
    at = _ask(_app(), question)
    unfiltered = _last_answer(at)
    assert {c.passage.source.evidence for c in unfiltered.citations} - {"preclinical-mouse"}, "precondition"
    at.multiselect(key="f_evidence").set_value(["preclinical-mouse"]).run()
    at = _ask(at, question)
    filtered = _last_answer(at)
    evidence = {c.passage.source.evidence for c in filtered.citations}
    assert filtered.citations and evidence == {"preclinical-mouse"}
    assert {c.passage.source.id for c in filtered.citations} != {c.passage.source.id for c in unfiltered.citations}
    # the filter caption is written for people: no Python list syntax (issue #14 item 19)
    filtered_captions = [c.value.replace("\\", "") for c in at.caption if "Filtered to" in c.value]
    assert filtered_captions == [":material/filter_alt: Filtered to evidence: preclinical mouse"], filtered_captions


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
    citation = Citation(
        1, Passage(Chunk("c", "s", "Body", 0, len(text), text), source), "Second claim with [12] marker."
    )
    assert highlighted_passage(citation) == (
        r"First \*bold\* claim\. :orange-background[Second claim with \[12\] marker\.]"
    )
    answer = Answer(
        "q",
        "",
        sentences=[AnswerSentence("Fine.", [1]), AnswerSentence("Shaky_one.", [1], False)],
        citations=[citation],
    )
    rendered = answer_markdown(answer, "abc")
    assert r"Fine\. [\[1\]](#src-abc-1)" in rendered
    assert "Shaky" not in rendered, "rejected sentences are listed apart, under their own label"


def test_new_chat_is_enabled_and_examples_leave_with_the_first_typed_answer(app_env):
    """Issue #14 item 20: the run that shows the first answer already offers "New chat" and no examples."""
    at = _app()
    assert at.button(key="new-chat").disabled and "example-0" in [b.key for b in at.button]
    at = _ask(at, QUESTION)
    assert _last_answer(at) is not None
    assert not at.button(key="new-chat").disabled, "New chat is offered as soon as there is a chat"
    assert not [b.key for b in at.button if str(b.key).startswith("example-")], "examples make way for the answer"


def test_one_card_per_source_with_byline_and_identifier_links(app_env):
    """Issue #14 items 23-24: the review quoted in two sections is one numbered card listing both
    passages; cards show first author, year, journal and identifier links; markers and export agree."""
    at = _app()
    at.button(key="example-0").click().run()
    answer = _last_answer(at)
    turn_id = at.session_state["turns"][-1]["id"]
    sources = {c.passage.source.id for c in answer.citations}
    review_sections = {c.passage.section for c in answer.citations if c.passage.source.id == "review"}
    assert len(review_sections) >= 2, "precondition: the answer quotes the review through two sections"
    headings = [h.value for h in at.subheader]
    assert len(headings) == len(sources), headings
    review_heading = [h for h in headings if "Advances in mesenchymal stem cell" in h]
    assert len(review_heading) == 1 and review_heading[0].startswith("\\[1\\]")
    captions = [c.value.replace("\\", "") for c in at.caption]
    review = next(c.passage.source for c in answer.citations if c.passage.source.id == "review")
    byline = f"{review.authors[0]} et al. · {review.year} · {review.journal}"  # e.g. Yi Xiao et al. · 2025 · World J…
    assert any(c.startswith(byline) for c in captions), captions
    texts = [m.value for m in at.markdown]
    assert any("[DOI 10" in t and "(https://doi.org/10.4252" in t for t in texts), "the DOI links out"
    for section in review_sections:
        assert any(t.startswith(f"**{section}** — ") for t in texts), section
    markers = {int(n) for t in texts for n in __import__("re").findall(rf"\(#src-{turn_id}-(\d+)\)", t)}
    assert markers == set(range(1, len(sources) + 1)), markers
    from assistant.export import conversation_markdown

    exported = conversation_markdown([answer])
    assert exported.count("- **[") == len(sources), "the export numbers sources exactly like the cards"


def test_index_panel_shows_the_new_build_after_building_from_the_ui(app_env, tmp_path, monkeypatch):
    """Issue #14 item 22: after (re)building from the sidebar, the panel shows the new build at once."""
    monkeypatch.setenv("RSA_INDEX_DIR", str(tmp_path / "fresh-index"))
    _clear_streamlit_caches()
    try:
        at = _app()
        assert any("No index yet" in w.value for w in at.sidebar.warning)
        at.sidebar.button(key="rebuild").click().run(timeout=600)
        assert not at.exception, at.exception
        manifest_built = json.loads(next((tmp_path / "fresh-index").rglob("manifest.json")).read_text())["built_at"]
        panel = " ".join(m.value for m in at.sidebar.markdown)
        assert "**Built:**" in panel and manifest_built in panel.replace("\\", "")
        assert not any("No index yet" in w.value for w in at.sidebar.warning)
    finally:
        _clear_streamlit_caches()


def test_evaluation_page_escapes_reports_and_shows_answer_benchmarks(tmp_path, monkeypatch):
    """Issue #14 item 10 (the browser test counts image requests; this checks the Markdown itself) and
    the external answer benchmark reports on the Evaluation page."""
    from streamlit.testing.v1 import AppTest

    hostile = "MSCs ![FDA seal](http://127.0.0.1:8799/track.png?src=corpus) [x](javascript:alert(1)) <b>bold</b>"
    run = tmp_path / "20990101T000000"
    run.mkdir()
    (run / "report.json").write_text(
        json.dumps(
            {
                "items": 1,
                "settings": {"backend": "extractive"},
                "metrics": {"hit@5": 1.0},
                "by_category": {},
                "results": [
                    {
                        "id": "h1",
                        "category": "outcomes",
                        "problems": ["wrong"],
                        "question": hostile,
                        "answer": hostile,
                        "expect": "answer",
                        "gold": [{"source": "s", "section": "F", "span": hostile}],
                    }
                ],
            }
        )
    )
    (tmp_path / "answers-covidqa-dev.json").write_text(
        json.dumps(
            {
                "benchmark": "covidqa",
                "split": "dev",
                "questions": 3,
                "answer": {"gold_word_recall": 0.7, "wrong_refusal_rate": 0.0},
                "baselines": {"top1_passage": {"gold_word_recall": 0.5}, "top5_passages": {"gold_word_recall": 0.8}},
                "answer_vs_ceiling": 0.875,
                "examples": [{"id": "q1", "question": hostile, "answer": hostile}],
            }
        )
    )
    monkeypatch.setenv("RSA_REPORTS_DIR", str(tmp_path))
    at = AppTest.from_file(str(Path(APP).parent / "evaluation.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    rendered = [m.value for m in at.markdown]
    assert any("\\!\\[FDA seal\\]" in text for text in rendered), rendered
    assert not any("![" in text or "](http" in text or "<b>" in text for text in rendered), rendered
    assert [h.value for h in at.subheader if "covidqa" in h.value], "the answer benchmark is shown"
    assert len(at.dataframe) >= 3  # curated metrics, benchmark table, examples


def test_evaluation_page_opens_with_the_versioned_reports(tmp_path, monkeypatch):
    """Issue #22 item 12: on a fresh clone (no curated run: those are not versioned, and the suite's gate
    run writes to a temporary folder) the page opened with "No evaluation report … yet". It now opens
    with every versioned benchmark report of eval/reports/, then says how to make a curated run."""
    import shutil

    from streamlit.testing.v1 import AppTest

    versioned = sorted((Path(APP).parent.parent / "eval" / "reports").glob("answers-*.json"))
    assert versioned, "the checkout versions the answer benchmark reports"
    for path in versioned:  # the checkout's reports folder as a fresh clone has it (no local curated run)
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("RSA_REPORTS_DIR", str(tmp_path))
    at = AppTest.from_file(str(Path(APP).parent / "evaluation.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    headers = [h.value for h in at.header]
    assert headers[0] == "Answers on external benchmarks", headers  # what is there comes first
    shown = " ".join(h.value for h in at.subheader).replace("\\", "")  # escaped Markdown, as plain text
    for path in versioned:
        report = json.loads(path.read_text())
        assert f"{report['benchmark']} ({report['split']}," in shown, (path.name, shown)
    assert not [i.value for i in at.info if "benchmark" in i.value and "No answer" in i.value]
    note = " ".join(i.value for i in at.info)
    assert "make eval" in note and "not versioned" in note, note
