"""`Assistant`: the one entry point the CLI, the UI, the evaluation harness and scripts call."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assistant.errors import InvalidQuestionError
from assistant.generation import prompts
from assistant.settings import Settings, load_settings
from assistant.text import clean_question
from assistant.types import Answer, Passage, Turn

if TYPE_CHECKING:  # pragma: no cover
    from assistant.generation.base import Event

MAX_QUESTION_CHARS = 2000


def validate_question(question: Any) -> tuple[str, str | None]:
    """The cleaned question and an optional notice; empty or word-less input raises InvalidQuestionError."""
    if isinstance(question, bytes):
        question = question.decode("utf-8", errors="replace")
    if not isinstance(question, str):
        raise InvalidQuestionError(f"The question must be text, not {type(question).__name__}.")
    cleaned = clean_question(question)
    if not cleaned:
        raise InvalidQuestionError(prompts.EMPTY_QUESTION)
    if not any(ch.isalnum() for ch in cleaned):  # emoji, punctuation, symbols: typed, but nothing to search
        raise InvalidQuestionError(prompts.NO_WORDS_QUESTION)
    if len(cleaned) > MAX_QUESTION_CHARS:
        return cleaned[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0], prompts.NOTICE_TRUNCATED_QUESTION.format(
            limit=MAX_QUESTION_CHARS
        )
    return cleaned, None


def _history(history: Sequence[Turn | Answer | Mapping[str, str] | tuple] | None) -> list[Turn]:
    """Earlier turns as `Turn`s; accepts Turns, Answers, dicts and (question, answer) tuples."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, Answer):
            turns.append(Turn.of(item))
        elif isinstance(item, Mapping):
            turns.append(
                Turn(
                    str(item.get("question", "")),
                    str(item.get("answer", "")),
                    str(item.get("searched_query", "")),
                    bool(item.get("refused", False)),
                )
            )
        elif isinstance(item, (tuple, list)) and 1 <= len(item) <= 3:
            question, answer, searched = [*(str(x) for x in item), "", ""][:3]
            turns.append(Turn(question, answer, searched))
        else:
            raise InvalidQuestionError(
                f"History items must be Turn, Answer, dict or (question, answer) tuples, not {type(item).__name__}."
            )
    return turns


class Assistant:
    """Question answering over the indexed corpus; heavy parts load on first use and are shared."""

    def __init__(self, settings: Settings | None = None, *, chat_model: Any | None = None) -> None:
        """`chat_model` (a LangChain chat model) overrides the one the settings describe (tests, scripts)."""
        self.settings = settings or load_settings()
        self._chat_model = chat_model
        self._lock = threading.Lock()
        self._retriever = None
        self._chain = None

    # -- lazily built parts -------------------------------------------------------------------------
    @property
    def retriever(self):
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    from assistant.indexing.embedding import get_embedder
                    from assistant.indexing.index import load_index
                    from assistant.retrieval import HybridRetriever

                    index = load_index(self.settings)
                    self._retriever = HybridRetriever(
                        index, get_embedder(self.settings.embedding_model_path, self.settings.cache_dir), self.settings
                    )
        return self._retriever

    @property
    def chain(self):
        if self._chain is None:
            retriever = self.retriever
            with self._lock:
                if self._chain is None:
                    from assistant.chain import AnswerChain

                    self._chain = AnswerChain(retriever, self.settings, self._chat_model)
        return self._chain

    @property
    def index(self):
        return self.retriever.index

    def reload(self) -> None:
        """Forget the loaded index (after a rebuild) so the next call opens the new one."""
        with self._lock:
            self._retriever = None
            self._chain = None

    # -- the API -------------------------------------------------------------------------------------
    def retrieve(self, question: str, k: int | None = None, filters: Mapping[str, Any] | None = None) -> list[Passage]:
        cleaned, _ = validate_question(question)
        return self.retriever.retrieve(cleaned, k, filters).passages

    def answer(
        self,
        question: str,
        history: Sequence[Turn | Mapping[str, str]] | None = None,
        *,
        filters: Mapping[str, Any] | None = None,
        k: int | None = None,
    ) -> Answer:
        cleaned, notice = validate_question(question)
        return self.chain.invoke(cleaned, _history(history), filters, k, notice)

    def stream(
        self,
        question: str,
        history: Sequence[Turn | Mapping[str, str]] | None = None,
        *,
        filters: Mapping[str, Any] | None = None,
        k: int | None = None,
    ) -> Iterator[str | Answer]:
        """Yields text pieces as they are produced, then the verified `Answer` last.

        The pieces are a live preview (LLM tokens, or extractive sentences); the final `Answer` is
        authoritative: verified, with invented markers and unsupported sentences taken out of its
        text, or the extractive answer when the LLM failed. Render it in place of the preview.
        """
        cleaned, notice = validate_question(question)
        yield from self.chain.stream(cleaned, _history(history), filters, k, notice)

    def events(
        self,
        question: str,
        history: Sequence[Turn | Mapping[str, str]] | None = None,
        *,
        filters: Mapping[str, Any] | None = None,
        k: int | None = None,
    ) -> Iterator[Event]:
        """Typed events: `TextPiece`s (a live preview), `SentenceVerdict`s, then `FinalAnswer` last.

        `stream()` is the same sequence as plain text pieces and the final `Answer`.
        """
        cleaned, notice = validate_question(question)
        yield from self.chain.events(cleaned, _history(history), filters, k, notice)


_DEFAULT: Assistant | None = None
_DEFAULT_LOCK = threading.Lock()


def retrieve(question: str, k: int | None = None, filters: Mapping[str, Any] | None = None) -> list[Passage]:
    """Module-level convenience: retrieval with the default settings, no UI or LLM imported."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Assistant()
    return _DEFAULT.retrieve(question, k, filters)
