"""The project's retrieval as a LangChain retriever (`LangChainRetriever`), for LangChain pipelines.

It sits above `api.py` because it answers through an `Assistant` (one loaded index, one embedder,
shared with everything else the process asks); nothing in the assistant imports it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from assistant.api import Assistant
from assistant.types import Passage


class LangChainRetriever(BaseRetriever):
    """The project's retrieval as a LangChain retriever: `LangChainRetriever(k=5, filters={...}).invoke(q)`.

    Returns LangChain `Document`s whose page_content is the passage text and whose metadata holds
    the source, section, character offsets and the scores that ranked it.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any = Field(default=None, description="An `assistant.Assistant`; None uses one with default settings.")
    k: int | None = Field(default=None, description="Passages returned; None uses Settings.top_k.")
    filters: dict[str, Any] | None = Field(default=None, description="Filters as for `retrieve` (kind, evidence, ...).")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        if self.assistant is None:
            self.assistant = Assistant()
        return [to_langchain_document(p) for p in self.assistant.retrieve(query, self.k, self.filters)]


def to_langchain_document(passage: Passage) -> LCDocument:
    source = passage.source
    metadata = {
        "source_id": source.id,
        "title": source.title,
        "kind": source.kind.value,
        "year": source.year,
        "evidence": source.evidence,
        "msc_source": source.msc_source,
        "section": passage.section,
        "start": passage.start,
        "end": passage.end,
        "chunk_id": passage.chunk.id,
        "rank": passage.rank,
        "score": passage.score,
        "dense_score": passage.dense_score,
        "lexical_score": passage.lexical_score,
    }
    return LCDocument(page_content=passage.text, metadata=metadata)
