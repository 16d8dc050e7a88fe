"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused, diversified (MMR), filtered.

Granularity: passages are sentence-aligned chunks of up to `chunk_max_tokens` tokens (a few
sentences) — small enough that a hit points at the exact statement, large enough to carry context
for dense matching. Sentences inside the retrieved passages are ranked again by the generator.

Queries are expanded with the corpus glossary (RSA <-> recurrent spontaneous abortion) on both the
dense and the lexical side. `LangChainRetriever` exposes the same thing as a LangChain retriever.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.errors import InvalidFilterError
from assistant.indexing.embedding import Embedder
from assistant.indexing.index import LoadedIndex
from assistant.settings import Settings
from assistant.types import Passage, SourceKind

FILTER_KEYS = ("kind", "evidence", "msc_source", "year", "year_min", "year_max", "source_id")


@dataclass
class RetrievalResult:
    passages: list[Passage]
    query: str
    expanded_query: str
    query_vector: np.ndarray
    seconds: float


def normalize_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate filters; values may be one value or a list (any of them matches)."""
    if not filters:
        return {}
    clean: dict[str, Any] = {}
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            raise InvalidFilterError(
                f"Unknown filter '{key}'.", hint=f"Use one of: {', '.join(FILTER_KEYS)}."
            )
        if value is None or value == [] or value == "":
            continue
        if key in ("year_min", "year_max"):
            clean[key] = _as_year(key, value)
            continue
        values = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        if key == "year":
            clean[key] = [_as_year(key, v) for v in values]
        elif key == "kind":
            allowed = {k.value for k in SourceKind}
            kinds = [getattr(v, "value", str(v)).strip().lower().replace(" ", "_") for v in values]
            bad = [k for k in kinds if k not in allowed]
            if bad:
                raise InvalidFilterError(f"Unknown source kind {bad[0]!r}.", hint=f"Use one of: {', '.join(sorted(allowed))}.")
            clean[key] = kinds
        else:
            clean[key] = [str(v).strip().lower() for v in values if str(v).strip()]
    return clean


def _as_year(key: str, value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidFilterError(f"Filter '{key}' must be a year like 2019, not {value!r}.") from None
    if not 1800 <= year <= 2200:
        raise InvalidFilterError(f"Filter '{key}' must be a year like 2019, not {value!r}.")
    return year


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
    """Retrieval over one loaded index with one embedder, configured by `Settings`."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._chunk_source_ids = np.array([c.source_id for c in index.chunks])

    # -- the public operation ----------------------------------------------------------------
    def retrieve(
        self, question: str, k: int | None = None, filters: Mapping[str, Any] | None = None, *, mode: str = "hybrid"
    ) -> RetrievalResult:
        started = time.perf_counter()
        k = k or self.settings.top_k
        clean = normalize_filters(filters)
        expanded = self.index.glossary.expand(question) if self.settings.expand_abbreviations else question
        vector = self.embedder.encode_query(expanded)
        allowed = self._allowed_rows(clean)
        if allowed is not None and not allowed.any():
            return RetrievalResult([], question, expanded, vector, time.perf_counter() - started)
        pool = max(self.settings.candidate_pool, k * 3)
        dense = self._dense(vector, pool, clean, allowed) if mode in ("hybrid", "dense") else {}
        lexical = self._lexical(expanded, pool, allowed) if mode in ("hybrid", "lexical") else {}
        fused = self._fuse(dense, lexical)
        ranked = self._mmr(fused, vector, k) if mode == "hybrid" else sorted(fused, key=fused.get, reverse=True)[:k]
        passages = [self._passage(row, fused[row], dense.get(row), lexical.get(row), rank) for rank, row in enumerate(ranked, 1)]
        return RetrievalResult(passages, question, expanded, vector, time.perf_counter() - started)

    # -- the steps ---------------------------------------------------------------------------
    def _allowed_rows(self, filters: dict[str, Any]) -> np.ndarray | None:
        if not filters:
            return None
        ok_sources = {sid for sid, source in self.index.sources.items() if _source_matches(source, filters)}
        return np.isin(self._chunk_source_ids, list(ok_sources)) if ok_sources else np.zeros(len(self.index.chunks), bool)

    def _dense(self, vector: np.ndarray, pool: int, filters: dict[str, Any], allowed: np.ndarray | None) -> dict[int, float]:
        where = None
        if allowed is not None:
            ids = sorted({self.index.chunks[i].source_id for i in np.flatnonzero(allowed)})
            where = {"source_id": {"$in": ids}} if len(ids) > 1 else {"source_id": ids[0]}
        n = min(pool, len(self.index.chunks) if allowed is None else int(allowed.sum()))
        hits = self.index.store.query(vector, max(n, 1), where)
        return {self.index.row_of[hit.id]: hit.similarity for hit in hits if hit.id in self.index.row_of}

    def _lexical(self, query: str, pool: int, allowed: np.ndarray | None) -> dict[int, float]:
        scores = self.index.lexical.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        if not scores.any():
            return {}
        top = np.argpartition(-scores, min(pool, len(scores) - 1))[:pool]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def _fuse(self, dense: dict[int, float], lexical: dict[int, float]) -> dict[int, float]:
        rows = set(dense) | set(lexical)
        if not rows:
            return {}
        wd, wl = self.settings.dense_weight, self.settings.lexical_weight
        if not lexical:
            wd, wl = 1.0, 0.0
        if not dense:
            wd, wl = 0.0, 1.0
        if self.settings.fusion == "rrf":
            dense_rank = {row: r for r, row in enumerate(sorted(dense, key=dense.get, reverse=True), 1)}
            lexical_rank = {row: r for r, row in enumerate(sorted(lexical, key=lexical.get, reverse=True), 1)}
            k = self.settings.rrf_k
            return {
                row: wd / (k + dense_rank[row]) * (row in dense_rank) + wl / (k + lexical_rank.get(row, 0)) * (row in lexical_rank)
                for row in rows
            }
        dense_norm = _min_max(dense)
        lexical_norm = _max_scaled(lexical)
        return {row: wd * dense_norm.get(row, 0.0) + wl * lexical_norm.get(row, 0.0) for row in rows}

    def _mmr(self, fused: dict[int, float], query_vector: np.ndarray, k: int) -> list[int]:
        """Maximal marginal relevance: relevance traded against similarity to what is already chosen."""
        candidates = sorted(fused, key=fused.get, reverse=True)[: max(k * 4, 20)]
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

    def _passage(self, row: int, score: float, dense: float | None, lexical: float | None, rank: int) -> Passage:
        chunk = self.index.chunks[row]
        return Passage(
            chunk=chunk, source=self.index.sources[chunk.source_id], score=float(score),
            dense_score=dense, lexical_score=lexical, rank=rank,
        )


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
