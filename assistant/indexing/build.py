"""Building the index: load → chunk → embed → store → BM25 → glossary → manifest → atomic switch.

Each build writes a fresh folder `builds/<id>/` (and its own Chroma collection); only when everything
is written does `CURRENT` switch to it (`os.replace`), so an interrupted or failed build leaves the
previous index fully usable. Embeddings are reused by content hash from the previous build, so an
unchanged corpus embeds nothing and a changed one embeds only what changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from assistant.errors import CorpusError, IndexMissingError, SettingsError
from assistant.indexing.chunking import ChunkingRules, chunk_document, content_hash, embedding_text, sentence_spans
from assistant.indexing.embedding import get_embedder
from assistant.indexing.glossary import Glossary, load_curated
from assistant.indexing.index import TERM_FREQUENCIES_FILE, count_document_frequencies
from assistant.indexing.layout import IndexLayout, read_jsonl, store_name, write_jsonl
from assistant.indexing.layout import staleness_reason as layout_staleness_reason
from assistant.indexing.lexical import LexicalIndex
from assistant.indexing.store import MIRROR_KEY, VectorStore, make_client, mirror_record
from assistant.settings import Settings
from assistant.types import Document

Progress = Callable[[str, float], None]


@dataclass
class BuildReport:
    """What a build did; printed by the CLI and shown in the UI."""

    status: str  # "built" or "up-to-date"
    build_id: str
    documents: int = 0
    chunks: int = 0
    sentences: int = 0
    embedded: int = 0
    reused: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def corpus_fingerprint(file_hashes: dict[str, str], curated: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(file_hashes):
        # surrogateescape: a file whose name is not UTF-8 is refused by the loader but still counted here
        digest.update(f"{name}\0{file_hashes[name]}\n".encode("utf-8", "surrogateescape"))
    digest.update(json.dumps(curated, sort_keys=True).encode())
    return digest.hexdigest()[:24]


def index_status(settings: Settings) -> dict[str, object]:
    """The current build's manifest plus whether it matches the settings and the corpus."""
    layout = IndexLayout(settings.index_dir)
    try:
        manifest = layout.current_manifest(strict=True)
    except IndexMissingError as exc:  # damaged: `index` rebuilds it (see `layout.build_damage`)
        return {"exists": False, "stale": True, "reason": exc.message}
    if manifest is None:
        return {"exists": False, "stale": True, "reason": "no index has been built yet"}
    reason = staleness_reason(settings, manifest)
    return {"exists": True, "stale": reason is not None, "reason": reason, **manifest}


def staleness_reason(settings: Settings, manifest: dict) -> str | None:
    """`layout.staleness_reason` with the corpus folder's current fingerprint (when there is a corpus:
    without one there is nothing to compare against and the built index is still usable)."""
    reason = layout_staleness_reason(settings, manifest)
    if reason is not None or not settings.corpus_dir.is_dir():
        return reason
    current = corpus_fingerprint(_corpus_hashes(settings), load_curated(settings.corpus_dir, settings.cache_dir))
    return layout_staleness_reason(settings, manifest, current)


def _up_to_date(manifest: dict) -> BuildReport:
    """The report of a build that is kept because it still matches (from its manifest)."""
    return BuildReport(
        status="up-to-date",
        build_id=manifest["build_id"],
        documents=manifest["documents"],
        chunks=manifest["chunks"],
        sentences=manifest.get("sentences", 0),
        problems=manifest.get("problems", []),
    )


def _corpus_hashes(settings: Settings) -> dict[str, str]:
    """Every corpus file the indexer considers, refused ones included, so a corpus holding a refused
    file is not taken for changed on every run."""
    from assistant.ingest.registry import corpus_files, file_hash

    return {str(p.relative_to(settings.corpus_dir)): file_hash(p) for p in corpus_files(settings.corpus_dir)}


def collection_name(prefix: str, build_id: str) -> str:
    """The Chroma collection of one build: unique per build and within Chroma's 3-63 characters.

    `prefix-<build id>` when it fits (readable), else `prefix-<16 hex digits of the build id's hash>`;
    the prefix is at most COLLECTION_PREFIX_MAX characters (checked by the settings), so never cut.
    """
    readable = f"{prefix}-{build_id}".replace(".", "-")
    if len(readable) <= 63:
        return readable
    return f"{prefix}-{hashlib.sha256(build_id.encode()).hexdigest()[:16]}"


#: Written into the index folder when a build fails (and removed by the next good one), so `ask` and
#: the UI can say that answers come from an older build than the corpus.
FAILURE_FILE = "LAST_FAILURE.json"


def last_failure(settings: Settings) -> dict | None:
    """The last build that failed after the served one was built (time and error), or None."""
    try:
        return json.loads((settings.index_dir / FAILURE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_index(settings: Settings, *, rebuild: bool = False, progress: Progress | None = None) -> BuildReport:
    """Bring the index up to date with the corpus and settings (or rebuild it when asked)."""
    from assistant.settings_checks import require_dir
    from assistant.tokens import use_cache_dir

    started = time.perf_counter()
    report = _progress(progress)
    require_dir(settings, "index_dir")
    require_dir(settings, "corpus_dir", writable=False, create=False)
    use_cache_dir(settings.cache_dir / "tiktoken")
    layout = IndexLayout(settings.index_dir)
    # the query path's ONNX export is made (or checked) here, so answering never needs torch
    get_embedder(settings.embedding_model_path, settings.cache_dir).ensure_query_encoder()
    with layout.build_lock():
        layout.remove_abandoned_builds()
        previous = layout.current_manifest()
        if (
            previous
            and not rebuild
            and staleness_reason(settings, previous) is None
            and _collection_present(settings, previous)
        ):
            (layout.root / FAILURE_FILE).unlink(missing_ok=True)  # the served build matches the corpus again
            return _up_to_date(previous)
        report("Loading corpus", 0.0)
        from assistant.ingest import load_corpus

        loaded = load_corpus(settings.corpus_dir)
        from assistant.ingest.supersede import drop_superseded

        drop_superseded(loaded)  # the full text of a review replaces its bundled front matter: one copy indexed
        if not loaded.documents:
            problems = "; ".join(loaded.problems) or "no corpus files"
            raise CorpusError(
                f"Nothing to index in {settings.corpus_dir}: {problems}.",
                hint="Add corpus files (see README) or fix RSA_CORPUS_DIR. The previous index, if any, is untouched.",
            )
        try:
            result = _write_build(settings, layout, loaded, previous, report, file_hashes=_corpus_hashes(settings))
        except BaseException as exc:
            space = _out_of_space(settings, layout, previous, exc)
            _record_failure(settings, space or exc)
            if space is not None:
                raise space from None
            raise
        result.seconds = round(time.perf_counter() - started, 2)
        return result


#: errno values meaning "no room to write": a full disk, a quota, a file-size limit (ulimit -f).
_NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
#: How SQLite (under Chroma) words the same: SQLITE_FULL, and the write error a size limit gives.
_NO_SPACE_WORDS = ("database or disk is full", "no space left", "file too large", "disk i/o error", "quota")


def _is_out_of_space(exc: BaseException) -> bool:
    """Whether `exc`, or an error it was raised from (Chroma's errors are wrapped), means no room to write."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _NO_SPACE_ERRNOS:
            return True
        if any(words in str(current).lower() for words in _NO_SPACE_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _out_of_space(
    settings: Settings, layout: IndexLayout, previous: dict | None, exc: BaseException
) -> SettingsError | None:
    """The one-line error for a build that ran out of disk space, after removing its half-written
    folder (so the space it took is given back); None when `exc` is another failure."""
    if not isinstance(exc, Exception) or not _is_out_of_space(exc):
        return None
    current = layout.current_build_id()
    if layout.builds.is_dir():
        for folder in layout.builds.iterdir():
            if folder.name != current and (folder / ".incomplete").exists():
                shutil.rmtree(folder, ignore_errors=True)
    needed = _folder_bytes(layout.build_folder(previous["build_id"])) if previous else 0
    kept = "the previous index is kept and still answers" if previous else "no index was written"
    size = f" (a build takes about {max(needed // 1_000_000, 1)} MB)" if needed else ""
    return SettingsError(
        f"The disk ran out of space while writing the index in {settings.index_dir}; {kept}.",
        hint=f"Free disk space there{size} or point RSA_INDEX_DIR (or --index-dir) at a disk with room, "
        "then run `rsa-assistant index` again.",
    )


def _folder_bytes(folder) -> int:
    with contextlib.suppress(OSError):
        return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return 0


def _record_failure(settings: Settings, exc: BaseException) -> None:
    message = getattr(exc, "message", None) or (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    record = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "error": str(message)[:300]}
    with contextlib.suppress(OSError):
        (settings.index_dir / FAILURE_FILE).write_text(json.dumps(record, ensure_ascii=True), encoding="utf-8")


def _collection_present(settings: Settings, manifest: dict) -> bool:
    """In server mode, whether the served build's collection is still on the server (someone may have
    dropped it); an index whose collection is gone is rebuilt, not reported up to date."""
    if not settings.chroma_url:
        return True
    try:
        VectorStore(make_client(settings.chroma_url, None), manifest["collection"], url=settings.chroma_url).count()
    except Exception:
        return False
    return True


def build_from_documents(
    settings: Settings,
    documents: list[Document],
    fingerprint: str,
    *,
    progress: Progress | None = None,
    with_sentences: bool = True,
) -> BuildReport:
    """Index `documents` given directly (external benchmarks) into settings.index_dir.

    Same build as `build_index` (chunking, embedding, Chroma, BM25, glossary, manifest); the caller's
    `fingerprint` names the data, and an index built from the same fingerprint and settings is reused.
    `with_sentences=False` skips the sentence vectors that only answer generation needs (retrieval-only
    benchmarks), which roughly halves the embedding work.
    """
    from assistant.ingest.registry import LoadResult

    started = time.perf_counter()
    layout = IndexLayout(settings.index_dir)
    with layout.build_lock():
        layout.remove_abandoned_builds()
        previous = layout.current_manifest()
        if previous and layout_staleness_reason(settings, previous, fingerprint) is None:
            return _up_to_date(previous)
        loaded = LoadResult(documents=list(documents))
        result = _write_build(
            settings,
            layout,
            loaded,
            previous,
            _progress(progress),
            corpus_id=fingerprint,
            with_sentences=with_sentences,
        )
        result.seconds = round(time.perf_counter() - started, 2)
        return result


def _progress(callback: Progress | None) -> Progress:
    return callback or (lambda stage, fraction: None)


def _write_build(
    settings: Settings,
    layout: IndexLayout,
    loaded,
    previous: dict | None,
    report: Progress,
    corpus_id: str | None = None,
    with_sentences: bool = True,
    file_hashes: dict[str, str] | None = None,
) -> BuildReport:
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    folder = layout.new_build_folder(build_id)
    embedder = get_embedder(settings.embedding_model_path, settings.cache_dir)
    client = make_client(settings.chroma_url, folder / "chroma")  # fail fast, before embedding, if the store is down
    rules = ChunkingRules(
        max_tokens=settings.chunk_max_tokens,
        overlap_sentences=settings.chunk_overlap_sentences,
        encoding_name=settings.token_encoding,
        max_word_pieces=embedder.max_word_pieces,
        count_word_pieces=embedder.count_word_pieces,
    )
    report("Chunking", 0.05)
    chunk_rows, sentence_rows = _chunk_all(loaded.documents, rules)
    if not with_sentences:
        sentence_rows = []
        for row in chunk_rows:
            row["sentences"] = []
    reuse = _previous_vectors(layout, previous, settings)
    report("Embedding", 0.1)
    chunk_texts = [row["embed_text"] for row in chunk_rows]
    # sentences are embedded bare: with the (long) title in front, MiniLM sees mostly the title, and
    # every sentence of a source drifts towards the same vector (measured on the curated set)
    sentence_texts = [row["embed_text"] for row in sentence_rows]
    chunk_vectors, chunk_new = _embed_with_reuse(chunk_texts, reuse, embedder, settings, report, 0.1, 0.6)
    sentence_vectors, sentence_new = _embed_with_reuse(sentence_texts, reuse, embedder, settings, report, 0.6, 0.85)
    report("Storing vectors", 0.85)
    np.save(folder / "chunk_embeddings.npy", chunk_vectors)
    np.save(folder / "sentence_embeddings.npy", sentence_vectors)
    write_jsonl(folder / "chunks.jsonl", chunk_rows)
    write_jsonl(folder / "sentences.jsonl", sentence_rows)
    from assistant.ingest.links import link_abstracts, linked_references

    links = link_abstracts(loaded.documents)  # reference / digest entry -> abstract of the same study
    sources = [
        {"source": doc.source.to_dict(), "references": [r.to_dict() for r in linked_references(doc, links)]}
        for doc in loaded.documents
    ]
    (folder / "sources.json").write_text(json.dumps(sources, ensure_ascii=False), encoding="utf-8")
    (folder / "abstract_links.json").write_text(json.dumps(links, indent=1, sort_keys=True), encoding="utf-8")
    collection = collection_name(settings.collection_prefix, build_id)
    store = VectorStore(client, collection, url=settings.chroma_url)
    store.create()
    store.add([row["id"] for row in chunk_rows], chunk_vectors, [row["filter"] for row in chunk_rows])
    report("Lexical index and glossary", 0.93)
    curated = load_curated(settings.corpus_dir, settings.cache_dir)  # also leaves the JSON copy for `ask`
    glossary = Glossary.from_texts((doc.text for doc in loaded.documents), curated)
    (folder / "glossary.json").write_text(glossary.to_json(), encoding="utf-8")
    # the extractive generator's IDF weights, counted once here instead of at every start
    by_id = {doc.source.id: doc.source for doc in loaded.documents}
    frequencies = count_document_frequencies(
        ((by_id[row["source_id"]], row["section"], row["text"]) for row in chunk_rows), glossary.expand
    )
    (folder / TERM_FREQUENCIES_FILE).write_text(json.dumps(frequencies, sort_keys=True), encoding="utf-8")
    lexical_texts = [glossary.expand(row["embed_text"]) for row in chunk_rows]
    LexicalIndex.build(lexical_texts).save(folder / "bm25")
    manifest = {
        "build_id": build_id,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "settings_fingerprint": settings.index_fingerprint(),
        "corpus_fingerprint": corpus_id
        or corpus_fingerprint(file_hashes if file_hashes is not None else loaded.file_hashes, curated),
        "corpus_dir": str(settings.corpus_dir),
        "store": store_name(settings),
        "collection": collection,
        # vouches for chunk_embeddings.npy as a copy of the collection (embedded reads search it exactly)
        MIRROR_KEY: mirror_record([row["id"] for row in chunk_rows], chunk_vectors),
        "documents": len(loaded.documents),
        "chunks": len(chunk_rows),
        "sentences": len(sentence_rows),
        "glossary_terms": len(glossary),
        "embedded": chunk_new + sentence_new,
        "reused": len(chunk_rows) + len(sentence_rows) - chunk_new - sentence_new,
        "problems": loaded.problems,
        "document_hashes": {doc.source.id: _document_hash(doc) for doc in loaded.documents},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    layout.switch_to(build_id)
    (layout.root / FAILURE_FILE).unlink(missing_ok=True)
    report("Done", 1.0)
    kept = {build_id, previous["build_id"] if previous else ""}
    live = {collection, previous.get("collection", "") if previous else ""}
    layout.prune(keep=kept, drop_collection=_collection_dropper(settings, live))
    return BuildReport(
        status="built",
        build_id=build_id,
        documents=len(loaded.documents),
        chunks=len(chunk_rows),
        sentences=len(sentence_rows),
        embedded=manifest["embedded"],
        reused=manifest["reused"],
        problems=loaded.problems,
    )


def _collection_dropper(settings: Settings, live: set[str]) -> Callable[[dict], None]:
    """Drops the server collection of a pruned build, never one a kept build still serves from."""

    def drop(manifest: dict) -> None:
        if manifest.get("collection") in live:
            return
        if settings.chroma_url and manifest.get("store") == settings.chroma_url:
            with contextlib.suppress(Exception):
                VectorStore(make_client(settings.chroma_url, None), manifest["collection"]).drop()

    return drop


def _document_hash(document: Document) -> str:
    blob = json.dumps([document.source.to_dict(), [[s.name, s.text] for s in document.sections]], sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()


def _chunk_all(documents: list[Document], rules: ChunkingRules) -> tuple[list[dict], list[dict]]:
    chunk_rows: list[dict] = []
    sentence_rows: list[dict] = []
    sentence_index: dict[tuple[str, str, int, int], int] = {}
    for document in documents:
        source = document.source
        sections = {section.name: section for section in document.sections}
        spans_by_section = {
            name: sentence_spans(name, section.text, source.title, rules) for name, section in sections.items()
        }
        for chunk in chunk_document(document, rules):
            rows = []
            for start, end in spans_by_section[chunk.section]:
                if start >= chunk.start and end <= chunk.end:
                    key = (source.id, chunk.section, start, end)
                    if key not in sentence_index:
                        sentence_index[key] = len(sentence_rows)
                        sentence_rows.append(
                            {
                                "source_id": source.id,
                                "section": chunk.section,
                                "start": start,
                                "end": end,
                                "text": sections[chunk.section].text[start:end],
                                "embed_text": sections[chunk.section].text[start:end],
                            }
                        )
                    rows.append(sentence_index[key])
            chunk_rows.append(
                {
                    "id": chunk.id,
                    "source_id": chunk.source_id,
                    "section": chunk.section,
                    "start": chunk.start,
                    "end": chunk.end,
                    "text": chunk.text,
                    "tokens": chunk.tokens,
                    "ref_numbers": list(chunk.ref_numbers),
                    "sentences": rows,
                    "embed_text": embedding_text(source.title, chunk.section, chunk.text),
                    "filter": _filter_metadata(source, chunk.section),
                }
            )
    return chunk_rows, sentence_rows


def _filter_metadata(source, section: str) -> dict[str, object]:
    """Metadata Chroma filters on; None is not allowed there, so absent values become ''/0."""
    return {
        "source_id": source.id,
        "kind": source.kind.value,
        "evidence": source.evidence or "",
        "msc_source": source.msc_source or "",
        "year": int(source.year or 0),
        "section": section,
    }


def _previous_vectors(layout: IndexLayout, previous: dict | None, settings: Settings) -> dict[str, np.ndarray]:
    """content hash -> vector from the previous build, when it used the same embedding model."""
    if (
        not previous
        or previous.get("settings_fingerprint", {}).get("embedding_model")
        != settings.index_fingerprint()["embedding_model"]
    ):
        return {}
    folder = layout.build_folder(previous["build_id"])
    vectors: dict[str, np.ndarray] = {}
    with contextlib.suppress(Exception):
        for rows_file, matrix_file, key in (
            ("chunks.jsonl", "chunk_embeddings.npy", "embed_text"),
            ("sentences.jsonl", "sentence_embeddings.npy", "embed_text"),
        ):
            matrix = np.load(folder / matrix_file)
            for row, vector in zip(read_jsonl(folder / rows_file), matrix):
                if key in row:
                    vectors[content_hash(row[key])] = vector
    return vectors


def _embed_with_reuse(texts, reuse, embedder, settings, report, low, high) -> tuple[np.ndarray, int]:
    hashes = [content_hash(text) for text in texts]
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in reuse}.values())
    fresh: dict[str, np.ndarray] = {}
    batch = max(settings.embedding_batch_size, 1) * 4
    for at in range(0, len(missing), batch):
        rows = missing[at : at + batch]
        for row, vector in zip(rows, embedder.encode([texts[i] for i in rows], settings.embedding_batch_size)):
            fresh[hashes[row]] = vector
        report("Embedding", low + (high - low) * min(1.0, (at + len(rows)) / max(len(missing), 1)))
    dimension = (
        next(iter(fresh.values())).shape[0] if fresh else (next(iter(reuse.values())).shape[0] if reuse else 384)
    )
    matrix = np.zeros((len(texts), dimension), dtype=np.float32)
    for i, h in enumerate(hashes):
        matrix[i] = fresh[h] if h in fresh else reuse[h]
    return matrix, len(missing)
