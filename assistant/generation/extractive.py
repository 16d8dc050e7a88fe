"""The offline generator: an answer made of verbatim sentences from the retrieved passages.

Sentences are ranked by embedding similarity to the question, by how many of the question's
distinctive terms they contain, and by their passage's retrieval score; near-duplicates are skipped.
When the best evidence is too weak — low similarity, or the question's distinctive terms are absent
from the sources — it refuses with the fixed sentence and cites nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.indexing.index import LoadedIndex
from assistant.settings import Settings
from assistant.text import content_terms, lexical_tokens
from assistant.types import Passage

#: Question words that carry no topic (what the question asks, not what it is about).
_GENERIC = frozenset(
    "what which how why when where who whom does do did can could effect effects role roles used use "
    "using mechanism mechanisms improve improved result results outcome outcomes find found report reported "
    "show shown work works act acts main key summary summarize summarise about compare compared between "
    "difference differ much many way ways kind type types happen happens affect affects "
    # framing words of how researchers ask, not what about: "Xiao et al.", "how well", "what role did X play"
    "et al colleague colleagues well play played went go goes appear appeared say says said mention mentioned "
    "give given tell detail details information anything something".split()
)
_SPECIFIC = re.compile(r"^(?:\d[\w.]*|[a-z]+\d[\w]*)$")
#: Roman numerals are identifiers only after a word they number ("phase III"); a bare "IV" is a route.
_NUMBERED_ROMAN = re.compile(r"\b(?:phase|type|stage|grade|class|group|level)\s+([ivx]{1,5})\b", re.IGNORECASE)


@dataclass
class ScoredSentence:
    row: int
    passage_rank: int
    score: float
    dense: float
    coverage: float
    own_coverage: float = 0.0


@dataclass
class ExtractiveResult:
    sentences: list[tuple[str, Passage]]
    refused: bool
    best_similarity: float
    coverage: float
    reason: str = ""
    #: coverage of the question's terms by the best of the top three sentences alone (with context)
    top_coverage: float = 0.0


class TermStatistics:
    """Document frequencies of lexical terms over the index, for IDF weights and unknown-term checks."""

    def __init__(self, index: LoadedIndex) -> None:
        self.df: Counter[str] = Counter()
        for chunk in index.chunks:
            context = source_context(index.sources[chunk.source_id], chunk.section)
            self.df.update(set(lexical_tokens(index.glossary.expand(f"{context} {chunk.text}"))))
        self.n = max(len(index.chunks), 1)
        self._index = index
        self._own: dict[int, frozenset[str]] = {}
        self._context: dict[tuple[str, str], frozenset[str]] = {}

    def own_tokens(self, row: int, section: str) -> frozenset[str]:
        """Lexical tokens of an indexed sentence and its section name (cached: the corpus is fixed)."""
        tokens = self._own.get(row)
        if tokens is None:
            text = f"{section} {self._index.sentences[row].text}"
            tokens = self._own[row] = frozenset(lexical_tokens(self._index.glossary.expand(text)))
        return tokens

    def context_tokens(self, source, section: str) -> frozenset[str]:
        """Lexical tokens of a source's metadata as seen from one section (cached)."""
        key = (source.id, section)
        tokens = self._context.get(key)
        if tokens is None:
            text = source_context(source, section)
            tokens = self._context[key] = frozenset(lexical_tokens(self._index.glossary.expand(text)))
        return tokens

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def known(self, term: str) -> bool:
        return self.df.get(term, 0) > 0


#: Words of publication metadata that questions and articles say differently ("Who funded it?" vs
#: "Supported by ..."); a question term also matches its listed alternatives. General to any article.
_METADATA_SYNONYMS = {
    "funded": "supported grant foundation funding", "funding": "supported grant foundation",
    "grant": "supported funding foundation", "sponsored": "supported funding",
    "competing": "conflict conflicts", "declare": "report statement", "disclose": "report statement",
    "institution": "affiliation department university hospital", "affiliated": "affiliation department",
    "licence": "license", "license": "licence", "copyright": "licence license",
    "writing": "authored draft revised manuscript", "wrote": "authored draft revised manuscript",
}


@lru_cache(maxsize=1)
def _synonym_stems() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for word, alternatives in _METADATA_SYNONYMS.items():
        for stem in content_terms(word):
            table[stem] = table.get(stem, frozenset()) | frozenset(content_terms(alternatives))
    return table


def source_context(source, section: str) -> str:
    """What a passage is, besides its text: title, kind, section and bibliographic fields.

    Questions often name these rather than the text ("Who funded the review?" -> section Funding,
    kind review; "the 2019 Cell J study" -> year, journal), so they count as evidence for coverage.
    """
    fields = [
        source.title, source.kind.label, section, f"journal {source.journal}" if source.journal else "",
        str(source.year or ""), " ".join(source.authors),
        source.trial_id, source.doi, source.pmid, source.pmcid, source.msc_source, source.evidence, source.licence,
    ]
    fields.extend(f"{key.replace('_', ' ')} {value}" for key, value in source.extra)
    return " ".join(f for f in fields if f)


def distinctive_terms(question: str, glossary) -> list[str]:
    """Terms that say what a question is about (not how it asks)."""
    return [t for t in content_terms(question) if t not in _generic_stems()]


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    """The generic words as `content_terms` spells them (stemmed), whatever stemmer text.py uses."""
    return frozenset(_GENERIC) | frozenset(content_terms(" ".join(_GENERIC)))


def select_sentences(
    question: str,
    searched_query: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    index: LoadedIndex,
    stats: TermStatistics,
    settings: Settings,
) -> ExtractiveResult:
    terms = distinctive_terms(searched_query, index.glossary)
    synonyms = _synonym_stems()
    expanded_terms = {t: set(lexical_tokens(index.glossary.expand(t))) | {t} | synonyms.get(t, set()) for t in terms}
    weights = {t: stats.idf(t) for t in terms}
    numbered = [m.lower() for m in _NUMBERED_ROMAN.findall(searched_query)]
    unknown_specific = [t for t in terms if (_SPECIFIC.match(t) or t in numbered) and not stats.known(t)]
    candidates = _candidates(passages, index)
    if not candidates:
        return ExtractiveResult([], True, 0.0, 0.0, "nothing retrieved")
    rows = [row for row, _ in candidates]
    dense = index.sentence_vectors[rows] @ query_vector
    scored: list[ScoredSentence] = []
    max_passage = max(p.score for p in passages) or 1.0
    for (row, passage), similarity in zip(candidates, dense):
        source = passage.source
        own_tokens = stats.own_tokens(row, passage.section)
        context_tokens = own_tokens | stats.context_tokens(source, passage.section)
        coverage = _coverage(expanded_terms, weights, context_tokens)
        # the sentence's own words (and its section's name) rank it; its source's metadata only half as
        # much, or every sentence of a source would tie on a question about that source
        own_coverage = _coverage(expanded_terms, weights, own_tokens)
        score = 0.45 * float(similarity) + 0.10 * coverage + 0.30 * own_coverage + 0.15 * (passage.score / max_passage)
        scored.append(ScoredSentence(row, passage.rank, score, float(similarity), coverage, own_coverage))
    scored.sort(key=lambda s: s.score, reverse=True)
    best_similarity = max(s.dense for s in scored)
    evidence_tokens: set[str] = set()
    for s in scored[:3]:
        passage = next(p for r, p in candidates if r == s.row)
        evidence_tokens |= stats.context_tokens(passage.source, passage.section)
        for sentence_row in index.chunk_sentences[index.row_of.get(passage.chunk.id, 0)] if passage.chunk.id in index.row_of else ():
            evidence_tokens |= stats.own_tokens(sentence_row, passage.section)
    coverage = _coverage(expanded_terms, weights, evidence_tokens) if terms else 1.0
    top_coverage = max(s.coverage for s in scored[:3]) if terms else 1.0
    if unknown_specific:
        return ExtractiveResult([], True, best_similarity, coverage, f"unknown specific terms {unknown_specific}", top_coverage)
    reason = _weak_evidence(best_similarity, coverage, top_coverage, settings)
    if reason:
        return ExtractiveResult([], True, best_similarity, coverage, reason, top_coverage)
    chosen = _choose(scored, index, settings.max_answer_sentences)
    by_row = {row: passage for row, passage in candidates}
    return ExtractiveResult(
        [(index.sentences[s.row].text, by_row[s.row]) for s in chosen], False, best_similarity, coverage, "", top_coverage
    )


def _weak_evidence(similarity: float, coverage: float, top_coverage: float, settings: Settings) -> str:
    """Why the evidence is too weak to answer from, or "" when it is strong enough.

    Two signals must agree: the best sentence means something close to the question (dense
    similarity), and the question's distinctive terms are in the evidence (IDF-weighted coverage).
    When every distinctive term is found, a lower similarity suffices: terse metadata lines
    ("Published online: August 26, 2025") embed far from any question about them.
    """
    needed_similarity = settings.min_evidence_similarity * (0.75 if coverage >= 0.95 else 1.0)
    if similarity < needed_similarity:
        return f"low similarity {similarity:.2f}"
    if coverage < settings.min_term_coverage:
        return f"low term coverage {coverage:.2f}"
    # terms scattered over several passages are not an answer: one sentence must speak to the question
    if top_coverage < settings.min_term_coverage:
        return f"no single sentence covers the question ({top_coverage:.2f})"
    return ""


def _candidates(passages: list[Passage], index: LoadedIndex) -> list[tuple[int, Passage]]:
    """Each sentence of the retrieved passages once, attached to its best-ranked passage."""
    seen: dict[int, Passage] = {}
    for passage in sorted(passages, key=lambda p: p.rank):
        chunk_row = index.row_of.get(passage.chunk.id)
        if chunk_row is None:
            continue
        for sentence_row in index.chunk_sentences[chunk_row]:
            seen.setdefault(sentence_row, passage)
    return list(seen.items())


def _coverage(expanded_terms: dict[str, set[str]], weights: dict[str, float], tokens: set[str]) -> float:
    total = sum(weights.values())
    if total == 0:
        return 1.0
    found = sum(weights[t] for t, forms in expanded_terms.items() if forms & tokens)
    return found / total


def _choose(scored: list[ScoredSentence], index: LoadedIndex, limit: int) -> list[ScoredSentence]:
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    for candidate in scored:
        if len(chosen) >= limit:
            break
        if candidate.score < best * 0.75 and chosen:
            break
        text = index.sentences[candidate.row].text
        if len(text.split()) < 3:
            continue
        vector = index.sentence_vectors[candidate.row]
        if any(float(vector @ index.sentence_vectors[c.row]) > 0.92 for c in chosen):
            continue
        if any(_jaccard(text, index.sentences[c.row].text) > 0.7 for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


def _jaccard(a: str, b: str) -> float:
    left, right = set(lexical_tokens(a)), set(lexical_tokens(b))
    return len(left & right) / max(len(left | right), 1)
