"""Evidence ranking: every retrieved sentence scored for one `Question`, and what the gate judges.

`rank_evidence` scores each candidate sentence by meaning (dense similarity), by the question's terms
in the sentence itself and with its source's metadata, by whether it holds the kind of answer the
question expects (a number for "how many", a date for "when"), and by its passage's retrieval rank;
it also measures what the gate (`gate.py`) decides on: the best similarity, the share of the question's
terms the top evidence and one source hold, names the corpus never mentions, and the anchor name.
Selection (`extractive.py`) picks from the same ranking. A question about an article's own record
(funding, dates, licence) is answered from its front-matter fields (`front_matter.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.generation.definitions import Definition, definitions_for
from assistant.generation.front_matter import FrontMatterLookup
from assistant.generation.question import about_population, analyse, evidence_setting, personal_topic, type_word_stems
from assistant.generation.relevance import gate_features, relevance_model, sentence_features
from assistant.generation.terms import (
    TermStatistics,
    misspelt_name,
    named_terms,
    other_numbered,
    question_terms,
    term_coverage,
)
from assistant.text import is_fragment, lexical_tokens
from assistant.types import EvidenceSentence, Passage, Question, QuestionKind, is_front_matter_section

__all__ = ["Ranking", "ScoredSentence", "rank_evidence"]

_SPECIFIC = re.compile(r"^(?:\d[\w.]*|[a-z]+\d[\w]*)$")
#: "5th February" names a day, not an identifier
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
#: Roman numerals are identifiers only after a word they number ("phase III"); a bare "IV" is a route.
_NUMBERED_ROMAN = re.compile(r"\b(?:phase|type|stage|grade|class|group|level)\s+([ivx]{1,5})\b", re.IGNORECASE)
#: a sentence that ranks options: what a "which works best" question wants first
_RANKS = re.compile(
    r"\b(?:most|least|best|worst|highest|lowest|greatest|strongest|weakest|superior|inferior|outperform\w*|"
    r"(?:more|less|better|worse|higher|lower) than|compared (?:with|to))\b",
    re.IGNORECASE,
)
#: a sentence that names several things in a row ("regulating X, enhancing Y, alleviating Z, and ..."):
#: what a "through which mechanisms" or "what are the ..." question wants first
_ENUMERATION = re.compile(r"(?:[^,;]+,){3,}[^,;]*\band\b")
#: a sentence that says what a term is: "recurrent spontaneous abortion (RSA), a ...", "X is defined as"
_DEFINES = re.compile(
    r"\)\s*,\s+(?:a|an|the)\b|\b(?:is|are) (?:defined|described|known) as\b|\brefers? to\b|\b(?:is|are) (?:a|an) \w+",
    re.IGNORECASE,
)
#: the noun a question asks for: "through which MECHANISMS", "what are the main ROUTES", "list the SOURCES"
_ASKED_FOR = re.compile(
    r"\b(?:which|what|list|name)\s+(?:(?:are|were|is)\s+)?(?:the\s+)?(?:(?:main|key|major|different|possible|"
    r"known)\s+)?(?:MSCs?\s+)?([A-Za-z]{4,})",
    re.IGNORECASE,
)
_LISTING_KINDS = (QuestionKind.MECHANISM, QuestionKind.LIST)
_MECHANISM_WORDS = frozenset(lexical_tokens("mechanism mechanisms"))
#: the bonus each of those shapes earns for the question kinds that want it
_SHAPE_BONUS = {
    QuestionKind.COMPARISON: _RANKS,
    QuestionKind.MECHANISM: _ENUMERATION,
    QuestionKind.LIST: _ENUMERATION,
    QuestionKind.DEFINITION: _DEFINES,
}


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
    #: a title, heading or clause without a verb (a relevance feature)
    fragment: bool = False
    #: its source's title: never cited as a sentence
    title: bool = False


@dataclass
class Ranking:
    """The retrieved evidence ranked for one question: what the gate judges and selection picks from."""

    scored: list[ScoredSentence] = field(default_factory=list)
    #: the front-matter field that answers a question about the article's record, with its passage
    front_matter: tuple[str, Passage] | None = None
    #: how many candidate sentences retrieval brought (before front-matter lines were set aside)
    candidates: int = 0
    best_similarity: float = 0.0
    #: share of the question's (IDF-weighted) terms in the top evidence, and in ONE source's sentences
    coverage: float = 0.0
    source_coverage: float = 0.0
    #: coverage by the best of the top three sentences alone (with context)
    top_coverage: float = 0.0
    #: the question's most specific known name ("NK"), and whether any sentence names it
    anchor: str | None = None
    anchor_named: bool = True
    #: identifiers and names the corpus never mentions ("phase III", "NCT0000")
    unknown_terms: tuple[str, ...] = ()
    #: the question's terms the corpus never uses in any known form ("cost", "China")
    absent_terms: tuple[str, ...] = ()
    #: the learned probability that the evidence answers the question, and the gate's threshold (dev data)
    answerable: float = 1.0
    answerable_threshold: float = 0.0
    #: selection keeps sentences whose probability is at least this share of the best one's
    keep_ratio: float = 0.6
    #: whether the learned relevance model ordered it (`RSA_RELEVANCE_RANKING=learned`), else the rules
    learned: bool = False
    #: what the glossary says the asked terms of a definition question stand for (cited to it)
    definitions: tuple[Definition, ...] = ()


@dataclass
class Candidate:
    """One candidate sentence and the raw inputs of its relevance features (`relevance.SENTENCE_INPUTS`)."""

    sentence: EvidenceSentence
    passage: Passage
    inputs: dict[str, float]

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def source_id(self) -> str:
        return self.passage.source_id


@dataclass
class Signals:
    """What one retrieval tells about one question, before any model scores it: the candidates with
    their feature inputs, the question-level inputs (`relevance.GATE_INPUTS`, less the coverages that
    depend on which sentences are likeliest), and the question's term weights with, per passage, a
    bit mask of the terms its sentences and its source's metadata hold. The chain and the relevance
    model's training (`training/relevance`) both read retrievals through this one function."""

    kind: str
    expects_type: bool
    candidates: list[Candidate] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)
    term_weights: list[float] = field(default_factory=list)
    passage_masks: dict[str, int] = field(default_factory=dict)
    anchor: str | None = None
    unknown: list[str] = field(default_factory=list)
    #: the question's terms the corpus never uses, in any form the glossary or speller knows ("cost")
    absent: list[str] = field(default_factory=list)
    #: how many candidate sentences retrieval brought (before front-matter lines were set aside)
    retrieved: int = 0


def ranked_coverage(weights: list[float], masks: list[int]) -> float:
    """The weighted share of the question's terms held by the union of some passages (bit masks)."""
    total = sum(weights)
    if not total:
        return 1.0
    union = 0
    for mask in masks:
        union |= mask
    return sum(w for i, w in enumerate(weights) if union >> i & 1) / total


def collect_signals(
    question: Question, searched_query: str, query_vector: np.ndarray, passages: list[Passage], stats: TermStatistics
) -> Signals:
    """The inputs of the relevance features for one retrieval of one question."""
    analysis = analyse(question.text)
    holds = lru_cache(maxsize=None)(analysis.holds_expected)
    query = personal_topic(searched_query) if question.personal else searched_query
    terms, expanded_terms, weights = question_terms(query, stats)
    type_words = type_word_stems(analysis.expected_all)
    shape = _SHAPE_BONUS.get(question.kind)
    # the words a question asks with ("through which mechanisms"), which the sentence that answers it
    # often repeats ("through a variety of mechanisms, ... including regulating X, enhancing Y")
    asked_words = set(lexical_tokens(" ".join(_ASKED_FOR.findall(question.text))))
    if not asked_words and question.kind is QuestionKind.MECHANISM:
        asked_words = set(_MECHANISM_WORDS)  # "how do MSCs work to prevent loss?" asks through which mechanisms
    signals = Signals(question.kind.value, bool(analysis.expected_all))
    found = _candidates(passages)
    signals.retrieved = len(found)
    if not found:
        return signals
    signals.anchor = _anchor(searched_query, terms, weights, stats)
    # a word naming the kind of answer ("which strains") is not absent when a sentence names an instance
    # of it ("CBA/J x DBA/2"): the corpus writes the instances, never the kind
    answered_types = type_words if any(holds(sentence.text) for sentence, _, _ in found) else frozenset()
    unknown = _unknown_terms(searched_query, terms, expanded_terms, stats, [s for s, _, _ in found])
    signals.unknown = [t for t in unknown if t not in answered_types]  # "the PubMed ID": an identifier's name
    signals.absent = [
        t
        for t in terms
        if not any(stats.known(f) for f in expanded_terms[t])
        and not misspelt_name(t, stats)
        and t not in answered_types
    ]
    dense = np.stack([np.asarray(sentence.vector) for sentence, _, _ in found]) @ query_vector
    for (sentence, passage, position), similarity in zip(found, dense):
        own_tokens = stats.own_tokens(sentence, passage.section)
        holds_answer = holds(sentence.text)
        if holds_answer:
            own_tokens = own_tokens | type_words
        own_coverage = term_coverage(expanded_terms, weights, own_tokens)
        front = is_front_matter_section(passage.section)
        context = stats.context_tokens(passage.source, passage.section)
        coverage = term_coverage(expanded_terms, weights, own_tokens | context)
        # a title, journal or funding line is not evidence about a topic it does not name; a study's
        # record line ("published in Cell J") speaks for the study its title and fields describe
        if front and (coverage if passage.source.kind.is_study else own_coverage) < 0.5:
            continue
        anchor = signals.anchor
        names_anchor = anchor is None or bool(expanded_terms[anchor] & own_tokens) or anchor in context
        repeats_asked = bool(asked_words & set(lexical_tokens(sentence.text)))
        # a list answers "which mechanisms" only when it is a list of what was asked for
        about_it = repeats_asked if question.kind in _LISTING_KINDS else own_coverage > 0 or repeats_asked
        inputs = {
            "dense": float(similarity),
            "coverage": coverage,
            "own_coverage": own_coverage,
            "passage_score": passage.score,
            "passage_rank": float(passage.rank),
            "holds_answer": float(holds_answer),
            "names_anchor": float(names_anchor),
            "content_size": float(stats.content_size(sentence)),
            "position": float(position),
            "front_matter": float(front),
            "fragment": float(is_fragment(sentence.text) or _is_title(sentence.text, passage)),
            "title": float(_is_title(sentence.text, passage)),
            "shape": float(shape is not None and about_it and bool(shape.search(sentence.text))),
            "repeats_asked": float(repeats_asked),
        }
        signals.candidates.append(Candidate(sentence, passage, inputs))
    if not signals.candidates:
        return signals
    signals.term_weights = [weights[t] for t in terms]
    per_source: dict[str, set[str]] = {}
    for c in signals.candidates:
        key = c.passage.chunk.id
        tokens = per_source.setdefault(c.source_id, set(stats.context_tokens(c.passage.source, c.passage.section)))
        tokens |= stats.own_tokens(c.sentence, c.passage.section)
        if type_words and holds(c.text):
            tokens |= type_words  # a sentence naming a route answers "which route" without the word
        if key in signals.passage_masks:
            continue
        passage_tokens = set(stats.context_tokens(c.passage.source, c.passage.section))
        for sentence in c.passage.sentences:
            passage_tokens |= stats.own_tokens(sentence, c.passage.section)
            if type_words and holds(sentence.text):
                passage_tokens |= type_words
        signals.passage_masks[key] = sum(1 << i for i, t in enumerate(terms) if expanded_terms[t] & passage_tokens)
    # the best coverage by ONE source's retrieved sentences (with its metadata): terms spread over
    # unrelated sources do not answer a question about one study
    source_coverage = (
        max((term_coverage(expanded_terms, weights, t) for t in per_source.values()), default=0.0) if terms else 1.0
    )
    signals.evidence = {
        "best_similarity": max(c.inputs["dense"] for c in signals.candidates),
        "source_coverage": source_coverage,
        "has_anchor": float(signals.anchor is not None),
        "anchor_found": float(any(c.inputs["names_anchor"] for c in signals.candidates)),
        "unknown_specific": float(len(signals.unknown)),
        "personal": float(question.personal),
        "n_terms": float(len(terms)),
        "candidates": float(len(signals.candidates)),
    }
    return signals


def rank_evidence(
    question: Question,
    searched_query: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    stats: TermStatistics,
    lookup: FrontMatterLookup | None = None,
    *,
    learned: bool = False,
    long_form: Callable[[str], str | None] | None = None,
) -> Ranking:
    """Every candidate sentence of the passages, best first: ordered by the hand-weighted rules
    (`rule_score`), or with `learned` (`RSA_RELEVANCE_RANKING=learned`) by the learned relevance model;
    the model's answerability probability is computed either way, for the gate. `long_form` (the
    glossary's) gives a definition question the long forms of the terms it asks about."""
    if lookup is not None:
        found = lookup.answer(question.text, passages, restricted=bool(question.filters))
        if found is not None:
            return Ranking(front_matter=found, candidates=1, best_similarity=1.0, coverage=1.0, source_coverage=1.0)
    signals = collect_signals(question, searched_query, query_vector, passages, stats)
    ranking = Ranking(
        candidates=signals.retrieved,
        anchor=signals.anchor,
        unknown_terms=tuple(signals.unknown),
        absent_terms=tuple(signals.absent),
        learned=learned,
        definitions=definitions_for(question, long_form),
    )
    if not signals.candidates:
        return ranking
    model = relevance_model()
    rows = [c.inputs for c in signals.candidates]
    features = sentence_features(
        rows, question.kind, expects_type=signals.expects_type, n_terms=int(signals.evidence["n_terms"])
    )
    probabilities = model.sentence_probability(features)
    best_passage = max(c.passage.score for c in signals.candidates) or 1.0
    scores = probabilities if learned else np.asarray([rule_score(c.inputs, best_passage) for c in signals.candidates])
    for c, p in zip(signals.candidates, scores):
        inputs = c.inputs
        ranking.scored.append(
            ScoredSentence(
                c.sentence,
                c.passage,
                c.passage.rank,
                float(p),
                inputs["dense"],
                inputs["coverage"],
                inputs["own_coverage"],
                bool(inputs["names_anchor"]),
                holds_expected=bool(inputs["holds_answer"] and inputs["own_coverage"] > 0) or bool(inputs["shape"]),
                fragment=bool(inputs["fragment"]),
                title=bool(inputs["title"]),
            )
        )
    ranking.scored.sort(key=lambda s: s.score, reverse=True)
    ranking.best_similarity = signals.evidence["best_similarity"]
    ranking.source_coverage = signals.evidence["source_coverage"]
    ranking.coverage, ranking.top_coverage = top_coverage(signals, scores)
    ranking.anchor_named = bool(signals.evidence["anchor_found"])
    # the model's gate reads the coverage of ITS three likeliest sentences, as it was trained
    coverage, best_coverage = top_coverage(signals, probabilities)
    evidence = {**signals.evidence, "coverage": coverage, "top_coverage": best_coverage}
    gate_input = gate_features(evidence, probabilities, question.kind, [c.source_id for c in signals.candidates])
    ranking.answerable = model.answerable_probability(gate_input)
    ranking.answerable_threshold = model.gate_threshold
    if learned:
        ranking.keep_ratio = model.keep_ratio
    _order(ranking, question)
    return ranking


def top_coverage(signals: Signals, scores: np.ndarray) -> tuple[float, float]:
    """Coverage of the question's terms by the passages of the three best-scored sentences, and the
    best single sentence's coverage (with its source's metadata) among them."""
    top3 = [signals.candidates[int(i)] for i in np.argsort(-np.asarray(scores), kind="stable")[:3]]
    if not signals.term_weights:
        return 1.0, 1.0
    coverage = ranked_coverage(signals.term_weights, [signals.passage_masks[c.passage.chunk.id] for c in top3])
    return coverage, max(c.inputs["coverage"] for c in top3)


def rule_score(inputs: dict[str, float], best_passage: float) -> float:
    """The hand-weighted score the learned model replaced (kept for `RSA_RELEVANCE=rules` and for the
    model card's comparison): meaning, the question's terms with the source's metadata and in the
    sentence itself, its passage's retrieval score, the expected kind of answer and the wanted shape;
    headings and fragments lose (weights set on COVID-QA dev before issue 20)."""
    score = (
        0.25 * inputs["dense"]
        + 0.25 * inputs["coverage"]
        + 0.05 * inputs["own_coverage"]
        + 0.15 * (inputs["passage_score"] / (best_passage or 1.0))
    )
    if inputs["own_coverage"] > 0 and inputs["holds_answer"]:
        score += 0.10
    if inputs["shape"]:
        score += 0.10 * (2 if inputs.get("repeats_asked") else 1)
    return score - 0.2 * max(0.0, 1.0 - inputs["content_size"] / 10)


def _order(ranking: Ranking, question: Question) -> None:
    """Final order: sentences about the population the question names ("...in mice?") first; under the
    rules, another source's sentence that does not name the anchor ("NK") sinks (the model sees it)."""
    scored = ranking.scored
    species = question.population.species
    if species and not question.follow_up:
        about = [about_population(s.sentence.text, s.passage.source.evidence, species) for s in scored]
        for s, is_about in zip(scored, about):
            if is_about:
                s.score += _POPULATION_BONUS
            elif any(about) and _other_species(s, species):
                s.score -= _POPULATION_BONUS  # "in the mouse studies" is not answered by a rat study
        scored.sort(key=lambda s: s.score, reverse=True)
    if not ranking.learned and scored:
        lead_source = scored[0].passage.source_id
        for s in scored:
            if not s.names_anchor and s.passage.source_id != lead_source:
                s.score -= _ANCHOR_PENALTY
        scored.sort(key=lambda s: s.score, reverse=True)


def _other_species(s: ScoredSentence, species: str) -> bool:
    """Whether a sentence's source is evidence in another species than the one asked about."""
    population = evidence_setting(s.passage.source.evidence)[1]
    return population in ("mouse", "rat", "human") and population != species


def _unknown_terms(searched_query, terms, expanded_terms, stats, sentences) -> list[str]:
    """Identifiers and acronyms ("phase III", "NCT…", "FDA") the corpus never mentions, in any spelling
    the glossary knows ("IV" = intravenous); a bare roman numeral is not an acronym."""
    numbered = [m.lower() for m in _NUMBERED_ROMAN.findall(searched_query)]
    acronyms = named_terms(searched_query)
    unknown = [
        t
        for t in terms
        if (_SPECIFIC.match(t) or t in numbered or t in acronyms)
        and not _ORDINAL.match(t)
        and not any(stats.known(f) for f in expanded_terms[t])
        and not misspelt_name(t, stats)
    ]
    # a compound term ("half-life") none of whose parts the corpus knows is a concept it never speaks of
    unknown += [
        word
        for word in re.findall(r"\b[a-z]+(?:-[a-z]+)+\b", searched_query.lower())
        if not any(stats.known(t) for t in lexical_tokens(stats.expand(word)))
    ]
    # "phase 3" asked where the sources speak only of "Phase 2": a numbered designation the evidence
    # names with another number is a different thing (a trial phase, a disease type, a tumour grade)
    unknown += other_numbered(searched_query, [sentence.text for sentence in sentences])
    return unknown


def _is_title(text: str, passage: Passage) -> bool:
    """Whether a sentence is its source's title (cited, it would state nothing)."""
    title = (passage.source.title or "").strip().rstrip(".").lower()
    return bool(title) and text.strip().rstrip(".").lower() == title


def _anchor(question: str, terms: list[str], weights: dict[str, float], stats: TermStatistics) -> str | None:
    """The question's most specific NAME the corpus knows: an abbreviation or symbol written in
    capitals ("NK", "IL-10", "KATNAL1"), highest IDF first; None when it names none. Plain words are
    not anchors: questions paraphrase them ("death toll" for "deaths")."""
    named = named_terms(question)
    # a name most of the corpus carries ("COVID-19" over COVID papers) singles nothing out
    known = [t for t in terms if t in named and stats.known(t) and stats.df.get(t, 0) <= _ANCHOR_MAX_SHARE * stats.n]
    return max(known, key=lambda t: weights[t]) if known else None


def _candidates(passages: list[Passage]) -> list[tuple[EvidenceSentence, Passage, int]]:
    """Each sentence of the retrieved passages once (overlapping chunks share sentences), attached to
    its best-ranked passage with its position there; sentences without a stored vector (retrieval-only
    builds) are skipped."""
    seen: dict[object, tuple[EvidenceSentence, Passage, int]] = {}
    for passage in sorted(passages, key=lambda p: p.rank):
        for position, sentence in enumerate(passage.sentences):
            if sentence.vector is None:
                continue
            key = sentence.id if sentence.id >= 0 else (passage.chunk.id, sentence.start)
            seen.setdefault(key, (sentence, passage, position))
    return list(seen.values())


#: the largest share of passages an anchor name may occur in
_ANCHOR_MAX_SHARE = 0.1

#: probability a sentence gains when it is about the population the question names (the relevance
#: model does not see populations), and loses when its source is evidence in another species
_POPULATION_BONUS = 0.10
#: under the rules, score lost by a sentence that does not name what the question names in capitals ("NK")
_ANCHOR_PENALTY = 0.15
