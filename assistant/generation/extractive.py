"""The offline generator: an answer made of verbatim sentences from the retrieved passages.

Sentences are ranked by embedding similarity to the question, by how many of the question's
distinctive terms they contain, by whether they hold the kind of answer the question expects
(`question.py`) and by their passage's retrieval score; near-duplicates are skipped, the most direct
sentence comes first, and several studies give one sentence each. Questions about the article itself
are answered from its front-matter fields (`front_matter.py`). When the best evidence is too weak —
low similarity, the question's distinctive terms absent from the sources, an identifier or acronym
the corpus never mentions, or a name it asks about in no sentence — it refuses and cites nothing;
the gate's thresholds are calibrated on external questions (COVID-QA dev, PubMedQA gold-removed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.generation import prompts
from assistant.generation.base import Draft, DraftSentence, TextPiece, draft_text
from assistant.generation.front_matter import FrontMatterLookup
from assistant.generation.question import about_population, analyse, personal_topic, population, type_word_stems
from assistant.safety import asks_personal_advice, sounds_like_recommendation
from assistant.settings import Settings
from assistant.text import content_terms, known_spelling, lexical_tokens
from assistant.types import EvidenceSentence, Passage, is_front_matter_section, source_context

__all__ = [
    "ExtractiveGenerator",
    "ExtractiveResult",
    "TermStatistics",
    "distinctive_terms",
    "select_sentences",
    "source_context",
]

#: Question words that carry no topic (what the question asks, not what it is about).
_GENERIC = frozenset(
    "what which how why when where who whom does do did can could effect effects role roles used use "
    "using mechanism mechanisms improve improved result results outcome outcomes find found report reported "
    "show shown work works act acts main key summary summarize summarise about compare compared between "
    "difference differ much many way ways kind type types happen happens affect affects "
    # framing words of how researchers ask, not what about: "Xiao et al.", "how well", "what role did X play"
    "et al colleague colleagues well play played went go goes appear appeared say says said mention mentioned "
    "give given tell detail details information anything something "
    # how a question asks whether or how well something was done, not what it is about
    "best worst most least tried tested test testing studied investigated examined explored assessed evaluated "
    # words about the conversation, not the topic ("ignore the sources", "invent a citation", "make one up")
    "ignore ignoring sources source invent citation citations cite reference references instructions instruction "
    "previous rules rule forget pretend just print prompt make made up showing proving answer question say "
    # "according to the authors" says whose view, not what about
    "author authors "
    # how a question frames what it wants ("an example of", "the purpose of", "the relationship between")
    "example examples purpose topic topics relationship relationships explanation explain explains "
    "problem problems provide provides provided available possible done "
    # how a yes/no title doubts or weighs ("is it really...", "does X matter", "worth the effort")
    "really truly actually indeed still whether matter matters worth seen see "
    # "the term describing ...", "what is it called", "the name of ..."
    "term terms describe describes describing described called call name names named "
    # degree and scope asked about, not the topic ("how strongly", "across the studies")
    "strongly weakly greatly across "
    # how the reply should be put, and whose account ("explain simply", "according to the literature")
    "simply briefly plainly literature".split()
)
_SPECIFIC = re.compile(r"^(?:\d[\w.]*|[a-z]+\d[\w]*)$")
_ROMAN = re.compile(r"^[IVX]{1,4}$")
#: "5th February" names a day, not an identifier
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


def _misspelt_name(term: str, stats: TermStatistics) -> bool:
    """A gene or virus name one letter off a name the corpus knows ("HIN1" for H1N1, "CEAMCAM1" for
    CEACAM1): a typo, not an absent identifier. Only short letter-digit names; a trial number or a
    year one digit off (NCT…, 2031) is a different identifier, and stays unknown."""
    if not (4 <= len(term) <= 8 and re.search(r"[a-z]", term) and re.search(r"\d", term)):
        return False
    return any(
        abs(len(known) - len(term)) <= 1 and _one_edit(term, known) for known in stats.df if known[:1] == term[:1]
    )


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]
    return len(b) - len(a) == 1


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


@dataclass(frozen=True)
class GateEvidence:
    """What the evidence gate judges: the best sentence's meaning (dense similarity), the share of the
    question's (IDF-weighted) terms in the top evidence and in ONE source's retrieved sentences, and
    whether the question asks personal advice (judged leniently: what the sources found is still
    reported, under the advice note)."""

    similarity: float
    coverage: float
    source_coverage: float
    personal: bool = False


@dataclass(frozen=True)
class GateThresholds:
    """The evidence gate's thresholds beyond the settings' (see `evidence_gate`)."""

    one_source: float = 0.0
    joint: float = 0.0


def evidence_gate(evidence: GateEvidence, settings: Settings, thresholds: GateThresholds | None = None) -> str:
    """Why the evidence is too weak to answer from, or "" when it is strong enough (the one rule; the
    gate sweep, `bench/helpers/gate_sweep.py`, calls it with other thresholds)."""
    limits = thresholds or GATE
    reason = _weak_evidence(evidence.similarity, evidence.coverage, settings, lenient=evidence.personal)
    if reason or evidence.personal:
        return reason
    if evidence.source_coverage < limits.one_source:
        return f"no single source covers the question ({evidence.source_coverage:.2f})"
    if evidence.source_coverage < _ALL_TERMS and evidence.similarity * evidence.source_coverage < limits.joint:
        return (
            f"weak evidence (similarity {evidence.similarity:.2f} x one-source coverage {evidence.source_coverage:.2f})"
        )
    return ""


class TermStatistics:
    """Document frequencies of lexical terms over the corpus, for IDF weights and unknown-term checks.

    `df` and `n` come from the loaded index (`LoadedIndex.document_frequencies`, computed once per
    index); `expand` is the corpus glossary's query expansion. Token sets of sentences and source
    metadata are cached here: the corpus is fixed for the life of one chain.
    """

    def __init__(self, df: Mapping[str, int], n: int, expand: Callable[[str], str] = lambda text: text) -> None:
        self.df = df
        self.n = max(n, 1)
        self.expand = expand
        self._own: dict[tuple[int, str, str], frozenset[str]] = {}
        self._context: dict[tuple[str, str], frozenset[str]] = {}
        self._spelling: dict[str, str] = {}
        self._sizes: dict[tuple[int, str], int] = {}

    def own_tokens(self, sentence: EvidenceSentence, section: str) -> frozenset[str]:
        """Lexical tokens of a sentence and its section name (cached per indexed sentence)."""
        key = (sentence.id, section, sentence.text if sentence.id < 0 else "")
        tokens = self._own.get(key)
        if tokens is None:
            tokens = self._own[key] = frozenset(lexical_tokens(self.expand(f"{section} {sentence.text}")))
        return tokens

    def content_size(self, sentence: EvidenceSentence) -> int:
        """How many distinct content terms a sentence holds (cached per indexed sentence)."""
        key = (sentence.id, sentence.text if sentence.id < 0 else "")
        size = self._sizes.get(key)
        if size is None:
            size = self._sizes[key] = len(content_terms(sentence.text))
        return size

    def context_tokens(self, source, section: str) -> frozenset[str]:
        """Lexical tokens of a source's metadata as seen from one section (cached)."""
        key = (source.id, section)
        tokens = self._context.get(key)
        if tokens is None:
            text = source_context(source, section)
            tokens = self._context[key] = frozenset(lexical_tokens(self.expand(text)))
        return tokens

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def known(self, term: str) -> bool:
        return self.df.get(term, 0) > 0

    def spelled(self, term: str) -> str:
        """The term, or the known term it misspells (see `known_spelling`); cached per term."""
        corrected = self._spelling.get(term)
        if corrected is None:
            corrected = self._spelling[term] = known_spelling(term, self.df) or term
        return corrected


#: Words of publication metadata that questions and articles say differently ("Who funded it?" vs
#: "Supported by ..."); a question term also matches its listed alternatives. General to any article.
_METADATA_SYNONYMS = {
    "funded": "supported grant foundation funding",
    "funding": "supported grant foundation",
    "grant": "supported funding foundation",
    "sponsored": "supported funding",
    "competing": "conflict conflicts",
    "declare": "report statement",
    "disclose": "report statement",
    "institution": "affiliation department university hospital",
    "affiliated": "affiliation department",
    "licence": "license",
    "license": "licence",
    "copyright": "licence license",
    "writing": "authored draft revised manuscript",
    "wrote": "authored draft revised manuscript",
    # the field names one event three ways (recurrent pregnancy loss, recurrent miscarriage, recurrent
    # spontaneous abortion), and a trial with people is "clinical" whatever word a question uses
    "loss": "abortion miscarriage",
    "losses": "abortion miscarriage",
    "miscarriage": "abortion loss",
    "miscarriages": "abortion loss",
    "abortion": "miscarriage loss",
    "pregnancy": "pregnant gestation",
    "humans": "women patients clinical",
    "human": "women patients clinical",
    "people": "women patients",
    "treatment": "therapy therapeutic therapies",
    "therapy": "treatment therapeutic",
    "injections": "injected injection",
    # how authors say that something is wanted
    "new": "novel",
    # irregular plurals the stemmer leaves apart
    "mouse": "mice murine",
    "mice": "mouse murine",
    "murine": "mouse mice",
    "woman": "women",
    "women": "woman",
    "child": "children",
    "children": "child",
    # ordinals written with digits ("the 2nd wave") and in words ("the second wave")
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
    "4th": "fourth",
    "5th": "fifth",
    # countries a question abbreviates and articles spell out
    "usa": "united states america american",
    "uk": "united kingdom britain british england",
    "need": "imperative necessary required",
    "needed": "imperative necessary required",
}


@lru_cache(maxsize=1)
def _synonym_stems() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for word, alternatives in _METADATA_SYNONYMS.items():
        for stem in content_terms(word):
            table[stem] = table.get(stem, frozenset()) | frozenset(content_terms(alternatives))
    return table


def distinctive_terms(question: str, glossary) -> list[str]:
    """Terms that say what a question is about (not how it asks)."""
    return [t for t in content_terms(question) if t not in _generic_stems()]


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    """The generic words as `content_terms` spells them (stemmed), whatever stemmer text.py uses."""
    return frozenset(_GENERIC) | frozenset(content_terms(" ".join(_GENERIC)))


def question_terms(question: str, stats: TermStatistics) -> tuple[list[str], dict[str, set[str]], dict[str, float]]:
    """A question's distinctive terms, each with the forms evidence may write it in (glossary,
    plural, synonym, numeral) and its IDF weight. A misspelt word ("carageenan") stands for the
    corpus term it misspells, not for an absent topic."""
    terms = list(dict.fromkeys(stats.spelled(t) for t in distinctive_terms(question, None)))
    synonyms = _synonym_stems()
    prefixed = _prefixed_abbreviations(question, stats)
    expanded = {
        t: set(lexical_tokens(stats.expand(t)))
        | {t}
        | _plural_forms(t)
        | synonyms.get(t, set())
        | _numeral_forms(t, question)
        | prefixed.get(t, set())
        for t in terms
    }
    return terms, expanded, {t: stats.idf(t) for t in terms}


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
    acronyms = _named_terms(searched_query)
    unknown_specific = [
        t
        for t in terms
        if (_SPECIFIC.match(t) or t in numbered or t in acronyms)
        and not _ORDINAL.match(t)
        and not any(stats.known(f) for f in expanded_terms[t])
        and not _misspelt_name(t, stats)
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
        holds_answer = analysis.holds_expected(sentence.text)
        if holds_answer:
            own_tokens = own_tokens | type_words
        own_coverage = _coverage(expanded_terms, weights, own_tokens)
        if is_front_matter_section(passage.section) and own_coverage < 0.5:
            # a title, journal or funding line is not evidence about a topic it does not name
            continue
        context_tokens = own_tokens | stats.context_tokens(source, passage.section)
        coverage = _coverage(expanded_terms, weights, context_tokens)
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
            if type_words and analysis.holds_expected(sentence.text):
                evidence_tokens |= type_words
    coverage = _coverage(expanded_terms, weights, evidence_tokens) if terms else 1.0
    # the best coverage by ONE source's retrieved sentences (with its metadata): terms spread over
    # unrelated sources do not answer a question about one study
    per_source: dict[str, set[str]] = {}
    for s in scored:
        tokens = per_source.setdefault(
            s.passage.source_id, set(stats.context_tokens(s.passage.source, s.passage.section))
        )
        tokens |= stats.own_tokens(s.sentence, s.passage.section)
        if type_words and analysis.holds_expected(s.sentence.text):
            # as for one sentence: a sentence naming a route answers "which route" without the word
            tokens |= type_words
    source_coverage = (
        max((_coverage(expanded_terms, weights, t) for t in per_source.values()), default=0.0) if terms else 1.0
    )
    top_coverage = max(s.coverage for s in scored[:3]) if terms else 1.0
    if not any(s.names_anchor for s in scored):
        # the question's most specific known term ("NK" in "How do MSCs act on decidual NK cells?") is in
        # none of the sentences: they are about the field in general, not about what was asked
        result = ExtractiveResult([], True, best_similarity, coverage, f"no sentence names {anchor!r}", top_coverage)
        return _refused(result, filters, personal)
    # "phase 3" asked where the sources speak only of "Phase 2": a numbered designation the evidence
    # names with another number is a different thing (a trial phase, a disease type, a tumour grade)
    unknown_specific += _other_numbered(searched_query, [sentence.text for sentence, _ in candidates])
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


_DESIGNATION = re.compile(r"\b(phase|type|stage|grade|class|group|level)\s+([ivx]{1,4}|\d{1,2})\b", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _designation_number(token: str) -> int | None:
    token = token.lower()
    return int(token) if token.isdigit() else _ROMAN_VALUES.get(token)


def _prefixed_abbreviations(question: str, stats: TermStatistics) -> dict[str, set[str]]:
    """An abbreviation with a lower-case prefix the corpus does not use ("dMSCs" for decidual MSCs,
    "hMSC" for human MSC) also matches the abbreviation itself, in its singular and plural."""
    found: dict[str, set[str]] = {}
    for prefix, core in _PREFIXED.findall(question):
        whole = content_terms(prefix + core)
        base = content_terms(core)
        if whole and base and not stats.known(whole[0]):
            found[whole[0]] = _plural_forms(base[0])
    return found


#: a one- or two-letter lower-case prefix on a capitalised abbreviation: dMSCs, hMSC, iPSCs, exNK
_PREFIXED = re.compile(r"\b([a-z]{1,2})([A-Z]{2,}[a-z]?)\b")


def _plural_forms(term: str) -> set[str]:
    """Singular and plural of an abbreviation the stemmer keeps apart ("MSCs" is "mscs", "MSC" is "msc":
    no vowel, so no stem); for other words one form is already a stem and the other never a token."""
    return {term[:-1], term} if term.endswith("s") and len(term) > 3 else {term + "s"}


def _numeral_forms(term: str, question: str) -> set[str]:
    """The other way of writing a designation's number: "phase II" is "phase 2", and the other way."""
    if term in _ROMAN_VALUES:
        return {str(_ROMAN_VALUES[term])}
    numbered = {number for _, number in _DESIGNATION.findall(question)}
    if term.isdigit() and term in numbered:
        return {roman for roman, value in _ROMAN_VALUES.items() if str(value) == term}
    return set()


def _other_numbered(question: str, evidence: list[str]) -> list[str]:
    """The question's numbered designations ("phase 3", "phase III") that the evidence names only with
    other numbers ("Phase 2"); one the evidence does not name at all is left to the other checks."""
    found: dict[str, set[int | None]] = {}
    for text in evidence:
        for word, number in _DESIGNATION.findall(text):
            found.setdefault(word.lower(), set()).add(_designation_number(number))
    return [
        f"{word.lower()} {number}"
        for word, number in _DESIGNATION.findall(question)
        if word.lower() in found and _designation_number(number) not in found[word.lower()]
    ]


def _anchor(question: str, terms: list[str], weights: dict[str, float], stats: TermStatistics) -> str | None:
    """The question's most specific NAME the corpus knows: an abbreviation or symbol written in
    capitals ("NK", "IL-10", "KATNAL1"), highest IDF first; None when it names none. Plain words are
    not anchors: questions paraphrase them ("death toll" for "deaths")."""
    named = _named_terms(question)
    # a name most of the corpus carries ("COVID-19" over COVID papers) singles nothing out
    known = [t for t in terms if t in named and stats.known(t) and stats.df.get(t, 0) <= _ANCHOR_MAX_SHARE * stats.n]
    return max(known, key=lambda t: weights[t]) if known else None


#: the largest share of passages an anchor name may occur in
_ANCHOR_MAX_SHARE = 0.1


_NAME = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z0-9-]*[A-Z0-9]\b")


def _named_terms(question: str) -> set[str]:
    """Terms of the names a question writes in capitals ("NK", "IL-10", "KATNAL1"). A bare roman
    numeral ("episodes II") is no name, and a question written all in capitals names nothing by it."""
    words = _NAME.findall(question)
    letters = [ch for ch in question if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > _SHOUTED * len(letters):
        return set()
    return {t for word in words if not _ROMAN.match(word) for t in content_terms(word)}


#: above this share of capital letters a question is written in capitals, not naming things
_SHOUTED = 0.6


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


def _weak_evidence(similarity: float, coverage: float, settings: Settings, *, lenient: bool = False) -> str:
    """Why the evidence is too weak to answer from, or "" when it is strong enough.

    Two signals must agree: the best sentence means something close to the question (dense
    similarity), and the question's distinctive terms are in the evidence (IDF-weighted coverage).
    When every distinctive term is found, a lower similarity suffices: terse metadata lines
    ("Published online: August 26, 2025") embed far from any question about them.
    """
    needed_similarity = settings.min_evidence_similarity * (0.75 if coverage >= _ALL_TERMS else 1.0)
    needed_coverage = settings.min_term_coverage
    if lenient:
        # a personal story around a topic question ("I had three miscarriages...") names words no
        # source holds; what the sources found on the topic is still worth reporting
        needed_similarity, needed_coverage = needed_similarity * 0.8, needed_coverage * 0.6
    if similarity < needed_similarity:
        return f"low similarity {similarity:.2f}"
    if coverage < needed_coverage:
        return f"low term coverage {coverage:.2f}"
    return ""


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


def _coverage(expanded_terms: dict[str, set[str]], weights: dict[str, float], tokens: AbstractSet[str]) -> float:
    total = sum(weights.values())
    if total == 0:
        return 1.0
    found = sum(weights[t] for t, forms in expanded_terms.items() if forms & tokens)
    return found / total


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


#: `one_source`: one source's retrieved sentences (with its metadata) must cover this much of the
#: question: on PubMedQA with the gold abstract removed the terms are spread over unrelated abstracts.
#: `joint`: the best sentence's meaning (dense similarity) times one source's coverage of the question
#: must reach this: weak meaning is enough only when one source holds the question's terms, and the
#: other way round. A source holding every term (`_ALL_TERMS`) is exempt: a vague question ("What is
#: discussed in this publication?") embeds far from every sentence, and a lower similarity floor
#: already applies to it. Calibrated on PubMedQA dev answerable/gold-removed and COVID-QA dev with
#: `bench/helpers/gate_sweep.py` (the plateau is 0.45-0.5 x 0.35-0.36; see README "Evaluation")
GATE = GateThresholds(one_source=0.45, joint=0.36)

#: the share of the question's (IDF-weighted) terms at which "every term is found"
_ALL_TERMS = 0.95

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
