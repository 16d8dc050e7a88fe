"""The optional entailment judge: a second opinion on clauses the rules let through.

Any OpenAI-compatible endpoint (`RSA_JUDGE_BASE_URL`, `RSA_JUDGE_MODEL`, `RSA_JUDGE_API_KEY`,
`RSA_JUDGE_TIMEOUT_S`) is asked, with the prompt in `generation/prompts.py`, whether the evidence alone
entails the clause. It can only veto: "NOT_ENTAILED" (or any reply that is not "ENTAILED") turns a
supported clause unsupported; an endpoint that fails or times out leaves the rules' verdict.
"""

from __future__ import annotations

from functools import lru_cache

from assistant.errors import GenerationError
from assistant.generation import prompts
from assistant.settings import Settings

_NO_KEY = "not-needed"


def make_judge(settings: Settings):
    """A `(clause, evidence) -> bool` callable for the settings' judge endpoint (cached per pair)."""
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    from assistant.generation.llm import invoke_text

    key = settings.judge_api_key.get_secret_value() if settings.judge_api_key else _NO_KEY
    model = ChatOpenAI(
        model=settings.judge_model,
        base_url=settings.judge_base_url,
        api_key=key,
        timeout=settings.judge_timeout_s,
        max_retries=0,
        temperature=0.0,
    )

    @lru_cache(maxsize=4096)
    def judge(clause: str, evidence: str) -> bool:
        try:
            reply = invoke_text(model, [HumanMessage(prompts.judge_prompt(clause, evidence))], settings.judge_timeout_s)
        except GenerationError:
            return True  # no second opinion: the rules' verdict stands
        word = reply.strip().upper().replace(" ", "_")
        return word.startswith("ENTAILED")

    return judge
