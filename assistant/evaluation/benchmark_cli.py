"""CLI of the external retrieval benchmarks (`rsa-assistant eval retrieval`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("retrieval")
    def retrieval() -> None:
        """Run an external retrieval benchmark (PubMedQA or BioASQ)."""
        typer.echo("Not built yet.", err=True)
        raise typer.Exit(1)
