"""Every `rsa-assistant` entry point, in one package: the top layer, which nothing else imports.

`commands` (the Typer app: `index`, `ask`, `ui` and `main`, the console script), `corpus`
(`corpus add/list/remove/fetch`), `evaluation` (`eval`, `eval retrieval`, `eval answers`), `options`
(option aliases, settings from flags, progress bars) and `checks` (filter syntax and values, usage
errors, index freshness). Heavy libraries are imported inside the commands, so `--help` stays fast.
"""

from assistant.cli.commands import app, main

__all__ = ["app", "main"]
