"""What the command line checks around a call: filter syntax and values, usage errors, index freshness.

Kept out of `assistant/cli/commands.py` so the commands stay "parse, call, render"; nothing here
imports a heavy library (the `--help` path imports this module).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.errors import InvalidFilterError

#: Filters that take one value; the others may be repeated (any of the values matches).
SINGLE_VALUED = ("year_min", "year_max")


def parse_filters(items: list[str]) -> dict[str, Any]:
    """`--filter KEY=VALUE` options as retrieval filters: lists for repeatable keys, one value for bounds."""
    filters: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise InvalidFilterError(
                f"Filter {item!r} is not KEY=VALUE.", hint="Example: --filter evidence=preclinical-mouse"
            )
        if key in SINGLE_VALUED:
            if key in filters:
                raise InvalidFilterError(
                    f"Filter '{key}' is given twice ({filters[key]}, {value}).", hint="Give it once."
                )
            filters[key] = value
        else:
            filters.setdefault(key, []).append(value)
    return filters


def check_filter_values(filters: Mapping[str, Any], facets: Any) -> None:
    """Refuse filter values the index does not hold, listing the ones it does (from its facets).

    An unknown `evidence` value would otherwise match nothing and end in a refusal that looks like
    "the sources do not cover this".
    """

    def values(key: str) -> list[str]:
        raw = filters.get(key) or []
        return [str(v).strip().lower() for v in (raw if isinstance(raw, (list, tuple, set)) else [raw])]

    known_evidence = [value.lower() for value in facets.evidence]
    for value in values("evidence"):
        if value not in known_evidence:
            raise InvalidFilterError(
                f"No source has evidence '{value}'.",
                hint=f"Use one of: {', '.join(known_evidence) or '(none indexed)'}.",
            )
    raw_sources = [raw for group in facets.msc_sources.values() for raw in group]
    for value in values("msc_source"):
        if not any(value in raw for raw in raw_sources):
            raise InvalidFilterError(
                f"No source names the MSC source '{value}'.",
                hint=f"Use one of: {', '.join(facets.msc_sources) or '(none indexed)'}.",
            )
    known_kinds = [kind.value for kind in facets.kinds]
    for value in values("kind"):
        if value.replace(" ", "_") not in known_kinds:
            raise InvalidFilterError(
                f"No source of kind '{value}' is indexed.", hint=f"Use one of: {', '.join(known_kinds)}."
            )


def stale_index_warning(settings: Any) -> str | None:
    """One line when answers come from an index older than the corpus (or after a failed build)."""
    try:
        from assistant.indexing.build import index_status, last_failure

        failure = last_failure(settings)
        status = index_status(settings)
    except Exception:  # a warning must never turn an answer into an error
        return None
    if failure:
        return (
            f"warning: the last index build failed ({failure.get('error', '')}); answers come from the build of "
            f"{status.get('built_at', 'an earlier run')}. Fix the problem and run `rsa-assistant index`."
        )
    if status.get("exists") and status.get("stale"):
        return (
            f"warning: the index is out of date ({status.get('reason')}); answers come from the build of "
            f"{status.get('built_at', 'an earlier run')}. Run `rsa-assistant index`."
        )
    return None


def usage_error_line(exc: BaseException) -> str | None:
    """One line for a command-line usage error (unknown option, missing or bad argument), else None."""
    import click

    kinds: tuple[type[BaseException], ...] = (click.exceptions.UsageError,)
    try:
        from typer._click.exceptions import UsageError as TyperUsageError

        kinds += (TyperUsageError,)
    except ImportError:  # typer versions that use click itself
        pass
    if not isinstance(exc, kinds):
        return None
    command = ""
    context = getattr(exc, "ctx", None)
    if context is not None:
        command = context.command_path
    message = " ".join(getattr(exc, "format_message", lambda: str(exc))().split())
    return f"error: {message}" + (f" (see `{command} --help`)" if command else "")


def hide_flag_types() -> None:
    """Typer's rich help prints the type of every option, "<bool>" beside on/off flags included.

    A flag takes no value, so it shows none; options that take a value keep theirs.
    """
    try:
        from typer.core import TyperOption
    except ImportError:
        return
    original = getattr(TyperOption, "display_type_rich", None)
    if original is None or getattr(original, "_flags_hidden", False):
        return

    def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
        if getattr(self, "is_flag", False):
            return None
        return original(self, ctx)

    display_type_rich._flags_hidden = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("msc-rsa-assistant")
    except PackageNotFoundError:
        return "unknown"
