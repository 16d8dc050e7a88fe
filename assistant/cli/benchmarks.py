"""`rsa-assistant eval retrieval` and `eval answers`: the external benchmarks. Parse, run, render.

`retrieval`: PubMedQA or BioASQ, the project's retriever against BM25 and dense alone; `answers`:
COVID-QA or PubMedQA asked through the real pipeline. `register` adds both to the `eval` group.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from assistant.cli.options import progress_bars

_METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "snippet_recall@10", "latency_ms_p50", "latency_ms_p95")


def register(app: typer.Typer) -> None:
    """Adds `retrieval` and `answers` to `app` (the `eval` group), in that order."""
    _register_retrieval(app)
    _register_answers(app)


# -- eval retrieval ---------------------------------------------------------------------------------
def _register_retrieval(app: typer.Typer) -> None:
    @app.command("retrieval")
    def retrieval(
        fmt: str = typer.Option(..., "--format", help="Benchmark format: pubmedqa or bioasq."),
        data: Path = typer.Option(..., "--data", help="Folder of the benchmark files."),
        split: str = typer.Option(
            "all", "--split", help="Questions to run: dev or all (PubMedQA files name the split)."
        ),
        limit: int | None = typer.Option(None, "--limit", min=1, help="Run only the first N questions."),
        json_out: Path | None = typer.Option(None, "--json", help="Also write the report as JSON to this file."),
    ) -> None:
        """Run an external retrieval benchmark (PubMedQA or BioASQ): project retriever vs BM25 vs dense."""
        from rich.console import Console

        from assistant.settings import load_settings

        console = Console(stderr=True)
        # an AssistantError goes up to the CLI's entry point: one "error:" line and its exit code
        result = _run_retrieval(load_settings(), fmt.lower(), data, split, limit, console)
        Console().print(_table(result))
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result, indent=1), encoding="utf-8")


def _run_retrieval(settings, fmt: str, data: Path, split: str, limit: int | None, console) -> dict:
    from assistant.evaluation import benchmark as bench

    loaded = bench.load_benchmark(fmt, data)
    questions = bench.select_questions(loaded.questions, split, limit)
    if not questions:
        raise bench.BenchmarkDataError(f"No questions in split {split!r}.", hint="Use --split all.")
    with progress_bars(console=console) as bars:
        retriever = bench.prepare_index(settings, loaded, bars.fraction("Indexing"))
        scores = bench.run_benchmark(retriever, loaded, questions, bars.counter("Questions", len(questions)))
    return bench.report(loaded, questions, scores, passages=len(retriever.index.chunks))


def _table(result: dict):
    from rich.table import Table

    runs = result["retrievers"]
    table = Table(title=f"Retrieval: {result['questions']} questions over {result['passages']} passages")
    table.add_column("metric")
    for name in runs:
        table.add_column(name, justify="right")
    table.add_column("project/bm25", justify="right")
    table.add_column("project/dense", justify="right")
    for metric in _METRICS:
        if metric not in runs["project"]:
            continue
        values = [runs[name][metric] for name in runs]
        ratios = [_ratio(runs["project"][metric], runs[base][metric]) for base in ("bm25", "dense")]
        table.add_row(metric, *[f"{v:.1f}" if "latency" in metric else f"{v:.3f}" for v in values], *ratios)
    return table


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.3f}" if base else "-"


# -- eval answers -----------------------------------------------------------------------------------
def _register_answers(app: typer.Typer) -> None:
    @app.command("answers")
    def answers(
        fmt: str = typer.Option(..., "--format", help="Benchmark format: covidqa or pubmedqa."),
        data: Path = typer.Option(..., "--data", help="Folder of the benchmark files."),
        split: str = typer.Option(
            "dev",
            "--split",
            help="Questions to run: dev (tuning), held-out (COVID-QA articles never tuned on) or all.",
        ),
        limit: int | None = typer.Option(None, "--limit", min=1, help="Run only the first N questions."),
        unanswerable: bool = typer.Option(
            True,
            "--unanswerable/--no-unanswerable",
            help="PubMedQA: also ask each question with its gold abstract filtered out (must be refused).",
        ),
        json_out: Path | None = typer.Option(None, "--json", help="Also write the report as JSON to this file."),
        reports: Path | None = typer.Option(
            None,
            "--reports",
            help="Folder for the report files (json, md, png); default RSA_REPORTS_DIR (eval/reports/ in a checkout).",
        ),
    ) -> None:
        """Ask an external QA benchmark through the real pipeline: answer vs top-1 / top-5 passages."""
        from rich.console import Console

        from assistant.settings import load_settings

        console = Console(stderr=True)
        settings = load_settings()
        # an AssistantError goes up to the CLI's entry point: one "error:" line and its exit code
        result = _run_answers(settings, fmt.lower(), data, split, limit, unanswerable, console)
        from assistant.evaluation.answers import markdown_table, write_report_files

        Console().print(markdown_table(result), markup=False, highlight=False)
        folder = reports if reports is not None else settings.reports_dir
        for path in write_report_files(result, folder):
            console.print(f"wrote {path}", markup=False, highlight=False)
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result, indent=1), encoding="utf-8")


def _run_answers(settings, fmt: str, data: Path, split: str, limit: int | None, unanswerable: bool, console) -> dict:
    from assistant.evaluation import answers as bench

    loaded = bench.load_answer_benchmark(fmt, data)
    questions = bench.select_questions(loaded.questions, split, limit)
    if not questions:
        raise bench.BenchmarkDataError(f"No questions in split {split!r}.", hint="Use --split all.")
    with progress_bars(console=console) as bars:
        assistant = bench.prepare_assistant(settings, loaded, bars.fraction("Indexing"))
        run = bench.run_answers(
            assistant,
            loaded,
            questions,
            unanswerable=unanswerable and fmt == "pubmedqa",
            on_question=bars.counter("Questions", len(questions)),
        )
    return bench.report(loaded, questions, run, split)
