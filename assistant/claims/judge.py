"""The optional entailment judge: a second opinion on what the rules let through. It can only veto.

Any OpenAI-compatible endpoint (`RSA_JUDGE_BASE_URL`, `RSA_JUDGE_MODEL`, `RSA_JUDGE_API_KEY`,
`RSA_JUDGE_TIMEOUT_S`) is asked, with the prompts in `generation/prompts.py`; its client is built by
`generation/llm.py` (`make_judge_model`), the one place a chat-model client is built.

- `make_batch_judge`: every sentence of one answer, each with its cited evidence, in ONE call; the
  reply says yes or no per numbered sentence and any "no" vetoes that sentence
  (`verification.veto_by_judge` applies it). A judge that fails, times out or answers none of the
  numbers gives None: no sentence is vetoed, and the caller shows a notice.
- `make_judge`: one clause at a time, for `claims.Checker` ("NOT_ENTAILED", or any reply that is not
  "ENTAILED", turns a supported clause unsupported; a failing endpoint leaves the rules' verdict).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.errors import GenerationError
from assistant.generation import prompts
from assistant.settings import Settings

if TYPE_CHECKING:  # an annotation only
    from assistant.verification import SentenceJudge

#: "1: yes", "2. No", "[3] NO", "Sentence 4 - yes" at the start of a reply line
_VERDICT_LINE = re.compile(r"^\W*(?:sentence\s*)?(\d+)\W*(yes|no)\b", re.IGNORECASE | re.MULTILINE)


def make_batch_judge(settings: Settings) -> SentenceJudge:
    """A `verification.SentenceJudge` for the settings' judge endpoint: one request per call (per answer).

    It returns one verdict per (sentence, evidence) pair, False where the judge said no, or None when
    the judge could not be asked or its reply answered none of the sentences."""
    from langchain_core.messages import HumanMessage

    from assistant.generation.llm import invoke_text, make_judge_model

    model = make_judge_model(settings)

    def judge(items: Sequence[tuple[str, str]]) -> list[bool] | None:
        if not items:
            return []
        message = HumanMessage(prompts.batch_judge_prompt(items))
        try:
            reply = invoke_text(model, [message], settings.judge_timeout_s)
        except GenerationError:
            return None  # no second opinion: the rules' verdicts stand, and the caller says so
        return parse_batch_reply(reply, len(items))

    return judge


def parse_batch_reply(reply: str, count: int) -> list[bool] | None:
    """One verdict per numbered sentence: only an explicit "no" is False (the judge can only veto).

    A sentence the reply does not mention keeps the rules' verdict; a reply that mentions none of the
    numbers is not an answer (None), so it is treated like a judge that failed.
    """
    said: dict[int, bool] = {}
    for number, word in _VERDICT_LINE.findall(reply):
        index = int(number) - 1
        if 0 <= index < count and index not in said:
            said[index] = word.lower() == "yes"
    if not said:
        return None
    return [said.get(index, True) for index in range(count)]


def make_judge(settings: Settings) -> Callable[[str, str], bool]:
    """A `(clause, evidence) -> bool` callable for the settings' judge endpoint (cached per pair)."""
    from langchain_core.messages import HumanMessage

    from assistant.generation.llm import invoke_text, make_judge_model

    model = make_judge_model(settings)

    @lru_cache(maxsize=4096)
    def judge(clause: str, evidence: str) -> bool:
        try:
            reply = invoke_text(model, [HumanMessage(prompts.judge_prompt(clause, evidence))], settings.judge_timeout_s)
        except GenerationError:
            return True  # no second opinion: the rules' verdict stands
        word = reply.strip().upper().replace(" ", "_")
        return word.startswith("ENTAILED")

    return judge
