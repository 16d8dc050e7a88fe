"""What every `rsa-assistant` command group shares, written once: option aliases, settings from flags,
and a progress bar shown only on a terminal.

Part of the CLI package (`assistant/cli/`), the top layer: nothing below it imports it. Heavy libraries
(rich) are imported only when a bar is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

#: (stage, fraction done) -> None, as `build_index` and the harness report progress.
ProgressFn = Callable[[str, float], None]

ChromaUrl = Annotated[Optional[str], typer.Option("--chroma-url", help="Use a Chroma server (http://host:port).")]
IndexDir = Annotated[
    Optional[Path], typer.Option("--index-dir", help="Index folder (default: RSA_INDEX_DIR or ./index).")
]
CorpusDir = Annotated[
    Optional[Path], typer.Option("--corpus-dir", help="Corpus folder (default: RSA_CORPUS_DIR or ./corpus).")
]
Backend = Annotated[Optional[str], typer.Option("--backend", help="extractive, llm or auto.")]


def settings_from(**overrides: Any):
    """Settings from the environment with the CLI flags that were given (not None) layered on top."""
    from assistant.settings import load_settings

    return load_settings(**{key: value for key, value in overrides.items() if value is not None})


class Bars:
    """Progress bars drawn on stderr when it is a terminal; every method is a no-op otherwise."""

    def __init__(self, progress=None) -> None:
        self._progress = progress

    def fraction(self, label: str) -> ProgressFn:
        """A bar fed `(stage, fraction done)`; the stage becomes its description."""
        if self._progress is None:
            return lambda stage, fraction: None
        task = self._progress.add_task(label, total=1.0)
        return lambda stage, fraction: self._progress.update(task, completed=fraction, description=stage)

    def counter(self, label: str, total: int) -> Callable[[], None]:
        """A bar of `total` steps, advanced by one per call."""
        if self._progress is None:
            return lambda: None
        task = self._progress.add_task(label, total=total)
        return lambda: self._progress.advance(task)

    def stages(self) -> Callable[[str, int, int], None]:
        """One bar per named stage, fed `(stage, done, total)` (total 0: unknown)."""
        if self._progress is None:
            return lambda stage, done, total: None
        tasks: dict[str, Any] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = self._progress.add_task(stage, total=total or None)
            self._progress.update(tasks[stage], completed=done, total=total or None)

        return tick


@contextmanager
def progress_bars(*, console: Any = None, enabled: bool = True, transient: bool = True) -> Iterator[Bars]:
    """`Bars` for the block: real bars when stderr is a terminal (and `enabled`), silent ones otherwise."""
    if not enabled or not sys.stderr.isatty():
        yield Bars()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=transient) as progress:
        yield Bars(progress)


@contextmanager
def progress_if_terminal(label: str, *, enabled: bool = True) -> Iterator[ProgressFn | None]:
    """A `(stage, fraction)` callback drawing one bar when stderr is a terminal, else None."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with progress_bars() as bars:
        yield bars.fraction(label)


def build_with_progress(settings, *, rebuild: bool = False, show: bool = True):
    """`build_index` with a progress bar on a terminal; returns its report."""
    from assistant.indexing.build import build_index

    with progress_if_terminal("Indexing", enabled=show) as progress:
        return build_index(settings, rebuild=rebuild, progress=progress)
