"""The offline generator: an answer made of verbatim sentences from the ranked evidence.

It picks from the ranking (`ranking.py`) of the question's evidence, after the gate (`gate.py`) let
the question through: the most direct sentence first, near-duplicates skipped, several studies one
sentence each, titles never cited. What the answer says first depends on the question's
kind: a yes/no question hears what the sources show and in whom ("In mice, yes:"), a question naming
a population or cell source the sources do not cover hears so, with the nearest evidence labelled by
its own population. A question about an article's record is answered from its front-matter field.

`select_sentences` runs rank, gate and choose for one question in one call (tests, the gate sweep).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from assistant.filters import parse_filters
from assistant.generation import prompts
from assistant.generation.base import Draft, DraftSentence, TextPiece, draft_text
from assistant.generation.definitions import Definition
from assistant.generation.front_matter import FrontMatterLookup
from assistant.generation.gate import decide
from assistant.generation.question import (
    about_population,
    build_question,
    evidence_setting,
    holds_answer_type,
    names_cell_source,
)
from assistant.generation.ranking import Ranking, ScoredSentence, rank_evidence
from assistant.generation.terms import TermStatistics
from assistant.safety import sounds_like_recommendation
from assistant.settings import Settings
from assistant.text import lexical_tokens
from assistant.types import Passage, Question, QuestionKind, is_front_matter_section

__all__ = ["ExtractiveGenerator", "ExtractiveResult", "Selection", "choose_sentences", "select_sentences"]


@dataclass
class Selection:
    """What the extractive generator answers with: sentences and their passages, and what comes first."""

    sentences: list[tuple[str, Passage]]
    #: fixed text opening the answer (the personal-advice note), "" for none
    lead: str = ""
    #: the frame of the first sentence ("In mice, yes:"), made from its source's own population
    frame: str = ""


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
    frame: str = ""


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
    """Rank, gate and choose for one question: up to `max_answer_sentences` sentences, or a refusal."""
    asked = build_question(question, filters=parse_filters(filters))
    ranking = rank_evidence(
        asked, searched_query, query_vector, passages, stats, lookup, learned=settings.relevance_ranking == "learned"
    )
    refusal = decide(asked, ranking, searched_query, evidence_rule=settings.relevance_gate)
    if refusal is not None:
        return ExtractiveResult(
            [],
            True,
            ranking.best_similarity,
            ranking.coverage,
            refusal.detail,
            ranking.top_coverage,
            lead=refusal.lead,
            refusal=refusal.text if refusal.text != prompts.REFUSAL else "",
            notices=list(refusal.notices),
        )
    chosen = choose_sentences(asked, ranking, settings, searched_query)
    return ExtractiveResult(
        chosen.sentences,
        False,
        ranking.best_similarity,
        ranking.coverage,
        "front matter" if ranking.front_matter else "",
        ranking.top_coverage,
        lead=chosen.lead,
        frame=chosen.frame,
    )


def choose_sentences(question: Question, ranking: Ranking, settings: Settings, searched_query: str = "") -> Selection:
    """The sentences that answer a question the gate let through, the most direct first."""
    lead = prompts.PERSONAL_ADVICE_NOTE if question.personal else ""
    if ranking.front_matter is not None:
        return Selection([ranking.front_matter], lead)
    # a source's title states nothing; a verbless line ("Incubation period: 5.2 days") may well answer,
    # and ranks low on its own (the loaders give a record line such as a trial registration a subject)
    scored = [s for s in ranking.scored if not s.title and not _stray_review_record(s)]
    narrowed = question.population.species if question.follow_up and searched_query != question.text else None
    if narrowed:
        # a follow-up narrowed to a population ("And in humans?"): only what is about that population
        scored = [s for s in scored if about_population(s.sentence.text, s.passage.source.evidence, narrowed)]
    scored, frame = _by_cell_source(question, scored)
    limit, keep = settings.max_answer_sentences, ranking.keep_ratio
    holds_main = partial(holds_answer_type, question.main_expected)
    direct = _direct_first(_choose(scored, limit, keep), scored, limit, keep, holds_main)
    chosen = _with_finding(direct, scored, limit)
    if ranking.definitions:
        return _defined(ranking.definitions, chosen, limit, lead)
    if not frame and chosen:
        frame = _frame(question, chosen[0], scored, ranking.coverage)
    return Selection([(s.sentence.text, s.passage) for s in chosen], lead, frame)


def _defined(definitions: tuple[Definition, ...], chosen: list[ScoredSentence], limit: int, lead: str) -> Selection:
    """A definition question: what each asked term stands for (cited to the glossary), then only the
    chosen sentences that are about one of the terms (a sentence that merely shares a word with
    "LIT and IVIG - what are they?" says nothing of what they are)."""
    about = [s for s in chosen if any(d.written_in(s.sentence.text) for d in definitions)]
    sentences = [(d.text, d.passage) for d in definitions]
    sentences += [(s.sentence.text, s.passage) for s in about][: max(limit - len(definitions), 1)]
    return Selection(sentences, lead)


def _stray_review_record(s: ScoredSentence) -> bool:
    """A line of a review's front matter ("World J Stem Cells 2025; 17(8): 108695 [DOI: ...]", "Received:
    April 21, 2025 ...") that holds little of the question: it answers the front-matter question that asks
    for it (the front-matter step), not a topic question that shares a word or an answer type with it.
    A study's record lines speak for the study and stay."""
    return (
        is_front_matter_section(s.passage.section)
        and not s.passage.source.kind.is_study
        and (s.fragment or s.own_coverage < _RECORD_COVERAGE)
    )


#: the share of a question's terms a review's front-matter line must hold itself to answer a topic question
_RECORD_COVERAGE = 0.5


def _with_finding(chosen: list[ScoredSentence], scored: list[ScoredSentence], limit: int) -> list[ScoredSentence]:
    """An answer led by a study's record line ("The first author of this study is Eskandarian ...")
    also says what that study found: its best finding sentence follows the record."""
    if not chosen or not (_is_study(chosen[0].passage) and is_front_matter_section(chosen[0].passage.section)):
        return chosen
    source = chosen[0].passage.source_id
    finding = next(
        (
            s
            for s in scored
            if s.passage.source_id == source and not is_front_matter_section(s.passage.section) and s not in chosen
        ),
        None,
    )
    return chosen if finding is None else [chosen[0], finding, *chosen[1:]][:limit]


def _by_cell_source(question: Question, scored: list[ScoredSentence]) -> tuple[list[ScoredSentence], str]:
    """A question naming a cell source ("menstrual blood-derived cells") is answered from what the
    sources say of that source; when none of it is about the population asked for ("in mice"), the
    answer says so first and its evidence keeps its own population ("in human cells in vitro")."""
    name = question.population.cell_source
    if not name:
        return scored, ""
    own = [s for s in scored if _names_source(s, name)]
    if not own:
        return scored, prompts.LEAD_NO_CELL_SOURCE.format(cell_source=name)
    rest = [s for s in scored if s not in own]
    species = question.population.species
    if species and not any(about_population(s.sentence.text, s.passage.source.evidence, species) for s in own):
        setting = evidence_setting(own[0].passage.source.evidence)[0] or prompts.LEAD_OTHER_SETTING
        gap = prompts.LEAD_NO_POPULATION.format(
            population=prompts.POPULATION_WORDS.get(species, species), cell_source=name, setting=setting
        )
        return own, _capitalised(gap)
    return own + rest, ""


def _names_source(s: ScoredSentence, name: str) -> bool:
    return names_cell_source(s.sentence.text, name) or names_cell_source(s.passage.source.msc_source, name)


def _frame(question: Question, first: ScoredSentence, scored: list[ScoredSentence], coverage: float) -> str:
    """What a yes/no answer says first: what the sources show, and in whom ("In mice, yes:"), from
    the first sentence's own source; "" when that is not one thing."""
    if question.kind is not QuestionKind.YES_NO:
        return ""
    return _capitalised(_yes_no_frame(question, first, scored, coverage))


def _yes_no_frame(question: Question, first: ScoredSentence, scored: list[ScoredSentence], coverage: float) -> str:
    setting, population = evidence_setting(first.passage.source.evidence)
    asked = question.population.species
    if asked and not any(evidence_setting(s.passage.source.evidence)[1] == asked for s in scored):
        if population and setting:
            return prompts.FRAME_NO_DATA.format(population=prompts.POPULATION_WORDS.get(asked, asked), setting=setting)
        return ""
    if asked and population != asked:
        return ""  # the first sentence is from another setting than asked: no one-word answer
    if coverage < _ALL_TERMS:
        # a term of the question ("approved") is in none of the top evidence: the sources do not say it
        return prompts.FRAME_NOT_SAID
    if first.own_coverage < _ANSWERS_YES or _NEGATION.search(first.sentence.text):
        return ""  # the evidence speaks to it in other words ("improved" for "promote"): no one-word answer
    return prompts.FRAME_YES_IN.format(setting=setting) if setting else prompts.FRAME_YES


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


#: share of the question's terms the first sentence must carry for the answer to open with "yes"
_ANSWERS_YES = 0.75
#: below this share of the question's terms in the top evidence, a term of it is missing there
_ALL_TERMS = 0.95
_NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|without|failed to|did not|does not)\b", re.IGNORECASE)


def _choose(scored: list[ScoredSentence], limit: int, keep: float) -> list[ScoredSentence]:
    """The most direct sentence first, then the next best that add something, within `limit`.

    When the chosen sentences come from several studies (digest entries, abstracts), each study
    gives one sentence: five sentences from one study crowd out the others' findings.
    """
    if not scored:
        return []
    chosen = _pick(scored, limit, keep, one_per_study=False)
    studies = {c.passage.source_id for c in chosen if _is_study(c.passage)}
    if len(studies) > 1:
        chosen = _pick(scored, limit, keep, one_per_study=True)
    return chosen


def _direct_first(
    chosen: list[ScoredSentence],
    scored: list[ScoredSentence],
    limit: int,
    keep: float,
    holds_main: Callable[[str], bool] = lambda _: True,
) -> list[ScoredSentence]:
    """The chosen sentences led by the best that holds the expected kind of answer: "Have MSCs been
    tried in women?" opens with the trial, not with the review's general claim; its main kind first
    ("the trial number": the registration, not the enrolment line). When none of them holds it, the
    best-scoring one that does (within `keep` of the best, or of the leading sentence's source) leads
    instead of the last one."""
    if not chosen:
        return chosen
    floor = chosen[0].score * keep
    for wanted in (lambda c: c.holds_expected and holds_main(c.sentence.text), lambda c: c.holds_expected):
        direct = next((c for c in chosen if wanted(c)), None)
        if direct is None:
            # within `keep` of the best, or from the leading sentence's own source (its record line)
            direct = next(
                (
                    c
                    for c in scored
                    if wanted(c)
                    and (c.score >= floor or c.passage.source_id == chosen[0].passage.source_id)
                    and c not in chosen
                ),
                None,
            )
            if direct is not None:
                chosen = chosen[: limit - 1]
        if direct is not None:
            return [direct, *(c for c in chosen if c is not direct)]
    return chosen


def _is_study(passage: Passage) -> bool:
    return passage.source.kind.value in ("study_digest", "abstract")


def _pick(scored: list[ScoredSentence], limit: int, keep: float, *, one_per_study: bool) -> list[ScoredSentence]:
    """The likeliest sentences within `keep` (a share of the best one's probability, chosen on dev data
    with the relevance model), skipping near-duplicates, advice and one- or two-word lines."""
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    studies: set[str] = set()
    for candidate in scored:
        if len(chosen) >= limit:
            break
        if candidate.score < best * keep and chosen:
            break
        text = candidate.sentence.text
        if len(text.split()) < 3:
            continue
        if sounds_like_recommendation(text):
            continue  # a source's "we recommend ..." read out would be advice from the assistant
        # a study's details line (its author, trial id) does not use up its one sentence: its finding follows
        if one_per_study and _is_study(candidate.passage) and not is_front_matter_section(candidate.passage.section):
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


def _jaccard(a: str, b: str) -> float:
    left, right = set(lexical_tokens(a)), set(lexical_tokens(b))
    return len(left & right) / max(len(left | right), 1)


class ExtractiveGenerator:
    """The offline generator behind the `Generator` protocol (see `assistant.generation.state`).

    `select(state)` is the draft without streaming: the chain always computes it first, because it
    is the LLM's fallback. It answers from the state's ranking, after the gate step.
    """

    backend = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def select(self, state) -> Draft:
        if state.refusal is not None:
            refusal = state.refusal
            text = "" if refusal.text == prompts.REFUSAL else refusal.text
            return Draft(self.backend, [], refused=True, lead=refusal.lead, refusal=text, notices=list(refusal.notices))
        sentences: list[DraftSentence] = []
        lead, frame = "", ""
        for part in state.parts:
            picked = choose_sentences(part.question, part.ranking, self.settings, part.searched_query)
            lead = lead or picked.lead
            frame = frame or picked.frame
            share = picked.sentences[: _part_limit(self.settings, len(state.parts))]
            sentences += [DraftSentence(text, [passage]) for text, passage in share]
        return Draft(self.backend, _unique(sentences), lead=lead, frame=frame, unanswered=state.unanswered_parts)

    def draft(self, state) -> Iterator[TextPiece | Draft]:
        draft = self.select(state)
        yield from draft_text(draft)
        yield draft


def _part_limit(settings: Settings, parts: int) -> int:
    """Each part of a multi-part question gets its share of the answer's sentences (at least two)."""
    return settings.max_answer_sentences if parts <= 1 else max(2, settings.max_answer_sentences // parts)


def _unique(sentences: list[DraftSentence]) -> list[DraftSentence]:
    seen: set[str] = set()
    out = []
    for sentence in sentences:
        if sentence.text not in seen:
            seen.add(sentence.text)
            out.append(sentence)
    return out
