"""The answer chain end to end: extractive and LLM generators, verification, follow-ups, degradation.

Unit-level tests drive the chain with langchain_core's fake chat models; end-to-end tests go through
a real HTTP endpoint (tests/fake_openai_server.py) via `Assistant.answer`, `Assistant.stream` and the
`rsa-assistant ask --json` command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.api import Assistant
from assistant.chain import AnswerChain
from assistant.errors import ConfigurationError
from assistant.generation import prompts
from assistant.types import Answer, Turn

from fake_openai_server import FakeOpenAIServer, Reply, by_purpose, free_port, source_number

QUESTION = "Which MSC source lowered the abortion rate most in mice?"
NEEDLE = "6.31%"  # the source sentence: "...lowered the abortion rate to 6.31% (syngeneic)... against 34.4%..."
GOOD = "Syngeneic adipose MSCs lowered the abortion rate to 6.31% in mice [{n}]. Untreated abortion-prone mice had 34.4% [{n}]."
CHANGED = "Adipose MSCs lowered the abortion rate to 3% in mice [{n}]."
SECRET = "sk-test-DO-NOT-LEAK-5678"
REPO = Path(__file__).resolve().parent.parent


def _cited(template: str) -> callable:
    """A script replying `template` with {n} = the number the prompt gave the 6.31% source."""
    return lambda request: Reply.text(template.format(n=source_number(request.prompt, NEEDLE) or 1))


def _chain(assistant, settings, model=None, **overrides) -> AnswerChain:
    return AnswerChain(assistant.retriever, settings.model_copy(update=overrides), model)


def _run(chain: AnswerChain, question: str = QUESTION, history=()) -> tuple[str, Answer]:
    items = list(chain.stream(question, list(history), None, None))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    return "".join(items[:-1]), items[-1]


def _assert_verified(answer: Answer) -> None:
    """What the user sees: every sentence in the text is supported and its markers open a citation."""
    numbers = {c.n for c in answer.citations}
    for sentence in answer.sentences:
        assert set(sentence.citations) <= numbers
        if sentence.supported:
            assert sentence.text in answer.text
        else:
            assert sentence.text not in answer.text
    for citation in answer.citations:
        assert citation.quote in citation.passage.text


def _prompt_number(model_prompt: str) -> int:
    return source_number(model_prompt, NEEDLE)


# -- extractive --------------------------------------------------------------------------------------
def test_extractive_answer_is_verified_and_disclaimed(assistant):
    answer = assistant.answer(QUESTION)
    assert answer.backend == "extractive" and not answer.refused
    assert answer.sentences and all(s.supported for s in answer.sentences)
    assert NEEDLE in answer.text and answer.unsupported_count == 0
    assert answer.disclaimer == prompts.DISCLAIMER
    _assert_verified(answer)
    data = answer.to_dict()
    assert {"sentences", "backend", "notice"} <= set(data) and data["notice"] is None


def test_extractive_stream_yields_sentences_then_the_answer(assistant):
    items = list(assistant.stream(QUESTION))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert "".join(items[:-1]) == answer.text


def test_uncovered_question_is_refused_without_calling_the_model(assistant, settings):
    model = FakeListChatModel(responses=["Kidney stones dissolve with MSCs [1]."])
    _, answer = _run(_chain(assistant, settings, model), "What is the boiling point of liquid nitrogen in Kelvin?")
    assert answer.refused and answer.refusal_reason == "off_topic" and not answer.citations
    assert answer.text == prompts.REFUSAL_OFF_TOPIC
    assert model.i == 0


def test_extractive_follow_up_borrows_the_previous_topic(assistant):
    history = [Turn(QUESTION, "…", QUESTION)]
    answer = assistant.answer("What about their Tregs?", history)
    assert answer.searched_query != "What about their Tregs?"
    assert "abortion" in answer.searched_query


def test_personal_advice_gets_findings_and_the_note_never_a_recommendation(assistant, settings):
    question = "Should I get adipose MSCs for my miscarriages, given the abortion rate results in mice?"
    model = FakeListChatModel(
        responses=[
            "You should try adipose MSCs [1]. Adipose MSCs lowered the abortion rate to 6.31% in syngeneic mice [1]."
        ]
    )
    _, answer = _run(_chain(assistant, settings, model), question)
    assert answer.text.startswith(prompts.PERSONAL_ADVICE_NOTE)  # the answer opens with the note (issue #13)
    assert "You should" not in answer.text and answer.unsupported_count >= 1
    assert answer.disclaimer == prompts.DISCLAIMER


def test_backend_llm_without_a_model_is_a_configuration_error(assistant, settings):
    with pytest.raises(ConfigurationError, match="RSA_LLM_BASE_URL"):
        _chain(assistant, settings, backend="llm")


# -- LLM generator with fake chat models -------------------------------------------------------------
class PromptAwareFake(FakeListChatModel):
    """A fake chat model whose reply cites the prompt's 6.31% source, wherever it was packed."""

    template: str = GOOD

    def _call(self, messages, stop=None, run_manager=None, **kwargs):
        self.i += 1
        return self.template.format(n=_prompt_number("\n".join(str(m.content) for m in messages)) or 1)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        for word in self._call(messages).split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def test_llm_answer_streams_tokens_and_is_verified(assistant, settings):
    streamed, answer = _run(_chain(assistant, settings, PromptAwareFake(responses=["unused"])))
    assert answer.backend == "llm" and answer.notice is None
    assert [s.supported for s in answer.sentences] == [True, True]
    assert answer.text.startswith("Syngeneic adipose MSCs lowered the abortion rate to 6.31% in mice. [1]")
    assert len(answer.citations) == 1 and NEEDLE in answer.citations[0].quote
    assert "6.31%" in streamed
    _assert_verified(answer)


def test_invented_and_uncited_sentences_never_reach_the_text(assistant, settings):
    template = (
        "Syngeneic adipose MSCs lowered the abortion rate to 6.31% in mice [{n}][9]. "
        "MSCs cure every pregnancy loss [9]. Untreated mice had 34.4%."
    )
    _, answer = _run(_chain(assistant, settings, PromptAwareFake(responses=["unused"], template=template)))
    assert answer.backend == "llm"
    assert "[9]" not in answer.text and "cure every" not in answer.text and "Untreated" not in answer.text
    assert [s.supported for s in answer.sentences] == [True, False, False]
    assert answer.unsupported_count == 2
    assert "[9]" in answer.notice and "2 sentence(s)" in answer.notice
    _assert_verified(answer)


def test_changed_number_is_unsupported(assistant, settings):
    template = GOOD.split(". ")[0] + ". " + CHANGED
    _, answer = _run(_chain(assistant, settings, PromptAwareFake(responses=["unused"], template=template)))
    changed = [s for s in answer.sentences if "3%" in s.text and "6.31" not in s.text]
    assert changed and not changed[0].supported
    assert " 3% " not in answer.text and answer.unsupported_count == 1
    _assert_verified(answer)


def test_llm_declining_a_question_the_gate_let_through_gets_the_extractive_answer(assistant, settings):
    """The gate alone decides to refuse: a model that declines a covered question is replaced by the
    extractive answer, with the notice saying why (issue 21 item 2)."""
    _, answer = _run(_chain(assistant, settings, FakeListChatModel(responses=[prompts.REFUSAL])))
    assert not answer.refused and answer.backend == "extractive" and answer.citations
    assert prompts.REASON_UNSUPPORTED in (answer.notice or "")


def test_garbage_answer_falls_back_to_extractive_with_a_notice(assistant, settings):
    model = FakeListChatModel(responses=["Lorem ipsum dolor sit amet, consectetur adipiscing elit."])
    streamed, answer = _run(_chain(assistant, settings, model))
    assert answer.backend == "extractive" and NEEDLE in answer.text
    assert answer.notice == prompts.NOTICE_LLM_FAILED.format(reason=prompts.REASON_UNSUPPORTED)
    assert streamed.endswith(answer.text)


def test_model_error_mid_stream_falls_back_to_extractive(assistant, settings):
    model = FakeListChatModel(responses=["Syngeneic adipose MSCs lowered it [1]."], error_on_chunk_number=5)
    streamed, answer = _run(_chain(assistant, settings, model))
    assert answer.backend == "extractive" and NEEDLE in answer.text
    assert answer.notice.startswith("The language model failed")
    assert streamed.endswith(answer.text)


def test_llm_follow_up_uses_the_condensed_question(assistant, settings):
    condensed = "Effect of adipose MSCs on the abortion rate in abortion-prone mice"
    model = FakeListChatModel(responses=[condensed, "Adipose MSCs lowered the abortion rate to 6.31% [1]."])
    history = [Turn("How do MSCs act on decidual NK cells?", "They lower NK cytotoxicity [1].")]
    _, answer = _run(_chain(assistant, settings, model), "And what about the abortion rate with them?", history)
    assert answer.searched_query == condensed
    # the second reply (the answer) was used: condense took the first
    assert answer.backend == "llm" and answer.text.startswith("Adipose MSCs lowered the abortion rate to 6.31%")


# -- end to end through a real HTTP endpoint --------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def llm_assistant(server, settings, built_index):
    llm_settings = settings.model_copy(
        update={
            "llm_base_url": server.url,
            "llm_api_key": None,
            "llm_timeout_s": 2.0,
            "llm_max_retries": 0,
        }
    )
    return Assistant(llm_settings)


@pytest.mark.slow
def test_http_good_answer_through_answer_and_stream(server, llm_assistant):
    server.set_script(_cited(GOOD))
    answer = llm_assistant.answer(QUESTION)
    assert answer.backend == "llm" and answer.notice is None
    assert all(s.supported for s in answer.sentences) and NEEDLE in answer.text
    _assert_verified(answer)
    request = server.requests[-1]
    assert request.stream and "[1] " in request.prompt and prompts.REFUSAL in request.prompt

    items = list(llm_assistant.stream(QUESTION))
    assert len(items) > 3  # streamed in several SSE chunks
    assert items[-1].text == answer.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (Reply.slow("too late [1].", 6), "no reply within 2s"),
        (Reply.error(500), "HTTP 500"),
        (Reply.garbage(), prompts.REASON_MALFORMED),
    ],
    ids=["slow", "http500", "malformed-sse"],
)
def test_http_failures_give_the_extractive_answer_with_a_notice(server, llm_assistant, script, reason):
    server.set_script([script])
    for answer in (llm_assistant.answer(QUESTION), list(llm_assistant.stream(QUESTION))[-1]):
        assert answer.backend == "extractive" and NEEDLE in answer.text
        assert reason in answer.notice and "\n" not in answer.notice
        _assert_verified(answer)


@pytest.mark.slow
def test_http_invented_marker_and_changed_number_are_not_supported(server, llm_assistant):
    server.set_script(
        lambda r: Reply.text(
            f"Syngeneic adipose MSCs lowered the abortion rate to 6.31% in mice [{_prompt_number(r.prompt)}][9]. "
            f"Adipose MSCs lowered the abortion rate to 3% in mice [{_prompt_number(r.prompt)}]."
        )
    )
    answer = llm_assistant.answer(QUESTION)
    assert answer.backend == "llm" and "[9]" not in answer.text and " 3% " not in answer.text
    assert [s.supported for s in answer.sentences] == [True, False]
    assert "[9]" in answer.notice

    server.set_script(_cited(CHANGED))  # nothing but the changed number: the extractive answer instead
    answer = llm_assistant.answer(QUESTION)
    assert answer.backend == "extractive" and "3%" not in answer.text
    assert prompts.REASON_UNSUPPORTED in answer.notice


@pytest.mark.slow
def test_http_follow_up_uses_history(server, llm_assistant):
    condensed = "abortion rate after adipose MSC therapy in abortion-prone mice"
    server.set_script(
        by_purpose(answer=Reply.text("Adipose MSCs lowered the abortion rate to 6.31% [1]."), condense=condensed)
    )
    history = [{"question": "How do adipose MSCs act in abortion-prone mice?", "answer": "They raise Tregs [1]."}]
    answer = llm_assistant.answer("And the abortion rate?", history)
    assert answer.searched_query == condensed
    condense_request = next(r for r in server.requests[::-1] if r.is_condense)
    assert "How do adipose MSCs act in abortion-prone mice?" in condense_request.prompt
    assert not condense_request.stream


@pytest.mark.slow
def test_http_retries_recover_from_one_failure(server, assistant, settings):
    replies = iter([Reply.error(500)])
    server.set_script(lambda request: next(replies, None) or _cited(GOOD)(request))
    before = len(server.requests)
    chain = _chain(assistant, settings, None, llm_base_url=server.url, llm_max_retries=1, llm_timeout_s=10)
    _, answer = _run(chain)
    assert len(server.requests) - before == 2  # the 500, then the retry
    assert answer.backend == "llm" and answer.notice is None


@pytest.mark.slow
def test_http_endpoint_stopped_gives_extractive_with_notice(assistant, settings):
    chain = _chain(assistant, settings, None, llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_max_retries=0)
    _, answer = _run(chain)
    assert answer.backend == "extractive" and NEEDLE in answer.text
    assert prompts.REASON_UNREACHABLE in answer.notice


def _cli(settings, base_url: str, question: str = QUESTION) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSA_")}
    env.update(
        {
            "RSA_INDEX_DIR": str(settings.index_dir),
            "RSA_CORPUS_DIR": str(settings.corpus_dir),
            "RSA_CACHE_DIR": str(settings.cache_dir),
            "RSA_LLM_BASE_URL": base_url,
            "RSA_LLM_API_KEY": SECRET,
            "RSA_LLM_TIMEOUT_S": "5",
            "RSA_LLM_MAX_RETRIES": "0",
            "HF_HUB_OFFLINE": "1",
        }
    )
    command = [sys.executable, "-m", "assistant.cli", "ask", "--json", question]
    return subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_cli_ask_json_with_the_llm_and_then_without_it(server, settings, built_index):
    server.set_script(_cited(GOOD))
    done = _cli(settings, server.url)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["backend"] == "llm" and data["notice"] is None
    assert data["sentences"] and all(s["supported"] and s["citations"] for s in data["sentences"])
    assert NEEDLE in data["answer"]
    assert server.requests[-1].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in done.stdout + done.stderr

    stopped = _cli(settings, f"http://127.0.0.1:{free_port()}/v1")
    assert stopped.returncode == 0, stopped.stderr
    data = json.loads(stopped.stdout)
    assert data["backend"] == "extractive" and NEEDLE in data["answer"]
    assert prompts.REASON_UNREACHABLE in data["notice"]
    assert SECRET not in stopped.stdout + stopped.stderr
