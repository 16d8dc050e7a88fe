"""Retrieval filters: validated once into a typed, frozen `Filters` (kind, evidence, MSC source, years, ids).

Foundation layer: the chain builds the `Question` (with its `Filters`) before retrieval runs, and the
CLI, the UI and scripts pass filters as plain mappings; `parse_filters` is the one validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.errors import InvalidFilterError
from assistant.types import Filters, SourceKind

__all__ = ["FILTER_KEYS", "normalize_filters", "parse_filters"]

FILTER_KEYS = ("kind", "evidence", "msc_source", "year", "year_min", "year_max", "source_id")


def normalize_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate filters; values may be one value or a list (any of them matches)."""
    if not filters:
        return {}
    clean: dict[str, Any] = {}
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            raise InvalidFilterError(f"Unknown filter '{key}'.", hint=f"Use one of: {', '.join(FILTER_KEYS)}.")
        if value is None or value == [] or value == "":
            continue
        if key in ("year_min", "year_max"):
            if isinstance(value, (list, tuple)) and len(value) == 1:
                value = value[0]  # one bound given as a list (query strings, repeatable CLI options)
            clean[key] = _as_year(key, value)
            continue
        values = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        if key == "year":
            clean[key] = [_as_year(key, v) for v in values]
        elif key == "kind":
            allowed = {k.value for k in SourceKind if k is not SourceKind.GLOSSARY}  # cited, never searched
            kinds = [getattr(v, "value", str(v)).strip().lower().replace(" ", "_") for v in values]
            bad = [k for k in kinds if k not in allowed]
            if bad:
                raise InvalidFilterError(
                    f"Unknown source kind {bad[0]!r}.", hint=f"Use one of: {', '.join(sorted(allowed))}."
                )
            clean[key] = kinds
        else:
            clean[key] = [str(v).strip().lower() for v in values if str(v).strip()]
    return clean


def parse_filters(filters: Filters | Mapping[str, Any] | None) -> Filters:
    """Validated, typed filters (an `InvalidFilterError` says which key or value to fix)."""
    if isinstance(filters, Filters):
        return filters
    clean = normalize_filters(filters)
    return Filters(
        kind=tuple(clean.get("kind", ())),
        evidence=tuple(clean.get("evidence", ())),
        msc_source=tuple(clean.get("msc_source", ())),
        year=tuple(clean.get("year", ())),
        year_min=clean.get("year_min"),
        year_max=clean.get("year_max"),
        source_id=tuple(clean.get("source_id", ())),
    )


def _as_year(key: str, value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidFilterError(f"Filter '{key}' must be a year like 2019, not {value!r}.") from None
    if not 1800 <= year <= 2200:
        raise InvalidFilterError(f"Filter '{key}' must be a year like 2019, not {value!r}.")
    return year
