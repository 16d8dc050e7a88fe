"""Every `rsa-assistant` entry point, in one package: the top layer, which nothing else imports.

`commands` (the Typer app: `index`, `ask`, `ui` and `main`, the console script), `corpus`
(`corpus add/list/remove/fetch`), `evaluation` (`eval`, `eval retrieval`, `eval answers`), `options`
(option aliases, settings from flags, progress bars) and `checks` (filter syntax and values, usage
errors, index freshness). Heavy libraries are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "main"]


def main() -> None:
    """The console script (`commands.main`), with garbage collection off while it starts.

    Typer, Click and the command modules allocate long-lived objects only, yet at the default
    thresholds their imports ran ~20 collections (~0.03 s of CPU, measured) that freed nothing. So
    collection is off until the command starts: `commands` switches it back on for every command but
    `ask`, which answers one question and exits (see `commands.ask`).
    """
    import gc

    gc.disable()
    from assistant.cli import commands

    commands.collection_deferred = True
    commands.main()


def __getattr__(name: str) -> Any:
    """`app` (the Typer application), imported on first use so that `main` can tune collection first."""
    if name == "app":
        from assistant.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
