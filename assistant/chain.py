"""The LCEL chain from a question (+ history) to a verified `Answer`.

    condense ─► retrieve ─► pack ─► generate ─► verify

Each step is a `RunnableLambda` over one state dict, so the CLI, the UI and the evaluation harness
run exactly the same pipeline. Generators (extractive, LLM) plug in at the generate step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.generation import prompts
from assistant.generation.extractive import TermStatistics, select_sentences
from assistant.retrieval import HybridRetriever
from assistant.safety import asks_personal_advice
from assistant.settings import Settings
from assistant.text import content_terms
from assistant.types import Answer, AnswerSentence, Citation, Passage, Turn

_FOLLOW_UP = (
    "what about", "how about", "and ", "also", "what of", "same for", "does it", "do they", "is it", "are they",
    "why", "how so", "and what", "compared", "what else",
)
_PRONOUNS = {"it", "they", "them", "this", "that", "these", "those", "its", "their", "there", "such"}


def condense_question(question: str, history: list[Turn]) -> str:
    """A standalone search query: follow-ups borrow the previous turn's topic terms."""
    if not history:
        return question
    lowered = question.lower().strip()
    words = set(lowered.replace("?", " ").split())
    is_follow_up = lowered.startswith(_FOLLOW_UP) or bool(words & _PRONOUNS) or len(content_terms(question)) <= 2
    if not is_follow_up:
        return question
    previous = history[-1].searched_query or history[-1].question
    own = set(content_terms(question))
    borrowed = [t for t in content_terms(previous) if t not in own]
    return f"{question} ({' '.join(borrowed)})" if borrowed else question


class AnswerChain:
    """Builds and runs the chain for one assistant (index, retriever, settings, generator)."""

    def __init__(self, retriever: HybridRetriever, settings: Settings, generator: Any | None = None) -> None:
        self.retriever = retriever
        self.settings = settings
        self.index = retriever.index
        self.stats = TermStatistics(self.index)
        self.generator = generator
        self.runnable: Runnable = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._extract, name="generate")
            | RunnableLambda(self._finish, name="verify")
        )

    # -- steps ----------------------------------------------------------------------------------
    def _condense(self, state: dict) -> dict:
        started = time.perf_counter()
        state["searched_query"] = condense_question(state["question"], state.get("history") or [])
        state["timings"]["condense_ms"] = (time.perf_counter() - started) * 1000
        return state

    def _retrieve(self, state: dict) -> dict:
        result = self.retriever.retrieve(state["searched_query"], state.get("k"), state.get("filters"))
        state["retrieval"] = result
        state["timings"]["retrieve_ms"] = result.seconds * 1000
        return state

    def _extract(self, state: dict) -> dict:
        started = time.perf_counter()
        result = state["retrieval"]
        state["extractive"] = select_sentences(
            state["question"], state["searched_query"], result.query_vector, result.passages,
            self.index, self.stats, self.settings,
        )
        state["timings"]["generate_ms"] = (time.perf_counter() - started) * 1000
        return state

    def _finish(self, state: dict) -> Answer:
        extractive = state["extractive"]
        answer = Answer(
            question=state["question"],
            text="",
            searched_query=state["searched_query"],
            passages=state["retrieval"].passages,
            backend="extractive",
            disclaimer=prompts.DISCLAIMER,
            timings=state["timings"],
        )
        if state.get("notice"):
            answer.notice = state["notice"]
        if extractive.refused:
            answer.refused = True
            answer.text = prompts.REFUSAL
            return answer
        citations: dict[str, Citation] = {}
        for sentence_text, passage in extractive.sentences:
            citation = citations.get(passage.chunk.id)
            if citation is None:
                citation = Citation(
                    n=len(citations) + 1, passage=passage, quote=sentence_text,
                    references=self._references_for(passage),
                )
                citations[passage.chunk.id] = citation
            elif sentence_text not in citation.quote:
                citation.quote = _join_quotes(passage.text, citation.quote, sentence_text)
            answer.sentences.append(AnswerSentence(sentence_text, [citation.n], True))
        answer.citations = list(citations.values())
        answer.text = " ".join(f"{s.text} [{s.citations[0]}]" for s in answer.sentences)
        if asks_personal_advice(state["question"]):
            answer.notice = prompts.PERSONAL_ADVICE_NOTE
        return answer

    def _references_for(self, passage: Passage):
        references = self.index.references.get(passage.source_id, [])
        wanted = set(passage.chunk.ref_numbers)
        return [ref for ref in references if ref.number in wanted]

    # -- running --------------------------------------------------------------------------------
    def invoke(self, question: str, history: list[Turn], filters, k, notice: str | None = None) -> Answer:
        started = time.perf_counter()
        state = {"question": question, "history": history, "filters": filters, "k": k, "timings": {}, "notice": notice}
        answer = self.runnable.invoke(state)
        answer.timings["total_ms"] = (time.perf_counter() - started) * 1000
        return answer

    def stream(self, question: str, history: list[Turn], filters, k, notice: str | None = None) -> Iterator[str | Answer]:
        answer = self.invoke(question, history, filters, k, notice)
        if answer.refused:
            yield answer.text
        else:
            for i, sentence in enumerate(answer.sentences):
                yield ("" if i == 0 else " ") + f"{sentence.text} [{sentence.citations[0]}]"
        yield answer


def _join_quotes(passage_text: str, first: str, second: str) -> str:
    """Two quoted sentences of one passage, as the exact span that holds both."""
    a, b = passage_text.find(first), passage_text.find(second)
    if a < 0 or b < 0:
        return first
    start, end = min(a, b), max(a + len(first), b + len(second))
    return passage_text[start:end]
