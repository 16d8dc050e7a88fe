"""The LLM generator: an OpenAI-compatible chat model (llama.cpp's server, vLLM, Ollama's /v1, OpenAI).

`ChatGenerator.draft(state)` prompts with the packed, numbered sources, streams the model's text as
`TextPiece`s and parses it into a `Draft` whose sentences cite the packed passages (markers to no
source are kept apart as `invented`). `condense` rewrites a follow-up into a standalone query. Any
failure is a `GenerationError` with a short fixed reason; the chain then answers extractively.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel

from assistant.errors import GenerationError
from assistant.generation import prompts
from assistant.generation.base import Draft, DraftSentence, TextPiece
from assistant.generation.llm import answer_messages, condense_messages, invoke_text, stream_text
from assistant.generation.packing import PackedSource, render_sources
from assistant.generation.state import AnswerState
from assistant.markers import split_answer
from assistant.settings import Settings
from assistant.types import Turn

#: Longest standalone query accepted from the LLM; longer replies are chatter, not a query.
_MAX_CONDENSED_CHARS = 300


class ChatGenerator:
    """Drafts with a LangChain chat model under the settings' deadline."""

    backend = "llm"

    def __init__(self, model: BaseChatModel, settings: Settings) -> None:
        self.model = model
        self.settings = settings

    def draft(self, state: AnswerState) -> Iterator[TextPiece | Draft]:
        """The model's tokens as they stream, then its parsed `Draft`; GenerationError on failure."""
        packed = state.packed
        if not packed:
            raise GenerationError(prompts.REASON_EMPTY)
        messages = answer_messages(
            state.generation_question, render_sources(packed), self.settings.max_answer_sentences
        )
        pieces: list[str] = []
        length, limit, truncated = 0, self.settings.max_reply_chars, False
        for piece in stream_text(self.model, messages, self.settings.llm_timeout_s):
            if length + len(piece) > limit:  # a runaway reply: stop reading it (the rest is never verified)
                pieces.append(piece[: limit - length])
                yield TextPiece(piece[: limit - length])
                truncated = True
                break
            pieces.append(piece)
            length += len(piece)
            yield TextPiece(piece)
        raw = "".join(pieces).strip()
        if not raw:
            raise GenerationError(prompts.REASON_EMPTY)
        draft = parse_llm_answer(raw, packed)
        cut = truncated or len(draft.sentences) > self.settings.max_answer_sentences
        if cut:
            draft.sentences = draft.sentences[: self.settings.max_answer_sentences]
            draft.notices.append(
                prompts.NOTICE_REPLY_CUT.format(sentences=self.settings.max_answer_sentences, chars=limit)
            )
        yield draft

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """A standalone query for a follow-up, or "" when the reply is not a usable query.

        Raises GenerationError when the endpoint fails (the chain then skips the LLM for this answer).
        """
        reply = invoke_text(self.model, condense_messages(question, history), self.settings.llm_timeout_s)
        return clean_condensed(reply)


def parse_llm_answer(raw: str, packed: list[PackedSource]) -> Draft:
    """The model's text as sentences citing packed passages; markers to no source are set apart."""
    by_number = {source.n: source.passage for source in packed}
    refusal = prompts.REFUSAL.lower().rstrip(".")
    sentences: list[DraftSentence] = []
    for text, numbers in split_answer(raw):
        if refusal in text.lower():
            continue
        passages = [by_number[n] for n in numbers if n in by_number]
        invented = [n for n in numbers if n not in by_number]
        sentences.append(DraftSentence(text, list({id(p): p for p in passages}.values()), invented))
    # a reply that declines (or says nothing) is no refusal: the gate already let the question through,
    # and verification answers extractively when nothing the model said holds up
    return Draft("llm", sentences, raw=raw)


def clean_condensed(reply: str) -> str:
    """The query in an LLM's condense reply, or "" when the reply is not a usable one-line query."""
    for line in reply.strip().splitlines():
        line = re.sub(r"^(standalone (search )?query|query)\s*:\s*", "", line.strip(), flags=re.IGNORECASE)
        line = line.strip().strip("\"'`").strip()
        if line:
            return line if len(line) <= _MAX_CONDENSED_CHARS and any(c.isalnum() for c in line) else ""
    return ""
