"""msc-rsa-assistant: cited question answering over the MSC-for-RSA review and its studies.

The public API only; heavy modules load on first use, so `import assistant` stays cheap.

    from assistant import Assistant, retrieve
    passages = retrieve("How do MSCs act on decidual NK cells?", k=5)
    answer = Assistant().answer("Which MSC source lowered the abortion rate most in mice?")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Answer",
    "AnswerSentence",
    "Assistant",
    "AssistantError",
    "Chunk",
    "Citation",
    "Document",
    "LangChainRetriever",
    "Passage",
    "Reference",
    "Settings",
    "Source",
    "SourceKind",
    "Turn",
    "load_settings",
    "retrieve",
]
__version__ = "0.1.0"

_LOCATIONS = {
    "Assistant": "assistant.api",
    "retrieve": "assistant.api",
    "LangChainRetriever": "assistant.langchain_adapter",
    "Settings": "assistant.settings",
    "load_settings": "assistant.settings",
    "AssistantError": "assistant.errors",
}

if TYPE_CHECKING:  # pragma: no cover
    from assistant.api import Assistant, retrieve
    from assistant.errors import AssistantError
    from assistant.langchain_adapter import LangChainRetriever
    from assistant.settings import Settings, load_settings
    from assistant.types import (
        Answer,
        AnswerSentence,
        Chunk,
        Citation,
        Document,
        Passage,
        Reference,
        Source,
        SourceKind,
        Turn,
    )


def __getattr__(name: str) -> Any:
    import importlib

    module = _LOCATIONS.get(name, "assistant.types" if name in __all__ else None)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
