"""Learned relevance: how likely a retrieved sentence answers the question, and how likely the
question is answerable from the retrieved evidence at all.

Two logistic regressions over the signals sentence selection already computes (`extractive.py`):

- `sentence_features` turns one question's candidate sentences (their dense similarity, coverage of
  the question's terms with and without the source's metadata, passage rank and score, whether they
  hold the expected kind of answer or name the question's anchor, their size and place in the
  passage) and the question's kind into the matrix `RelevanceModel.sentence_probability` scores.
- `gate_features` turns the question-level evidence (best similarity, coverage in the top evidence,
  in one source and in the top sentences, the best sentence probabilities, whether the anchor name or
  an unknown identifier was found) into the vector `RelevanceModel.answerable_probability` scores;
  the gate refuses below `RelevanceModel.gate_threshold`.

The weights are fitted on COVID-QA dev and PubMedQA dev (answerable vs gold abstract removed) plus
generated question variants by `python -m training.relevance.build`, which writes
`assistant/models/relevance/` (weights, manifest with their sha256, model card). Pure numpy: a model
is a standardisation and a dot product, loaded lazily once per process (`relevance_model`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ModelUnavailableError
from assistant.models import file_sha256

__all__ = [
    "GATE_FEATURES",
    "GATE_INPUTS",
    "MODEL_DIR",
    "SENTENCE_FEATURES",
    "SENTENCE_INPUTS",
    "RelevanceModel",
    "RelevanceModelError",
    "gate_features",
    "relevance_model",
    "sentence_features",
]

#: where the committed model lives (weights.npz, manifest.json, CARD.md)
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "relevance"

#: the question kinds (`types.QuestionKind` values), in the one-hot order of the features
KINDS = (
    "yes/no",
    "what/which",
    "who",
    "when",
    "how many/much",
    "list",
    "why/how mechanism",
    "definition",
    "comparison",
    "metadata",
)

#: what the caller gives per candidate sentence (one column each; see `sentence_features`):
#: dense (cosine to the query), coverage (question terms in the sentence + its source's metadata),
#: own_coverage (in the sentence and its section name alone), passage_score (its passage's retrieval
#: score), passage_rank (1 = best), holds_answer (holds the expected kind of answer: a number for "how
#: many"), names_anchor (names the question's capitalised anchor, or the question has none),
#: content_size (distinct content terms), position (index of the sentence in its passage),
#: front_matter (the passage is a title / journal / funding line), fragment (a heading, title or
#: clause without a verb: `text.is_fragment` or the source's title), shape (has the shape the
#: question's kind wants: ranks options for a comparison, enumerates for a mechanism or list, defines
#: for a definition)
SENTENCE_INPUTS = (
    "dense",
    "coverage",
    "own_coverage",
    "passage_score",
    "passage_rank",
    "holds_answer",
    "names_anchor",
    "content_size",
    "position",
    "front_matter",
    "fragment",
    "shape",
)

#: the sentence model's features, in column order
SENTENCE_FEATURES = (
    "dense",
    "dense_gap",
    "coverage",
    "coverage_gap",
    "own_coverage",
    "own_gap",
    "own_density",
    "passage_ratio",
    "inverse_rank",
    "holds_expected",
    "holds_answer",
    "expects_type",
    "names_anchor",
    "fragment",
    "log_size",
    "first_in_passage",
    "position",
    "front_matter",
    "verbless",
    "shape",
    "dense_x_own",
    "new_terms",
    "answer_with_new_terms",
    *(f"kind={kind}" for kind in KINDS),
)

#: what the caller gives per question (see `gate_features`): best_similarity (best sentence's dense
#: similarity), coverage (question terms in the passages of the three likeliest sentences, with their
#: sources' metadata), source_coverage (in one source's retrieved sentences), top_coverage (the best
#: `coverage` of the three likeliest sentences); "likeliest" by `sentence_probability`,
#: has_anchor / anchor_found (the question names a capitalised anchor; some sentence names it),
#: unknown_specific (identifiers and acronyms the corpus never mentions), personal (a personal-advice
#: question), n_terms (the question's distinctive terms), candidates (candidate sentences)
GATE_INPUTS = (
    "best_similarity",
    "coverage",
    "source_coverage",
    "top_coverage",
    "has_anchor",
    "anchor_found",
    "unknown_specific",
    "personal",
    "n_terms",
    "candidates",
)

#: the gate model's features, in order; the sentence probabilities come from the sentence model
GATE_FEATURES = (
    "best_similarity",
    "coverage",
    "source_coverage",
    "top_coverage",
    "similarity_x_source",
    "all_terms",
    "best_probability",
    "top3_probability",
    "probability_margin",
    "anchor_missing",
    "unknown_specific",
    "personal",
    "n_terms",
    "few_candidates",
    "best_source_share",
    "sources_in_top5",
    "other_source_margin",
    *(f"kind={kind}" for kind in KINDS),
)

#: a sentence with this many content terms is a full sentence; fewer make it a fragment
_FULL_SENTENCE_TERMS = 10
#: a typical sentence's content terms, for the length-normalised own coverage (as BM25 normalises)
_TYPICAL_TERMS = 15


class RelevanceModelError(ModelUnavailableError):
    """The committed relevance model is missing, damaged or does not match its manifest."""


def _column(columns: Mapping[str, Any] | Sequence[Mapping[str, Any]], name: str, n: int) -> np.ndarray:
    if isinstance(columns, Mapping):
        return np.asarray(columns[name], dtype=float).reshape(n)
    return np.asarray([float(row[name]) for row in columns], dtype=float).reshape(n)


def _kind_one_hot(kind: str) -> np.ndarray:
    value = str(getattr(kind, "value", kind))  # a `QuestionKind` or its value
    return np.asarray([1.0 if value == name else 0.0 for name in KINDS])


def sentence_features(
    columns: Mapping[str, Any] | Sequence[Mapping[str, Any]], kind: str, *, expects_type: bool, n_terms: int
) -> np.ndarray:
    """The feature matrix (one row per candidate sentence, `SENTENCE_FEATURES` columns) of one
    question's candidates. `columns` maps each of `SENTENCE_INPUTS` to a sequence (one value per
    sentence), or is a list of per-sentence mappings; `kind` is `question.question_kind`'s answer and
    `expects_type` whether the question expects a kind of answer (`analyse(q).expected_all`),
    `n_terms` how many distinctive terms it has (`question_terms`).

    The gaps compare each sentence with the best candidate of the same question: how a sentence
    ranks among its rivals matters more than its raw similarity, whose scale varies by question.
    """
    n = len(columns[SENTENCE_INPUTS[0]]) if isinstance(columns, Mapping) else len(columns)
    if n == 0:
        return np.zeros((0, len(SENTENCE_FEATURES)))
    get = {name: _column(columns, name, n) for name in SENTENCE_INPUTS}
    dense, coverage, own = get["dense"], get["coverage"], get["own_coverage"]
    size = np.maximum(get["content_size"], 0.0)
    best_passage = float(np.max(get["passage_score"])) or 1.0
    holds = get["holds_answer"] * (own > 0)
    # content terms a sentence adds beyond the question's (about): the answer says something new,
    # a sentence restating the question does not
    new_terms = np.log1p(np.maximum(size - own * n_terms, 0.0)) / math.log(30)
    expects = np.full(n, 1.0 if expects_type else 0.0)
    parts = [
        dense,
        float(np.max(dense)) - dense,
        coverage,
        float(np.max(coverage)) - coverage,
        own,
        float(np.max(own)) - own,
        np.minimum(own / (0.5 + 0.5 * size / _TYPICAL_TERMS), 2.0),
        get["passage_score"] / best_passage,
        1.0 / np.maximum(get["passage_rank"], 1.0),
        holds,
        get["holds_answer"] * expects,
        expects,
        get["names_anchor"],
        np.maximum(0.0, 1.0 - size / _FULL_SENTENCE_TERMS),
        np.log1p(size) / math.log(50),
        (get["position"] == 0).astype(float),
        np.minimum(get["position"], 10.0) / 10.0,
        get["front_matter"],
        get["fragment"],
        get["shape"] * (own > 0),
        dense * own,
        new_terms,
        holds * new_terms,
    ]
    matrix = np.column_stack([*parts, np.tile(_kind_one_hot(kind), (n, 1))])
    return matrix


def gate_features(
    evidence: Mapping[str, Any], probabilities: Sequence[float] | np.ndarray, kind: str, sources: Sequence[str]
) -> np.ndarray:
    """The gate's feature vector (`GATE_FEATURES`) of one question: `evidence` maps each of
    `GATE_INPUTS` to its value; `probabilities` are the candidates' `sentence_probability` and
    `sources` their source ids (in the same order): evidence that answers is concentrated in one
    source, while with the answering source missing the likeliest sentences come from many."""
    raw = np.asarray(probabilities, dtype=float)
    concentration = _concentration(raw, list(sources))
    p = np.sort(raw)[::-1]
    best = float(p[0]) if p.size else 0.0
    top3 = float(np.mean(p[:3])) if p.size else 0.0
    margin = best - float(p[1]) if p.size > 1 else best
    similarity = float(evidence["best_similarity"])
    source = float(evidence["source_coverage"])
    anchor_missing = float(bool(evidence["has_anchor"]) and not bool(evidence["anchor_found"]))
    values = [
        similarity,
        float(evidence["coverage"]),
        source,
        float(evidence["top_coverage"]),
        similarity * source,
        1.0 if source >= 0.95 else 0.0,
        best,
        top3,
        margin,
        anchor_missing,
        min(float(evidence["unknown_specific"]), 3.0),
        float(bool(evidence["personal"])),
        min(float(evidence["n_terms"]), 8.0) / 8.0,
        1.0 if float(evidence["candidates"]) < 5 else 0.0,
        *concentration,
    ]
    return np.concatenate([np.asarray(values), _kind_one_hot(kind)])


def _concentration(probabilities: np.ndarray, sources: list[str]) -> list[float]:
    """The best sentence's source's share of all probability, the distinct sources among the five
    likeliest sentences (as a share of five), and how far the best sentence of another source trails."""
    if not probabilities.size:
        return [0.0, 0.0, 0.0]
    order = np.argsort(-probabilities, kind="mergesort")
    lead = sources[int(order[0])]
    total = float(probabilities.sum()) or 1.0
    share = float(sum(p for p, s in zip(probabilities, sources) if s == lead)) / total
    top5 = len({sources[int(i)] for i in order[:5]}) / 5.0
    others = [float(probabilities[int(i)]) for i in order if sources[int(i)] != lead]
    margin = float(probabilities[int(order[0])]) - (others[0] if others else 0.0)
    return [share, top5, margin]


@dataclass(frozen=True)
class _Logistic:
    """A fitted logistic regression over standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


class RelevanceModel:
    """The committed relevance model: the sentence model, the answerability model and the thresholds
    chosen on held-out dev data (manifest.json)."""

    def __init__(self, sentence: _Logistic, gate: _Logistic, manifest: Mapping[str, Any]) -> None:
        self._sentence = sentence
        self._gate = gate
        self.manifest = dict(manifest)
        #: refuse when `answerable_probability` is below this
        self.gate_threshold = float(manifest["gate_threshold"])
        #: selection keeps sentences whose probability is at least this share of the best one's
        self.keep_ratio = float(manifest["keep_ratio"])

    @classmethod
    def load(cls, folder: Path | None = None) -> RelevanceModel:
        """Read `weights.npz` and `manifest.json` from `folder` (the committed model by default),
        checking the weights' sha256 and feature names against the manifest."""
        folder = Path(folder) if folder is not None else MODEL_DIR
        hint = "Rebuild it with `make models` (or `python -m training.relevance.build`)."
        weights_path, manifest_path = folder / "weights.npz", folder / "manifest.json"
        if not weights_path.is_file() or not manifest_path.is_file():
            raise RelevanceModelError(f"The relevance model is missing from {folder}.", hint=hint)
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RelevanceModelError(
                f"The relevance model's manifest {manifest_path} is unreadable ({exc}).", hint=hint
            ) from exc
        digest = file_sha256(weights_path)
        if digest != manifest.get("sha256"):
            raise RelevanceModelError(
                f"The relevance model's weights {weights_path} do not match their manifest "
                f"(sha256 {digest[:12]}…, expected {str(manifest.get('sha256'))[:12]}…).",
                hint=hint,
            )
        if (
            tuple(manifest.get("sentence_features", ())) != SENTENCE_FEATURES
            or tuple(manifest.get("gate_features", ())) != GATE_FEATURES
        ):
            raise RelevanceModelError(
                f"The relevance model in {folder} was trained on other features than this code computes.", hint=hint
            )
        with np.load(weights_path) as arrays:
            sentence = _logistic(arrays, "sentence")
            gate = _logistic(arrays, "gate")
        return cls(sentence, gate, manifest)

    def sentence_probability(self, features: np.ndarray) -> np.ndarray:
        """The probability that each candidate sentence (a row of `sentence_features`) answers."""
        if features.shape[0] == 0:
            return np.zeros(0)
        return self._sentence.probability(features)

    def answerable_probability(self, features: np.ndarray) -> float:
        """The probability that the question is answerable from the evidence (`gate_features`)."""
        return float(self._gate.probability(features)[0])

    def answerable(self, features: np.ndarray) -> bool:
        """Whether the gate lets the question through (probability at or above the threshold)."""
        return self.answerable_probability(features) >= self.gate_threshold


def _logistic(arrays: Mapping[str, np.ndarray], name: str) -> _Logistic:
    return _Logistic(
        np.asarray(arrays[f"{name}_mean"], dtype=float),
        np.asarray(arrays[f"{name}_scale"], dtype=float),
        np.asarray(arrays[f"{name}_coef"], dtype=float),
        float(np.asarray(arrays[f"{name}_intercept"]).reshape(-1)[0]),
    )


@lru_cache(maxsize=1)
def relevance_model() -> RelevanceModel:
    """The committed relevance model, loaded once per process (on first use, not at import)."""
    return RelevanceModel.load()
