"""The answer and the conversation as JSON (`ask --json`, the chat's "Download JSON").

The shape is `Answer.to_dict()`. JSON strings are data, not markup, so text stays as written; links
are `Source.links` (identifier resolvers or the source's own http(s) URL only), and the evidence
table's `link`/`url`/`links` fields are checked again here (a row from a saved or hand-made answer
may carry any string; a `javascript:` one is dropped, not exported). C1 control
characters, which `json.dumps(ensure_ascii=False)` would emit raw and some terminals obey, are written
as \\u escapes so printing the JSON is as safe as printing the text answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from assistant.types import Answer
from assistant.urls import safe_http_url

_C1 = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def dumps(payload: Any) -> str:
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    return _C1.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)


def _safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """An evidence-table row whose link fields hold only plain http(s) URLs ("" / dropped otherwise)."""
    row = dict(row)
    for key in ("link", "url"):
        if isinstance(row.get(key), str):
            row[key] = safe_http_url(row[key])
    if isinstance(row.get("links"), dict):
        row["links"] = {name: url for name, url in row["links"].items() if isinstance(url, str) and safe_http_url(url)}
    return row


def _answer_dict(answer: Answer) -> dict[str, Any]:
    data = answer.to_dict()
    data["studies"] = [_safe_row(row) if isinstance(row, dict) else row for row in data.get("studies") or []]
    return data


def answer_json(answer: Answer) -> str:
    return dumps(_answer_dict(answer))


def conversation_json(answers: Sequence[Answer], *, title: str, exported_at: str, disclaimer: str) -> str:
    return dumps(
        {
            "title": title,
            "exported_at": exported_at,
            "disclaimer": disclaimer,
            "turns": [_answer_dict(answer) for answer in answers],
        }
    )
