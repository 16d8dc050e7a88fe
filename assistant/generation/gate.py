"""The gate: the one chain step that decides whether a question is answered or refused, and why.

`decide(question, ranking, ...)` returns a typed `Refusal` (off topic, not in the indexed sources,
population not covered, filtered out, personal advice) or None, before anything is generated;
`nothing_supported(...)` is the same owner's word after verification, when no drafted sentence held
up. The reason picks the refusal text, which says what the index holds and, for a question about the
review's body, how to add it. Every refusal of the assistant is made here (tests/test_layers.py).

Whether the evidence is strong enough is judged twice: by the learned answerability model (`relevance.py`,
trained on COVID-QA and PubMedQA dev; `assistant/models/relevance/CARD.md`) against its threshold chosen on
held-out dev data, and by the hand-set coverage rules. By default (`RSA_RELEVANCE_GATE=both`) the question
is refused only when both find it weak, except that a question naming a word the corpus never uses
("cost") is judged by the rules alone: the model learnt from questions whose words their evidence uses
(docs/learned-models.md). Rules keep the last word where text is exact: an identifier or acronym the corpus never
mentions ("phase III", "NCT0000") or a name the question asks about in capitals ("NK") that no retrieved
sentence holds means the sources do not cover it. A definition question whose every asked term the
glossary defines is answered: its long forms are cited to the glossary (`definitions.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.generation import prompts
from assistant.generation.question import about_population
from assistant.generation.ranking import Ranking
from assistant.types import Filters, Question, Refusal, RefusalReason

__all__ = ["IndexHoldings", "decide", "nothing_supported"]


@dataclass(frozen=True)
class IndexHoldings:
    """What the index holds, as the refusal text tells it."""

    #: one phrase: "the review's front matter, Abstract and Core Tip, and 37 study summaries"
    summary: str = ""
    #: whether the review's body (beyond Abstract and Core Tip) is indexed
    review_body: bool = True


def decide(
    question: Question,
    ranking: Ranking,
    searched_query: str = "",
    holdings: IndexHoldings | None = None,
    evidence_rule: str = "both",
) -> Refusal | None:
    """Refuse (with the reason) or let the question through to generation: the one decision.

    `evidence_rule` (`RSA_RELEVANCE_GATE`) says who finds evidence too weak: "both" (the learned model
    and the hand-set coverage rules must agree; a question naming a word the corpus never uses is judged
    by the rules alone), "rules" or "learned"."""
    if ranking.front_matter is not None:
        return None
    if ranking.definitions and len(ranking.definitions) == len(question.defines) and not question.personal:
        # every term it asks about has a long form the glossary cites ("LIT and IVIG - what are they?")
        return None
    why, reason = _why_not(question, ranking, searched_query, evidence_rule)
    if not why:
        return None
    return _refusal(question, reason, why, holdings or IndexHoldings())


def nothing_supported(question: Question, holdings: IndexHoldings | None = None) -> Refusal:
    """After verification: no sentence of the draft is supported by its sources."""
    return _refusal(question, RefusalReason.NOTHING_SUPPORTED, "no sentence supported", holdings or IndexHoldings())


def _why_not(question: Question, ranking: Ranking, searched_query: str, rule: str) -> tuple[str, RefusalReason]:
    """Why the evidence does not answer the question ("" when it does), and the reason's kind."""
    not_in_sources = RefusalReason.NOT_IN_SOURCES
    if not ranking.candidates:
        return "nothing retrieved", RefusalReason.FILTERED_OUT if question.filters else not_in_sources
    if not ranking.scored:
        return "only front matter retrieved", not_in_sources
    if ranking.unknown_terms and not question.personal:
        return f"unknown specific terms {list(ranking.unknown_terms)}", not_in_sources
    if not ranking.anchor_named:
        # the question's most specific known name ("NK" in "How do MSCs act on decidual NK cells?") is in
        # none of the sentences: they are about the field in general, not about what was asked
        return (
            f"no sentence names {ranking.anchor!r}",
            RefusalReason.FILTERED_OUT if question.filters else not_in_sources,
        )
    narrowed = _narrowed_population(question, searched_query)
    if _below_floor(ranking, question.personal):
        # nothing of the question is in the sources: the dev questions the model learnt from always
        # shared a topic with their evidence, so below this floor its probability means nothing
        return (
            f"below the evidence floor (similarity {ranking.best_similarity:.2f}, coverage {ranking.coverage:.2f})",
            (RefusalReason.OFF_TOPIC if _off_topic(ranking) else not_in_sources),
        )
    weak = _weak(ranking, rule) if not question.personal else ""
    if weak:
        if narrowed:
            return weak, RefusalReason.POPULATION_NOT_COVERED
        if _off_topic(ranking):
            return weak, RefusalReason.OFF_TOPIC
        return weak, RefusalReason.FILTERED_OUT if question.filters else not_in_sources
    if narrowed and not any(
        about_population(s.sentence.text, s.passage.source.evidence, narrowed) for s in ranking.scored
    ):
        return f"no {narrowed} data", RefusalReason.POPULATION_NOT_COVERED
    return "", not_in_sources


def _narrowed_population(question: Question, searched_query: str) -> str | None:
    """The population a follow-up narrows to ("And in humans?"), or None."""
    return question.population.species if question.follow_up and searched_query != question.text else None


def _weak(ranking: Ranking, rule: str) -> str:
    """Why the evidence is too weak to answer from ("" when it is not), by the learned model, the rules
    or both (see `decide`)."""
    learned = (
        f"answerable probability {ranking.answerable:.2f} < {ranking.answerable_threshold:.2f}"
        if ranking.answerable < ranking.answerable_threshold
        else ""
    )
    if rule == "learned":
        return learned
    rules = _weak_by_rules(ranking)
    if rule == "rules" or ranking.absent_terms:
        # the model learnt from questions whose words their evidence uses; one naming a word the corpus
        # never uses ("How much does it cost?") is judged by the rules alone
        return rules
    return f"{rules}; {learned}" if rules and learned else ""


def _weak_by_rules(ranking: Ranking) -> str:
    """The hand-set evidence rules: no single source holds enough of the question, or meaning and one
    source's terms too weak together."""
    if ranking.source_coverage < RULE_ONE_SOURCE:
        return f"no single source covers the question ({ranking.source_coverage:.2f})"
    joint = ranking.best_similarity * ranking.source_coverage
    if ranking.source_coverage < ALL_TERMS and joint < RULE_JOINT:
        return f"weak evidence (similarity x one-source coverage {joint:.2f})"
    return ""


#: the hand-set gate's thresholds before issue 20 (set on PubMedQA and COVID-QA dev with a sweep)
RULE_ONE_SOURCE = 0.45
#: the share of the question's (IDF-weighted) terms at which "every term is found"
ALL_TERMS = 0.95
RULE_JOINT = 0.36


def _below_floor(ranking: Ranking, personal: bool) -> bool:
    """The best sentence means nothing close to the question, or the top evidence holds too few of its
    terms (a lower similarity suffices when every term is found: terse metadata lines embed far from
    any question about them). A personal story around a topic question names words no source holds."""
    similarity, coverage = FLOOR_SIMILARITY, FLOOR_COVERAGE
    if ranking.coverage >= ALL_TERMS:
        similarity *= 0.75
    if personal:
        similarity, coverage = similarity * 0.8, coverage * 0.6
    return ranking.best_similarity < similarity or ranking.coverage < coverage


#: the evidence floor (the hand-set gate's first two thresholds before issue 20; PubMedQA dev and
#: COVID-QA dev questions sit above it, so the learned gate decides there)
FLOOR_SIMILARITY = 0.30
FLOOR_COVERAGE = 0.40


def _off_topic(ranking: Ranking) -> bool:
    """Nothing of the question is in the sources: neither its meaning nor its terms (which refusal
    text to show; the decision to refuse was the model's)."""
    return ranking.best_similarity < _OFF_TOPIC_SIMILARITY and ranking.coverage < _OFF_TOPIC_COVERAGE


#: below both, a question is about something else entirely ("What is the capital of France?": 0.07, 0.0)
_OFF_TOPIC_SIMILARITY = 0.2
_OFF_TOPIC_COVERAGE = 0.2

#: words of a question about the review itself, whose body the bundled index may lack
_ABOUT_REVIEW = re.compile(
    r"\b(?:review|article|paper|authors?|sections?|figures?|tables?|chapters?|conclusions?|discussion|"
    r"references|bibliography|reference list)\b",
    re.IGNORECASE,
)


def _refusal(question: Question, reason: RefusalReason, why: str, holdings: IndexHoldings) -> Refusal:
    notices = _filter_notice(question.filters)
    if question.personal and reason is not RefusalReason.NOTHING_SUPPORTED:
        return Refusal(
            RefusalReason.PERSONAL_ADVICE,
            prompts.PERSONAL_ADVICE_NOTHING_FOUND,
            why,
            lead=prompts.PERSONAL_ADVICE_NOTE,
            notices=notices,
        )
    if reason is RefusalReason.POPULATION_NOT_COVERED:
        species = question.population.species or "such"
        return Refusal(reason, prompts.NO_POPULATION_DATA.format(population=species), why, notices=notices)
    body_missing = not holdings.review_body and bool(_ABOUT_REVIEW.search(question.text))
    if reason is RefusalReason.OFF_TOPIC and not body_missing:
        # about the review but in words its indexed parts never use ("its bibliography"): the body may hold it
        return Refusal(reason, prompts.REFUSAL_OFF_TOPIC, why, notices=notices)
    text = prompts.REFUSAL
    if holdings.summary:
        text = f"{text} {prompts.REFUSAL_INDEX_HOLDS.format(holdings=holdings.summary)}"
    if body_missing:
        text = f"{text} {prompts.REFUSAL_ADD_REVIEW}"
    return Refusal(reason, text, why, notices=notices)


def _filter_notice(filters: Filters | Mapping[str, Any] | None) -> tuple[str, ...]:
    """Active filters may have hidden the answer: say which, and how to search everything."""
    active = filters.as_dict() if isinstance(filters, Filters) else dict(filters or {})
    active = {key: value for key, value in active.items() if value not in (None, "", [], ())}
    if not active:
        return ()
    shown = ", ".join(f"{key}={_shown(value)}" for key, value in active.items())
    return (prompts.NOTICE_REFUSED_UNDER_FILTERS.format(filters=shown),)


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(str(v) for v in value)
        return "|".join(items[:3]) + (f"|… ({len(items)})" if len(items) > 3 else "")
    return str(value)
