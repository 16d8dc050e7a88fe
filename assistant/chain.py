"""The LCEL chain from a question (+ history) to a verified `Answer`.

    condense ─► retrieve ─► pack ─► generate ─► verify

condense, retrieve and pack are `RunnableLambda`s over one state dict; generate and verify are
`RunnableGenerator`s, so `stream()` passes text through as it is produced (LLM tokens, or the
extractive generator's sentences) and ends with the verified `Answer`. The CLI, the UI and the
evaluation harness run exactly this pipeline.

Two generators sit behind one `Draft` interface: the extractive generator (always computed — it is
cheap, it is the relevance gate that refuses uncovered questions, and it is the fallback) and an LLM
(`Settings.backend`; auto = LLM when one is configured). Every draft, whatever its backend, is
verified sentence by sentence; an LLM draft that fails (unreachable, timeout, garbage, nothing
supported) is replaced by the extractive one and the user gets a one-line notice saying why.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

from assistant.errors import GenerationError
from assistant.generation import prompts
from assistant.generation.extractive import TermStatistics, select_sentences
from assistant.generation.packing import PackedSource, pack_context, render_sources
from assistant.retrieval import HybridRetriever
from assistant.safety import asks_personal_advice, sounds_like_recommendation
from assistant.settings import Settings
from assistant.text import content_terms, split_sentences
from assistant.types import Answer, AnswerSentence, Citation, Passage, Turn
from assistant.verification import Verdict, split_answer, verify_sentences

_FOLLOW_UP = (
    "what about", "how about", "and ", "also", "what of", "same for", "does it", "do they", "is it", "are they",
    "why", "how so", "and what", "compared", "what else",
)
_PRONOUNS = {"it", "they", "them", "this", "that", "these", "those", "its", "their", "there", "such"}
#: Longest standalone query accepted from the LLM; longer replies are chatter, not a query.
_MAX_CONDENSED_CHARS = 300


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
    borrowed: dict[str, str] = {}  # term -> the word as the user wrote it (queries are shown to users)
    for word in re.findall(r"[\w][\w\-/.]*[\w]|\w", previous):
        terms = content_terms(word)
        if terms and not set(terms) & own and terms[0] not in borrowed:
            borrowed[terms[0]] = word
    return f"{question} ({' '.join(borrowed.values())})" if borrowed else question


def clean_condensed(reply: str) -> str:
    """The query in an LLM's condense reply, or "" when the reply is not a usable one-line query."""
    for line in reply.strip().splitlines():
        line = re.sub(r"^(standalone (search )?query|query)\s*:\s*", "", line.strip(), flags=re.IGNORECASE)
        line = line.strip().strip("\"'`").strip()
        if line:
            return line if len(line) <= _MAX_CONDENSED_CHARS and any(c.isalnum() for c in line) else ""
    return ""


@dataclass
class Draft:
    """What a generator produced, before verification: sentences with the passages they cite."""

    backend: str
    sentences: list[tuple[str, list[Passage], list[int]]] = field(default_factory=list)
    refused: bool = False
    raw: str = ""


class AnswerChain:
    """Builds and runs the chain for one assistant (index, retriever, settings, generators)."""

    def __init__(
        self, retriever: HybridRetriever, settings: Settings, chat_model: BaseChatModel | None = None
    ) -> None:
        self.retriever = retriever
        self.settings = settings
        self.index = retriever.index
        self.stats = TermStatistics(self.index)
        self._sentence_rows: dict[str, int] | None = None
        self.chat_model = self._chat_model(settings, chat_model)
        self.runnable: Runnable = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._pack, name="pack")
            | RunnableGenerator(self._generate, name="generate")
            | RunnableGenerator(self._verify, name="verify")
        )

    @staticmethod
    def _chat_model(settings: Settings, given: BaseChatModel | None) -> BaseChatModel | None:
        if settings.backend == "extractive":
            return None
        if given is not None:
            return given
        if settings.uses_llm:
            from assistant.generation.llm import make_chat_model

            return make_chat_model(settings)
        return None

    @property
    def backend(self) -> str:
        return "llm" if self.chat_model is not None else "extractive"

    # -- steps ----------------------------------------------------------------------------------
    def _condense(self, state: dict) -> dict:
        started = time.perf_counter()
        history = state.get("history") or []
        query = ""
        if history and self.chat_model is not None:
            query = self._condense_with_llm(state, history)
        state["searched_query"] = query or condense_question(state["question"], history)
        state["timings"]["condense_ms"] = (time.perf_counter() - started) * 1000
        return state

    def _condense_with_llm(self, state: dict, history: list[Turn]) -> str:
        from assistant.generation.llm import condense_messages, invoke_text

        try:
            reply = invoke_text(self.chat_model, condense_messages(state["question"], history), self.settings.llm_timeout_s)
        except GenerationError as exc:
            # the endpoint is failing: don't make the user wait for it a second time in generate
            state["llm_failure"] = exc.message
            return ""
        return clean_condensed(reply)

    def _retrieve(self, state: dict) -> dict:
        result = self.retriever.retrieve(state["searched_query"], state.get("k"), state.get("filters"))
        state["retrieval"] = result
        state["timings"]["retrieve_ms"] = result.seconds * 1000
        return state

    def _pack(self, state: dict) -> dict:
        state["packed"] = []
        if self.chat_model is not None:
            state["packed"] = pack_context(
                state["retrieval"].passages, self.settings.context_token_budget, self.settings.llm_model
            )
        return state

    def _generate(self, states: Iterator[dict]) -> Iterator[Any]:
        for state in states:
            started = time.perf_counter()
            extractive = self._extractive_draft(state)
            state["extractive_draft"] = extractive
            if extractive.refused or self.chat_model is None or state.get("llm_failure") or not state["packed"]:
                draft = extractive
                yield from _draft_text(draft)
            else:
                draft = yield from self._llm_draft(state)
                if draft is None:  # the LLM failed: the user gets the extractive answer
                    draft = extractive
                    yield from _draft_text(draft, after_partial=state.get("streamed_partial", False))
            state["draft"] = draft
            state["timings"]["generate_ms"] = (time.perf_counter() - started) * 1000
            yield state

    def _extractive_draft(self, state: dict) -> Draft:
        result = state["retrieval"]
        selected = select_sentences(
            state["question"], state["searched_query"], result.query_vector, result.passages,
            self.index, self.stats, self.settings,
        )
        if selected.refused:
            return Draft("extractive", refused=True)
        return Draft("extractive", [(text, [passage], []) for text, passage in selected.sentences])

    def _llm_draft(self, state: dict):
        """Streams the LLM's tokens; returns its Draft, or None (with state['llm_failure']) on failure."""
        from assistant.generation.llm import answer_messages, stream_text

        packed: list[PackedSource] = state["packed"]
        question = state["searched_query"] if state.get("history") else state["question"]
        messages = answer_messages(question, render_sources(packed), self.settings.max_answer_sentences)
        pieces: list[str] = []
        try:
            for piece in stream_text(self.chat_model, messages, self.settings.llm_timeout_s):
                pieces.append(piece)
                state["streamed_partial"] = True
                yield piece
        except GenerationError as exc:
            state["llm_failure"] = exc.message
            return None
        raw = "".join(pieces).strip()
        if not raw:
            state["llm_failure"] = prompts.REASON_EMPTY
            return None
        return _parse_llm_answer(raw, packed)

    def _verify(self, items: Iterator[Any]) -> Iterator[Any]:
        for item in items:
            if isinstance(item, str):
                yield item
                continue
            state = item
            started = time.perf_counter()
            draft: Draft = state["draft"]
            verdicts = self._verdicts(draft)
            if draft.backend == "llm" and not draft.refused and not any(v.supported for v in verdicts):
                # nothing the model said holds up: answer extractively rather than show nothing
                state["llm_failure"] = prompts.REASON_UNSUPPORTED
                draft = state["draft"] = state["extractive_draft"]
                yield from _draft_text(draft, after_partial=True)
                verdicts = self._verdicts(draft)
            answer = self._answer(state, draft, verdicts)
            state["timings"]["verify_ms"] = (time.perf_counter() - started) * 1000
            yield answer

    # -- verification and the Answer -------------------------------------------------------------
    def _verdicts(self, draft: Draft) -> list[Verdict]:
        if draft.refused or not draft.sentences:
            return []
        vectors = self._sentence_vectors([text for text, _, _ in draft.sentences])
        verdicts = verify_sentences(draft.sentences, vectors, self._evidence_of)
        for verdict in verdicts:
            if verdict.check.supported and sounds_like_recommendation(verdict.text):
                verdict.check.supported = False  # the assistant reports findings, never advice
        return verdicts

    def _sentence_vectors(self, texts: list[str]) -> np.ndarray:
        """Vectors of answer sentences: an indexed sentence (every extractive one) reuses its stored
        vector, and only new text (an LLM's) is embedded."""
        if self._sentence_rows is None:
            self._sentence_rows = {s.text: i for i, s in enumerate(self.index.sentences)}
        rows = [self._sentence_rows.get(text) for text in texts]
        missing = [text for text, row in zip(texts, rows) if row is None]
        fresh = iter(self.retriever.embedder.encode(missing)) if missing else iter(())
        return np.stack([self.index.sentence_vectors[row] if row is not None else next(fresh) for row in rows])

    def _evidence_of(self, passage: Passage) -> tuple[list[str], np.ndarray]:
        row = self.index.row_of.get(passage.chunk.id)
        if row is not None and self.index.chunk_sentences[row]:
            rows = self.index.chunk_sentences[row]
            return [self.index.sentences[i].text for i in rows], self.index.sentence_vectors[rows]
        texts = [passage.text[s:e] for s, e in split_sentences(passage.text)] or [passage.text]
        return texts, self.retriever.embedder.encode(texts)

    def _answer(self, state: dict, draft: Draft, verdicts: list[Verdict]) -> Answer:
        answer = Answer(
            question=state["question"], text="", searched_query=state["searched_query"],
            passages=state["retrieval"].passages, backend=draft.backend, disclaimer=prompts.DISCLAIMER,
            timings=state["timings"],
        )
        notices = [state["notice"]] if state.get("notice") else []
        if state.get("llm_failure"):
            notices.append(prompts.NOTICE_LLM_FAILED.format(reason=state["llm_failure"]))
        if draft.refused or not verdicts:
            answer.refused = True
            answer.text = prompts.REFUSAL
        else:
            self._fill(answer, verdicts)
            invented = sorted({n for v in verdicts for n in v.invented})
            if invented:
                notices.append(prompts.NOTICE_INVENTED_CITATIONS.format(markers=", ".join(f"[{n}]" for n in invented)))
            if answer.unsupported_count:
                notices.append(prompts.NOTICE_UNSUPPORTED.format(count=answer.unsupported_count))
            if asks_personal_advice(state["question"]):
                notices.append(prompts.PERSONAL_ADVICE_NOTE)
        answer.notice = prompts.NOTICE_SEPARATOR.join(notices) or None
        return answer

    def _fill(self, answer: Answer, verdicts: list[Verdict]) -> None:
        """Sentences, citations numbered by first appearance, and the text of the supported sentences."""
        citations: dict[str, Citation] = {}
        for verdict in verdicts:
            numbers = []
            for passage in verdict.passages:
                quote = verdict.quotes.get(passage.chunk.id, verdict.text)
                citation = citations.get(passage.chunk.id)
                if citation is None:
                    citation = Citation(len(citations) + 1, passage, quote, self._references_for(passage))
                    citations[passage.chunk.id] = citation
                elif verdict.supported and quote not in citation.quote:
                    citation.quote = _join_quotes(passage.text, citation.quote, quote)
                numbers.append(citation.n)
            answer.sentences.append(AnswerSentence(verdict.text, numbers, verdict.supported))
        answer.citations = list(citations.values())
        answer.text = " ".join(_with_markers(s.text, s.citations) for s in answer.sentences if s.supported)

    def _references_for(self, passage: Passage):
        """The references the passage cites, with their linked abstracts' key sentences."""
        from assistant.ingest.links import cited_references

        return cited_references(self.index, passage.source_id, passage.chunk.id, passage.chunk.ref_numbers)

    # -- running --------------------------------------------------------------------------------
    def _state(self, question: str, history: list[Turn], filters, k, notice: str | None) -> dict:
        return {"question": question, "history": history, "filters": filters, "k": k, "timings": {}, "notice": notice}

    def invoke(self, question: str, history: list[Turn], filters, k, notice: str | None = None) -> Answer:
        answer = None
        for item in self.stream(question, history, filters, k, notice):
            answer = item
        assert isinstance(answer, Answer)
        return answer

    def stream(self, question: str, history: list[Turn], filters, k, notice: str | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the verified `Answer` (the authoritative result)."""
        started = time.perf_counter()
        for item in self.runnable.stream(self._state(question, history, filters, k, notice)):
            if isinstance(item, Answer):
                item.timings["total_ms"] = (time.perf_counter() - started) * 1000
            yield item


def _parse_llm_answer(raw: str, packed: list[PackedSource]) -> Draft:
    """The model's text as sentences citing packed passages; markers to no source are set apart."""
    by_number = {source.n: source.passage for source in packed}
    refusal = prompts.REFUSAL.lower().rstrip(".")
    sentences: list[tuple[str, list[Passage], list[int]]] = []
    for text, numbers in split_answer(raw):
        if refusal in text.lower():
            continue
        passages = [by_number[n] for n in numbers if n in by_number]
        invented = [n for n in numbers if n not in by_number]
        sentences.append((text, list({id(p): p for p in passages}.values()), invented))
    return Draft("llm", sentences, refused=not sentences, raw=raw)


def _draft_text(draft: Draft, *, after_partial: bool = False) -> Iterator[str]:
    """The streamed form of a draft (a separator first when other text was already streamed)."""
    if after_partial:
        yield "\n\n"
    if draft.refused:
        yield prompts.REFUSAL
        return
    numbers: dict[str, int] = {}
    for i, (text, passages, _) in enumerate(draft.sentences):
        marks = [numbers.setdefault(p.chunk.id, len(numbers) + 1) for p in passages]
        yield ("" if i == 0 else " ") + _with_markers(text, marks)


def _with_markers(text: str, numbers: list[int]) -> str:
    return f"{text} " + "".join(f"[{n}]" for n in numbers) if numbers else text


def _join_quotes(passage_text: str, first: str, second: str) -> str:
    """Two quoted sentences of one passage, as the exact span that holds both."""
    a, b = passage_text.find(first), passage_text.find(second)
    if a < 0 or b < 0:
        return first
    start, end = min(a, b), max(a + len(first), b + len(second))
    return passage_text[start:end]
