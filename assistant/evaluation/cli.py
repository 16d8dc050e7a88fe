"""`rsa-assistant eval`: the curated-set harness (default), `eval retrieval` and `eval answers` (external benchmarks).

Each feature registers its own commands from its own module; this file only wires them together.
"""

from __future__ import annotations

import typer

eval_app = typer.Typer(
    help="Evaluate the assistant: the curated set (default) or an external retrieval benchmark.",
    invoke_without_command=True,
    no_args_is_help=False,
)

from assistant.evaluation import answers_cli, benchmark_cli, harness_cli  # noqa: E402  (register after eval_app exists)

harness_cli.register(eval_app)
benchmark_cli.register(eval_app)
answers_cli.register(eval_app)
