"""Which draft answers: the chat model's when it delivers, else the extractive one.

The extractive draft is always computed first: it is cheap, it is the relevance gate (a question the
sources do not cover is refused and never sent to the model) and it is the fallback. The model's
draft is used when there is a model, something to show it (packed sources) and it delivers text;
when it fails — unreachable, slow, empty, or (found by verification) nothing it said is supported —
the extractive draft is streamed instead and `state.llm_failure` says why, for the user's notice.
"""

from __future__ import annotations

from collections.abc import Generator as GeneratorType
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.errors import GenerationError
from assistant.generation import prompts
from assistant.generation.base import Draft, TextPiece, draft_text
from assistant.generation.extractive import ExtractiveGenerator
from assistant.generation.state import AnswerState

if TYPE_CHECKING:  # pragma: no cover - the chat stack (langchain's messages and models) loads only with an LLM
    from assistant.generation.chat import ChatGenerator


class FallbackGenerator:
    """A `Generator` over an extractive generator and, optionally, a chat model."""

    def __init__(self, extractive: ExtractiveGenerator, llm: ChatGenerator | None = None) -> None:
        self.extractive = extractive
        self.llm = llm

    @property
    def backend(self) -> str:
        return self.llm.backend if self.llm is not None else self.extractive.backend

    def draft(self, state: AnswerState) -> Iterator[TextPiece | Draft]:
        extractive = state.extractive_draft = self.extractive.select(state)
        draft: Draft | None = None
        if not (extractive.refused or self.llm is None or state.llm_failure or not state.packed):
            draft = yield from self._llm_draft(state)
        if draft is None:  # no model, nothing to give it, or it failed: the extractive answer
            draft = extractive
            yield from draft_text(draft, after_partial=state.streamed_partial)
        yield draft

    def replace_unsupported(self, state: AnswerState) -> Iterator[TextPiece | Draft]:
        """Nothing the model said holds up (verification's finding): the extractive draft instead."""
        assert state.extractive_draft is not None
        state.llm_failure = prompts.REASON_UNSUPPORTED
        yield from draft_text(state.extractive_draft, after_partial=True)
        yield state.extractive_draft

    def _llm_draft(self, state: AnswerState) -> GeneratorType[TextPiece, None, Draft | None]:
        """Streams the model's text; returns its Draft, or None (with state.llm_failure) on failure."""
        assert self.llm is not None
        try:
            for item in self.llm.draft(state):
                if isinstance(item, Draft):
                    return item
                state.streamed_partial = True
                yield item
        except GenerationError as exc:
            state.llm_failure = exc.message
            return None
        state.llm_failure = prompts.REASON_EMPTY
        return None
