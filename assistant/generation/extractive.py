"""The offline generator: an answer made of verbatim sentences from the retrieved passages.

Sentences are ranked by embedding similarity to the question, by how many of the question's
distinctive terms they contain, by whether they hold the kind of answer the question expects
(`question.py`) and by their passage's retrieval score; near-duplicates are skipped, the most direct
sentence comes first, and several studies give one sentence each. Questions about the article itself
are answered from its front-matter fields (`front_matter.py`). When the best evidence is too weak —
an identifier or acronym the corpus never mentions, a name it asks about in no sentence, or evidence
the gate (`gate.py`) finds weak — it refuses and cites nothing. The question's terms and their forms
come from `terms.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.generation import prompts
from assistant.generation.base import Draft, DraftSentence, TextPiece, draft_text
from assistant.generation.front_matter import FrontMatterLookup
from assistant.generation.gate import GateEvidence, evidence_gate
from assistant.generation.question import about_population, analyse, personal_topic, population, type_word_stems
from assistant.generation.terms import (
    TermStatistics,
    misspelt_name,
    named_terms,
    other_numbered,
    question_terms,
    term_coverage,
)
from assistant.safety import asks_personal_advice, sounds_like_recommendation
from assistant.settings import Settings
from assistant.text import lexical_tokens
from assistant.types import EvidenceSentence, Passage, is_front_matter_section

__all__ = ["ExtractiveGenerator", "ExtractiveResult", "select_sentences"]

_SPECIFIC = re.compile(r"^(?:\d[\w.]*|[a-z]+\d[\w]*)$")
#: "5th February" names a day, not an identifier
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")

#: Roman numerals are identifiers only after a word they number ("phase III"); a bare "IV" is a route.
_NUMBERED_ROMAN = re.compile(r"\b(?:phase|type|stage|grade|class|group|level)\s+([ivx]{1,5})\b", re.IGNORECASE)


@dataclass
class ScoredSentence:
    sentence: EvidenceSentence
    passage: Passage
    passage_rank: int
    score: float
    dense: float
    coverage: float
    own_coverage: float = 0.0
    #: whether it (or its source's title and fields) names the question's anchor name, if any
    names_anchor: bool = True
    #: whether it holds the kind of answer the question expects (a date for "when", a trial for "tried in women")
    holds_expected: bool = False


@dataclass
class ExtractiveResult:
    sentences: list[tuple[str, Passage]]
    refused: bool
    best_similarity: float
    coverage: float
    reason: str = ""
    #: coverage of the question's terms by the best of the top three sentences alone (with context)
    top_coverage: float = 0.0
    #: fixed text opening the answer (the personal-advice note)
    lead: str = ""
    #: a refusal text other than the generic one
    refusal: str = ""
    notices: list[str] = field(default_factory=list)
    #: the numbers the evidence gate judged (None when a rule before it decided: front matter,
    #: nothing retrieved, an unknown identifier, a name in no sentence)
    evidence: GateEvidence | None = None


def select_sentences(
    question: str,
    searched_query: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    stats: TermStatistics,
    settings: Settings,
    *,
    filters: Mapping[str, Any] | None = None,
    lookup: FrontMatterLookup | None = None,
) -> ExtractiveResult:
    """Up to `max_answer_sentences` sentences of the passages' evidence, or a refusal with its reason.

    A question about the article itself (funding, dates, licence...) is answered from the front-matter
    field, citing the sentence that states it. Otherwise sentences are ranked by meaning, by the
    question's terms in the sentence itself, by whether they hold the expected kind of answer (a number
    for "how many", a date for "when") and by passage rank; the most direct comes first.
    """
    analysis = analyse(question)
    # whether a sentence holds the expected kind of answer, asked once per sentence (three steps use it)
    holds = lru_cache(maxsize=None)(analysis.holds_expected)
    if lookup is not None:
        found = lookup.answer(question, passages, restricted=bool(filters))
        if found is not None:
            return ExtractiveResult([found], False, 1.0, 1.0, "front matter")
    personal = asks_personal_advice(question)
    terms, expanded_terms, weights = question_terms(
        personal_topic(searched_query) if personal else searched_query, stats
    )
    numbered = [m.lower() for m in _NUMBERED_ROMAN.findall(searched_query)]
    # identifiers and acronyms ("phase III", "NCT…", "FDA") the corpus never mentions, in any spelling
    # the glossary knows ("IV" = intravenous); a bare roman numeral is not an acronym
    acronyms = named_terms(searched_query)
    unknown_specific = [
        t
        for t in terms
        if (_SPECIFIC.match(t) or t in numbered or t in acronyms)
        and not _ORDINAL.match(t)
        and not any(stats.known(f) for f in expanded_terms[t])
        and not misspelt_name(t, stats)
    ]
    # a compound term ("half-life") none of whose parts the corpus knows is a concept it never speaks of
    unknown_specific += [
        word
        for word in re.findall(r"\b[a-z]+(?:-[a-z]+)+\b", searched_query.lower())
        if not any(stats.known(t) for t in lexical_tokens(stats.expand(word)))
    ]
    type_words = type_word_stems(analysis.expected_all)
    anchor = _anchor(searched_query, terms, weights, stats)
    candidates = _candidates(passages)
    if not candidates:
        return _refused(ExtractiveResult([], True, 0.0, 0.0, "nothing retrieved"), filters, personal)
    dense = np.stack([np.asarray(sentence.vector) for sentence, _ in candidates]) @ query_vector
    scored: list[ScoredSentence] = []
    max_passage = max(p.score for p in passages) or 1.0
    for (sentence, passage), similarity in zip(candidates, dense):
        source = passage.source
        own_tokens = stats.own_tokens(sentence, passage.section)
        holds_answer = holds(sentence.text)
        if holds_answer:
            own_tokens = own_tokens | type_words
        own_coverage = term_coverage(expanded_terms, weights, own_tokens)
        if is_front_matter_section(passage.section) and own_coverage < 0.5:
            # a title, journal or funding line is not evidence about a topic it does not name
            continue
        context_tokens = own_tokens | stats.context_tokens(source, passage.section)
        coverage = term_coverage(expanded_terms, weights, context_tokens)
        # the sentence's own words (and its section's name) rank it; its source's metadata only half as
        # much, or every sentence of a source would tie on a question about that source
        w_dense, w_context, w_own, w_rank = _WEIGHTS
        score = (
            w_dense * float(similarity)
            + w_context * coverage
            + w_own * own_coverage
            + w_rank * (passage.score / max_passage)
        )
        if own_coverage > 0 and holds_answer:
            score += _EXPECTED_BONUS
        # a heading, figure label or fragment ("Results.", "(A) Day 7") states nothing an answer needs
        score -= _SHORT_PENALTY * max(0.0, 1.0 - stats.content_size(sentence) / _FULL_SENTENCE_TERMS)
        names_anchor = (
            anchor is None
            or bool(expanded_terms[anchor] & own_tokens)
            or anchor in stats.context_tokens(source, passage.section)
        )
        scored.append(
            ScoredSentence(
                sentence,
                passage,
                passage.rank,
                score,
                float(similarity),
                coverage,
                own_coverage,
                names_anchor,
                holds_expected=holds_answer and own_coverage > 0,
            )
        )
    if not scored:
        return _refused(ExtractiveResult([], True, 0.0, 0.0, "only front matter retrieved"), filters, personal)
    scored.sort(key=lambda s: s.score, reverse=True)
    best_similarity = max(s.dense for s in scored)
    evidence_tokens: set[str] = set()
    for s in scored[:3]:
        passage = s.passage
        evidence_tokens |= stats.context_tokens(passage.source, passage.section)
        for sentence in passage.sentences:
            evidence_tokens |= stats.own_tokens(sentence, passage.section)
            if type_words and holds(sentence.text):
                evidence_tokens |= type_words
    coverage = term_coverage(expanded_terms, weights, evidence_tokens) if terms else 1.0
    # the best coverage by ONE source's retrieved sentences (with its metadata): terms spread over
    # unrelated sources do not answer a question about one study
    per_source: dict[str, set[str]] = {}
    for s in scored:
        tokens = per_source.setdefault(
            s.passage.source_id, set(stats.context_tokens(s.passage.source, s.passage.section))
        )
        tokens |= stats.own_tokens(s.sentence, s.passage.section)
        if type_words and holds(s.sentence.text):
            # as for one sentence: a sentence naming a route answers "which route" without the word
            tokens |= type_words
    source_coverage = (
        max((term_coverage(expanded_terms, weights, t) for t in per_source.values()), default=0.0) if terms else 1.0
    )
    top_coverage = max(s.coverage for s in scored[:3]) if terms else 1.0
    if not any(s.names_anchor for s in scored):
        # the question's most specific known term ("NK" in "How do MSCs act on decidual NK cells?") is in
        # none of the sentences: they are about the field in general, not about what was asked
        result = ExtractiveResult([], True, best_similarity, coverage, f"no sentence names {anchor!r}", top_coverage)
        return _refused(result, filters, personal)
    # "phase 3" asked where the sources speak only of "Phase 2": a numbered designation the evidence
    # names with another number is a different thing (a trial phase, a disease type, a tumour grade)
    unknown_specific += other_numbered(searched_query, [sentence.text for sentence, _ in candidates])
    if unknown_specific and not personal:
        result = ExtractiveResult(
            [], True, best_similarity, coverage, f"unknown specific terms {unknown_specific}", top_coverage
        )
        return _refused(result, filters, personal)
    wanted = population(question) if searched_query != question else None
    evidence = GateEvidence(best_similarity, coverage, source_coverage, personal)
    reason = evidence_gate(evidence, settings)
    if reason:
        result = _refused(
            ExtractiveResult([], True, best_similarity, coverage, reason, top_coverage, evidence=evidence),
            filters,
            personal,
        )
        if wanted:  # "And in humans?" with nothing on the topic in that population says so
            result.refusal = prompts.NO_POPULATION_DATA.format(population=wanted)
        return result
    asked = population(question)
    if asked and not wanted:
        # the question names a population ("...in mice?"): sentences about it come first
        for s in scored:
            if about_population(s.sentence.text, s.passage.source.evidence, asked):
                s.score += _EXPECTED_BONUS
        scored.sort(key=lambda s: s.score, reverse=True)
    if wanted:
        # a follow-up narrowed to a population ("And in humans?"): only what is about that population
        scored = [s for s in scored if about_population(s.sentence.text, s.passage.source.evidence, wanted)]
        if not scored:
            result = ExtractiveResult([], True, best_similarity, coverage, f"no {wanted} data", top_coverage)
            result.refusal = prompts.NO_POPULATION_DATA.format(population=wanted)
            return result
    if _ANCHOR_PENALTY and scored:
        # another source's sentence that does not name what was asked about ("NK") sinks: no FSH/IL-6
        # study in an NK answer; the best source's own context sentences stay
        lead_source = scored[0].passage.source_id
        for s in scored:
            if not s.names_anchor and s.passage.source_id != lead_source:
                s.score -= _ANCHOR_PENALTY
        scored.sort(key=lambda s: s.score, reverse=True)
    chosen = _direct_first(_choose(scored, settings.max_answer_sentences), scored, settings.max_answer_sentences)
    result = ExtractiveResult(
        [(s.sentence.text, s.passage) for s in chosen],
        False,
        best_similarity,
        coverage,
        "",
        top_coverage,
        evidence=evidence,
    )
    if personal:
        result.lead = prompts.PERSONAL_ADVICE_NOTE
    return result


def _anchor(question: str, terms: list[str], weights: dict[str, float], stats: TermStatistics) -> str | None:
    """The question's most specific NAME the corpus knows: an abbreviation or symbol written in
    capitals ("NK", "IL-10", "KATNAL1"), highest IDF first; None when it names none. Plain words are
    not anchors: questions paraphrase them ("death toll" for "deaths")."""
    named = named_terms(question)
    # a name most of the corpus carries ("COVID-19" over COVID papers) singles nothing out
    known = [t for t in terms if t in named and stats.known(t) and stats.df.get(t, 0) <= _ANCHOR_MAX_SHARE * stats.n]
    return max(known, key=lambda t: weights[t]) if known else None


#: the largest share of passages an anchor name may occur in
_ANCHOR_MAX_SHARE = 0.1

#: weights of a sentence's score: meaning (dense similarity), the question's terms with the source's
#: metadata, the terms in the sentence itself, and its passage's retrieval score. Calibrated on COVID-QA
#: dev (expert questions over full-text papers): the sentence that answers often repeats few of the
#: question's words ("How many cases were confirmed?" -> "a total of 199 confirmed cases"), while the
#: one that restates the question does not answer it, so the question's words in the sentence alone
#: weigh least; with the source's metadata they say which source the question is about. From
#: (0.45, 0.10, 0.30, 0.15): answer gold-word recall 0.746 -> 0.761 on dev (held out: 0.748 -> 0.790).
_WEIGHTS = (0.25, 0.25, 0.05, 0.15)

#: a sentence with fewer content terms than this loses up to `_SHORT_PENALTY` (linearly): headings,
#: figure labels and fragments rarely answer (COVID-QA dev: +0.004 gold-word recall)
_FULL_SENTENCE_TERMS = 10
_SHORT_PENALTY = 0.2

#: score a sentence gains for holding the kind of answer the question expects (a number, a date...)
_EXPECTED_BONUS = 0.10


def _refused(result: ExtractiveResult, filters: Mapping[str, Any] | None, personal: bool) -> ExtractiveResult:
    """A refusal with what the user should know: active filters may have hidden the answer; a
    personal-advice question gets the advice note and "no research found", not the generic refusal."""
    active = {key: value for key, value in (filters or {}).items() if value not in (None, "", [], ())}
    if active:
        shown = ", ".join(f"{key}={_shown(value)}" for key, value in active.items())
        result.notices.append(prompts.NOTICE_REFUSED_UNDER_FILTERS.format(filters=shown))
    if personal:
        result.lead = prompts.PERSONAL_ADVICE_NOTE
        result.refusal = prompts.PERSONAL_ADVICE_NOTHING_FOUND
    return result


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(str(v) for v in value)
        return "|".join(items[:3]) + (f"|… ({len(items)})" if len(items) > 3 else "")
    return str(value)


def _candidates(passages: list[Passage]) -> list[tuple[EvidenceSentence, Passage]]:
    """Each sentence of the retrieved passages once (overlapping chunks share sentences), attached to
    its best-ranked passage; sentences without a stored vector (retrieval-only builds) are skipped."""
    seen: dict[object, tuple[EvidenceSentence, Passage]] = {}
    for passage in sorted(passages, key=lambda p: p.rank):
        for sentence in passage.sentences:
            if sentence.vector is None:
                continue
            key = sentence.id if sentence.id >= 0 else (passage.chunk.id, sentence.start)
            seen.setdefault(key, (sentence, passage))
    return list(seen.values())


def _choose(scored: list[ScoredSentence], limit: int) -> list[ScoredSentence]:
    """The most direct sentence first, then the next best that add something, within `limit`.

    When the chosen sentences come from several studies (digest entries, abstracts), each study
    gives one sentence: five sentences from one study crowd out the others' findings.
    """
    chosen = _pick(scored, limit, one_per_study=False)
    studies = {c.passage.source_id for c in chosen if _is_study(c.passage)}
    if len(studies) > 1:
        chosen = _pick(scored, limit, one_per_study=True)
    return chosen


def _direct_first(chosen: list[ScoredSentence], scored: list[ScoredSentence], limit: int) -> list[ScoredSentence]:
    """The chosen sentences led by the best that holds the expected kind of answer: "Have MSCs been
    tried in women?" opens with the trial, not with the review's general claim. When none of them holds
    it, the best-scoring one that does (within `_KEEP_RATIO` of the best) takes the last place."""
    direct = next((c for c in chosen if c.holds_expected), None)
    if direct is None and chosen:
        floor = chosen[0].score * _KEEP_RATIO
        direct = next((s for s in scored if s.holds_expected and s.score >= floor and s not in chosen), None)
        if direct is not None:
            chosen = [*chosen[: limit - 1], direct]
    if direct is None or direct is chosen[0]:
        return chosen
    return [direct, *(c for c in chosen if c is not direct)]


def _is_study(passage: Passage) -> bool:
    return passage.source.kind.value in ("study_digest", "abstract")


def _pick(scored: list[ScoredSentence], limit: int, *, one_per_study: bool) -> list[ScoredSentence]:
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    studies: set[str] = set()
    for candidate in scored:
        if len(chosen) >= limit:
            break
        if candidate.score < best * _KEEP_RATIO and chosen:
            break
        text = candidate.sentence.text
        if len(text.split()) < 3:
            continue
        if sounds_like_recommendation(text):
            continue  # a source's "we recommend ..." read out would be advice from the assistant
        if one_per_study and _is_study(candidate.passage):
            if candidate.passage.source_id in studies:
                continue
            studies.add(candidate.passage.source_id)
        vector = np.asarray(candidate.sentence.vector)
        if any(float(vector @ np.asarray(c.sentence.vector)) > 0.92 for c in chosen):
            continue
        if any(_jaccard(text, c.sentence.text) > 0.7 for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


#: sentences scoring below this share of the best one are not part of the answer
_KEEP_RATIO = 0.6
#: score lost by a sentence that does not name what the question names in capitals ("NK")
_ANCHOR_PENALTY = 0.15


def _jaccard(a: str, b: str) -> float:
    left, right = set(lexical_tokens(a)), set(lexical_tokens(b))
    return len(left & right) / max(len(left | right), 1)


class ExtractiveGenerator:
    """The offline generator behind the `Generator` protocol (see `assistant.generation.state`).

    `select(state)` is the draft without streaming: the chain always computes it first, because it
    is also the relevance gate and the LLM's fallback.
    """

    backend = "extractive"

    def __init__(self, stats: TermStatistics, settings: Settings, lookup: FrontMatterLookup | None = None) -> None:
        self.stats = stats
        self.settings = settings
        #: answers questions about an article's front matter (funding, dates, licence) from its fields
        self.lookup = lookup

    def select(self, state) -> Draft:
        result = state.retrieval
        selected = select_sentences(
            state.question,
            state.searched_query,
            result.query_vector,
            result.passages,
            self.stats,
            self.settings,
            filters=state.filters,
            lookup=self.lookup,
        )
        sentences = [] if selected.refused else [DraftSentence(text, [passage]) for text, passage in selected.sentences]
        return Draft(
            self.backend,
            sentences,
            refused=selected.refused,
            lead=selected.lead,
            refusal=selected.refusal,
            notices=list(selected.notices),
        )

    def draft(self, state) -> Iterator[TextPiece | Draft]:
        draft = self.select(state)
        yield from draft_text(draft)
        yield draft
