"""The stock LangChain tutorial pipeline on the same corpus and questions, as the figure to beat.

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) from langchain_text_splitters, the
same bundled all-MiniLM-L6-v2 through SentenceTransformer.encode (what HuggingFaceEmbeddings calls),
and a Chroma collection queried like `similarity_search(k=4)`.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

K = 4


def compare(settings, assistant, items: list[dict], questions: list[str], folder: Path) -> dict:
    import chromadb
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.indexing.embedding import get_embedder
    from assistant.ingest import load_corpus

    model = get_embedder(settings.embedding_model_path).model
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts, sources = [], []
    for document in load_corpus(settings.corpus_dir).documents:
        for piece in splitter.split_text(document.text):
            texts.append(piece)
            sources.append(document.source.id)
    started = time.perf_counter()
    vectors = model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
    client = chromadb.PersistentClient(path=str(folder))
    collection = client.create_collection(
        "langchain-baseline", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    collection.add(
        ids=[str(i) for i in range(len(texts))],
        embeddings=vectors.tolist(),
        metadatas=[{"source": s} for s in sources],
        documents=texts,
    )
    index_s = time.perf_counter() - started

    def search(question: str) -> list[str]:
        vector = model.encode([question], normalize_embeddings=True, show_progress_bar=False)
        result = collection.query(query_embeddings=vector.tolist(), n_results=K, include=["metadatas"])
        return [m["source"] for m in result["metadatas"][0]]

    search("warm up")
    latencies = []
    for question in questions:
        t = time.perf_counter()
        search(question)
        latencies.append(time.perf_counter() - t)
    ours_hits = theirs_hits = 0
    agreement = []
    for item in items:
        ours = [p.source.id for p in assistant.retrieve(item["question"], k=K)]
        theirs = search(item["question"])
        ours_hits += bool(set(ours) & set(item["gold_sources"]))
        theirs_hits += bool(set(theirs) & set(item["gold_sources"]))
        union = set(ours) | set(theirs)
        agreement.append(len(set(ours) & set(theirs)) / len(union) if union else 1.0)
    ms = sorted(x * 1000 for x in latencies)
    return {
        "chunks": len(texts),
        "index_s": round(index_s, 2),
        "search_p50_ms": round(statistics.median(ms), 2),
        "search_p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
        f"gold_source_hit_at_{K}": {
            "ours": round(ours_hits / max(len(items), 1), 3),
            "langchain": round(theirs_hits / max(len(items), 1), 3),
            "questions": len(items),
        },
        f"source_jaccard_at_{K}_mean": round(statistics.mean(agreement), 3) if agreement else None,
    }
