"""The lie suite (eval/lies.yaml): does verification catch lies and keep faithful paraphrases?

Each passage carries its evidence text, so the suite needs no index: every statement is checked by
`assistant.claims.check_sentence` against the passage's sentences with the corpus's curated glossary.
The harness runs it without sentence vectors (deterministic, no model); given an encoder it uses the
same embeddings the answer path does (the rates were identical when this was written). Metrics:

- `lie_catch_rate`: share of lies found unsupported (overall, per kind, and on the held-out split);
- `truth_keep_rate`: share of faithful paraphrases found supported (same breakdowns);
- `by_split`: both rates for each split of the suite (dev, holdout, heldout2, heldout3, ...).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.errors import EvaluationError
from assistant.paths import bundled

DEFAULT_SUITE = bundled("eval/lies.yaml")  # the checkout's eval/, or the copy inside the wheel
#: The suite's metrics as they appear in the eval summary (and may be gated in eval/thresholds.yaml).
LIE_METRIC_KEYS = ("lie_catch_rate", "truth_keep_rate", "lie_catch_rate_holdout", "truth_keep_rate_holdout")
#: Kinds of statement that are faithful paraphrases (every other kind is a lie).
FAITHFUL = frozenset({"synonym", "reorder", "partial", "passive", "abbreviation"})


@dataclass(frozen=True)
class Statement:
    id: str
    passage: str
    kind: str
    text: str
    evidence: str
    split: str

    @property
    def is_lie(self) -> bool:
        return self.kind not in FAITHFUL


def load_suite(path: Path | None = None) -> list[Statement]:
    path = Path(path or DEFAULT_SUITE)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise EvaluationError(f"Lie suite {path} does not exist.", hint="Restore eval/lies.yaml.") from None
    except yaml.YAMLError as exc:
        raise EvaluationError(
            f"{path}: invalid YAML ({str(exc).splitlines()[0]}).", hint="Fix the YAML syntax."
        ) from None
    statements: list[Statement] = []
    for passage in data.get("passages") or []:
        if not isinstance(passage, dict) or not passage.get("id") or not str(passage.get("evidence") or "").strip():
            raise EvaluationError(f"{path}: each passage needs an id and evidence text.", hint="See the file's header.")
        for position, item in enumerate(passage.get("statements") or [], 1):
            if not isinstance(item, dict) or not item.get("kind") or not str(item.get("text") or "").strip():
                raise EvaluationError(
                    f"{path}: {passage['id']} statement #{position} needs kind and text.",
                    hint="Write {kind: ..., text: ...}.",
                )
            statements.append(
                Statement(
                    f"{passage['id']}#{position}",
                    str(passage["id"]),
                    str(item["kind"]),
                    str(item["text"]),
                    " ".join(str(passage["evidence"]).split()),
                    str(passage.get("split") or "dev"),
                )
            )
    if not statements:
        raise EvaluationError(f"{path}: no statements.", hint="See the file's header.")
    return statements


def default_glossary():
    """The curated glossary of the bundled corpus plus definitions found in the suite's evidence."""
    from assistant.indexing.glossary import Glossary, load_curated

    return Glossary(load_curated(bundled("corpus")))


def run_suite(
    statements: list[Statement],
    glossary=None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    learned: bool = False,
) -> list[dict[str, Any]]:
    """Checks every statement (`learned`: with the learned verifier deciding); one result row each."""
    from assistant.claims import check_sentence
    from assistant.text import split_sentences

    sentences_of = {s.evidence: [s.evidence[a:b] for a, b in split_sentences(s.evidence)] for s in statements}
    vectors: dict[str, np.ndarray] = {}
    if encode is not None:
        texts = list(
            dict.fromkeys([t for group in sentences_of.values() for t in group] + [s.text for s in statements])
        )
        vectors = dict(zip(texts, encode(texts)))
    rows = []
    for statement in statements:
        evidence = sentences_of[statement.evidence]
        check = check_sentence(
            statement.text,
            evidence,
            glossary,
            vectors.get(statement.text),
            np.vstack([vectors[e] for e in evidence]) if vectors else None,
            learned=learned,
        )
        caught = not check.supported
        rows.append(
            {
                "id": statement.id,
                "kind": statement.kind,
                "split": statement.split,
                "lie": statement.is_lie,
                "text": statement.text,
                "supported": check.supported,
                "reason": check.reason,
                "correct": caught if statement.is_lie else not caught,
            }
        )
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """lie_catch_rate / truth_keep_rate overall, on the held-out split, and per kind."""

    def rate(group: list[dict[str, Any]]) -> float | None:
        return round(sum(r["correct"] for r in group) / len(group), 4) if group else None

    lies = [r for r in rows if r["lie"]]
    truths = [r for r in rows if not r["lie"]]
    by_kind = {
        kind: {"n": n, "rate": rate([r for r in rows if r["kind"] == kind])}
        for kind, n in sorted(Counter(r["kind"] for r in rows).items())
    }
    return {
        "statements": len(rows),
        "lies": len(lies),
        "truths": len(truths),
        "lie_catch_rate": rate(lies),
        "truth_keep_rate": rate(truths),
        "lie_catch_rate_holdout": rate([r for r in lies if r["split"] == "holdout"]),
        "truth_keep_rate_holdout": rate([r for r in truths if r["split"] == "holdout"]),
        # every split apart: "dev" (rules were developed on it), "holdout", "heldout2", "heldout3"... (batches
        # written later from passages no rule was fitted to; see the header of eval/lies.yaml)
        "by_split": {
            split: {
                "statements": len(group),
                "lie_catch_rate": rate([r for r in group if r["lie"]]),
                "truth_keep_rate": rate([r for r in group if not r["lie"]]),
            }
            for split, group in (
                (split, [r for r in rows if r["split"] == split]) for split in dict.fromkeys(r["split"] for r in rows)
            )
        },
        "by_kind": by_kind,
        "misses": [{k: r[k] for k in ("id", "kind", "text", "reason")} for r in rows if not r["correct"]],
    }


def evaluate(path: Path | None = None, glossary=None, encode=None, learned: bool = False) -> dict[str, Any]:
    statements = load_suite(path)
    glossary = glossary if glossary is not None else default_glossary()
    return summarize(run_suite(statements, glossary, encode, learned=learned))
