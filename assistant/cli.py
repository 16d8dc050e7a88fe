"""The `rsa-assistant` command line: parses, calls the `assistant` API, renders. No pipeline logic.

Errors of the `AssistantError` family become one line on stderr and their class's exit code.
Heavy libraries are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.errors import AssistantError, InvalidQuestionError

app = typer.Typer(
    name="rsa-assistant",
    help="Cited answers about MSC therapies for recurrent spontaneous abortion, from the review and its studies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ChromaUrl = Annotated[Optional[str], typer.Option("--chroma-url", help="Use a Chroma server (http://host:port).")]
IndexDir = Annotated[Optional[Path], typer.Option("--index-dir", help="Index folder (default: RSA_INDEX_DIR or ./index).")]
CorpusDir = Annotated[Optional[Path], typer.Option("--corpus-dir", help="Corpus folder (default: RSA_CORPUS_DIR or ./corpus).")]


def settings_from(**overrides):
    """Settings from the environment with the CLI flags that were given layered on top."""
    from assistant.settings import load_settings

    return load_settings(**{key: value for key, value in overrides.items() if value is not None})


def _stderr(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild even when the index is up to date.")] = False,
    corpus_dir: CorpusDir = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the build report as JSON.")] = False,
) -> None:
    """Build the index from the corpus, only if it is missing or stale (or with --rebuild)."""
    from assistant.indexing.build import build_index

    settings = settings_from(corpus_dir=corpus_dir, index_dir=index_dir, chroma_url=chroma_url)
    if json_output or not sys.stderr.isatty():
        report = build_index(settings, rebuild=rebuild)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Indexing", total=1.0)
            report = build_index(
                settings, rebuild=rebuild,
                progress=lambda stage, fraction: progress.update(task, completed=fraction, description=stage),
            )
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    if report.status == "up-to-date":
        typer.echo(f"Index is up to date ({report.documents} documents, {report.chunks} chunks; build {report.build_id}).")
    else:
        typer.echo(
            f"Indexed {report.documents} documents into {report.chunks} chunks and {report.sentences} sentences "
            f"in {report.seconds:.1f}s (embedded {report.embedded}, reused {report.reused}); build {report.build_id}."
        )
    for problem in report.problems:
        _stderr(f"skipped: {problem}")


def _read_question(question: str) -> str:
    if question != "-":
        return question
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidQuestionError(
            "The question read from standard input is not valid UTF-8.", hint="Re-encode it as UTF-8."
        ) from None


def _parse_filters(items: list[str]) -> dict[str, list[str]]:
    from assistant.errors import InvalidFilterError

    filters: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidFilterError(f"Filter {item!r} is not KEY=VALUE.", hint="Example: --filter evidence=preclinical-mouse")
        filters.setdefault(key.strip(), []).append(value.strip())
    return filters


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question; '-' reads it from standard input.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    k: Annotated[Optional[int], typer.Option("-k", "--top-k", min=1, max=50, help="Passages to retrieve.")] = None,
    filter_: Annotated[list[str], typer.Option("--filter", help="KEY=VALUE (kind, evidence, msc_source, year, year_min, year_max); repeatable.")] = [],  # noqa: B006
    backend: Annotated[Optional[str], typer.Option("--backend", help="extractive, llm or auto.")] = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer a question with inline citations to the exact passages."""
    from assistant.api import Assistant, validate_question

    text = _read_question(question)
    validate_question(text)
    filters = _parse_filters(filter_)
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, backend=backend)
    answer = Assistant(settings).answer(text, filters=filters or None, k=k)
    if json_output:
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    from assistant.render import print_answer

    print_answer(answer)


@app.command()
def ui(
    host: Annotated[Optional[str], typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (default 8501).")] = None,
) -> None:
    """Open the Streamlit chat UI."""
    import subprocess

    settings = settings_from(ui_host=host, ui_port=port)
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    typer.echo(f"Opening the chat on http://{settings.ui_host}:{settings.ui_port}")
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_path),
        "--server.address", settings.ui_host, "--server.port", str(settings.ui_port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]
    raise typer.Exit(subprocess.call(command))


def _register_optional_groups() -> None:
    """Sub-command groups that live beside their feature (evaluation, corpus management)."""
    for module_name, attribute, name in (
        ("assistant.evaluation.cli", "eval_app", "eval"),
        ("assistant.ingest.cli", "corpus_app", "corpus"),
    ):
        try:
            module = __import__(module_name, fromlist=[attribute])
        except ImportError:
            continue
        app.add_typer(getattr(module, attribute), name=name)


_register_optional_groups()


def main() -> None:
    """Console-script entry point: maps assistant errors to one line and an exit code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        # with standalone_mode=False click returns the code of a typer.Exit instead of exiting
        code = app(standalone_mode=False)
    except AssistantError as exc:
        _stderr(f"error: {exc}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _stderr("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        _stderr("interrupted")
        sys.exit(130)
    except Exception as exc:  # click usage errors and unexpected failures: one line, never a traceback
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("RSA_DEBUG"):
            raise
        _stderr(f"internal error: {type(exc).__name__}: {exc} (set RSA_DEBUG=1 for a traceback)")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
