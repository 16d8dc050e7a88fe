"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused, diversified (MMR), filtered.

Granularity: passages are sentence-aligned chunks of up to `chunk_max_tokens` tokens (a few
sentences) — small enough that a hit points at the exact statement, large enough to carry context
for dense matching. Sentences inside the retrieved passages are ranked again by the generator.

Queries are expanded with the corpus glossary (RSA <-> recurrent spontaneous abortion) and with the
corpus's spelling of words they misspell, on both the dense and the lexical side. Every returned passage carries its evidence (sentences with spans and
vectors, cited references with key sentences), asked of the `LoadedIndex` here, so the layers above
never touch the index. `assistant.langchain_adapter.LangChainRetriever` exposes the same thing as a
LangChain retriever.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

from assistant.filters import FILTER_KEYS, normalize_filters, parse_filters
from assistant.indexing.embedding import Embedder
from assistant.indexing.index import LoadedIndex
from assistant.settings import Settings
from assistant.text import content_terms
from assistant.types import Filters, Passage, RetrievalResult, Source, is_front_matter_section

__all__ = ["FILTER_KEYS", "HybridRetriever", "RetrievalResult", "normalize_filters", "parse_filters"]


def _source_matches(source, filters: dict[str, Any]) -> bool:
    if "kind" in filters and source.kind.value not in filters["kind"]:
        return False
    if "source_id" in filters and source.id.lower() not in filters["source_id"]:
        return False
    if "evidence" in filters and (source.evidence or "").lower() not in filters["evidence"]:
        return False
    if "msc_source" in filters:
        own = (source.msc_source or "").lower()
        if not any(wanted in own for wanted in filters["msc_source"]):
            return False
    year = source.year or 0
    if "year" in filters and year not in filters["year"]:
        return False
    if "year_min" in filters and (not year or year < filters["year_min"]):
        return False
    if "year_max" in filters and (not year or year > filters["year_max"]):
        return False
    return True


class HybridRetriever:
    """Retrieval over one loaded index with one embedder, configured by `Settings`.

    Candidates are the union of Chroma's nearest chunks and BM25's best chunks; every candidate then
    gets BOTH scores exactly (cosine from the stored chunk vectors, BM25 from the full score array),
    so fusion never treats "not in the other retriever's top n" as a zero. Fused chunk scores get a
    small document-level bonus (more than one matching chunk of the same source), then MMR diversifies.
    """

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._chunk_source_ids = np.array([c.source_id for c in index.chunks])
        # source of each chunk as a small integer, for the per-document bonus
        _, self._chunk_doc = np.unique(self._chunk_source_ids, return_inverse=True)
        # front-matter chunks (authors, funding, dates...) take no part in the document bonus
        self._front_matter = np.array([is_front_matter_section(c.section) for c in index.chunks], dtype=bool)

    # -- the public operation ----------------------------------------------------------------
    def retrieve(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | Mapping[str, Any] | None = None,
        *,
        mode: str = "hybrid",
        records_for: tuple[str, ...] = (),
    ) -> RetrievalResult:
        """Top-`k` passages; mode "hybrid" (the project's), "dense" or "lexical" (baselines).

        `records_for` (source ids): those studies' record passages follow the top `k`, for a question
        asking a study's author, year, journal or registration in its topic's words."""
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"mode must be hybrid, dense or lexical, not {mode!r}")
        started = time.perf_counter()
        k = k or self.settings.top_k
        clean = filters.as_dict() if isinstance(filters, Filters) else normalize_filters(filters)
        expanded = self.index.glossary.expand(question) if self.settings.expand_abbreviations else question
        expanded = self._with_spellings(expanded)
        # the lexical baseline needs no query vector; the model's time is not part of its latency
        vector = self.embedder.encode_query(expanded) if mode != "lexical" else np.zeros(0, dtype=np.float32)
        allowed = self._allowed_rows(clean)
        if allowed is not None and not allowed.any():
            return RetrievalResult([], question, expanded, vector, time.perf_counter() - started)
        pool = max(self.settings.candidate_pool, k * 3)
        dense = self._dense(vector, pool, allowed) if mode in ("hybrid", "dense") else {}
        lexical_all = self._lexical_scores(expanded, allowed) if mode in ("hybrid", "lexical") else None
        lexical = _top(lexical_all, pool) if lexical_all is not None else {}
        if mode == "hybrid":
            dense, lexical = self._complete(dense, lexical, vector, lexical_all)
            fused = self._with_document_bonus(self._fuse(dense, lexical))
            ranked = self._with_study_findings(self._mmr(fused, vector, k), fused, allowed)
            ranked = self._named_studies_first(question, ranked, fused, allowed)
            ranked = self._with_study_records(ranked, fused, allowed, records_for)
        else:
            fused = dense or lexical
            ranked = sorted(fused, key=fused.__getitem__, reverse=True)[:k]
        passages = [
            self._passage(row, fused[row], dense.get(row), lexical.get(row), rank) for rank, row in enumerate(ranked, 1)
        ]
        return RetrievalResult(passages, question, expanded, vector, time.perf_counter() - started)

    # -- the steps ---------------------------------------------------------------------------
    def _with_spellings(self, query: str) -> str:
        """The query plus the corpus's spelling of each word it misspells ("carageenan" also
        searches "carrageenan"): a typo would otherwise miss every lexical match."""
        fixes = [known for term in content_terms(query) if (known := self.index.speller(term))]
        return f"{query} {' '.join(dict.fromkeys(fixes))}" if fixes else query

    def _allowed_rows(self, filters: dict[str, Any]) -> np.ndarray | None:
        if not filters:
            return None
        ok_sources = {sid for sid, source in self.index.sources.items() if _source_matches(source, filters)}
        return (
            np.isin(self._chunk_source_ids, list(ok_sources)) if ok_sources else np.zeros(len(self.index.chunks), bool)
        )

    def _dense(self, vector: np.ndarray, pool: int, allowed: np.ndarray | None) -> dict[int, float]:
        where = None
        if allowed is not None:
            ids = sorted({self.index.chunks[i].source_id for i in np.flatnonzero(allowed)})
            where = {"source_id": {"$in": ids}} if len(ids) > 1 else {"source_id": ids[0]}
        n = min(pool, len(self.index.chunks) if allowed is None else int(allowed.sum()))
        hits = self.index.store.query(vector, max(n, 1), where)
        return {self.index.row_of[hit.id]: hit.similarity for hit in hits if hit.id in self.index.row_of}

    def _lexical_scores(self, query: str, allowed: np.ndarray | None) -> np.ndarray:
        scores = self.index.lexical.scores(query)
        return np.where(allowed, scores, 0.0) if allowed is not None else scores

    def _complete(
        self, dense: dict[int, float], lexical: dict[int, float], vector: np.ndarray, lexical_all: np.ndarray | None
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Both scores for every candidate: exact cosine from stored vectors, BM25 from the full array."""
        rows = sorted(set(dense) | set(lexical))
        if not rows:
            return dense, lexical
        cosine = self.index.chunk_vectors[rows] @ vector
        # a study's record lines are found by what they name (an author, an identifier: BM25), not by
        # meaning: their embedding sits near every topic question about mice or MSCs and crowds findings out
        dense = {
            row: 0.0 if row in self._record_rows else float(value) for row, value in zip(rows, cosine, strict=True)
        }
        if lexical_all is not None:
            lexical = {row: float(lexical_all[row]) for row in rows}
        return dense, lexical

    def _fuse(self, dense: dict[int, float], lexical: dict[int, float]) -> dict[int, float]:
        rows = set(dense) | set(lexical)
        if not rows:
            return {}
        wd, wl = self.settings.dense_weight, self.settings.lexical_weight
        if not any(lexical.values()):
            wd, wl = 1.0, 0.0
        if not dense:
            wd, wl = 0.0, 1.0
        if self.settings.fusion == "rrf":
            dense_rank = _ranks(dense)
            lexical_rank = _ranks({row: v for row, v in lexical.items() if v > 0})
            k = self.settings.rrf_k
            return {
                row: wd / (k + dense_rank[row]) * (row in dense_rank)
                + wl / (k + lexical_rank.get(row, 0)) * (row in lexical_rank)
                for row in rows
            }
        dense_norm = _min_max(dense)
        lexical_norm = _max_scaled(lexical)
        return {row: wd * dense_norm.get(row, 0.0) + wl * lexical_norm.get(row, 0.0) for row in rows}

    def _with_document_bonus(self, fused: dict[int, float]) -> dict[int, float]:
        """Each chunk gains `document_bonus` x the best OTHER candidate chunk of its document.

        A document whose several passages match the question is more likely the one that answers
        it; the bonus is small and based on one other chunk, so long sources (the review) do not win
        by length alone, and chunk order inside a document is unchanged. Front-matter chunks neither
        give nor get it: a dozen tiny lines about the article (licence, funding, dates) would otherwise
        lift one another above the passages that answer a topic question.
        """
        weight = self.settings.document_bonus
        if weight <= 0 or len(fused) < 2:
            return fused
        best: dict[int, list[float]] = {}
        for row, score in fused.items():
            if self._front_matter[row]:
                continue
            top = best.setdefault(int(self._chunk_doc[row]), [0.0, 0.0])
            if score > top[0]:
                top[0], top[1] = score, top[0]
            elif score > top[1]:
                top[1] = score
        bonus = {}
        for row, score in fused.items():
            if self._front_matter[row]:
                bonus[row] = score
                continue
            first, second = best[int(self._chunk_doc[row])]
            other = second if score >= first else first
            bonus[row] = score + weight * other
        return bonus

    def _mmr(self, fused: dict[int, float], query_vector: np.ndarray, k: int) -> list[int]:
        """Maximal marginal relevance: relevance traded against similarity to what is already chosen."""
        candidates = sorted(fused, key=fused.__getitem__, reverse=True)[: max(k * 4, 20)]
        if len(candidates) <= 1 or self.settings.mmr_lambda >= 1.0:
            return candidates[:k]
        vectors = self.index.chunk_vectors[candidates]
        relevance = np.array([fused[row] for row in candidates])
        spread = relevance.max() - relevance.min()
        relevance = (relevance - relevance.min()) / spread if spread > 0 else np.ones_like(relevance)
        similarity = vectors @ vectors.T
        chosen: list[int] = [0]
        max_sim = similarity[0].copy()
        lam = self.settings.mmr_lambda
        while len(chosen) < min(k, len(candidates)):
            score = lam * relevance - (1 - lam) * max_sim
            score[chosen] = -np.inf
            best = int(np.argmax(score))
            chosen.append(best)
            max_sim = np.maximum(max_sim, similarity[best])
        return [candidates[i] for i in chosen]

    def _with_study_findings(self, ranked: list[int], fused: dict[int, float], allowed) -> list[int]:
        """A study's record lines ("The first author of this study is ...") come with what the study
        found: its other passages follow the top `k` (after them, so no ranked passage moves down), so a
        question about a study by its author or identifier is answered with the finding too."""
        extra: list[int] = []
        for row in ranked:
            if not self._front_matter[row] or self.index.chunks[row].source_id not in self._study_ids:
                continue
            for sibling in self._rows_of(self.index.chunks[row].source_id):
                if sibling not in ranked and sibling not in extra and not self._front_matter[sibling]:
                    if allowed is None or allowed[sibling]:
                        fused.setdefault(sibling, fused[row])
                        extra.append(sibling)
        return [*ranked, *extra]

    def _with_study_records(
        self, ranked: list[int], fused: dict[int, float], allowed, studies: tuple[str, ...]
    ) -> list[int]:
        """The record passages of `studies` follow the ranked passages: no meaning search reaches them."""
        extra = [
            row
            for source_id in studies
            for row in self._rows_of(source_id)
            if row not in ranked and self._front_matter[row] and (allowed is None or allowed[row])
        ]
        floor = min((fused[row] for row in ranked), default=0.0)
        for row in extra:
            fused.setdefault(row, floor)
        return [*ranked, *extra]

    def _named_studies_first(self, question: str, ranked: list[int], fused: dict[int, float], allowed) -> list[int]:
        """A question that names a study by its first author or an identifier ("the Rezaei Cell J
        paper", "Singh's paper", "NCT06503471") is about that study: its passages (record lines and
        finding) lead. Record lines are found by BM25 only, and the review's own front matter, which
        every "PMID", "journal" or "paper" also matches, would otherwise outrank them."""
        named = [
            sid for sid in self._study_ids if _names_study(question, self.index.sources[sid], self._surname_counts)
        ]
        if not named or len(named) > _MAX_NAMED_STUDIES:
            return ranked
        top = max(fused.values(), default=1.0)
        first: list[int] = []
        for sid in sorted(named):
            # the finding first, then the record lines: sentence ranking picks among them by the question
            for row in sorted(self._rows_of(sid), key=lambda r: bool(self._front_matter[r])):
                if allowed is None or allowed[row]:
                    fused[row] = max(fused.get(row, 0.0), top)
                    first.append(row)
        return [*first, *(row for row in ranked if row not in first)]

    @cached_property
    def _surname_counts(self) -> dict[str, int]:
        """How many sources list each surname among their authors (the review's own authors included)."""
        counts: dict[str, int] = {}
        for source in self.index.sources.values():
            for surname in {_surname(author) for author in source.authors}:
                counts[surname] = counts.get(surname, 0) + 1
        return counts

    @cached_property
    def _record_rows(self) -> frozenset[int]:
        """Rows of the studies' record passages (their "Article information" sections)."""
        return frozenset(
            row
            for row, chunk in enumerate(self.index.chunks)
            if self._front_matter[row] and chunk.source_id in self._study_ids
        )

    @cached_property
    def _study_ids(self) -> frozenset[str]:
        return frozenset(sid for sid, source in self.index.sources.items() if source.kind.is_study)

    def _rows_of(self, source_id: str) -> list[int]:
        return [int(i) for i in np.flatnonzero(self._chunk_source_ids == source_id)]

    def _passage(self, row: int, score: float, dense: float | None, lexical: float | None, rank: int) -> Passage:
        # the index attaches the passage's evidence (sentences with vectors, cited references)
        return self.index.passage(
            self.index.chunks[row], score=float(score), dense_score=dense, lexical_score=lexical, rank=rank
        )


def _top(scores: np.ndarray, pool: int) -> dict[int, float]:
    """The `pool` best positive scores of an array, as row -> score."""
    if not scores.any():
        return {}
    top = np.argpartition(-scores, min(pool, len(scores) - 1))[:pool]
    return {int(i): float(scores[i]) for i in top if scores[i] > 0}


def _ranks(scores: dict[int, float]) -> dict[int, int]:
    return {row: r for r, row in enumerate(sorted(scores, key=scores.__getitem__, reverse=True), 1)}


def _min_max(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    # keep absolute level information: a weak best dense hit should not be stretched to 1.0
    low = min(low, high - 0.2)
    return {row: (value - low) / (high - low) for row, value in scores.items()}


def _max_scaled(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    high = max(scores.values())
    return {row: value / high for row, value in scores.items()} if high > 0 else {row: 0.0 for row in scores}


#: a question naming more studies than this is a comparison or a list, not about one study's record
_MAX_NAMED_STUDIES = 3


def _names_study(question: str, source: Source, surname_counts: Mapping[str, int]) -> bool:
    """Whether a question names this study: an identifier it carries (trial id, PMID, PMCID, DOI), or
    its first author's surname as the question writes a name (capitalised). A surname other sources
    also list ("Xiao" of the review and of a mouse study) or one shorter than 3 letters ("Fu") names
    the study only together with its year."""
    identifiers = [i for i in (source.trial_id, source.pmid, source.pmcid, source.doi) if i]
    if any(re.search(rf"(?<![\w.]){re.escape(i)}(?![\w])", question, re.IGNORECASE) for i in identifiers):
        return True
    if not source.authors:
        return False
    if re.search(rf"\b{re.escape(source.authors[0])}\b", question):
        return True  # the author as the digest writes them, initials too: "Zhao QY"
    surname = _surname(source.authors[0])
    if not surname[:1].isupper() or not re.search(rf"\b{re.escape(surname)}\b", question):
        return False
    distinctive = len(surname) >= 3 and surname_counts.get(surname, 0) <= 1
    return distinctive or bool(source.year and re.search(rf"\b{source.year}\b", question))


def _surname(author: str) -> str:
    """ "Rezaei F" -> "Rezaei"; "Jing-Li Sun" -> "Sun" (a name written in full ends with the surname)."""
    words = author.replace(",", " ").split()
    if not words:
        return ""
    initials = len(words) > 1 and words[-1].isupper() and len(words[-1]) <= 3
    return words[0] if initials or len(words) == 1 else words[-1]
