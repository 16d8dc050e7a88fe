"""The language-model backend: a chat model from settings, called with a hard deadline.

Any OpenAI-compatible endpoint (llama.cpp server, vLLM, Ollama's /v1, OpenAI) goes through
`langchain-openai`'s ChatOpenAI; a local GGUF file goes through llama-cpp-python (the optional
`gguf` extra, imported only when used). Every call runs in a worker thread and is abandoned when
`llm_timeout_s` has passed, retries included, so a stuck endpoint never stalls an answer. Failures
become `GenerationError`s whose message is a short fixed reason (never the endpoint's text, the
URL or the key), which the chain turns into the extractive answer plus a one-line notice.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.errors import ConfigurationError, GenerationError
from assistant.generation import prompts
from assistant.settings import Settings

#: Endpoints that need no key (llama.cpp, vLLM, Ollama) still get a placeholder: the client insists.
_NO_KEY = "not-needed"


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings describe; raises ConfigurationError when none is configured."""
    if settings.llm_base_url:
        return _openai_compatible(settings)
    if settings.llm_gguf_path:
        return _gguf(settings)
    raise ConfigurationError(
        "The LLM backend was requested but no language model is configured.",
        hint="Set RSA_LLM_BASE_URL (an OpenAI-compatible endpoint) or RSA_LLM_GGUF_PATH, or use RSA_BACKEND=extractive.",
    )


def _openai_compatible(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else _NO_KEY
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
    )


def _gguf(settings: Settings) -> BaseChatModel:
    try:
        import llama_cpp  # noqa: F401  (the optional extra)
    except ImportError:
        raise ConfigurationError(
            "RSA_LLM_GGUF_PATH is set but llama-cpp-python is not installed.",
            hint="Install the extra: pip install 'msc-rsa-assistant[gguf]', or set RSA_LLM_BASE_URL instead.",
        ) from None
    return LlamaCppChatModel(
        model_path=settings.llm_gguf_path, temperature=settings.llm_temperature, max_tokens=512
    )


class LlamaCppChatModel(BaseChatModel):
    """A local GGUF model through llama-cpp-python's chat completion (loaded once, on first call)."""

    model_path: str
    temperature: float = 0.0
    max_tokens: int = 512
    n_ctx: int = 4096

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _llama(self):
        cached = _LLAMAS.get(self.model_path)
        if cached is None:
            from llama_cpp import Llama

            try:
                cached = _LLAMAS[self.model_path] = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"The GGUF model at RSA_LLM_GGUF_PATH could not be loaded ({type(exc).__name__}).",
                    hint="Check that the path points at a readable .gguf file.",
                ) from None
        return cached

    def _payload(self, messages: list[BaseMessage]) -> list[dict]:
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        return [{"role": roles.get(m.type, "user"), "content": _content(m)} for m in messages]

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        from langchain_core.messages import AIMessage
        from langchain_core.outputs import ChatGeneration, ChatResult

        reply = self._llama().create_chat_completion(
            messages=self._payload(messages), temperature=self.temperature, max_tokens=self.max_tokens, stop=stop
        )
        text = reply["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        for part in self._llama().create_chat_completion(
            messages=self._payload(messages), temperature=self.temperature, max_tokens=self.max_tokens,
            stop=stop, stream=True,
        ):
            text = part["choices"][0].get("delta", {}).get("content") or ""
            if text:
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))


_LLAMAS: dict[str, Any] = {}


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
    """Text pieces as the model streams them; GenerationError when it fails or `timeout_s` passes."""
    pieces: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            for chunk in model.stream(messages):
                pieces.put(("text", _content(chunk)))
            pieces.put(("done", None))
        except BaseException as exc:  # noqa: BLE001  (handed to the caller's thread)
            pieces.put(("error", exc))

    threading.Thread(target=work, name="llm-call", daemon=True).start()
    yield from _drain(pieces, timeout_s)


def invoke_text(model: BaseChatModel, messages: list[BaseMessage], timeout_s: float) -> str:
    """The model's whole (non-streamed) reply, under the same deadline and error mapping."""
    result: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            result.put(("text", _content(model.invoke(messages))))
            result.put(("done", None))
        except BaseException as exc:  # noqa: BLE001
            result.put(("error", exc))

    threading.Thread(target=work, name="llm-call", daemon=True).start()
    return "".join(_drain(result, timeout_s))


def _drain(pieces: queue.Queue, timeout_s: float) -> Iterator[str]:
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise queue.Empty
            kind, value = pieces.get(timeout=remaining)
        except queue.Empty:
            # the worker thread is abandoned; the client's own timeout ends it soon after
            raise GenerationError(prompts.REASON_TIMEOUT.format(seconds=timeout_s)) from None
        if kind == "done":
            return
        if kind == "error":
            raise to_generation_error(value, timeout_s) from None
        if value:
            yield value


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
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai depends on it
        openai = None
    if openai is not None:
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
