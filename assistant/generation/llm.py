"""The language-model backend: a chat model from settings, called with a hard deadline.

Any OpenAI-compatible endpoint (llama.cpp's `llama-server`, vLLM, Ollama's /v1, OpenAI) goes through
`langchain-openai`'s ChatOpenAI; a local GGUF file is served by llama.cpp's server, not loaded in
process. The HTTP client's own `timeout` and `max_retries` bound a
call (`llm_timeout_s` covers all attempts), so a stuck endpoint never stalls an answer. Failures
become `GenerationError`s whose message is a short fixed reason (never the endpoint's text, the
URL or the key), which the chain turns into the extractive answer plus a one-line notice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from assistant.errors import ConfigurationError, GenerationError
from assistant.generation import prompts
from assistant.settings import Settings

#: Endpoints that need no key (llama.cpp, vLLM, Ollama) still get a placeholder: the client insists.
_NO_KEY = "not-needed"


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings describe; raises ConfigurationError when none is configured."""
    if settings.llm_configured:
        return openai_compatible_model(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            # llm_timeout_s covers every attempt together
            timeout_s=settings.llm_timeout_s / (settings.llm_max_retries + 1),
            max_retries=settings.llm_max_retries,
            temperature=settings.llm_temperature,
        )
    raise ConfigurationError(
        "The LLM backend was requested but no language model is configured.",
        hint="Set RSA_LLM_BASE_URL to an OpenAI-compatible endpoint (for a GGUF file, llama.cpp's "
        "llama-server at http://127.0.0.1:8080/v1), or use RSA_BACKEND=extractive.",
    )


def make_judge_model(settings: Settings) -> BaseChatModel:
    """The entailment judge's chat model (RSA_JUDGE_*): its own endpoint, model and key, one attempt
    within `judge_timeout_s` (a judge that fails leaves the rules' verdict, so retrying buys nothing),
    and temperature 0 (the same reply for the same evidence)."""
    if not settings.judge_base_url:
        raise ConfigurationError(
            "The entailment judge was requested but RSA_JUDGE_BASE_URL is not set.",
            hint="Set RSA_JUDGE_BASE_URL to an OpenAI-compatible endpoint, or leave the judge off.",
        )
    return openai_compatible_model(
        base_url=settings.judge_base_url,
        model=settings.judge_model,
        api_key=settings.judge_api_key,
        timeout_s=settings.judge_timeout_s,
        max_retries=0,
        temperature=0.0,
    )


def openai_compatible_model(
    *,
    base_url: str | None,
    model: str,
    api_key: SecretStr | None,
    timeout_s: float,
    max_retries: int,
    temperature: float,
) -> BaseChatModel:
    """The one place a chat-model client is built (answers, condensing and the judge alike).

    `timeout_s` and `max_retries` are the HTTP client's own, per attempt: a stuck endpoint never
    stalls an answer. An endpoint without a key gets a placeholder, which the client insists on.
    """
    from langchain_openai import ChatOpenAI

    key = api_key.get_secret_value() if api_key else _NO_KEY
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=key,
        timeout=timeout_s,
        max_retries=max_retries,
        temperature=temperature,
    )


# -- messages ------------------------------------------------------------------------------------------
def answer_messages(question: str, sources: str, max_sentences: int) -> list[BaseMessage]:
    return [
        SystemMessage(prompts.system_prompt(max_sentences)),
        HumanMessage(prompts.user_prompt(sources, question)),
    ]


def condense_messages(question: str, history: Sequence[Any], answer_chars: int = 400) -> list[BaseMessage]:
    turns = "\n".join(
        prompts.HISTORY_TURN.format(question=turn.question, answer=(turn.answer or "")[:answer_chars])
        for turn in history[-3:]
    )
    return [HumanMessage(prompts.condense_prompt(turns, question))]


# -- calling with a deadline --------------------------------------------------------------------------
def stream_text(model: BaseChatModel, messages: list[BaseMessage], timeout_s: float) -> Iterator[str]:
    """Text pieces as the model streams them; GenerationError when it fails or `timeout_s` passes.

    The HTTP client's own timeout and retries (set in `make_chat_model`) bound every request; the
    deadline is also checked between pieces, so a reply that trickles in too slowly is cut off too.
    """
    deadline = time.monotonic() + timeout_s
    try:
        for chunk in model.stream(messages):
            text = _content(chunk)
            if text:
                yield text
            if time.monotonic() > deadline:
                raise GenerationError(prompts.REASON_TIMEOUT.format(seconds=timeout_s))
    except GenerationError:
        raise
    except Exception as exc:
        raise to_generation_error(exc, timeout_s) from None


def invoke_text(model: BaseChatModel, messages: list[BaseMessage], timeout_s: float) -> str:
    """The model's whole (non-streamed) reply, under the client's timeout and the same error mapping."""
    started = time.monotonic()
    try:
        text = _content(model.invoke(messages))
    except GenerationError:
        raise
    except Exception as exc:
        raise to_generation_error(exc, timeout_s) from None
    if time.monotonic() - started > timeout_s:
        raise GenerationError(prompts.REASON_TIMEOUT.format(seconds=timeout_s))
    return text


def _content(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    raise GenerationError(prompts.REASON_MALFORMED)


def to_generation_error(exc: BaseException, timeout_s: float) -> GenerationError:
    """A fixed, secret-free reason for a failed call (the endpoint's own text is never shown)."""
    if isinstance(exc, GenerationError):
        return exc
    import openai  # langchain-openai depends on it

    if isinstance(exc, openai.APITimeoutError):
        return GenerationError(prompts.REASON_TIMEOUT.format(seconds=timeout_s))
    if isinstance(exc, openai.APIConnectionError):
        return GenerationError(prompts.REASON_UNREACHABLE)
    if isinstance(exc, openai.APIStatusError):
        return GenerationError(prompts.REASON_HTTP.format(status=exc.status_code))
    if isinstance(exc, (openai.APIResponseValidationError, openai.APIError)):
        return GenerationError(prompts.REASON_MALFORMED)
    if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError)):
        # JSON decoding and missing-field errors from a reply that is not what the API promises
        return GenerationError(prompts.REASON_MALFORMED)
    if isinstance(exc, (ConnectionError, OSError)):
        return GenerationError(prompts.REASON_UNREACHABLE)
    return GenerationError(prompts.REASON_OTHER.format(kind=type(exc).__name__))
