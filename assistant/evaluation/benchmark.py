"""External retrieval benchmarks (PubMedQA, BioASQ): data loading, a cached index, metrics, baselines.

The benchmark corpus is turned into `Document`s and indexed by the project's own build
(`build_from_documents`) in `settings.cache_dir / "benchmarks" / <fingerprint>`, reused while the data
and the index-shaping settings are unchanged. Every question is asked of the project's retriever and,
in the same run, of its BM25-only and dense-only modes. Recall is judged per document: passages are
deduplicated by source id in rank order, so a document counts once, at its best passage's rank.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from assistant.errors import AssistantError
from assistant.settings import Settings
from assistant.types import Document, Section, Source, SourceKind

T = TypeVar("T")
#: name in the report -> retrieval mode of HybridRetriever
RETRIEVERS = {"project": "hybrid", "bm25": "lexical", "dense": "dense"}
CUTOFFS = (1, 5, 10)
#: passages fetched per question, so that 10 distinct documents remain after deduplication
PASSAGES_PER_QUESTION = 40


class BenchmarkDataError(AssistantError):
    """The benchmark folder is missing or not in the format asked for."""


@dataclass
class Question:
    id: str
    text: str
    gold: frozenset[str]  # source ids that answer it
    split: str = "dev"


@dataclass
class Benchmark:
    name: str
    documents: list[Document]
    questions: list[Question]
    fingerprint: str
    #: BioASQ: a hit needs one of the question's own snippets; recall of all of them is reported too
    snippet_recall: bool = False


@dataclass
class RetrieverScores:
    ranks: list[int | None] = field(default_factory=list)  # 1-based rank of the first gold document
    snippet_recall: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self, with_snippets: bool) -> dict[str, float]:
        n = max(len(self.ranks), 1)
        result = {f"recall@{c}": sum(1 for r in self.ranks if r is not None and r <= c) / n for c in CUTOFFS}
        result["mrr@10"] = sum(1.0 / r for r in self.ranks if r is not None and r <= 10) / n
        if with_snippets:
            result["snippet_recall@10"] = float(np.mean(self.snippet_recall)) if self.snippet_recall else 0.0
        latencies = self.latencies_ms or [0.0]
        result["latency_ms_p50"] = float(np.percentile(latencies, 50))
        result["latency_ms_p95"] = float(np.percentile(latencies, 95))
        return {key: round(value, 4) for key, value in result.items()}


# -- loading the data sets -----------------------------------------------------------------------
def load_benchmark(fmt: str, data_dir: Path) -> Benchmark:
    return load_with(fmt, data_dir, {"pubmedqa": load_pubmedqa, "bioasq": load_bioasq}, "benchmark")


def load_with(fmt: str, data_dir: Path, loaders: Mapping[str, Callable[[Path], T]], what: str) -> T:
    """The data set in `data_dir` read by the loader of format `fmt`, or a clear error naming what to pass."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise BenchmarkDataError(f"Benchmark folder {data_dir} does not exist.", hint="Pass --data DIR.")
    loader = loaders.get(fmt)
    if loader is None:
        raise BenchmarkDataError(f"Unknown {what} format {fmt!r}.", hint=f"Use one of: {', '.join(loaders)}.")
    return loader(data_dir)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise BenchmarkDataError(f"{path}:{number} is not valid JSON.") from None


def _fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def _sections(labelled: list[tuple[str, str]]) -> tuple[Section, ...]:
    """Sections in order, same-named ones merged (a section name is unique within a document)."""
    merged: dict[str, list[str]] = {}
    for label, text in labelled:
        text = re.sub(r"\s+", " ", text or "").strip()
        if text:
            merged.setdefault(label.strip().title() or "Text", []).append(text)
    return tuple(Section(name, " ".join(texts)) for name, texts in merged.items())


def load_pubmedqa(data_dir: Path) -> Benchmark:
    """`abstracts.jsonl` (pmid, year, sections[label,text]) and `*questions.jsonl` (question, gold_pmid)."""
    abstracts = data_dir / "abstracts.jsonl"
    question_files = sorted(data_dir.glob("*questions.jsonl"))
    if not abstracts.is_file() or not question_files:
        raise BenchmarkDataError(
            f"{data_dir} is not a PubMedQA benchmark folder.",
            hint="It needs abstracts.jsonl and at least one *questions.jsonl (see shared/benchmarks/pubmedqa/README.md).",
        )
    documents = []
    for row in _read_jsonl(abstracts):
        pmid = str(row["pmid"])
        sections = _sections([(s.get("label", "Text"), s.get("text", "")) for s in row.get("sections", [])])
        if not sections:
            continue
        year = int(row["year"]) if str(row.get("year", "")).isdigit() else None
        source = Source(id=f"pmid-{pmid}", kind=SourceKind.ABSTRACT, title="", year=year, pmid=pmid)
        documents.append(Document(source=source, sections=sections))
    questions = []
    for path in question_files:
        split = path.name.removesuffix("questions.jsonl").strip("_-") or "dev"
        for row in _read_jsonl(path):
            questions.append(Question(str(row["id"]), row["question"], frozenset({f"pmid-{row['gold_pmid']}"}), split))
    return Benchmark("pubmedqa", documents, questions, _fingerprint(abstracts, *question_files))


def load_bioasq(data_dir: Path) -> Benchmark:
    """BioASQ Task B golden files: the corpus is the union of every question's gold snippets."""
    files = sorted(data_dir.glob("*.json"))
    if not files:
        raise BenchmarkDataError(
            f"{data_dir} holds no BioASQ .json files.", hint="Pass the folder of the golden files."
        )
    documents: dict[str, Document] = {}
    questions = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise BenchmarkDataError(f"{path} is not valid JSON.") from None
        for number, item in enumerate(data.get("questions", []) if isinstance(data, dict) else []):
            gold = set()
            for snippet in item.get("snippets", []):
                text = re.sub(r"\s+", " ", snippet.get("text", "")).strip()
                if not text:
                    continue
                sid = "snip-" + hashlib.sha1(text.encode()).hexdigest()[:16]
                gold.add(sid)
                if sid not in documents:
                    source = Source(id=sid, kind=SourceKind.ABSTRACT, title="", url=snippet.get("document", ""))
                    documents[sid] = Document(source=source, sections=(Section("Snippet", text),))
            if gold and item.get("body"):
                questions.append(Question(str(item.get("id", f"{path.stem}-{number}")), item["body"], frozenset(gold)))
    if not questions:
        raise BenchmarkDataError(f"No questions with snippets in {data_dir}.", hint="Use BioASQ Task B golden files.")
    return Benchmark("bioasq", list(documents.values()), questions, _fingerprint(*files), snippet_recall=True)


def select_questions(questions: list[Question], split: str = "all", limit: int | None = None) -> list[Question]:
    chosen = [q for q in questions if split == "all" or q.split == split]
    return chosen[:limit] if limit else chosen


# -- the index -----------------------------------------------------------------------------------
def benchmark_settings(settings: Settings, benchmark: Benchmark) -> Settings:
    """Settings whose index lives in the benchmark cache; the curated corpus glossary is not used."""
    root = Path(settings.cache_dir) / "benchmarks" / f"{benchmark.name}-{benchmark.fingerprint}"
    return settings.model_copy(
        update={"index_dir": root / "index", "corpus_dir": root / "no-corpus", "chroma_url": None}
    )


def prepare_index(settings: Settings, benchmark: Benchmark, progress: Callable[[str, float], None] | None = None):
    """Build (or reuse) the benchmark's index; returns the retriever over it."""
    from assistant.indexing.build import build_from_documents
    from assistant.indexing.embedding import get_embedder
    from assistant.indexing.index import load_index
    from assistant.retrieval import HybridRetriever

    bench_settings = benchmark_settings(settings, benchmark)
    build_from_documents(
        bench_settings, benchmark.documents, benchmark.fingerprint, progress=progress, with_sentences=False
    )
    index = load_index(bench_settings)
    return HybridRetriever(
        index, get_embedder(bench_settings.embedding_model_path, bench_settings.cache_dir), bench_settings
    )


# -- running -------------------------------------------------------------------------------------
def distinct_sources(source_ids: list[str], limit: int = 10) -> list[str]:
    """Source ids in rank order, each once."""
    return list(dict.fromkeys(source_ids))[:limit]


def run_benchmark(
    retriever, benchmark: Benchmark, questions: list[Question], on_question: Callable[[], None] | None = None
) -> dict[str, RetrieverScores]:
    scores = {name: RetrieverScores() for name in RETRIEVERS}
    retriever.embedder.encode_query("warm up")  # the model load is not a query's latency
    for question in questions:
        for name, mode in RETRIEVERS.items():
            _forget_query_vectors(retriever.embedder)
            started = time.perf_counter()
            result = retriever.retrieve(question.text, PASSAGES_PER_QUESTION, mode=mode)
            elapsed = (time.perf_counter() - started) * 1000
            ranked = distinct_sources([p.source_id for p in result.passages])
            entry = scores[name]
            entry.latencies_ms.append(elapsed)
            entry.ranks.append(next((i for i, sid in enumerate(ranked, 1) if sid in question.gold), None))
            if benchmark.snippet_recall:
                entry.snippet_recall.append(len(question.gold.intersection(ranked)) / len(question.gold))
        if on_question:
            on_question()
    return scores


def _forget_query_vectors(embedder) -> None:
    """Each retriever pays for its own query embedding: a vector cached by the previous one would flatter it."""
    cache = getattr(embedder, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def report(benchmark: Benchmark, questions: list[Question], scores: dict[str, RetrieverScores], passages: int) -> dict:
    """The JSON report: {"questions", "passages" (indexed passages), "retrievers": {name: metrics}}."""
    return {
        "questions": len(questions),
        "passages": passages,
        "retrievers": {name: entry.summary(benchmark.snippet_recall) for name, entry in scores.items()},
    }
