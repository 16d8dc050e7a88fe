"""Settings: the single configuration object, read once from `RSA_*` environment variables.

Every field is described; `Settings.index_fingerprint()` names the fields that shape the index, so an
index built from other values is detected as stale and never reused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant import paths

#: The repository root when running from a checkout, else None (an installed wheel); see assistant/paths.py.
REPO_ROOT = paths.checkout_root()

#: Longest RSA_COLLECTION_PREFIX: Chroma allows 63 characters and a build adds "-" plus 16 of its own.
COLLECTION_PREFIX_MAX = 46


def shown_path(path: object) -> str:
    """A path as printable text: bytes that are not UTF-8 (surrogate escapes) shown as \\xNN."""
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


#: Bumped whenever the on-disk index layout or chunking logic changes incompatibly.
INDEX_FORMAT_VERSION = 10


class Settings(BaseSettings):
    """Everything the assistant can be configured with (env prefix `RSA_`)."""

    model_config = SettingsConfigDict(env_prefix="RSA_", extra="ignore", validate_default=True)

    # --- where things live -------------------------------------------------------------------
    corpus_dir: Path = Field(
        default_factory=paths.default_corpus_dir,
        description="Folder holding the corpus files to index (default: the checkout's corpus/, or a user copy of the bundled one).",
    )
    index_dir: Path = Field(
        default_factory=lambda: paths.writable("index"),
        description="Folder where the built index is kept (default: the checkout's index/, or the user data folder).",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a `chroma run` server (http://host:port); unset means an embedded store under index_dir.",
    )
    collection_prefix: str = Field("rsa", description="Prefix of the Chroma collection names this assistant owns.")
    feedback_dir: Path = Field(
        default_factory=lambda: paths.writable("feedback"), description="Folder where UI feedback (JSONL) is appended."
    )
    reports_dir: Path = Field(
        default_factory=paths.default_reports_dir,
        description="Folder where evaluation reports are written (default: eval/reports/ in a checkout).",
    )
    cache_dir: Path = Field(
        default_factory=paths.default_cache_dir,
        description="Folder for caches (ONNX query encoder, benchmark indexes, token encodings).",
    )

    # --- embedding and chunking (these shape the index) ------------------------------------------
    embedding_model_path: str | None = Field(
        None, description="Local path of a sentence-transformers model; unset uses the bundled all-MiniLM-L6-v2."
    )
    embedding_batch_size: int = Field(
        64, ge=1, le=4096, description="Texts embedded per batch when indexing (at most 4,096)."
    )
    token_encoding: Literal["cl100k_base", "o200k_base"] = Field(
        "cl100k_base", description="tiktoken encoding used to measure chunk lengths and context budgets."
    )
    chunk_max_tokens: int = Field(
        160,
        ge=16,
        le=250,
        description="Largest chunk, in tiktoken tokens; also capped by the embedder's 256 word pieces.",
    )
    chunk_overlap_sentences: int = Field(1, ge=0, le=3, description="Sentences repeated between consecutive chunks.")

    # --- retrieval ----------------------------------------------------------------------------
    top_k: int = Field(8, ge=1, le=50, description="Passages returned by retrieval.")
    candidate_pool: int = Field(40, ge=5, le=500, description="Candidates each retriever contributes before fusion.")
    fusion: Literal["rrf", "weighted"] = Field(
        "weighted", description="How dense and lexical rankings are fused: reciprocal-rank or min-max weighted scores."
    )
    dense_weight: float = Field(0.6, ge=0, le=1, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(0.4, ge=0, le=1, description="Weight of the BM25 ranking in fusion.")
    rrf_k: int = Field(60, ge=1, le=10_000, description="The k constant of reciprocal-rank fusion.")
    mmr_lambda: float = Field(
        0.8, ge=0, le=1, description="MMR trade-off: 1 keeps pure relevance order, lower values favour diversity."
    )
    expand_abbreviations: bool = Field(True, description="Expand abbreviations in queries with the corpus glossary.")
    document_bonus: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Fused score a passage gains per unit of the best other matching passage of the same document.",
    )

    # --- answering ----------------------------------------------------------------------------
    backend: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="Generator: extractive, llm, or auto (llm when RSA_LLM_BASE_URL is set)."
    )
    verifier: Literal["rules", "learned"] = Field(
        "rules",
        description="Who decides whether an answer sentence is supported where the exact-text rules do not: the "
        "rules, or the learned verifier (assistant/models/verifier); README 'Learned models' compares them.",
    )
    relevance_ranking: Literal["rules", "learned"] = Field(
        "rules",
        description="What orders evidence sentences: the hand-weighted rules, or the learned relevance model "
        "(assistant/models/relevance); README 'Learned models' compares them.",
    )
    relevance_gate: Literal["both", "rules", "learned"] = Field(
        "both",
        description="Who finds the evidence too weak to answer from: both the learned answerability model and the "
        "hand-set coverage rules must agree (default; a question naming a word the corpus never uses is judged by "
        "the rules alone), the rules alone, or the model alone; README 'Learned models' compares them.",
    )
    max_answer_sentences: int = Field(
        5, ge=1, le=12, description="Most sentences an answer holds (extractive selection; an LLM reply is cut there)."
    )
    context_token_budget: int = Field(
        2500, ge=200, le=100_000, description="Tokens of source text packed into an LLM prompt (at most 100,000)."
    )

    # --- language model -------------------------------------------------------------------------
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint (llama.cpp, vLLM, Ollama /v1, OpenAI)."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the endpoint; read from the environment only.")
    llm_timeout_s: float = Field(
        30.0,
        gt=0,
        le=600,
        allow_inf_nan=False,
        description="Seconds (at most 600; inf/NaN rejected) before an LLM call, retries included, is abandoned "
        "and the extractive answer is used.",
    )
    max_reply_chars: int = Field(
        4000,
        ge=200,
        le=50_000,
        description="Longest LLM reply kept; the rest is cut (with a notice) before verification. The reply is "
        "also cut after max_answer_sentences sentences.",
    )
    # --- optional entailment judge (a second opinion on clauses the rules let through) ----------
    judge_base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint of an entailment judge; unset (the default) turns the judge off.",
    )
    judge_model: str = Field("gpt-4o-mini", description="Model name sent to the judge endpoint.")
    judge_api_key: SecretStr | None = Field(
        None, description="API key for the judge endpoint; read from the environment only."
    )
    judge_timeout_s: float = Field(
        10.0,
        gt=0,
        le=120,
        allow_inf_nan=False,
        description="Seconds the judge may take for its one request per answer; a judge that fails or times out vetoes nothing.",
    )
    llm_max_retries: int = Field(
        1, ge=0, le=5, description="Retries of a failed LLM call (connection error, HTTP 5xx), within llm_timeout_s."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the LLM.")
    llm_gguf_path: str | None = Field(
        None,
        description="No longer supported (setting it is an error): serve a GGUF model with llama.cpp's "
        "OpenAI-compatible server (`llama-server -m model.gguf --port 8080`) and set "
        "RSA_LLM_BASE_URL=http://127.0.0.1:8080/v1.",
    )

    # --- UI --------------------------------------------------------------------------------------
    ui_host: str = Field("127.0.0.1", description="Address the Streamlit UI binds to.")
    ui_port: int = Field(8501, ge=1, le=65535, description="Port of the Streamlit UI.")

    @field_validator(
        "chroma_url", "llm_base_url", "embedding_model_path", "llm_gguf_path", "judge_base_url", mode="before"
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("chroma_url", "llm_base_url", "judge_base_url")
    @classmethod
    def _must_be_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https:// (got {value!r})")
        return value.rstrip("/") if value else value

    @field_validator("llm_gguf_path")
    @classmethod
    def _gguf_goes_through_llama_server(cls, value: str | None) -> str | None:
        # llama.cpp is reached through its own OpenAI-compatible server, like every other endpoint:
        # one generator, one timeout/retry path, no native extension loaded into the answering process
        if value is not None:
            raise ValueError(
                "is no longer read in process; serve the file with llama.cpp's server "
                "(llama-server -m MODEL.gguf --port 8080) and set RSA_LLM_BASE_URL=http://127.0.0.1:8080/v1"
            )
        return value

    @field_validator("corpus_dir", "index_dir", "feedback_dir", "reports_dir", "cache_dir")
    @classmethod
    def _path_is_text(cls, value: Path) -> Path:
        # index manifests, reports and messages hold these paths as UTF-8 text; a name with undecodable
        # bytes (surrogate escapes) would fail much later, so it is refused here, by name
        try:
            str(value).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{shown_path(value)} is not valid UTF-8; use a folder whose name is") from None
        if not str(value).strip():
            raise ValueError("must name a folder")
        return value

    @field_validator("collection_prefix")
    @classmethod
    def _chroma_name_prefix(cls, value: str) -> str:
        # Chroma collection names are 3-63 characters of [a-zA-Z0-9._-], alphanumeric at both ends; the
        # build adds "-" and up to 16 characters of its own (assistant/indexing/build.py:collection_name)
        if not re.fullmatch(rf"[A-Za-z0-9](?:[A-Za-z0-9_-]{{0,{COLLECTION_PREFIX_MAX - 2}}}[A-Za-z0-9])?", value):
            raise ValueError(
                f"must be 1-{COLLECTION_PREFIX_MAX} letters, digits, '-' or '_', starting and ending with a letter"
                f" or digit (got {value!r})"
            )
        return value

    @property
    def llm_configured(self) -> bool:
        """Whether a language model is configured (an OpenAI-compatible endpoint); the one rule the
        chain, the UI's backend choice and the LLM factory all use."""
        return self.llm_base_url is not None

    @property
    def uses_llm(self) -> bool:
        """Whether answers should come from the LLM: backend "llm", or "auto" with one configured."""
        if self.backend == "extractive":
            return False
        return self.llm_configured or self.backend == "llm"

    def index_fingerprint(self) -> dict[str, object]:
        """The settings that shape the index; any change makes a built index stale."""
        return {
            "format": INDEX_FORMAT_VERSION,
            "embedding_model": self.embedding_model_path or "bundled:all-MiniLM-L6-v2",
            "token_encoding": self.token_encoding,
            "chunk_max_tokens": self.chunk_max_tokens,
            "chunk_overlap_sentences": self.chunk_overlap_sentences,
        }

    def public_dict(self) -> dict[str, object]:
        """Settings safe to show or write into reports: secrets are never included."""
        data = self.model_dump(mode="json", exclude={"llm_api_key", "judge_api_key"})
        data["llm_api_key"] = "set" if self.llm_api_key else None
        data["judge_api_key"] = "set" if self.judge_api_key else None
        return data


def validation_problems(exc: ValidationError) -> str:
    """A pydantic ValidationError as one line, each problem named by its environment variable."""
    return "; ".join(
        f"{_variable(err['loc'])}: {' '.join(err['msg'].removeprefix('Value error, ').split())}" for err in exc.errors()
    )


def _variable(loc: tuple[int | str, ...]) -> str:
    name = "_".join(str(p) for p in loc).upper()
    return name if name.startswith(("RSA_", "NCBI_")) else f"RSA_{name}"


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; keyword overrides win (used by the CLI flags and tests)."""
    from assistant.errors import ConfigurationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise ConfigurationError(
            f"Invalid settings: {problems}.", hint="Fix the environment variable(s) named."
        ) from None
