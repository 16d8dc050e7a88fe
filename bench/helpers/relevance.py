"""Latency of the learned relevance model: its load, and scoring one question's candidates.

    python bench/helpers/relevance.py [--candidates 40] [--repeats 2000]

Prints JSON: the model load (ms, once per process), and per question the sentence features plus
probabilities of `--candidates` sentences and the gate's probability (µs, median and p95). A script,
not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.generation.relevance import (  # noqa: E402
    GATE_INPUTS,
    SENTENCE_INPUTS,
    RelevanceModel,
    gate_features,
    sentence_features,
)


def measure(candidates: int, repeats: int) -> dict:
    started = time.perf_counter()
    model = RelevanceModel.load()
    load_ms = (time.perf_counter() - started) * 1000
    rng = np.random.default_rng(0)
    columns = {name: rng.random(candidates) for name in SENTENCE_INPUTS}
    columns["passage_rank"] = rng.integers(1, 9, candidates)
    columns["content_size"] = rng.integers(2, 30, candidates)
    evidence = dict.fromkeys(GATE_INPUTS, 0.5)
    timings = []
    for _ in range(repeats):
        t = time.perf_counter()
        p = model.sentence_probability(sentence_features(columns, "what/which", expects_type=True, n_terms=4))
        model.answerable_probability(gate_features(evidence, p, "what/which", [str(i % 5) for i in range(candidates)]))
        timings.append((time.perf_counter() - t) * 1e6)
    return {
        "load_ms": round(load_ms, 2),
        "candidates": candidates,
        "score_us_p50": round(float(np.percentile(timings, 50)), 1),
        "score_us_p95": round(float(np.percentile(timings, 95)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(measure(args.candidates, args.repeats)))


if __name__ == "__main__":
    main()
