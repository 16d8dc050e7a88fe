"""The LCEL chain from a question (+ history) to a verified `Answer`.

    condense ─► retrieve ─► rank ─► gate ─► pack ─► generate ─► verify

The `Question` is built once, before condense, and frozen; each step reads it and fills one typed
`AnswerState` (assistant/generation/state.py). A question that asks several things is searched,
ranked and gated part by part. The gate (assistant/generation/gate.py) is the one step that decides
to refuse, with a typed reason; generation only runs on what it let through. condense, retrieve,
rank, gate and pack are plain functions; generate and verify are generators, so streaming
passes typed events through as they are produced — `TextPiece` (LLM tokens, or the extractive
generator's sentences), then one `SentenceVerdict` per checked sentence, then `FinalAnswer` with the
verified `Answer`. The CLI, the UI and the evaluation harness run exactly this pipeline.

Two generators sit behind one `Generator` protocol: the extractive generator (always computed — it is
cheap, and it is the fallback) and an
OpenAI-compatible chat model (`Settings.backend`; auto = LLM when one is configured). Every draft,
whatever its backend, is verified sentence by sentence; an LLM draft that fails (unreachable, timeout,
garbage, nothing supported) is replaced by the extractive one and the user gets a one-line notice.
The chain reads passages and their attached evidence only; it never touches the index's rows.

The same steps are offered as an LCEL `Runnable` (`AnswerChain.runnable`) for LangChain pipelines; it
is built on first use, because importing langchain-core's runnables (and langsmith with them) costs
about 0.6 s of CPU, nearly half of what a cold `ask` spent (issue 22 item 15).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import GenerationError
from assistant.filters import parse_filters
from assistant.generation import gate, prompts
from assistant.generation.base import (
    Draft,
    Event,
    FinalAnswer,
    SentenceVerdict,
    SourceNumbers,
    TextPiece,
    pass_text,
    with_markers,
)
from assistant.generation.evidence_table import study_rows
from assistant.generation.extractive import ExtractiveGenerator
from assistant.generation.fallback import FallbackGenerator
from assistant.generation.front_matter import FrontMatterLookup
from assistant.generation.packing import pack_context
from assistant.generation.question import asks_record, build_question, is_follow_up, population
from assistant.generation.ranking import rank_evidence
from assistant.generation.state import AnswerState, PartState
from assistant.generation.terms import TermStatistics
from assistant.markers import reference_numbers
from assistant.retrieval import HybridRetriever
from assistant.safety import sounds_like_recommendation
from assistant.settings import Settings
from assistant.text import QUESTION_FRAME_WORDS, content_terms
from assistant.types import (
    Answer,
    AnswerSentence,
    Citation,
    Passage,
    Question,
    Refusal,
    RefusalReason,
    RetrievalResult,
    SourceKind,
    Turn,
    is_front_matter_section,
)
from assistant.verification import Verdict, verify_sentences, veto_by_judge

if TYPE_CHECKING:  # pragma: no cover - an annotation only: importing it loads langchain's model stack (~0.1 s)
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable


def condense_question(question: Question) -> str:
    """A standalone search query.

    A self-contained question is searched as written, and never borrows. A follow-up ("What about
    exosomes?", "And in humans?", "Do they raise Tregs?") borrows the topic of the last ANSWERED turn
    that was itself self-contained: that turn's own question, never a rewritten query, so terms never
    pile up over a conversation ("humans" of "And in humans?" is not carried into "What about
    exosomes?"). Population words of the earlier topic give way to the new question's ("mice" -> "humans").
    """
    if not question.follow_up:
        return question.text
    previous = next((t for t in reversed(question.history) if not t.refused and not is_follow_up(t.question)), None)
    if previous is None:
        return question.text
    topic = re.sub(r"[()]", " ", previous.question)
    own = set(content_terms(question.text))
    replaces_population = bool(question.population.species)
    borrowed: dict[str, str] = {}  # term -> the word as the user wrote it (queries are shown to users)
    for word in re.findall(r"[\w][\w\-/.]*[\w]|\w", topic):
        terms = content_terms(word)
        if not terms or set(terms) & own or terms[0] in borrowed or word.lower() in _FRAME_WORDS:
            continue
        if replaces_population and population(word):
            continue
        borrowed[terms[0]] = word
    return f"{question.text} ({' '.join(borrowed.values())})" if borrowed else question.text


#: words of the earlier question that say how it asked, not what about (one list: assistant.text)
_FRAME_WORDS = QUESTION_FRAME_WORDS


class AnswerChain:
    """Builds and runs the chain for one assistant (retriever, settings, generators)."""

    def __init__(self, retriever: HybridRetriever, settings: Settings, chat_model: BaseChatModel | None = None) -> None:
        self.retriever = retriever
        self.settings = settings
        index = retriever.index
        self.stats = TermStatistics(index.document_frequencies, len(index.chunks), index.glossary.expand, index.speller)
        self.glossary = index.glossary  # verification resolves abbreviations and plurals with it
        self.lookup = FrontMatterLookup(index)
        self.holdings = index_holdings(index)
        self._judge_fn = None
        self.extractive = ExtractiveGenerator(settings)
        self.chat_model = self._chat_model(settings, chat_model)
        self.llm = None
        if self.chat_model is not None:
            from assistant.generation.chat import ChatGenerator

            self.llm = ChatGenerator(self.chat_model, settings)
        self.generator = FallbackGenerator(self.extractive, self.llm)
        self._runnable: Runnable | None = None

    @property
    def runnable(self) -> Runnable:
        """The steps as one LCEL `Runnable` (stream it with an `AnswerState`), built on first use."""
        if self._runnable is None:
            from langchain_core.runnables import RunnableGenerator, RunnableLambda

            self._runnable = (
                RunnableLambda(self._condense, name="condense")
                | RunnableLambda(self._retrieve, name="retrieve")
                | RunnableLambda(self._rank, name="rank")
                | RunnableLambda(self._gate, name="gate")
                | RunnableLambda(self._pack, name="pack")
                | RunnableGenerator(self._generate, name="generate")
                | RunnableGenerator(self._verify, name="verify")
            )
        return self._runnable

    def _run(self, state: AnswerState) -> Iterator[Event]:
        """condense, retrieve, rank, gate and pack, then generate and verify streaming (`runnable.stream`)."""
        packed = self._pack(self._gate(self._rank(self._retrieve(self._condense(state)))))
        return self._verify(self._generate(iter([packed])))

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
        return "llm" if self.llm is not None else "extractive"

    # -- steps ----------------------------------------------------------------------------------
    def _condense(self, state: AnswerState) -> AnswerState:
        started = time.perf_counter()
        question = state.question
        query = ""
        if question.follow_up and self.llm is not None:
            try:
                query = self.llm.condense(question.text, list(question.history))
            except GenerationError as exc:
                # the endpoint is failing: don't make the user wait for it a second time in generate
                state.llm_failure = exc.message
        state.searched_query = query or condense_question(question)
        if question.parts and state.searched_query == question.text:
            parts = [build_question(part, question.history, question.filters) for part in question.parts]
            state.parts = [PartState(part, condense_question(part)) for part in parts]
        else:
            state.parts = [PartState(question, state.searched_query)]
        state.timings["condense_ms"] = (time.perf_counter() - started) * 1000
        return state

    def _retrieve(self, state: AnswerState) -> AnswerState:
        seconds = 0.0
        for part in state.parts:
            part.retrieval = self.retriever.retrieve(part.searched_query, state.k, state.filters)
            seconds += part.retrieval.seconds
        state.retrieval = _merged([part.retrieval for part in state.parts if part.retrieval is not None])
        state.timings["retrieve_ms"] = seconds * 1000
        return state

    def _rank(self, state: AnswerState) -> AnswerState:
        started = time.perf_counter()
        for part in state.parts:
            self._rank_part(part, state.k)
        state.timings["rank_ms"] = (time.perf_counter() - started) * 1000
        return state

    def _rank_part(self, part: PartState, k: int | None = None, *, records: bool = True) -> None:
        result = part.retrieval
        assert result is not None
        part.ranking = rank_evidence(
            part.question,
            part.searched_query,
            result.query_vector,
            result.passages,
            self.stats,
            self.lookup,
            learned=self.settings.relevance_ranking == "learned",
            long_form=self.glossary.long_form,
        )
        study = _record_wanted(part) if records else ""
        if study:
            # "who first-authored the meta-analysis on ...": the record of the study the best evidence is from
            part.retrieval = self.retriever.retrieve(
                part.searched_query, k, part.question.filters, records_for=(study,)
            )
            self._rank_part(part, k, records=False)

    def _gate(self, state: AnswerState) -> AnswerState:
        """The one decision: every part refused -> the question is; some refused -> said in the answer.

        A part the sources do not cover as asked, but do without its last place phrase ("Do MSCs
        promote angiogenesis in the endometrium?"), is answered from the narrower question, and the
        answer says first that the sources do not tie it to that place."""
        for i, part in enumerate(state.parts):
            assert part.ranking is not None
            part.refusal = self._decide(part)
            wider = self._without_place(part, state) if part.refusal is not None else None
            if wider is not None:
                state.parts[i] = wider
                state.place_gaps.append(part.question.place[1])
        if state.place_gaps:
            state.retrieval = _merged([part.retrieval for part in state.parts if part.retrieval is not None])
        refused = [part for part in state.parts if part.refusal is not None]
        if len(refused) == len(state.parts):
            state.refusal = refused[0].refusal
        else:
            state.unanswered_parts = [part.question.text for part in refused]
            state.parts = [part for part in state.parts if part.refusal is None]
        return state

    def _decide(self, part: PartState) -> Refusal | None:
        assert part.ranking is not None
        return gate.decide(
            part.question, part.ranking, part.searched_query, self.holdings, self.settings.relevance_gate
        )

    def _without_place(self, part: PartState, state: AnswerState) -> PartState | None:
        """The part asked without its place phrase, searched, ranked and gated; None when it names no
        place, was refused for another reason, or is not covered either."""
        refusal = part.refusal
        core, place = part.question.place
        if not core or refusal is None or refusal.reason is not RefusalReason.NOT_IN_SOURCES or part.question.personal:
            return None
        if not all(self.stats.known(self.stats.spelled(t)) for t in content_terms(place)):
            return None  # a place the sources never name ("the brain"): not in the sources, as refused
        asked = build_question(core, part.question.history, part.question.filters)
        wider = PartState(asked, condense_question(asked) if asked.follow_up else core)
        wider.retrieval = self.retriever.retrieve(wider.searched_query, state.k, state.filters)
        state.timings["retrieve_ms"] = state.timings.get("retrieve_ms", 0.0) + wider.retrieval.seconds * 1000
        self._rank_part(wider, state.k)
        wider.refusal = self._decide(wider)
        # a front-matter line answers a question about the review, never a topic question cut short
        assert wider.ranking is not None
        return wider if wider.refusal is None and wider.ranking.front_matter is None else None

    def _pack(self, state: AnswerState) -> AnswerState:
        if self.llm is not None and state.refusal is None:
            state.packed = pack_context(state.passages, self.settings.context_token_budget, self.settings.llm_model)
        return state

    def _generate(self, states: Iterator[AnswerState]) -> Iterator[TextPiece | AnswerState]:
        for state in states:
            started = time.perf_counter()
            state.draft = yield from pass_text(self.generator.draft(state))
            state.timings["generate_ms"] = (time.perf_counter() - started) * 1000
            yield state

    def _verify(self, items: Iterator[TextPiece | AnswerState]) -> Iterator[Event]:
        for item in items:
            if not isinstance(item, AnswerState):
                yield item
                continue
            state = item
            started = time.perf_counter()
            draft = state.draft
            assert draft is not None
            verdicts = self._verdicts(state, draft)
            if draft.backend == "llm" and not draft.refused and not any(v.supported for v in verdicts):
                # nothing the model said holds up (or it declined): answer extractively rather than show nothing
                draft = state.draft = yield from pass_text(self.generator.replace_unsupported(state))
                verdicts = self._verdicts(state, draft)
            state.verdicts = verdicts
            for verdict in verdicts:
                yield SentenceVerdict(verdict.text, verdict.supported, tuple(p.chunk.id for p in verdict.passages))
            answer = self._answer(state, draft, verdicts)
            state.timings["verify_ms"] = (time.perf_counter() - started) * 1000
            yield FinalAnswer(answer)

    # -- verification and the Answer -------------------------------------------------------------
    def _verdicts(self, state: AnswerState, draft: Draft) -> list[Verdict]:
        if draft.refused or not draft.sentences:
            return []
        vectors = self._sentence_vectors(state, [sentence.text for sentence in draft.sentences])
        learned = self.settings.verifier == "learned"
        verdicts = verify_sentences(draft.sentences, vectors, self._evidence_of, self.glossary, learned=learned)
        for verdict in verdicts:
            if verdict.check.supported and sounds_like_recommendation(verdict.text):
                verdict.check.supported = False  # the assistant reports findings, never advice
                verdict.reason = "advice"
        notice = veto_by_judge(verdicts, self._judge())  # one judge call per answer (RSA_JUDGE_BASE_URL)
        if notice and notice not in state.notices:
            state.notices.append(notice)
        return verdicts

    def _judge(self):
        """The optional entailment judge (RSA_JUDGE_BASE_URL), built once; None when not configured."""
        if not self.settings.judge_base_url:
            return None
        if self._judge_fn is None:
            from assistant.claims.judge import make_batch_judge

            self._judge_fn = make_batch_judge(self.settings)
        return self._judge_fn

    def _sentence_vectors(self, state: AnswerState, texts: list[str]) -> np.ndarray:
        """Vectors of answer sentences: a sentence of the retrieved evidence (every extractive one)
        reuses the vector its passage carries, and only new text (an LLM's) is embedded."""
        known = {s.text: s.vector for p in state.passages for s in p.sentences if s.vector is not None}
        missing = [text for text in texts if text not in known]
        fresh = iter(self.retriever.embedder.encode(missing)) if missing else iter(())
        return np.stack([np.asarray(known[text]) if text in known else next(fresh) for text in texts])

    def _evidence_of(self, passage: Passage) -> tuple[list[str], np.ndarray]:
        """A passage's evidence sentences and vectors; sentences without a stored vector are embedded."""
        texts = passage.sentence_texts() or [passage.text]
        vectors = passage.sentence_vectors()
        return texts, vectors if vectors is not None else self.retriever.embedder.encode(texts)

    def _answer(self, state: AnswerState, draft: Draft, verdicts: list[Verdict]) -> Answer:
        question = state.question
        answer = Answer(
            question=question.text,
            text="",
            searched_query=state.searched_query,
            passages=state.passages,
            backend=draft.backend,
            disclaimer=prompts.DISCLAIMER,
            timings=state.timings,
        )
        notices = list(state.notices)
        if state.llm_failure:
            notices.append(prompts.NOTICE_LLM_FAILED.format(reason=state.llm_failure))
        notices.extend(draft.notices)
        # a personal-advice question opens with the fixed note, whichever generator answered
        lead = draft.lead or (prompts.PERSONAL_ADVICE_NOTE if question.personal else "")
        frame = draft.frame if draft.backend == "extractive" else ""
        if state.place_gaps:
            # what was asked about the place is not in the sources: no yes/no frame, the gap first
            lead = " ".join(prompts.PLACE_NOT_COVERED.format(place=place) for place in state.place_gaps)
            frame = ""
        refusal = state.refusal
        if refusal is None and not any(v.supported for v in verdicts):
            refusal = gate.nothing_supported(question, self.holdings)
            if verdicts:
                notices.append(prompts.NOTICE_NOTHING_SUPPORTED)
                # the checked sentences stay visible as unsupported, with why, but cite nothing
                answer.sentences = [AnswerSentence(v.text, [], False, v.reason) for v in verdicts]
        if refusal is not None:
            answer.refused = True
            answer.refusal_reason = refusal.reason.value
            answer.text = " ".join(t for t in (refusal.lead or lead, refusal.text) if t)
            notices.extend(n for n in refusal.notices if n not in notices)
        else:
            self._fill(answer, verdicts, frame)
            answer.studies = study_rows(answer.citations)
            invented = sorted({n for v in verdicts for n in v.invented})
            if invented:
                notices.append(prompts.NOTICE_INVENTED_CITATIONS.format(markers=", ".join(f"[{n}]" for n in invented)))
            if answer.unsupported_count:
                notice = prompts.NOTICE_UNSUPPORTED if draft.backend == "llm" else prompts.NOTICE_UNSUPPORTED_EXTRACTIVE
                notices.append(notice.format(count=answer.unsupported_count))
            if lead:  # the note comes before what the sources found
                answer.text = f"{lead} {answer.text}".strip()
                answer.lead = f"{lead} {answer.lead}".strip()
            for part in state.unanswered_parts:  # each part of the question answered, or said to be not
                unanswered = prompts.PART_NOT_COVERED.format(part=part)
                answer.text = f"{answer.text} {unanswered}"
                notices.append(unanswered)  # renderers show sentences and notices, not the plain text
        answer.notice = prompts.NOTICE_SEPARATOR.join(notices) or None
        return answer

    def _fill(self, answer: Answer, verdicts: list[Verdict], frame: str = "") -> None:
        """Sentences, citations numbered by first appearance, and the text of the supported sentences.

        One number per source (issue #14 item 23): a source quoted through several passages (the
        review's Abstract and Core Tip) keeps one Citation per passage, all with the source's number,
        and renderers show it as one source with several quoted passages. The frame of a yes/no answer
        ("In mice, yes:") opens the text only when the first sentence is supported."""
        citations: dict[str, Citation] = {}
        source_numbers = SourceNumbers()
        for verdict in verdicts:
            numbers: list[int] = []
            for passage in verdict.passages:
                quote = verdict.quotes.get(passage.chunk.id, verdict.text)
                citation = citations.get(passage.chunk.id)
                if citation is None:
                    n = source_numbers.of(passage.source_id)
                    citation = Citation(n, passage, quote, list(passage.references))
                    citations[passage.chunk.id] = citation
                elif verdict.supported and quote not in citation.quote:
                    citation.quote = _join_quotes(passage.text, citation.quote, quote)
                if citation.n not in numbers:
                    numbers.append(citation.n)
            answer.sentences.append(AnswerSentence(verdict.text, numbers, verdict.supported, verdict.reason))
        for citation in citations.values():
            # sentence-level provenance: a quote that carries review markers links to those references only
            cited = set(reference_numbers(citation.quote))
            if cited:
                citation.references = [r for r in citation.references if r.number in cited] or citation.references
        answer.citations = list(citations.values())
        answer.text = " ".join(with_markers(s.text, s.citations) for s in answer.sentences if s.supported)
        if frame and verdicts and verdicts[0].supported:
            # the frame says what the first cited sentence shows; the sentence itself stays verbatim
            answer.lead = frame
            answer.text = f"{frame} {answer.text}"

    # -- running --------------------------------------------------------------------------------
    def events(
        self, question: str, history: list[Turn], filters: Any = None, k: int | None = None, notice: str | None = None
    ) -> Iterator[Event]:
        """Typed events: `TextPiece`s as produced, `SentenceVerdict`s, then `FinalAnswer` (authoritative)."""
        started = time.perf_counter()
        asked = build_question(question, history, parse_filters(filters))
        state = AnswerState(asked, k, notices=[notice] if notice else [])
        for event in self._run(state):
            if isinstance(event, FinalAnswer):
                event.answer.timings["total_ms"] = (time.perf_counter() - started) * 1000
            yield event

    def invoke(
        self, question: str, history: list[Turn], filters: Any = None, k: int | None = None, notice: str | None = None
    ) -> Answer:
        for event in self.events(question, history, filters, k, notice):
            if isinstance(event, FinalAnswer):
                return event.answer
        raise RuntimeError("the answer chain ended without an answer")  # pragma: no cover

    def stream(
        self, question: str, history: list[Turn], filters: Any = None, k: int | None = None, notice: str | None = None
    ) -> Iterator[str | Answer]:
        """The plain view of `events`: text pieces as `str`, then the verified `Answer` last."""
        for event in self.events(question, history, filters, k, notice):
            if isinstance(event, TextPiece):
                yield event.text
            elif isinstance(event, FinalAnswer):
                yield event.answer


def index_holdings(index) -> gate.IndexHoldings:
    """What the index holds, for refusal texts: sources by kind, and whether the review's body is in."""
    kinds = Counter(source.kind for source in index.sources.values())
    review_ids = {sid for sid, source in index.sources.items() if source.kind is SourceKind.REVIEW}
    sections = {chunk.section.lower() for chunk in index.chunks if chunk.source_id in review_ids}
    body = any(not is_front_matter_section(name) and name not in _REVIEW_SUMMARY_SECTIONS for name in sections)
    phrases = []
    for kind, count in sorted(kinds.items(), key=lambda item: -item[1]):
        if kind is SourceKind.REVIEW and not body:
            phrases.append(prompts.HOLDS_REVIEW_SUMMARY)
        else:
            phrases.append(f"{count} {kind.label}{'' if count == 1 else 's'}")
    return gate.IndexHoldings(", ".join(phrases), review_body=body or not review_ids)


#: sections a review's landing page gives without its body
_REVIEW_SUMMARY_SECTIONS = frozenset({"abstract", "core tip", "title"})


def _merged(results: list[RetrievalResult]) -> RetrievalResult:
    """One result from each part's: every passage once, in rank order of first appearance."""
    if len(results) == 1:
        return results[0]
    seen: dict[str, Passage] = {}
    for result in results:
        for passage in result.passages:
            seen.setdefault(passage.chunk.id, passage)
    first = results[0]
    return RetrievalResult(
        list(seen.values()), first.query, first.expanded_query, first.query_vector, sum(r.seconds for r in results)
    )


def _join_quotes(passage_text: str, first: str, second: str) -> str:
    """Two quoted sentences of one passage, as the exact span that holds both."""
    a, b = passage_text.find(first), passage_text.find(second)
    if a < 0 or b < 0:
        return first
    start, end = min(a, b), max(a + len(first), b + len(second))
    return passage_text[start:end]


def _record_wanted(part: PartState) -> str:
    """The study whose record lines a question asking a record field (who, when, which journal or
    trial) needs, when its best evidence is that study's finding and no record line of it was retrieved."""
    ranking = part.ranking
    if ranking is None or ranking.front_matter is not None or not ranking.scored or not asks_record(part.question):
        return ""
    best = ranking.scored[0].passage
    if not best.source.kind.is_study or is_front_matter_section(best.section):
        return ""
    retrieved = part.retrieval.passages if part.retrieval is not None else []
    has_record = any(p.source_id == best.source_id and is_front_matter_section(p.section) for p in retrieved)
    return "" if has_record else best.source_id
