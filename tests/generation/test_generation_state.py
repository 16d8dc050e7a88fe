"""The typed answer state, the generator protocol and the typed stream events."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.errors import GenerationError
from assistant.generation import prompts
from assistant.generation.base import Draft, DraftSentence, FinalAnswer, SentenceVerdict, TextPiece, collect
from assistant.generation.chat import ChatGenerator, parse_llm_answer
from assistant.generation.packing import pack_context
from assistant.generation.question import build_question
from assistant.generation.state import AnswerState, Generator
from assistant.types import Answer

QUESTION = "Which MSC source lowered the abortion rate most in mice?"


def _state(assistant, question: str = QUESTION) -> AnswerState:
    """The state as generation receives it: the real condense, retrieve, rank and gate steps run."""
    chain = assistant.chain
    return chain._gate(chain._rank(chain._retrieve(chain._condense(AnswerState(build_question(question))))))


def test_events_are_typed_and_end_with_the_final_answer(assistant):
    events = list(assistant.events(QUESTION))
    assert isinstance(events[-1], FinalAnswer) and isinstance(events[-1].answer, Answer)
    assert all(not isinstance(e, FinalAnswer) for e in events[:-1])
    verdicts = [e for e in events if isinstance(e, SentenceVerdict)]
    assert [v.text for v in verdicts] == [s.text for s in events[-1].answer.sentences]
    preview = "".join(e.text for e in events if isinstance(e, TextPiece))
    assert preview and "[1]" in preview


def test_stream_keeps_its_plain_form(assistant):
    items = list(assistant.stream(QUESTION))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])


def test_both_generators_follow_one_protocol(assistant, settings):
    chain = assistant.chain
    model = FakeListChatModel(responses=["Adipose MSCs lowered the abortion rate to 6.31% in mice [1]."])
    llm = ChatGenerator(model, settings)
    for generator in (chain.extractive, llm):
        assert isinstance(generator, Generator)
    state = _state(assistant)
    pieces, draft = collect(chain.extractive.draft(state))
    assert draft.backend == "extractive" and not draft.refused
    assert all(isinstance(s, DraftSentence) and len(s.passages) == 1 for s in draft.sentences)
    assert "".join(p.text for p in pieces).startswith(draft.sentences[0].text)
    state.packed = pack_context(state.passages, settings.context_token_budget, settings.llm_model)
    pieces, draft = collect(llm.draft(state))
    assert draft.backend == "llm" and draft.sentences[0].passages == [state.packed[0].passage]


def test_a_chat_generator_without_sources_or_text_fails_with_a_reason(assistant, settings):
    state = _state(assistant)
    with pytest.raises(GenerationError):
        collect(ChatGenerator(FakeListChatModel(responses=["x"]), settings).draft(state))  # nothing packed
    state.packed = pack_context(state.passages, settings.context_token_budget, settings.llm_model)
    with pytest.raises(GenerationError):
        collect(ChatGenerator(FakeListChatModel(responses=["   "]), settings).draft(state))


def test_llm_markers_to_no_source_are_set_apart(assistant, settings):
    state = _state(assistant)
    packed = pack_context(state.passages, settings.context_token_budget, settings.llm_model)
    draft = parse_llm_answer("Rates fell [1][42]. Nothing cited here.", packed)
    assert isinstance(draft, Draft)
    assert draft.sentences[0].invented == [42] and draft.sentences[0].passages == [packed[0].passage]
    assert draft.sentences[1].passages == [] and draft.sentences[1].invented == []


class _Broken(FakeListChatModel):
    def _stream(self, *args, **kwargs):
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        yield ChatGenerationChunk(message=AIMessageChunk(content="Adipose MSCs "))
        raise ConnectionError("endpoint went away")


def test_the_fallback_streams_the_extractive_draft_after_a_failed_model(assistant, settings):
    from assistant.generation.fallback import FallbackGenerator

    chain = assistant.chain
    generator = FallbackGenerator(chain.extractive, ChatGenerator(_Broken(responses=["x"]), settings))
    assert isinstance(generator, Generator) and generator.backend == "llm"
    state = _state(assistant)
    state.packed = pack_context(state.passages, settings.context_token_budget, settings.llm_model)
    pieces, draft = collect(generator.draft(state))
    assert draft is state.extractive_draft and draft.backend == "extractive"
    assert state.llm_failure and state.streamed_partial
    text = [p.text for p in pieces]
    assert text[0] == "Adipose MSCs " and "\n\n" in text  # the partial preview, a break, then the fallback
    pieces, again = collect(generator.replace_unsupported(state))
    assert again is state.extractive_draft and state.llm_failure == prompts.REASON_UNSUPPORTED
