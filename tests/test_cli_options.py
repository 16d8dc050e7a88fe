"""The CLI's shared parts, written once: option helpers and explicitly imported command groups."""

from __future__ import annotations

from pathlib import Path

from assistant.cli.options import progress_if_terminal, settings_from


def test_command_groups_are_imported_explicitly():
    from assistant.cli import app
    from assistant.cli.corpus import corpus_app
    from assistant.cli.evaluation import eval_app

    groups = {group.name: group.typer_instance for group in app.registered_groups}
    assert groups == {"eval": eval_app, "corpus": corpus_app}
    eval_commands = [command.name for command in eval_app.registered_commands]
    assert eval_commands == ["retrieval", "answers"]  # the curated set is the group's callback


def test_every_entry_point_lives_in_the_cli_package():
    """Issue 21 item 6: no `*cli*` module outside `assistant/cli/` (the ingest layer used to hold one)."""
    package = Path(__file__).resolve().parent.parent / "assistant"
    stray = [
        str(path.relative_to(package))
        for path in package.rglob("*cli*")
        if path.suffix == ".py" and path.parent.name != "cli" and "__pycache__" not in path.parts
    ]
    assert not stray, stray


def test_settings_from_flags_ignores_flags_not_given(tmp_path):
    settings = settings_from(index_dir=tmp_path / "i", corpus_dir=None, backend=None)
    assert settings.index_dir == Path(tmp_path / "i")
    assert settings.backend == settings_from().backend


def test_no_progress_bar_when_not_a_terminal():
    # pytest captures stderr, so it is not a terminal here
    with progress_if_terminal("Indexing") as progress:
        assert progress is None
    with progress_if_terminal("Indexing", enabled=False) as progress:
        assert progress is None


def test_bars_are_silent_off_a_terminal_and_draw_on_one(monkeypatch, capsys):
    from assistant.cli.options import progress_bars

    with progress_bars() as bars:  # not a terminal: every bar is a no-op
        bars.fraction("Indexing")("Embedding", 0.5)
        bars.counter("Questions", 3)()
        bars.stages()("Fetching", 1, 2)
    assert capsys.readouterr().err == ""

    import io

    from rich.console import Console

    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    out = io.StringIO()
    with progress_bars(console=Console(file=out, force_terminal=True, width=80), transient=False) as bars:
        advance = bars.counter("Questions", 2)
        advance()
        advance()
    assert "Questions" in out.getvalue() and "2/2" in out.getvalue()
