"""CLI of the curated-set harness (`rsa-assistant eval`). Registers the default callback."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.callback()
    def curated(ctx: typer.Context) -> None:
        """Run the curated evaluation set against the current index and backend."""
        if ctx.invoked_subcommand is not None:
            return
        typer.echo("The curated evaluation harness is not built yet.", err=True)
        raise typer.Exit(1)
