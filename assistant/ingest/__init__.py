"""Loaders: every corpus format becomes `Document`s; one module per format.

`load_corpus` walks a folder, picks a loader by file type, and collects one-line problems for files
it cannot read, so one bad file never stops the rest of the batch.
"""

from assistant.ingest.registry import LoadResult, load_corpus, load_path

__all__ = ["LoadResult", "load_corpus", "load_path"]
