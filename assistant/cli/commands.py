"""The `rsa-assistant` command line: parses, calls the `assistant` API, renders. No pipeline logic.

The app and its own commands (`index`, `ask`, `ui`); the `corpus` and `eval` groups come from their
modules beside this one, and `main` is the console script's entry point.

Errors of the `AssistantError` family become one line on stderr and their class's exit code.
Heavy libraries are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.corpus import corpus_app
from assistant.cli.evaluation import eval_app
from assistant.cli.options import Backend, ChromaUrl, CorpusDir, IndexDir, build_with_progress, settings_from
from assistant.errors import AssistantError, InvalidQuestionError

app = typer.Typer(
    name="rsa-assistant",
    help="Cited answers about MSC therapies for recurrent spontaneous abortion, from the review and its studies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: The command groups of the other modules of this package (corpus management, evaluation), imported explicitly:
#: a broken module fails loudly instead of silently removing its command.
app.add_typer(eval_app, name="eval")
app.add_typer(corpus_app, name="corpus")


def _print_version(value: bool) -> None:
    if value:
        from assistant.cli.checks import version

        typer.echo(f"rsa-assistant {version()}")
        raise typer.Exit()


#: Set by the console script (`assistant.cli.main`) when it started with garbage collection off.
collection_deferred = False


@app.callback()
def _options(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Cited answers about MSC therapies for recurrent spontaneous abortion, from the review and its studies."""
    if collection_deferred and ctx.invoked_subcommand != "ask":
        gc.enable()  # off while the CLI started (assistant.cli.main); `ask` keeps it off to the end


def _hide_flag_types() -> None:
    # typer's help prints "<bool>" beside on/off flags; they take no value, so they show none
    from assistant.cli.checks import hide_flag_types

    hide_flag_types()


_hide_flag_types()


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
    settings = settings_from(corpus_dir=corpus_dir, index_dir=index_dir, chroma_url=chroma_url)
    report = build_with_progress(settings, rebuild=rebuild, show=not json_output)
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    if report.status == "up-to-date":
        typer.echo(
            f"Index is up to date ({report.documents} documents, {report.chunks} chunks; build {report.build_id})."
        )
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


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question; '-' reads it from standard input.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    k: Annotated[Optional[int], typer.Option("-k", "--top-k", min=1, max=50, help="Passages to retrieve.")] = None,
    filter_: Annotated[
        list[str],
        typer.Option(
            "--filter",
            metavar="KEY=VALUE",
            help="kind, evidence, msc_source, year, year_min, year_max; repeatable (year_min/year_max once).",
        ),
    ] = [],  # noqa: B006
    backend: Backend = None,
    show_rejected: Annotated[
        bool,
        typer.Option("--show-rejected", help="Also list the sentences verification rejected, in a labelled block."),
    ] = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer a question with inline citations to the exact passages."""
    from assistant.indexing.onnx_encoder import favour_start_up

    favour_start_up()  # one question, then exit: a cheaper encoder start beats faster later queries
    # No cyclic garbage collection while answering: a whole extractive ask frees ~500 objects that way,
    # yet its young-generation passes over the objects the imports create cost ~0.03 s of CPU
    # (measured, about a sixth of its ratio to the numpy + onnxruntime floor); peak RSS is the same.
    # Run from the console script, collection has been off since start-up (assistant.cli.main).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _ask(question, json_output, k, filter_, backend, show_rejected, index_dir, chroma_url)
    finally:
        if collecting:  # as it was: `ask` may run inside another process (tests, a notebook)
            gc.enable()


def _ask(
    question: str,
    json_output: bool,
    k: int | None,
    filter_: list[str],
    backend: str | None,
    show_rejected: bool,
    index_dir: Path | None,
    chroma_url: str | None,
) -> None:
    from assistant.api import Assistant, validate_question
    from assistant.cli.checks import check_filter_values, parse_filters, stale_index_warning
    from assistant.settings_checks import require_dir

    text = _read_question(question)
    validate_question(text)
    filters = parse_filters(filter_)
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, backend=backend)
    require_dir(settings, "index_dir", writable=False, create=False)
    assistant = Assistant(settings)
    if filters:
        from assistant.facets import facets_of

        check_filter_values(filters, facets_of(assistant.index))
    answer = assistant.answer(text, filters=filters or None, k=k)
    warning = stale_index_warning(settings)
    if warning:
        _stderr(warning)
    if json_output:
        from assistant.rendering.json_output import answer_json

        typer.echo(answer_json(answer))
        return
    from assistant.rendering.terminal import print_answer

    print_answer(answer, show_rejected=show_rejected)


#: Streamlit settings the chat always runs with, whatever the folder it is started from (a
#: .streamlit/config.toml is only read from the current folder). "viewer" hides the developer
#: options, among them the "Deploy" button, which has no place on a local research tool.
UI_STREAMLIT_OPTIONS = {
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "viewer",
}


def ui_command(app_path: str, host: str, port: int) -> list[str]:
    """The `streamlit run` command line of `rsa-assistant ui`."""
    command = [sys.executable, "-m", "streamlit", "run", app_path, "--server.address", host, "--server.port", str(port)]
    for name, value in UI_STREAMLIT_OPTIONS.items():
        command += [f"--{name}", value]
    return command


def _run_in_place(command: list[str]) -> int:
    """Runs `command` as this very process where the OS allows it (POSIX exec).

    Run as a child, Streamlit outlived a SIGTERM sent to the CLI (re-parented to PID 1, still holding
    the port): signals go to the CLI's PID. After exec there is one process, so SIGTERM, SIGINT and
    SIGHUP reach Streamlit itself and its exit code is the command's. Elsewhere, a child that is
    waited for, with the signals forwarded.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(os, "execv") and os.name == "posix":
        os.execv(command[0], command)  # does not return
    return _run_forwarding_signals(command)


def _run_forwarding_signals(command: list[str]) -> int:
    import signal
    import subprocess

    child = subprocess.Popen(command)
    forwarded = [s for s in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGBREAK", None)) if s is not None]
    previous = {s: signal.signal(s, lambda signum, _frame: child.send_signal(signum)) for s in forwarded}
    try:
        code = child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 - code if code < 0 else code  # killed by signal N: the shell's 128 + N


@app.command()
def ui(
    host: Annotated[Optional[str], typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (default 8501).")] = None,
) -> None:
    """Open the Streamlit chat UI."""
    settings = settings_from(ui_host=host, ui_port=port)
    from assistant.paths import bundled

    app_path = bundled("ui/app.py")  # the checkout's ui/, or the copy the wheel carries
    typer.echo(f"Opening the chat on http://{settings.ui_host}:{settings.ui_port}")
    raise typer.Exit(_run_in_place(ui_command(str(app_path), settings.ui_host, settings.ui_port)))


def main() -> None:
    """Console-script entry point: maps assistant errors to one line and an exit code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    # Garbage collection is tuned for a short-lived command. Importing langchain and pydantic allocates
    # ~100k long-lived objects, which at the default thresholds (700, 10, 10) trigger ~280 collections
    # costing ~0.14 s of CPU (measured); a larger young generation makes that ~0.04 s, and cyclic
    # garbage is still collected (after 50k new container objects instead of 700).
    gc.set_threshold(50_000, 20, 20)
    # At exit, skip the interpreter's teardown garbage collections: over those objects they cost ~0.3 s
    # of CPU (a quarter of a cold `ask`) to free memory the OS takes back anyway. atexit callbacks
    # (log flushing) and the flushing of stdout/stderr still run.
    atexit.register(gc.freeze)
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
    except Exception as exc:  # usage errors and unexpected failures: one line, never a traceback
        from assistant.cli.checks import usage_error_line

        if isinstance(exc, OSError) and not os.environ.get("RSA_DEBUG"):
            from assistant.settings_checks import error_for_environment

            error = error_for_environment(exc)  # a folder a setting names that cannot be used: exit 3
            if error is not None:
                _stderr(f"error: {error}")
                sys.exit(error.exit_code)
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group called bare: its help was asked for
            exc.show()  # type: ignore[attr-defined]
            sys.exit(0)
        line = usage_error_line(exc)
        if line is not None:
            _stderr(line)
            sys.exit(2)  # bad input, as the README promises
        if os.environ.get("RSA_DEBUG"):
            raise
        _stderr(f"internal error: {type(exc).__name__}: {exc} (set RSA_DEBUG=1 for a traceback)")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
