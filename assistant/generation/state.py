"""`AnswerState` — what the chain knows about one question, step by step — and the `Generator` protocol.

One typed object instead of a dict of string keys: each step (condense → retrieve → rank → gate →
pack → generate → verify) reads what earlier steps filled in and fills in its own fields; the `Answer`
is built from it at the end. The `Question` is built once, before the first step, and frozen. Every
generator (extractive, OpenAI-compatible chat model) is a `Generator`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assistant.generation.base import Draft, TextPiece
from assistant.generation.ranking import Ranking
from assistant.types import Filters, Question, Refusal, RetrievalResult, Turn

if TYPE_CHECKING:  # pragma: no cover
    from assistant.generation.packing import PackedSource


@dataclass
class PartState:
    """One part of a question (the whole question when it asks one thing): searched, ranked, gated."""

    question: Question
    searched_query: str
    retrieval: RetrievalResult | None = None
    ranking: Ranking | None = None
    refusal: Refusal | None = None


@dataclass
class AnswerState:
    """One question on its way through the chain."""

    question: Question
    k: int | None = None
    #: the standalone query retrieval searched for (the question itself, or a condensed follow-up)
    searched_query: str = ""
    #: what retrieval found for the whole question (every part's passages, for the chat model)
    retrieval: RetrievalResult | None = None
    #: each part searched, ranked and gated on its own (one part for a single question)
    parts: list[PartState] = field(default_factory=list)
    #: the gate's decision for the whole question: None lets it through to generation
    refusal: Refusal | None = None
    #: the parts the gate refused while others were answered (said so in the answer)
    unanswered_parts: list[str] = field(default_factory=list)
    #: the places ("the endometrium") the gate dropped from parts the sources cover only without them
    place_gaps: list[str] = field(default_factory=list)
    #: the numbered sources of the LLM prompt (empty for the extractive backend)
    packed: list[PackedSource] = field(default_factory=list)
    #: the extractive draft: always computed (relevance gate and fallback)
    extractive_draft: Draft | None = None
    #: the draft that is verified and answered from
    draft: Draft | None = None
    #: the draft's `assistant.verification.Verdict`s (verification sits above generation, so not imported)
    verdicts: list[Any] = field(default_factory=list)
    #: notices for the user from before generation (e.g. a truncated question)
    notices: list[str] = field(default_factory=list)
    #: why the LLM's answer was not used (a fixed, secret-free reason), or ""
    llm_failure: str = ""
    #: whether some LLM text was already streamed before a fallback
    streamed_partial: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def passages(self):
        return self.retrieval.passages if self.retrieval is not None else []

    @property
    def history(self) -> tuple[Turn, ...]:
        return self.question.history

    @property
    def filters(self) -> Filters:
        return self.question.filters

    @property
    def generation_question(self) -> str:
        """What the generator answers: the standalone query for a follow-up, else the question."""
        return self.searched_query if self.question.history else self.question.text


@runtime_checkable
class Generator(Protocol):
    """Anything that drafts an answer from the chain's state."""

    #: the `Answer.backend` value of its drafts ("extractive", "llm")
    backend: str

    def draft(self, state: AnswerState) -> Iterator[TextPiece | Draft]:
        """Text pieces as produced, then one `Draft` last; raises `GenerationError` on failure."""
        ...
