"""Exporting conversations (Markdown with a reference list, JSON) and recording answer feedback (JSONL).

The text of an export is rendered by `assistant.rendering` (the same renderer as the terminal and the
chat UI, so numbers and escaping agree); this module names the files and stamps them. Used by the
UI's download buttons and thumbs up/down; plain functions over `Answer`s so scripts and tests can
call them too. Feedback goes to one JSONL file inside `settings.feedback_dir`, whose name is
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
from assistant.types import Answer

EXPORT_TITLE = "MSC therapies for recurrent spontaneous abortion: conversation"
FEEDBACK_FILE = "feedback"
_WRITE_LOCK = threading.Lock()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- Markdown and JSON (rendered by assistant.rendering, the one answer renderer) ---------------------
def conversation_markdown(answers: Sequence[Answer], *, title: str = EXPORT_TITLE) -> str:
    """The conversation as Markdown: each question, its cited answer and sources, then one reference list."""
    from assistant.rendering.markdown import conversation_markdown as render

    return render(answers, title=title, exported_at=_now())


def conversation_json(answers: Sequence[Answer]) -> str:
    """The conversation as JSON: every answer's full record (citations, sentences, notices)."""
    from assistant.rendering.json_output import conversation_json as render

    return render(answers, title=EXPORT_TITLE, exported_at=_now(), disclaimer=prompts.DISCLAIMER)


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
