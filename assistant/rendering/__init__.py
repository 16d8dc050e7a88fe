"""The one answer renderer: terminal (rich), Markdown (export) and JSON, over one view of an answer.

    view.py        sources grouped by number (one number per source), bylines, safe identifier links
    sanitize.py    untrusted text made inert: Markdown escaping, visible terminal controls, http(s)-only links
    terminal.py    `print_answer` for `rsa-assistant ask` (rich Text objects, never rich markup)
    markdown.py    `conversation_markdown` for the export file
    studies.py     the evidence table (`Answer.studies`) as rows and as a Markdown table
    json_output.py `answer_json` / `conversation_json`

The CLI, the export module and the chat UI (`ui/components.py`, which adds Streamlit's own markup on
top of `view` and `sanitize`) all render through here, so an answer reads the same everywhere.
Nothing heavy is imported at package import (rich only when printing).
"""

from __future__ import annotations

from assistant.rendering.json_output import answer_json, conversation_json
from assistant.rendering.markdown import conversation_markdown
from assistant.rendering.terminal import print_answer
from assistant.rendering.view import AnswerView, SourceView, answer_view

__all__ = [
    "AnswerView",
    "SourceView",
    "answer_json",
    "answer_view",
    "conversation_json",
    "conversation_markdown",
    "print_answer",
]
