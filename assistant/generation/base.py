"""What generators produce and the chain streams: drafts, typed draft sentences and stream events.

A generator (`assistant.generation.state.Generator`) turns an `AnswerState` into a `Draft`:
sentences, each with the passages it cites. It yields `TextPiece`s as text is produced (LLM tokens,
or the extractive generator's sentences) and ends with exactly one `Draft`; a generator that fails
raises `GenerationError` (the chain then falls back to the extractive draft).

The chain streams typed events to its callers: `TextPiece` (a live preview), `SentenceVerdict` (one
checked sentence) and `FinalAnswer` (the verified `Answer`, always last).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.generation import prompts
from assistant.types import Answer, Passage


@dataclass
class DraftSentence:
    """One sentence a generator wrote, the passages it cites, and the markers that pointed nowhere."""

    text: str
    passages: list[Passage] = field(default_factory=list)
    #: marker numbers the model wrote that name no numbered source (removed from the answer)
    invented: list[int] = field(default_factory=list)


@dataclass
class Draft:
    """What a generator produced, before verification."""

    backend: str
    sentences: list[DraftSentence] = field(default_factory=list)
    refused: bool = False
    #: the model's raw text (LLM drafts), for debugging and evaluation
    raw: str = ""
    #: fixed text that opens the answer (the personal-advice note), "" for none
    lead: str = ""
    #: the refusal's text when it is not the generic one ("the sources hold no human data on this")
    refusal: str = ""
    #: notices for the user from the generator (e.g. refused under active filters)
    notices: list[str] = field(default_factory=list)
    #: what the first sentence opens with ("In mice, yes:"), made from its own source's population
    frame: str = ""
    #: parts of a multi-part question the sources do not answer
    unanswered: list[str] = field(default_factory=list)


# -- stream events ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextPiece:
    """Text as it is produced: a preview, replaced by the final answer's verified text."""

    text: str


@dataclass(frozen=True)
class SentenceVerdict:
    """One draft sentence after verification: whether its cited passages support it."""

    text: str
    supported: bool
    #: chunk ids of the passages it cites
    cited: tuple[str, ...] = ()


@dataclass(frozen=True)
class FinalAnswer:
    """The verified answer; always the last event of a stream."""

    answer: Answer


Event = TextPiece | SentenceVerdict | FinalAnswer


def draft_text(draft: Draft, *, after_partial: bool = False) -> Iterator[TextPiece]:
    """The streamed form of a draft (a separator first when other text was already streamed)."""
    if after_partial:
        yield TextPiece("\n\n")
    if draft.refused:
        yield TextPiece(" ".join(t for t in (draft.lead, draft.refusal or prompts.REFUSAL) if t))
        return
    opening = " ".join(t for t in (draft.lead, draft.frame) if t)
    if opening:
        yield TextPiece(opening)
    numbers = SourceNumbers()
    for i, sentence in enumerate(draft.sentences):
        marks = list(dict.fromkeys(numbers.of(p.source_id) for p in sentence.passages))
        yield TextPiece(("" if i == 0 and not opening else " ") + with_markers(sentence.text, marks))


class SourceNumbers:
    """One citation number per source, by first appearance (issue #14 item 23): the preview and the
    final answer number sources by this one rule."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def of(self, source_id: str) -> int:
        return self._numbers.setdefault(source_id, len(self._numbers) + 1)


def with_markers(text: str, numbers: list[int]) -> str:
    """A sentence followed by its citation markers: "Text. [1][2]"."""
    return f"{text} " + "".join(f"[{n}]" for n in numbers) if numbers else text


def pass_text(events: Iterator[Any]) -> Generator[TextPiece, None, Draft]:
    """Re-yield a generator's text pieces and return its Draft (`draft = yield from pass_text(...)`)."""
    draft: Draft | None = None
    for item in events:
        if isinstance(item, Draft):
            draft = item
        else:
            yield item
    if draft is None:  # pragma: no cover - a generator that breaks the protocol
        raise RuntimeError("a generator ended without a Draft")
    return draft


def collect(events: Iterator[Any]) -> tuple[list[TextPiece], Draft]:
    """Run a generator to its end: the text pieces and the draft."""
    pieces: list[TextPiece] = []
    draft: Draft | None = None
    for item in events:
        if isinstance(item, Draft):
            draft = item
        else:
            pieces.append(item)
    if draft is None:  # pragma: no cover - a generator that breaks the protocol
        raise RuntimeError("a generator ended without a Draft")
    return pieces, draft
