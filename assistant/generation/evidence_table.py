"""The evidence table of an answer: one row per cited study (digest entry or abstract).

Each row says which study (first author, year, link), what kind of evidence it is, in what model
(species or population), which MSC source, the route and dose where the text states them, and the
finding the answer cited. Everything comes from the source's fields and the cited text; nothing is
inferred beyond what they state (a field the text does not state stays empty).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.types import EVIDENCE_KINDS, Citation

_STUDY_KINDS = ("study_digest", "abstract")

#: (kind, model) by evidence label, from the one table of evidence kinds
_EVIDENCE_LABELS = {label: (kind.table_kind, kind.table_model) for label, kind in EVIDENCE_KINDS.items()}

_ROUTES = re.compile(
    r"\b(intraperitoneal(?:ly)?|intravenous(?:ly)?|intrauterine|subcutaneous(?:ly)?|intramuscular(?:ly)?|"
    r"tail[- ]vein|uterine[- ]horn|intra-?endometrial|local(?:ly)? injected|infusion|perfusion)\b",
    re.IGNORECASE,
)
_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:x|×)\s*10\^?\s*\d+(?:\s*cells?)?(?:/kg)?|\b\d+(?:\.\d+)?\s*(?:mg|µg|μg|ug|ml|mL)(?:/kg)?\b|"
    r"\b(?:high|low|single|repeated|two|three) doses?\b",
    re.IGNORECASE,
)
_COUNT = re.compile(r"\b(\d+)\s+(women|patients|participants|mice|rats|couples|cases)\b", re.IGNORECASE)
_STRAIN = re.compile(
    r"\bCBA/J\s*[x×]\s*DBA/2\b|\babortion-prone\b|\bbromocriptine-induced\b|\bLPS-induced\b", re.IGNORECASE
)


def study_rows(citations: list[Citation]) -> list[dict[str, Any]]:
    """Rows for the cited studies, in citation order, one per study."""
    rows: dict[str, dict[str, Any]] = {}
    for citation in citations:
        source = citation.passage.source
        if source.kind.value not in _STUDY_KINDS:
            continue
        row = rows.get(source.id)
        if row is not None:
            if citation.quote and citation.quote not in row["finding"]:
                row["finding"] = f"{row['finding']} {citation.quote}".strip()
            if citation.n not in row["citations"]:
                row["citations"].append(citation.n)
            continue
        rows[source.id] = _row(citation)
    return list(rows.values())


def _row(citation: Citation) -> dict[str, Any]:
    source = citation.passage.source
    extra = dict(source.extra)
    text = f"{citation.passage.text} {citation.quote}"
    kind, model = _EVIDENCE_LABELS.get((source.evidence or "").lower(), (source.evidence or source.kind.label, ""))
    counted = _COUNT.search(text)
    if counted:
        model = f"{counted.group(1)} {counted.group(2)}"
    strain = _STRAIN.search(text)
    if strain and model in ("mice", "rats", ""):
        model = f"{model} ({strain.group(0)})".strip() if model else strain.group(0)
    links = source.links
    first_author = extra.get("first_author") or (source.authors[0] if source.authors else "")
    route = ", ".join(dict.fromkeys(m.group(0).lower() for m in _ROUTES.finditer(text)))
    dose = ", ".join(dict.fromkeys(m.group(0) for m in _DOSE.finditer(text)))
    return {
        "source_id": source.id,
        "citations": [citation.n],
        "study": _study_label(first_author, source.year, source.title),
        "first_author": first_author,
        "year": source.year,
        "title": source.title,
        "link": next(iter(links.values()), ""),
        "links": links,
        "evidence": kind,
        "model": model,
        "msc_source": source.msc_source,
        "route": route,
        "dose": dose,
        "route_dose": "; ".join(x for x in (route, dose) if x),
        "finding": citation.quote,
    }


def _study_label(first_author: str, year: int | None, title: str) -> str:
    if first_author:
        return f"{first_author} et al., {year}" if year else f"{first_author} et al."
    return f"{title} ({year})" if year else title
