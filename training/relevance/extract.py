"""Training rows from the real pipeline's retrieval on the dev sets (COVID-QA dev, PubMedQA dev).

Each benchmark is indexed by the project's own build, exactly as `rsa-assistant eval answers` does
(`assistant/evaluation/answers.py`; the index is cached under `.cache/benchmarks/` and reused). Every
question, and its generated variants (`variants.py`), is retrieved by the chain's own retriever and
its candidate sentences get the signals sentence ranking computes (`signals.py`); the
front-matter lookup's answer is kept beside them (the rules are replayed from the same signals).

- COVID-QA dev (never the held-out articles): every question is answerable; a sentence of the gold
  article that holds the gold span (or most of its words) is a positive, every other candidate a
  negative.
- PubMedQA dev (never the test half): each question is asked with every abstract indexed
  (answerable) and with its gold abstract filtered out at query time (must be refused).

The rows are cached in `.cache/relevance/rows-<fingerprints>.pkl`.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.evaluation.answers import (
    BASELINE_PASSAGES,
    _normalised,
    gold_word_recall,
    load_answer_benchmark,
    prepare_assistant,
    select_questions,
)
from assistant.generation.front_matter import FrontMatterLookup
from assistant.settings import Settings
from training.relevance import signals as signals_module
from training.relevance.variants import variants

#: a candidate of the gold article holding at least this share of the gold span's words is a positive
POSITIVE_RECALL = 0.6
#: every HELD_EVERY-th dev article (COVID-QA) / question (PubMedQA, by id hash) is held out from fitting
HELD_EVERY = 4
SEED = 20


@dataclass
class Row:
    """One retrieval of one question (an original or a variant, answerable or gold-removed)."""

    dataset: str
    question_id: str
    question: str
    variant: str
    split: str  # "fit" or "held"
    answerable: bool
    gold: str
    gold_source: str
    kind: str
    expects_type: bool
    evidence: dict[str, float]
    #: per candidate: (text, source_id, inputs, positive, passage key)
    candidates: list[tuple[str, str, dict[str, float], bool, str]] = field(default_factory=list)
    term_weights: list[float] = field(default_factory=list)
    passage_masks: dict[str, int] = field(default_factory=dict)
    top5_text: str = ""
    #: answered from the front-matter lookup (before any ranking): the sentence it cites
    front_matter: str = ""


def _positive(text: str, source_id: str, gold: str, gold_source: str) -> bool:
    if source_id != gold_source:
        return False
    sentence, span = _normalised(text).strip(" ."), _normalised(gold).strip(" .")
    if len(sentence) >= 20 and (span in sentence or sentence in span):
        return True
    return gold_word_recall(text, gold) >= POSITIVE_RECALL


def _split_of(key: str) -> str:
    return "held" if zlib.crc32(key.encode()) % HELD_EVERY == 0 else "fit"


def _rows_for(dataset, chain, lookup, question, qid, variant, split, answerable, gold, gold_source, filters):
    result = chain.retriever.retrieve(question, None, filters)
    found = signals_module.compute(question, question, result.query_vector, result.passages, chain.stats)
    front = lookup.answer(question, result.passages, restricted=bool(filters))
    row = Row(
        dataset,
        qid,
        question,
        variant,
        split,
        answerable,
        gold,
        gold_source,
        found.kind,
        found.expects_type,
        found.evidence,
        [
            (
                c.text,
                c.source_id,
                c.inputs,
                answerable and _positive(c.text, c.source_id, gold, gold_source),
                c.passage.chunk.id,
            )
            for c in found.candidates
        ],
        top5_text=" ".join(p.text for p in result.passages[:BASELINE_PASSAGES]),
        front_matter=front[0] if front else "",
        term_weights=found.term_weights,
        passage_masks=found.passage_masks,
    )
    return row


def extract(data_root: Path, settings: Settings | None = None, *, log=print) -> list[Row]:
    """Every training row (cached: rebuilt only when the data, the code or the settings change)."""
    settings = settings or Settings()
    loaded = {name: load_answer_benchmark(name, data_root / name) for name in ("covidqa", "pubmedqa")}
    here, generation = Path(__file__).parent, Path(__file__).resolve().parents[2] / "assistant" / "generation"
    sources = [here / name for name in ("extract.py", "signals.py", "variants.py")]
    sources += [generation / name for name in ("ranking.py", "question.py", "terms.py")]
    # the question's terms (frame words, the speller) and what retrieval brings change the rows too
    sources += [generation.parent / name for name in ("text.py", "retrieval.py")]
    code = b"".join(path.read_bytes() for path in sources)
    key = hashlib.sha256(
        code + "".join(b.fingerprint for b in loaded.values()).encode() + settings.model_dump_json().encode()
    ).hexdigest()[:16]
    cache = Path(settings.cache_dir) / "relevance" / f"rows-{key}.pkl"
    if cache.is_file():
        log(f"rows: reusing {cache}")
        return pickle.loads(cache.read_bytes())
    rows: list[Row] = []
    for name, benchmark in loaded.items():
        started = time.perf_counter()
        assistant = prepare_assistant(settings, benchmark)
        chain = assistant.chain
        lookup = FrontMatterLookup(chain.retriever.index)
        questions = select_questions(benchmark.questions, "dev")
        all_sources = sorted({d.source.id for d in benchmark.documents})
        for number, q in enumerate(questions):
            split = _split_of(q.gold_source if name == "covidqa" else q.id)
            asked = [("original", q.text), *variants(q.text, SEED + number)]
            # PubMedQA is asked twice: with its gold abstract (answerable) and without it (must be refused)
            settings_of_case = [(True, None)]
            if name == "pubmedqa":
                settings_of_case.append((False, {"source_id": [s for s in all_sources if s != q.gold_source]}))
            for variant, text in asked:
                for answerable, filters in settings_of_case:
                    row = _rows_for(
                        name,
                        chain,
                        lookup,
                        text,
                        q.id,
                        variant,
                        split,
                        answerable,
                        q.gold_answer,
                        q.gold_source,
                        filters,
                    )
                    rows.append(row)
        log(f"rows: {name} {len(questions)} dev questions in {time.perf_counter() - started:.0f} s")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(rows))
    return rows
