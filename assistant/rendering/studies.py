"""The answer's evidence table (`Answer.studies`, one row per cited study) as plain rows and as Markdown.

The rows come from the answer path; this module only lays them out. Each cell is untrusted text and
is escaped; the study cell links to the study's identifier resolver when it has a safe link.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.rendering.sanitize import markdown_link, table_cell

#: (row key, column heading), in display order; a column appears when any row has a value for it.
COLUMNS = (
    ("study", "Study"),
    ("evidence", "Evidence"),
    ("model", "Model"),
    ("msc_source", "MSC source"),
    ("route_dose", "Route / dose"),
    ("finding", "Finding"),
)


def study_rows(answer: Any) -> list[dict[str, Any]]:
    """The answer's evidence-table rows as dicts (empty when the answer carries none)."""
    rows = []
    for row in getattr(answer, "studies", None) or ():
        data = row.to_dict() if hasattr(row, "to_dict") else dict(row) if isinstance(row, Mapping) else {}
        if data:
            if "route_dose" not in data:  # the table shows route and dose in one column
                data["route_dose"] = "; ".join(str(data[k]) for k in ("route", "dose") if data.get(k))
            rows.append(data)
    return rows


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def study_link(row: Mapping[str, Any]) -> str:
    """The study's link (`link`, else the first of `links`, else `url`), if the row carries one."""
    if isinstance(row.get("link"), str) and row["link"]:
        return row["link"]
    links = row.get("links") or {}
    if isinstance(links, Mapping):
        for url in links.values():
            if isinstance(url, str):
                return url
    return str(row.get("url") or "")


def columns_of(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(key, heading) for key, heading in COLUMNS if any(_text(row.get(key)) for row in rows)]


def studies_markdown(answer: Any) -> str:
    """The evidence table as a GFM table, or "" when the answer has no study rows."""
    rows = study_rows(answer)
    columns = columns_of(rows)
    if not rows or not columns:
        return ""
    lines = [
        "**Studies cited**",
        "",
        "| " + " | ".join(heading for _, heading in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in rows:
        cells = []
        for key, _ in columns:
            text = _text(row.get(key))
            if key == "study" and text and study_link(row):
                cells.append(markdown_link(text, study_link(row), escape=table_cell))
            else:
                cells.append(table_cell(text))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
