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


#: each odd session follows up on its own topic; a history leaking between sessions would show
TOPICS = {  # topic -> a word of it no other topic has
    "decidual NK cells": "decidual",
    "regulatory T cells": "regulatory",
    "trophoblasts": "trophoblasts",
    "exosomes": "exosomes",
    "umbilical cord": "umbilical",
    "bone marrow": "marrow",
    "endometrium": "endometrium",
    "macrophages": "macrophages",
}
FOLLOW_UP = "And what happened in mice?"


def _history(i: int) -> list[Turn]:
    topic = list(TOPICS)[(i // 2) % len(TOPICS)]
    return [Turn(question=f"How do MSCs act on {topic}?", answer=f"MSCs act on {topic} [1].")]


def test_sixteen_concurrent_answers(assistant):
    def one(i: int):
        question, history = (FOLLOW_UP, _history(i)) if i % 2 else (QUESTIONS[i % len(QUESTIONS)], [])
        started = time.perf_counter()
        answer = assistant.answer(question, history=history)
        return i, question, answer, (time.perf_counter() - started) * 1000

    assistant.answer(QUESTIONS[0])  # warm the model once, as a running app would be
    alone = {i: assistant.answer(FOLLOW_UP, history=_history(i)) for i in range(1, 16, 2)}
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, range(16)))
    latencies = sorted(r[3] for r in results)
    for i, question, answer, _ in results:
        assert answer.question == question
        if i % 2:  # each call used its own history, never another's: same as when asked alone
            own = TOPICS[list(TOPICS)[(i // 2) % len(TOPICS)]]
            assert answer.searched_query == alone[i].searched_query, (i, answer.searched_query)
            assert answer.text == alone[i].text
            query = answer.searched_query.lower()
            assert own in query, (i, query)
            assert not [word for word in TOPICS.values() if word != own and word in query], (i, query)
        for sentence in answer.sentences:
            assert any(sentence.text in c.passage.text for c in answer.citations)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-api.json").write_text(
        json.dumps(
            {"calls": 16, "concurrency": 16, "latency_ms_p50": statistics.median(latencies), "latency_ms_p95": p95},
            indent=1,
        )
    )
    print(f"\n16 concurrent answers: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms")
