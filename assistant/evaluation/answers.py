"""External answer benchmarks (COVID-QA, PubMedQA): is the answer text the answer, measured on
questions nobody on the team wrote.

The data set is indexed as a corpus by the project's own build (loaders included) in
`settings.cache_dir / "benchmarks" / <name>-answers-<fingerprint>`, reused while the data and the
index-shaping settings are unchanged. Every question goes through `Assistant.answer` (the extractive
backend: what the CLI and UI give a user without an LLM) and is scored against its gold answer:

- gold-word recall: the share of the gold answer's content words (stems) the answer text contains;
- gold-span containment: the gold span, whitespace-normalised, is inside the answer text;
- wrong refusals: answerable questions refused;
- sentences per answer and latency.

Two baselines come from the same retrieval: the top-1 passage (what "show the best passage" gives)
and the top-5 passages (the ceiling retrieval leaves the answerer).

PubMedQA also gets an unanswerable split: each question is asked again with its gold abstract
filtered out at query time (one index, not one per question), and must then be refused. Refusal
precision/recall is computed over answerable + unanswerable.

COVID-QA questions are split by article: dev articles for tuning, held-out articles for reporting.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.evaluation.benchmark import BenchmarkDataError, _read_jsonl, load_pubmedqa, load_with
from assistant.markers import MARKER
from assistant.settings import Settings
from assistant.text import content_terms
from assistant.types import Document, SourceKind

SPLITS = ("dev", "held-out", "all")
#: every third COVID-QA article (in file order) is held out: never tune on those
HELD_OUT_EVERY = 3
BASELINE_PASSAGES = 5


@dataclass
class AnswerQuestion:
    id: str
    text: str
    gold_answer: str
    gold_source: str
    split: str = "dev"


@dataclass
class AnswerBenchmark:
    name: str
    documents: list[Document]
    questions: list[AnswerQuestion]
    fingerprint: str


# -- loading -------------------------------------------------------------------------------------
def load_answer_benchmark(fmt: str, data_dir: Path) -> AnswerBenchmark:
    return load_with(fmt, data_dir, {"covidqa": load_covidqa, "pubmedqa": load_pubmedqa_answers}, "answer benchmark")


def load_covidqa(data_dir: Path) -> AnswerBenchmark:
    """`articles/*.md` (one full-text article each) and `questions.jsonl` (question, answer, article)."""
    from assistant.ingest.markdown import load_markdown

    articles = sorted((data_dir / "articles").glob("*.md"))
    questions_file = data_dir / "questions.jsonl"
    if not articles or not questions_file.is_file():
        raise BenchmarkDataError(
            f"{data_dir} is not a COVID-QA benchmark folder.",
            hint="It needs articles/*.md and questions.jsonl (see shared/benchmarks/covidqa/README.md).",
        )
    documents, split_of = [], {}
    for number, path in enumerate(articles):
        for document in load_markdown(path):
            # the article's file stem is its id: the questions name their article by it
            source = replace(document.source, id=path.stem, kind=SourceKind.REVIEW)
            documents.append(replace(document, source=source))
        split_of[path.stem] = "held-out" if number % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else "dev"
    questions = [
        AnswerQuestion(
            str(row["id"]), row["question"], row["answer"], row["article"], split_of.get(row["article"], "dev")
        )
        for row in _read_jsonl(questions_file)
        if row.get("article") in split_of
    ]
    digest = hashlib.sha256()
    for path in [*articles, questions_file]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return AnswerBenchmark("covidqa", documents, questions, digest.hexdigest()[:20])


def load_pubmedqa_answers(data_dir: Path) -> AnswerBenchmark:
    """PubMedQA's abstracts; each question's gold answer is its abstract's conclusion (`long_answer`)."""
    base = load_pubmedqa(data_dir)
    long_answers = {}
    for path in sorted(Path(data_dir).glob("*questions.jsonl")):
        for row in _read_jsonl(path):
            long_answers[str(row["id"])] = row.get("long_answer", "")
    questions = [
        AnswerQuestion(q.id, q.text, long_answers.get(q.id, ""), next(iter(q.gold)), q.split) for q in base.questions
    ]
    return AnswerBenchmark("pubmedqa", base.documents, questions, base.fingerprint)


def select_questions(
    questions: list[AnswerQuestion], split: str = "all", limit: int | None = None
) -> list[AnswerQuestion]:
    if split not in SPLITS:
        raise BenchmarkDataError(f"Unknown split {split!r}.", hint=f"Use one of: {', '.join(SPLITS)}.")
    chosen = [q for q in questions if split == "all" or q.split == split]
    return chosen[:limit] if limit else chosen


# -- the index -----------------------------------------------------------------------------------
def answer_settings(settings: Settings, benchmark: AnswerBenchmark) -> Settings:
    """Settings of the benchmark's own index (with sentence vectors) and the extractive backend."""
    root = Path(settings.cache_dir) / "benchmarks" / f"{benchmark.name}-answers-{benchmark.fingerprint}"
    return settings.model_copy(
        update={
            "index_dir": root / "index",
            "corpus_dir": root / "no-corpus",
            "chroma_url": None,
            "backend": "extractive",
        }
    )


def prepare_assistant(
    settings: Settings, benchmark: AnswerBenchmark, progress: Callable[[str, float], None] | None = None
):
    """Build (or reuse) the benchmark's index; returns an `Assistant` over it."""
    from assistant.api import Assistant
    from assistant.indexing.build import build_from_documents

    bench_settings = answer_settings(settings, benchmark)
    build_from_documents(
        bench_settings, benchmark.documents, benchmark.fingerprint, progress=progress, with_sentences=True
    )
    assistant = Assistant(bench_settings)
    assistant.chain  # noqa: B018  (load the index and the term statistics before timing)
    return assistant


# -- scoring -------------------------------------------------------------------------------------
def _normalised(text: str) -> str:
    """Lower case, markers gone, hyphenated line breaks joined, whitespace collapsed."""
    text = MARKER.sub("", text)  # the one citation-marker grammar (assistant/markers.py)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def gold_word_recall(answer_text: str, gold: str) -> float:
    gold_terms = set(content_terms(_normalised(gold)))
    if not gold_terms:
        return 1.0
    return len(gold_terms & set(content_terms(_normalised(answer_text)))) / len(gold_terms)


def contains_span(answer_text: str, gold: str) -> bool:
    span = _normalised(gold).strip(" .")
    return bool(span) and span in _normalised(answer_text)


@dataclass
class Scores:
    recall: list[float] = field(default_factory=list)
    contains: list[bool] = field(default_factory=list)

    def add(self, text: str, gold: str) -> None:
        self.recall.append(gold_word_recall(text, gold))
        self.contains.append(contains_span(text, gold))

    def summary(self) -> dict[str, float]:
        return {
            "gold_word_recall": round(float(np.mean(self.recall)) if self.recall else 0.0, 4),
            "gold_span_contained": round(float(np.mean(self.contains)) if self.contains else 0.0, 4),
        }


@dataclass
class Run:
    answer: Scores = field(default_factory=Scores)
    top1: Scores = field(default_factory=Scores)
    top5: Scores = field(default_factory=Scores)
    refused: list[bool] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    unanswerable_refused: list[bool] = field(default_factory=list)
    examples: list[dict] = field(default_factory=list)


def run_answers(
    assistant,
    benchmark: AnswerBenchmark,
    questions: list[AnswerQuestion],
    *,
    unanswerable: bool = False,
    on_question: Callable[[], None] | None = None,
    keep_examples: int = 25,
) -> Run:
    """Ask every question; with `unanswerable`, ask it again without its gold source (must refuse)."""
    run = Run()
    all_sources = sorted({d.source.id for d in benchmark.documents})
    assistant.answer("warm up")  # the model load is not a question's latency
    for question in questions:
        started = time.perf_counter()
        answer = assistant.answer(question.text)
        run.latencies_ms.append((time.perf_counter() - started) * 1000)
        passages = answer.passages
        run.answer.add("" if answer.refused else answer.text, question.gold_answer)
        run.top1.add(passages[0].text if passages else "", question.gold_answer)
        run.top5.add(" ".join(p.text for p in passages[:BASELINE_PASSAGES]), question.gold_answer)
        run.refused.append(answer.refused)
        run.sentences.append(0 if answer.refused else sum(1 for s in answer.sentences if s.supported))
        if unanswerable:
            others = [sid for sid in all_sources if sid != question.gold_source]
            missing = assistant.answer(question.text, filters={"source_id": others})
            run.unanswerable_refused.append(missing.refused)
        if len(run.examples) < keep_examples:
            run.examples.append(
                {
                    "id": question.id,
                    "question": question.text,
                    "gold": question.gold_answer,
                    "answer": answer.text,
                    "refused": answer.refused,
                    "recall": round(run.answer.recall[-1], 3),
                    "top5_recall": round(run.top5.recall[-1], 3),
                }
            )
        if on_question:
            on_question()
    return run


def report(benchmark: AnswerBenchmark, questions: list[AnswerQuestion], run: Run, split: str) -> dict:
    """The JSON report: answer metrics beside the top-1 and top-5 passage baselines."""
    n = max(len(questions), 1)
    latencies = run.latencies_ms or [0.0]
    answer = run.answer.summary()
    top5 = run.top5.summary()
    result: dict = {
        "benchmark": benchmark.name,
        "split": split,
        "questions": len(questions),
        "answer": {
            **answer,
            "wrong_refusal_rate": round(sum(run.refused) / n, 4),
            "sentences_per_answer": round(
                float(np.mean([s for s, r in zip(run.sentences, run.refused) if not r] or [0])), 2
            ),
            "latency_ms_p50": round(float(np.percentile(latencies, 50)), 1),
            "latency_ms_p95": round(float(np.percentile(latencies, 95)), 1),
        },
        "baselines": {"top1_passage": run.top1.summary(), f"top{BASELINE_PASSAGES}_passages": top5},
        "answer_vs_ceiling": round(answer["gold_word_recall"] / top5["gold_word_recall"], 4)
        if top5["gold_word_recall"]
        else None,
        "examples": run.examples,
    }
    if run.unanswerable_refused:
        result["refusal"] = refusal_metrics(run.refused, run.unanswerable_refused)
    return result


def refusal_metrics(answerable_refused: list[bool], unanswerable_refused: list[bool]) -> dict[str, float]:
    """Precision/recall of refusing, over answerable (should answer) + unanswerable (should refuse)."""
    true_pos = sum(unanswerable_refused)
    false_pos = sum(answerable_refused)
    false_neg = len(unanswerable_refused) - true_pos
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    return {
        "refusal_precision": round(precision, 4),
        "refusal_recall": round(recall, 4),
        "answerable": len(answerable_refused),
        "unanswerable": len(unanswerable_refused),
    }


# -- report files --------------------------------------------------------------------------------
def write_report_files(result: dict, folder: Path) -> list[Path]:
    """`answers-<benchmark>-<split>.json`, `.md` and `.png` in `folder` (eval/reports/)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"answers-{result['benchmark']}-{result['split']}"
    json_path, md_path, png_path = stem.with_suffix(".json"), stem.with_suffix(".md"), stem.with_suffix(".png")
    json_path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    md_path.write_text(markdown_table(result), encoding="utf-8")
    written = [json_path, md_path]
    if _plot(result, png_path):
        written.append(png_path)
    return written


def markdown_table(result: dict) -> str:
    answer, base = result["answer"], result["baselines"]
    top1, top5 = base["top1_passage"], base[f"top{BASELINE_PASSAGES}_passages"]
    lines = [
        f"### {result['benchmark']} ({result['split']}, {result['questions']} questions)",
        "",
        "| | gold-word recall | gold span contained | wrong refusals | sentences | p50 ms |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| answer (extractive) | **{answer['gold_word_recall']:.3f}** | {answer['gold_span_contained']:.3f} | "
        f"{answer['wrong_refusal_rate']:.3f} | {answer['sentences_per_answer']:.2f} | {answer['latency_ms_p50']:.0f} |",
        f"| top-1 passage | {top1['gold_word_recall']:.3f} | {top1['gold_span_contained']:.3f} | - | - | - |",
        f"| top-{BASELINE_PASSAGES} passages (ceiling) | {top5['gold_word_recall']:.3f} | {top5['gold_span_contained']:.3f} | - | - | - |",
        "",
        f"Answer / ceiling (gold-word recall): {result['answer_vs_ceiling']}",
    ]
    if "refusal" in result:
        r = result["refusal"]
        lines += [
            "",
            f"Refusal over {r['answerable']} answerable + {r['unanswerable']} gold-removed questions: "
            f"precision {r['refusal_precision']:.3f}, recall {r['refusal_recall']:.3f}",
        ]
    return "\n".join(lines) + "\n"


def _plot(result: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # plots are optional; the JSON and Markdown carry the numbers
        return False
    names = ["answer", "top-1 passage", f"top-{BASELINE_PASSAGES} passages"]
    base = result["baselines"]
    rows = [result["answer"], base["top1_passage"], base[f"top{BASELINE_PASSAGES}_passages"]]
    recall = [r["gold_word_recall"] for r in rows]
    contained = [r["gold_span_contained"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    x = np.arange(len(names))
    ax.bar(x - 0.2, recall, 0.4, label="gold-word recall")
    ax.bar(x + 0.2, contained, 0.4, label="gold span contained")
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1)
    ax.set_title(f"{result['benchmark']} {result['split']} ({result['questions']} q)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
