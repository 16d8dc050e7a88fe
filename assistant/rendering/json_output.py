"""The answer and the conversation as JSON (`ask --json`, the chat's "Download JSON").

The shape is `Answer.to_dict()`. JSON strings are data, not markup, so text stays as written; links
are `Source.links` (identifier resolvers or the source's own http(s) URL only). C1 control
characters, which `json.dumps(ensure_ascii=False)` would emit raw and some terminals obey, are written
as \\u escapes so printing the JSON is as safe as printing the text answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from assistant.types import Answer

_C1 = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def dumps(payload: Any) -> str:
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    return _C1.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)


def answer_json(answer: Answer) -> str:
    return dumps(answer.to_dict())


def conversation_json(answers: Sequence[Answer], *, title: str, exported_at: str, disclaimer: str) -> str:
    return dumps(
        {
            "title": title,
            "exported_at": exported_at,
            "disclaimer": disclaimer,
            "turns": [answer.to_dict() for answer in answers],
        }
    )
