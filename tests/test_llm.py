"""The LLM backend: model construction, deadlines, error mapping (never leaking the key), packing."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.errors import ConfigurationError, GenerationError
from assistant.generation import prompts
from assistant.generation.chat import clean_condensed
from assistant.generation.llm import answer_messages, invoke_text, make_chat_model, make_judge_model, stream_text
from assistant.generation.packing import pack_context, render_sources
from assistant.settings import load_settings
from assistant.text import split_sentences
from assistant.tokens import count_tokens
from assistant.types import Chunk, Passage, Source, SourceKind

from fake_openai_server import FakeOpenAIServer, Reply, free_port, source_number

SECRET = "sk-test-DO-NOT-LEAK-1234"
MESSAGES = answer_messages("What lowered the abortion rate?", "[1] Study — Finding\nIt fell to 6.31%.", 3)


def _settings(**overrides):
    values = {"llm_timeout_s": 2, "llm_max_retries": 0, **overrides}
    return load_settings(**values)


def test_openai_compatible_model_is_configured_from_settings():
    model = make_chat_model(_settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen2.5", llm_api_key=SECRET))
    assert model.model_name == "qwen2.5"
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.max_retries == 0 and model.request_timeout == 2
    assert SECRET not in repr(model)


def test_the_judge_model_is_built_by_the_same_builder_from_its_own_settings():
    """Issue 21 item 6: one place builds a chat-model client; the judge keeps its own endpoint, model and
    key, one attempt within its timeout, temperature 0."""
    settings = _settings(
        llm_base_url="http://127.0.0.1:9/v1",
        judge_base_url="http://127.0.0.1:7/v1",
        judge_model="judge-model",
        judge_api_key=SECRET,
        judge_timeout_s=4,
    )
    judge = make_judge_model(settings)
    assert judge.model_name == "judge-model" and judge.openai_api_base == "http://127.0.0.1:7/v1"
    assert judge.max_retries == 0 and judge.request_timeout == 4 and judge.temperature == 0.0
    assert judge.openai_api_key.get_secret_value() == SECRET and SECRET not in repr(judge)
    assert make_chat_model(settings).openai_api_base == "http://127.0.0.1:9/v1"
    with pytest.raises(ConfigurationError, match="RSA_JUDGE_BASE_URL"):
        make_judge_model(_settings())


def test_only_generation_llm_builds_a_chat_model_client():
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "assistant"
    builders = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "ChatOpenAI(" in path.read_text(encoding="utf-8")
    )
    assert builders == ["generation/llm.py"]


def test_missing_llm_configuration_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="RSA_LLM_BASE_URL"):
        make_chat_model(_settings(backend="llm"))


def test_gguf_path_says_to_serve_it_with_llama_server():
    # a GGUF model is reached through llama.cpp's OpenAI-compatible server, like every other endpoint
    with pytest.raises(ConfigurationError, match=r"RSA_LLM_GGUF_PATH.*llama-server.*RSA_LLM_BASE_URL"):
        _settings(llm_gguf_path="/nonexistent/model.gguf")


def test_llm_configured_is_one_rule():
    assert not _settings().llm_configured and not _settings().uses_llm
    configured = _settings(llm_base_url="http://127.0.0.1:8080/v1")
    assert configured.llm_configured and configured.uses_llm
    assert not _settings(llm_base_url="http://127.0.0.1:8080/v1", backend="extractive").uses_llm


def test_stream_text_yields_pieces_of_a_fake_chat_model():
    model = FakeListChatModel(responses=["It fell to 6.31% [1]."])
    assert "".join(stream_text(model, MESSAGES, 5)) == "It fell to 6.31% [1]."


def test_a_reply_trickling_in_past_the_deadline_is_cut_off():
    model = FakeListChatModel(responses=["late reply"], sleep=0.3)  # no HTTP client timeout to rely on
    with pytest.raises(GenerationError, match="no reply within 0.2s"):
        list(stream_text(model, MESSAGES, 0.2))


def test_the_client_timeout_covers_all_attempts():
    model = make_chat_model(_settings(llm_base_url="http://127.0.0.1:9/v1", llm_timeout_s=9, llm_max_retries=2))
    assert model.max_retries == 2 and model.request_timeout == 3


def test_a_model_failing_mid_stream_is_a_generation_error():
    model = FakeListChatModel(responses=["It fell to 6.31% [1]."], error_on_chunk_number=3)
    with pytest.raises(GenerationError):
        list(stream_text(model, MESSAGES, 5))


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply.error(500), "HTTP 500"),
        (Reply.garbage(), prompts.REASON_MALFORMED),
        (Reply.slow("late", 5), "no reply within"),
    ],
)
def test_endpoint_failures_become_fixed_reasons_without_the_key(reply, reason):
    with FakeOpenAIServer(script=[reply]) as server:
        model = make_chat_model(_settings(llm_base_url=server.url, llm_api_key=SECRET, llm_timeout_s=1))
        for call in (lambda: list(stream_text(model, MESSAGES, 1)), lambda: invoke_text(model, MESSAGES, 1)):
            with pytest.raises(GenerationError) as raised:
                call()
            assert reason in str(raised.value)
            assert SECRET not in str(raised.value) and server.url not in str(raised.value)
        assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_unreachable_endpoint_is_reported_as_such():
    model = make_chat_model(_settings(llm_base_url=f"http://127.0.0.1:{free_port()}/v1"))
    with pytest.raises(GenerationError, match=prompts.REASON_UNREACHABLE):
        invoke_text(model, MESSAGES, 2)


def test_fake_server_streams_and_answers_plainly():
    with FakeOpenAIServer(script=[Reply.text("It fell to 6.31% [1]. Tregs rose [1].")]) as server:
        model = make_chat_model(_settings(llm_base_url=server.url))
        pieces = list(stream_text(model, MESSAGES, 2))
        assert len(pieces) > 1 and "".join(pieces) == "It fell to 6.31% [1]. Tregs rose [1]."
        assert invoke_text(model, MESSAGES, 2) == "It fell to 6.31% [1]. Tregs rose [1]."
        assert [r.stream for r in server.requests] == [True, False]
        assert source_number(server.requests[0].prompt, "6.31%") == 1


def test_clean_condensed_takes_one_usable_line():
    assert clean_condensed('Standalone query: "MSC effects on Tregs in humans"\n') == "MSC effects on Tregs in humans"
    assert clean_condensed("   \n") == ""
    assert clean_condensed("x" * 400) == ""


# -- context packing ------------------------------------------------------------------------------------
def _passages() -> list[Passage]:
    texts = [
        "First finding about decidual NK cells. " * 6 + "It ends here.",
        "Second finding: Tregs rose in lymph nodes. Foxp3 expression increased. IL-10 rose too.",
        "Third finding: the abortion rate fell to 6.31%. Untreated mice had 34.4%.",
    ]
    source = Source(id="s", kind=SourceKind.REVIEW, title="Review")
    # ranks deliberately out of list order: packing goes by rank
    return [
        Passage(Chunk(f"c{i}", "s", "Body", 0, len(t), t), source, rank=r)
        for i, (t, r) in enumerate(zip(texts, [3, 1, 2]))
    ]


def test_packing_goes_by_rank_and_numbers_sources():
    packed = pack_context(_passages(), 2000, "gpt-4o-mini")
    assert [p.passage.rank for p in packed] == [1, 2, 3]
    assert [p.n for p in packed] == [1, 2, 3]
    assert render_sources(packed).startswith("[1] Review — Body\nSecond finding")


def test_packing_respects_the_budget_and_never_cuts_mid_sentence():
    passages = _passages()
    full = sum(p.tokens for p in pack_context(passages, 5000, "gpt-4o-mini"))
    budget = full - 20
    packed = pack_context(passages, budget, "gpt-4o-mini")
    assert count_tokens(render_sources(packed), "o200k_base") <= budget
    truncated = [p for p in packed if p.truncated]
    assert truncated, "the budget was meant to force a cut"
    for p in truncated:
        ends = {p.passage.text[s:e].strip() for s, e in split_sentences(p.passage.text)}
        assert any(p.text.endswith(end) for end in ends)
        assert p.passage.text.startswith(p.text)
