"""Settings: the single configuration object, read once from `RSA_*` environment variables.

Every field is described; `Settings.index_fingerprint()` names the fields that shape the index, so an
index built from other values is detected as stale and never reused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Bumped whenever the on-disk index layout or chunking logic changes incompatibly.
INDEX_FORMAT_VERSION = 7


class Settings(BaseSettings):
    """Everything the assistant can be configured with (env prefix `RSA_`)."""

    model_config = SettingsConfigDict(env_prefix="RSA_", extra="ignore", validate_default=True)

    # --- where things live -------------------------------------------------------------------
    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="Folder holding the corpus files to index.")
    index_dir: Path = Field(REPO_ROOT / "index", description="Folder where the built index is kept.")
    chroma_url: str | None = Field(
        None,
        description="URL of a `chroma run` server (http://host:port); unset means an embedded store under index_dir.",
    )
    collection_prefix: str = Field("rsa", description="Prefix of the Chroma collection names this assistant owns.")
    feedback_dir: Path = Field(REPO_ROOT / "feedback", description="Folder where UI feedback (JSONL) is appended.")
    reports_dir: Path = Field(REPO_ROOT / "eval" / "reports", description="Folder where evaluation reports are written.")
    cache_dir: Path = Field(REPO_ROOT / ".cache", description="Folder for caches (benchmark indexes, token encodings).")

    # --- embedding and chunking (these shape the index) ------------------------------------------
    embedding_model_path: str | None = Field(
        None, description="Local path of a sentence-transformers model; unset uses the bundled all-MiniLM-L6-v2."
    )
    embedding_batch_size: int = Field(64, ge=1, description="Texts embedded per batch when indexing.")
    token_encoding: Literal["cl100k_base", "o200k_base"] = Field(
        "cl100k_base", description="tiktoken encoding used to measure chunk lengths and context budgets."
    )
    chunk_max_tokens: int = Field(
        160, ge=16, le=250, description="Largest chunk, in tiktoken tokens; also capped by the embedder's 256 word pieces."
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
    rrf_k: int = Field(60, ge=1, description="The k constant of reciprocal-rank fusion.")
    mmr_lambda: float = Field(
        0.8, ge=0, le=1, description="MMR trade-off: 1 keeps pure relevance order, lower values favour diversity."
    )
    expand_abbreviations: bool = Field(True, description="Expand abbreviations in queries with the corpus glossary.")
    document_bonus: float = Field(
        0.1, ge=0, le=1,
        description="Fused score a passage gains per unit of the best other matching passage of the same document.",
    )

    # --- answering ----------------------------------------------------------------------------
    backend: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="Generator: extractive, llm, or auto (llm when RSA_LLM_BASE_URL is set)."
    )
    max_answer_sentences: int = Field(5, ge=1, le=12, description="Most sentences an extractive answer holds.")
    min_evidence_similarity: float = Field(
        0.30, ge=0, le=1, description="Below this cosine similarity of the best sentence, the question is refused."
    )
    min_term_coverage: float = Field(
        0.5, ge=0, le=1, description="Share of the question's distinctive terms the evidence must contain, else refuse."
    )
    context_token_budget: int = Field(2500, ge=200, description="Tokens of source text packed into an LLM prompt.")

    # --- language model -------------------------------------------------------------------------
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (llama.cpp, vLLM, Ollama /v1, OpenAI).")
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the endpoint; read from the environment only.")
    llm_timeout_s: float = Field(
        30.0, gt=0,
        description="Seconds before an LLM call (retries included) is abandoned and the extractive answer is used.",
    )
    llm_max_retries: int = Field(
        1, ge=0, le=5, description="Retries of a failed LLM call (connection error, HTTP 5xx), within llm_timeout_s."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the LLM.")
    llm_gguf_path: str | None = Field(None, description="Local GGUF model for llama-cpp-python (optional extra).")

    # --- UI --------------------------------------------------------------------------------------
    ui_host: str = Field("127.0.0.1", description="Address the Streamlit UI binds to.")
    ui_port: int = Field(8501, ge=1, le=65535, description="Port of the Streamlit UI.")

    @field_validator("chroma_url", "llm_base_url", "embedding_model_path", "llm_gguf_path", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("chroma_url", "llm_base_url")
    @classmethod
    def _must_be_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https:// (got {value!r})")
        return value.rstrip("/") if value else value

    @property
    def uses_llm(self) -> bool:
        if self.backend == "extractive":
            return False
        return bool(self.llm_base_url or self.llm_gguf_path) or self.backend == "llm"

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
        data = self.model_dump(mode="json", exclude={"llm_api_key"})
        data["llm_api_key"] = "set" if self.llm_api_key else None
        return data


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; keyword overrides win (used by the CLI flags and tests)."""
    from pydantic import ValidationError

    from assistant.errors import ConfigurationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"RSA_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"Invalid settings: {problems}.", hint="Fix the environment variable(s) named.") from None
