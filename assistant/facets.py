"""Filter choices offered by the UI: the distinct kinds, evidence kinds, MSC sources and years of an index.

Everything is read from the loaded index's sources, so a new corpus brings its own choices. MSC
sources are free text in the corpus ("bone marrow (exosomes)", "autologous bone marrow", ...);
`msc_source_categories` groups them under the shortest other value they contain, and each category
carries the raw values it covers, which work as `msc_source` substring filters in retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.types import Source, SourceKind

#: Values that mean "no MSC source" rather than naming one; they are not offered as choices.
_ABSENT = {"", "none", "n/a", "na", "unknown", "not applicable"}


@dataclass(frozen=True)
class Facets:
    """The filter choices of one index."""

    kinds: tuple[SourceKind, ...] = ()
    evidence: tuple[str, ...] = ()
    msc_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None

    def filters(
        self,
        *,
        kinds: Iterable[str | SourceKind] = (),
        evidence: Iterable[str] = (),
        msc_sources: Iterable[str] = (),
        years: tuple[int, int] | None = None,
    ) -> dict[str, Any]:
        """Retrieval filters for the chosen values; empty choices and the full year span add nothing."""
        filters: dict[str, Any] = {}
        chosen_kinds = [getattr(kind, "value", str(kind)) for kind in kinds]
        if chosen_kinds:
            filters["kind"] = chosen_kinds
        if list(evidence):
            filters["evidence"] = list(evidence)
        raw: list[str] = []
        for category in msc_sources:
            raw.extend(self.msc_sources.get(category, (category,)))
        if raw:
            filters["msc_source"] = sorted(set(raw))
        if years and self.year_min is not None and self.year_max is not None:
            low, high = int(years[0]), int(years[1])
            if low > self.year_min:
                filters["year_min"] = low
            if high < self.year_max:
                filters["year_max"] = high
        return filters


def _normalise(value: str) -> str:
    """Lower case, no parenthetical remarks, hyphens as spaces, single spaces."""
    value = re.sub(r"\([^)]*\)", " ", value.lower())
    value = value.replace("-", " ")
    return " ".join(value.split())


def _contains_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text) is not None


def msc_source_categories(values: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Category -> the raw lower-cased values it covers (each usable as a substring filter).

    A value falls under the shortest other normalised value it contains as a phrase, so
    "autologous bone-marrow mononuclear cells" joins "bone marrow" and "endometrial / menstrual blood"
    joins "menstrual blood"; values that contain no other value are categories of their own.
    """
    raw_values = sorted({value.strip().lower() for value in values if value and value.strip()})
    normalised = {raw: _normalise(raw) for raw in raw_values}
    bases = sorted({norm for norm in normalised.values() if norm not in _ABSENT}, key=lambda n: (len(n), n))
    groups: dict[str, list[str]] = {}
    for raw, norm in normalised.items():
        if norm in _ABSENT:
            continue
        category = next((base for base in bases if base != norm and _contains_phrase(norm, base)), norm)
        groups.setdefault(category, []).append(raw)
    return {category: tuple(sorted(groups[category])) for category in sorted(groups)}


def facets_of_sources(sources: Iterable[Source]) -> Facets:
    """The filter choices of a collection of sources."""
    sources = list(sources)
    kinds = sorted({source.kind for source in sources}, key=lambda kind: list(SourceKind).index(kind))
    evidence = sorted({source.evidence.strip().lower() for source in sources if source.evidence.strip()})
    years = [source.year for source in sources if source.year]
    return Facets(
        kinds=tuple(kinds),
        evidence=tuple(evidence),
        msc_sources=msc_source_categories(source.msc_source for source in sources),
        year_min=min(years) if years else None,
        year_max=max(years) if years else None,
    )


def facets_of(index: Any) -> Facets:
    """The filter choices of a loaded index (anything with a `sources` mapping of id -> Source)."""
    sources: Mapping[str, Source] | Sequence[Source] = index.sources
    return facets_of_sources(sources.values() if isinstance(sources, Mapping) else sources)
