"""Per-sentence and per-question signals of one retrieval: the chain's own computation.

`compute` is `assistant.generation.ranking.collect_signals` (what the chain reads every retrieval
through), with the question-level coverages of the rules' three best sentences added, so that the
hand-set rules can be replayed from the same rows; the learned gate's coverages are recomputed over
the model's own three likeliest sentences (`build.learned_evidence`).
"""

from __future__ import annotations

import numpy as np

from assistant.generation.question import build_question
from assistant.generation.ranking import Candidate, Signals, collect_signals, ranked_coverage, rule_score, top_coverage
from assistant.generation.terms import TermStatistics
from assistant.types import Passage

__all__ = ["Candidate", "Signals", "compute", "ranked_coverage", "rule_score"]


def compute(
    question: str, searched_query: str, query_vector: np.ndarray, passages: list[Passage], stats: TermStatistics
) -> Signals:
    """The inputs of the relevance features for one retrieval (as the chain computes them)."""
    signals = collect_signals(build_question(question), searched_query, query_vector, passages, stats)
    if signals.candidates:
        best_passage = max(c.passage.score for c in signals.candidates) or 1.0
        scores = np.asarray([rule_score(c.inputs, best_passage) for c in signals.candidates])
        coverage, top = top_coverage(signals, scores)
        signals.evidence.update(coverage=coverage, top_coverage=top)
    return signals
