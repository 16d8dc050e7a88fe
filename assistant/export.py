"""Exporting conversations (Markdown with a reference list, JSON) and recording answer feedback (JSONL).

Used by the UI's download buttons and thumbs up/down; plain functions over `Answer`s so scripts and
tests can call them too. Feedback goes to one JSONL file inside `settings.feedback_dir`, whose name is
sanitised so that no user-controlled string can point outside that folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.errors import ConfigurationError
from assistant.generation import prompts
from assistant.types import Answer, Citation, Source

EXPORT_TITLE = "MSC therapies for recurrent spontaneous abortion: conversation"
FEEDBACK_FILE = "feedback"
_WRITE_LOCK = threading.Lock()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- Markdown -----------------------------------------------------------------------------------------
def _reference_line(source: Source) -> str:
    """One bibliography entry: authors (year). Title. Journal. Identifier links."""
    authors = ", ".join(source.authors[:3]) + (" et al." if len(source.authors) > 3 else "")
    head = " ".join(part for part in (authors, f"({source.year})" if source.year else "") if part)
    parts = [part for part in (head, source.title, source.journal) if part]
    text = ". ".join(part.rstrip(".") for part in parts) + "."
    links = " · ".join(f"[{name} {_identifier(source, name)}]({url})" for name, url in source.links.items())
    return f"{text} {links}".strip()


def _identifier(source: Source, link_name: str) -> str:
    return {"DOI": source.doi, "PMID": source.pmid, "PMCID": source.pmcid, "Trial": source.trial_id}.get(link_name, "")


def _sentences_markdown(answer: Answer) -> str:
    if answer.refused or not answer.sentences:
        return answer.text
    pieces = []
    for sentence in answer.sentences:
        marks = "".join(f"[{n}]" for n in sentence.citations)
        flag = "" if sentence.supported else " *(not supported by the cited source)*"
        pieces.append(f"{sentence.text} {marks}{flag}".strip())
    return " ".join(pieces)


def _citation_markdown(citation: Citation, reference_number: int) -> list[str]:
    source = citation.passage.source
    meta = ", ".join(str(x) for x in (source.kind.label, source.evidence, source.year) if x)
    lines = [f"- **[{citation.n}]** {source.title} — {citation.passage.section} ({meta}); reference {reference_number}"]
    lines.append(f"  > {' '.join(citation.quote.split())}")
    for reference in citation.references:
        ids = ", ".join(x for x in (f"PMID {reference.pmid}" if reference.pmid else "",
                                    f"DOI {reference.doi}" if reference.doi else "") if x)
        lines.append(f"  - cites [{reference.number}] {reference.text}" + (f" ({ids})" if ids else ""))
    return lines


def conversation_markdown(answers: Sequence[Answer], *, title: str = EXPORT_TITLE) -> str:
    """The conversation as Markdown: each question, its cited answer and sources, then one reference list."""
    references: dict[str, int] = {}
    sources: list[Source] = []
    lines = [f"# {title}", "", f"_Exported {_now()}. {prompts.DISCLAIMER}_", ""]
    for number, answer in enumerate(answers, 1):
        lines += [f"## {number}. {answer.question}", ""]
        if answer.searched_query and answer.searched_query != answer.question:
            lines += [f"_{prompts.FOLLOW_UP_SEARCHED.format(query=answer.searched_query)}_", ""]
        if answer.notice:
            lines += [f"> **Note:** {answer.notice}", ""]
        lines += [_sentences_markdown(answer), ""]
        if answer.citations:
            lines += ["**Sources**", ""]
            for citation in answer.citations:
                source = citation.passage.source
                if source.id not in references:
                    references[source.id] = len(references) + 1
                    sources.append(source)
                lines += _citation_markdown(citation, references[source.id])
            lines.append("")
    if sources:
        lines += ["## References", ""]
        lines += [f"{i}. {_reference_line(source)}" for i, source in enumerate(sources, 1)]
        lines.append("")
    return "\n".join(lines)


# -- JSON ---------------------------------------------------------------------------------------------
def conversation_json(answers: Sequence[Answer]) -> str:
    """The conversation as JSON: every answer's full record (citations, sentences, notices)."""
    payload = {
        "title": EXPORT_TITLE,
        "exported_at": _now(),
        "disclaimer": prompts.DISCLAIMER,
        "turns": [answer.to_dict() for answer in answers],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


# -- feedback -----------------------------------------------------------------------------------------
def safe_filename(name: str, default: str = FEEDBACK_FILE) -> str:
    """A plain file-name stem: letters, digits, '-' and '_' only (no separators, no dots, no '..')."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", str(name or "")).strip("_-")[:64]
    return stem or default


def feedback_path(feedback_dir: Path, name: str = FEEDBACK_FILE) -> Path:
    """The JSONL file for `name`, guaranteed to lie directly inside `feedback_dir`."""
    folder = Path(feedback_dir).resolve()
    path = (folder / f"{safe_filename(name)}.jsonl").resolve()
    if path.parent != folder:  # cannot happen after sanitising; kept as a guard
        raise ConfigurationError(f"Refusing to write feedback outside {folder}.")
    return path


def feedback_record(
    answer: Answer, rating: str, *, session: str = "", comment: str = "", extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What one thumbs up/down stores: when, the question, the answer, its citations and the rating."""
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
    return {
        "timestamp": _now(),
        "session": session,
        "rating": rating,
        "question": answer.question,
        "searched_query": answer.searched_query,
        "answer": answer.text,
        "refused": answer.refused,
        "backend": answer.backend,
        "citations": [
            {key: value for key, value in citation.to_dict().items() if key != "passage"}
            for citation in answer.citations
        ],
        "comment": comment,
        **dict(extra or {}),
    }


def append_feedback(feedback_dir: Path, record: Mapping[str, Any], name: str = FEEDBACK_FILE) -> Path:
    """Append one record as a JSON line; safe with several sessions writing at once."""
    path = feedback_path(feedback_dir, name)
    line = json.dumps(dict(record), ensure_ascii=False, default=str) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _WRITE_LOCK, open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError as exc:
        raise ConfigurationError(
            f"Could not save feedback to {path} ({exc.strerror or exc}).",
            hint="Set RSA_FEEDBACK_DIR to a writable folder.",
        ) from None
    return path
