"""`rsa-assistant eval`: the curated-set harness (the group's default callback), and the external
benchmarks `eval retrieval` and `eval answers` (registered from `assistant/cli/benchmarks.py`).

rsa-assistant eval [--set PATH] [--json OUT] [--compare PREVIOUS] [--gate] [--backend B] [--out DIR]

Parse, call the harness in `assistant.evaluation`, render.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli import benchmarks
from assistant.cli.options import Backend, IndexDir, progress_if_terminal, settings_from

eval_app = typer.Typer(
    help="Evaluate the assistant: the curated set (default) or an external retrieval benchmark.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@eval_app.callback()
def curated(
    ctx: typer.Context,
    set_path: Annotated[
        Optional[Path], typer.Option("--set", help="Evaluation set YAML (default eval/curated.yaml).")
    ] = None,
    json_out: Annotated[
        Optional[Path], typer.Option("--json", help="Write {items, metrics, by_category} JSON here ('-' = stdout).")
    ] = None,
    compare_to: Annotated[
        Optional[Path], typer.Option("--compare", help="Previous report folder or report.json to diff against.")
    ] = None,
    gate: Annotated[
        bool, typer.Option("--gate", help="Exit non-zero when a metric misses eval/thresholds.yaml.")
    ] = False,
    thresholds: Annotated[
        Optional[Path], typer.Option("--thresholds", help="Threshold file (default eval/thresholds.yaml).")
    ] = None,
    backend: Backend = None,
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Reports folder (default RSA_REPORTS_DIR or eval/reports).")
    ] = None,
    index_dir: IndexDir = None,
) -> None:
    """Run the curated evaluation set against the current index and backend."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.api import Assistant
    from assistant.evaluation import harness, report
    from assistant.settings_checks import require_dir

    settings = settings_from(backend=backend, reports_dir=out, index_dir=index_dir)
    require_dir(settings, "reports_dir")  # before the run: a bad folder must not cost its results
    bounds = report.load_thresholds(thresholds) if gate else None  # a bad threshold file fails before the run
    items = harness.load_set(set_path)
    assistant = Assistant(settings)
    results = _run(assistant, items)
    summary = harness.summarize(results)
    folder = report.write_report(summary, results, settings.reports_dir, settings.public_dict())
    _print_table(summary)
    typer.echo(f"Report: {folder}", err=True)
    if json_out is not None:
        text = json.dumps(summary, indent=1)
        if str(json_out) == "-":
            typer.echo(text)
        else:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(text + "\n", encoding="utf-8")
    if compare_to is not None:
        _print_diff(report.compare(report.load_summary(compare_to), summary))
    if bounds is not None:
        report.enforce_gate(summary, bounds)
        typer.echo("Gate passed.", err=True)


def _run(assistant, items):
    from assistant.evaluation import harness

    with progress_if_terminal("Evaluating") as bar:
        report = (lambda i, n, item: bar(item.id, (i - 1) / max(n, 1))) if bar else None
        return harness.run_evaluation(assistant, items, report)


def _print_table(summary) -> None:
    from assistant.evaluation.report import print_terminal_summary

    print_terminal_summary(summary)  # fits the terminal's width (issue #22 item 12)


def _print_diff(rows) -> None:
    from rich.console import Console
    from rich.table import Table

    from assistant.evaluation.report import _fmt

    table = Table(title="Compared with the previous report")
    for column in ("metric", "before", "after", "change", "verdict"):
        table.add_column(column)
    colours = {"better": "green", "worse": "red"}
    for row in rows:
        delta = "—" if row["delta"] is None else f"{row['delta']:+.3f}"
        table.add_row(
            row["metric"],
            _fmt(row["before"], row["metric"]),
            _fmt(row["after"], row["metric"]),
            delta,
            f"[{colours.get(row['verdict'], 'white')}]{row['verdict']}[/]",
        )
    Console(stderr=True).print(table)  # the terminal's width


benchmarks.register(eval_app)
