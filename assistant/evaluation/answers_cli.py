"""CLI of the external answer benchmarks (`rsa-assistant eval answers`): parse, run, render."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
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
        result = _run(settings, fmt.lower(), data, split, limit, unanswerable, console)
        from assistant.evaluation.answers import markdown_table, write_report_files

        Console().print(markdown_table(result), markup=False, highlight=False)
        folder = reports if reports is not None else settings.reports_dir
        for path in write_report_files(result, folder):
            console.print(f"wrote {path}", markup=False, highlight=False)
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result, indent=1), encoding="utf-8")


def _run(settings, fmt: str, data: Path, split: str, limit: int | None, unanswerable: bool, console) -> dict:
    from assistant.cli_options import progress_bars
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
