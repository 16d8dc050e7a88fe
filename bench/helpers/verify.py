"""Verification latency: claim-level checks of a 5-sentence answer on the bundled corpus.

For each question the warm assistant retrieves passages; five evidence sentences of them are
rewritten the way a model paraphrases (a synonym swapped, a clause dropped, a verbatim copy) so that
they go through clause splitting, alignment and every check rather than the verbatim fast path.
Only `verify_sentences` is timed, once per answer on first sight of its text (answer-sentence vectors
are computed before, as the chain does once per answer; evidence sentences are read before, as a
warm assistant has). Target: p50 <= 10 ms. `learned_added_p50_ms`: what the learned verifier (one batched
onnxruntime run per answer, issue 20) adds to each answer, warm: the same answer checked with the rules
alone and with the learned decision, the difference's median. Run alone: `python bench/helpers/verify.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

_SWAPS = (
    ("lowered", "reduced"),
    ("raised", "increased"),
    ("reduced", "decreased"),
    ("improved", "enhanced"),
    ("MSCs", "mesenchymal stem cells"),
    ("given", "administered"),
)


def _paraphrase(text: str, i: int) -> str:
    if i % 3 == 0:
        return text  # a verbatim copy
    for old, new in _SWAPS:
        if old in text:
            text = text.replace(old, new, 1)
            break
    if i % 3 == 2 and ";" in text:
        text = text.split(";")[0].rstrip() + "."
    return text


def measure(assistant, questions: list[str]) -> dict:
    from assistant.claims import checker_for
    from assistant.claims.features import features
    from assistant.generation.base import DraftSentence
    from assistant.verification import verify_sentences

    glossary = assistant.index.glossary
    checker = checker_for(glossary)
    embedder = assistant.retriever.embedder
    timings: list[float] = []
    cold: list[float] = []
    added: list[float] = []
    seen: set[tuple[str, ...]] = set()
    for question in questions:
        passages = assistant.retrieve(question)
        pool = [(s.text, p) for p in passages for s in p.sentences if len(s.text.split()) > 5][:5]
        if len(pool) < 5:
            continue
        draft = [DraftSentence(_paraphrase(text, i), [passage], []) for i, (text, passage) in enumerate(pool)]
        key = tuple(d.text for d in draft)
        if key in seen:
            continue  # the same answer again would only measure the cache
        seen.add(key)
        vectors = embedder.encode([d.text for d in draft])

        def evidence_of(passage):
            return passage.sentence_texts(), passage.sentence_vectors()

        # evidence sentences are read once per process (cached by text), as in a warm assistant;
        # the answer's own sentences are new text every time, so each is timed on first sight only
        for passage in passages:
            for sentence in passage.sentences:
                checker.evidence_terms(sentence.text)
                features(sentence.text)
        started = time.perf_counter()
        verify_sentences(draft, vectors, evidence_of, glossary)
        timings.append(time.perf_counter() - started)
        # the worst case: nothing cached at all (first answer after start-up)
        features.cache_clear()
        checker._expanded.clear()
        checker._expanded_text.clear()
        started = time.perf_counter()
        verify_sentences(draft, vectors, evidence_of, glossary)
        cold.append(time.perf_counter() - started)
        added.append(_learned_cost(checker, draft, vectors, evidence_of, glossary))

    def pick(values: list[float], q: float):
        ms = sorted(v * 1000 for v in values)
        return round(ms[min(len(ms) - 1, int(q * (len(ms) - 1)))], 2) if ms else None

    return {
        "p50_ms": pick(timings, 0.5),
        "p95_ms": pick(timings, 0.95),
        "n": len(timings),
        "uncached_p50_ms": pick(cold, 0.5),
        "uncached_p95_ms": pick(cold, 0.95),
        "target_p50_ms": 10,
        "learned_added_p50_ms": pick(added, 0.5),
        "learned_added_p95_ms": pick(added, 0.95),
    }


def _learned_cost(checker, draft, vectors, evidence_of, glossary) -> float:
    """Seconds the learned decision adds to one warm answer (rules alone vs rules + learned verifier)."""
    from assistant.verification import verify_sentences

    saved = checker.learned
    try:
        verify_sentences(draft, vectors, evidence_of, glossary)  # warm both paths (model loaded once)
        checker.learned = False
        started = time.perf_counter()
        verify_sentences(draft, vectors, evidence_of, glossary)
        rules = time.perf_counter() - started
    finally:
        checker.learned = saved
    started = time.perf_counter()
    verify_sentences(draft, vectors, evidence_of, glossary)
    return max(0.0, time.perf_counter() - started - rules)


if __name__ == "__main__":
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    repo = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(repo))
    sys.path.insert(0, str(repo / "bench"))
    from assistant.api import Assistant
    from assistant.indexing.build import build_index
    from assistant.settings import load_settings

    from helpers import data

    index_dir = Path(os.environ.get("RSA_INDEX_DIR") or Path(tempfile.mkdtemp(prefix="rsa-bench-verify-")) / "index")
    settings = load_settings(index_dir=index_dir)
    if not (index_dir / "CURRENT").exists():
        build_index(settings)
    questions = [
        item["question"] for item in data.eval_items(repo / "eval" / "curated.yaml")
    ] or data.FALLBACK_QUESTIONS
    assistant = Assistant(settings)
    assistant.answer(questions[0])  # warm
    print(measure(assistant, questions))
