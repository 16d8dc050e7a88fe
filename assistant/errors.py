"""One rooted error hierarchy; every message says what went wrong and how to fix it.

The CLI maps each class to an exit code (`exit_code`), the UI shows the message with `st.error`.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose; its message is shown to the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class InvalidQuestionError(AssistantError):
    """The question is empty, whitespace or otherwise unusable."""

    exit_code = 2


class ConfigurationError(AssistantError):
    """A setting has a value the assistant cannot work with."""

    exit_code = 3


class SettingsError(ConfigurationError):
    """A folder or file a setting names cannot be used (a file where a folder is needed, not writable...)."""


class CorpusError(AssistantError):
    """A corpus file is missing, unreadable, malformed or of an unsupported type."""

    exit_code = 4

    def __init__(self, message: str, *, path: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.path = path


class IndexMissingError(AssistantError):
    """There is no usable index where the settings point."""

    exit_code = 5


class IndexStaleError(IndexMissingError):
    """The index was built from other settings or another corpus."""


class StoreUnavailableError(AssistantError):
    """The vector store (embedded or a Chroma server) cannot be reached or read."""

    exit_code = 6


class ModelUnavailableError(AssistantError):
    """The embedding model (or another local model) cannot be loaded."""

    exit_code = 7


class GenerationError(AssistantError):
    """A language-model backend failed: unreachable, too slow, or it answered garbage."""

    exit_code = 8


class FetchError(AssistantError):
    """Fetching records from an online service (NCBI E-utilities) failed."""

    exit_code = 9


class EvaluationError(AssistantError):
    """An evaluation set or benchmark data set is malformed, or a gate failed."""

    exit_code = 10


class InvalidFilterError(AssistantError):
    """A retrieval filter names an unknown field or has a value of the wrong type."""

    exit_code = 2
