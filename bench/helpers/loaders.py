"""Loader and chunker speed on legal but hostile input (issue 22, item 8 and item 7).

Three inputs, each at two sizes (the second twice the first), timed by process CPU time:
a MEDLINE record whose abstract has 100,000 / 200,000 continuation lines (3.8 MB at the larger size),
an HTML page of 50,000 / 100,000 nested <div>s (refused by name: nested too deep), and a Markdown
section holding one 4,000,000 / 8,000,000-character word (cut into chunks of at most 160 tokens).
Targets: the larger of each within seconds, and doubling the input at most ~3x the time (linear, not
quadratic). Run alone: `python bench/helpers/loaders.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _medline(continuations: int) -> str:
    lines = "".join(f"\n      continuation line {i} of the abstract" for i in range(continuations))
    return f"PMID- 1\nTI  - A title\nAB  - Start{lines}\nAU  - Doe J\n"


def _cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def _pair(make: Callable[[int], Callable[[], object]], small: int) -> dict[str, float]:
    """CPU seconds at `small` and at twice `small`, and their ratio."""
    first, second = _cpu(make(small)), _cpu(make(2 * small))
    return {
        "small_s": round(first, 3),
        "large_s": round(second, 3),
        "doubling_ratio": round(second / max(first, 1e-3), 2),
    }


def measure() -> dict:
    from assistant.errors import CorpusError
    from assistant.indexing.chunking import ChunkingRules, chunk_document
    from assistant.indexing.embedding import get_embedder
    from assistant.ingest.html_review import load_html
    from assistant.ingest.medline import parse_medline
    from assistant.types import Document, Section, Source, SourceKind

    folder = Path(tempfile.mkdtemp(prefix="rsa-bench-loaders-"))
    rules = ChunkingRules(160, 1, "cl100k_base", 256, get_embedder(None).count_word_pieces)

    def medline(n: int) -> Callable[[], object]:
        text = _medline(n)
        return lambda: parse_medline(text)

    def html(n: int) -> Callable[[], object]:
        path = folder / f"deep-{n}.html"
        path.write_text("<html><body>" + "<div>" * n + "<p>Deep text.</p>" + "</div>" * n + "</body></html>")

        def load() -> None:
            try:
                load_html(path)
            except CorpusError:
                pass  # refused by name, which is the expected outcome

        return load

    def word(n: int) -> Callable[[], object]:
        document = Document(Source(id="d", kind=SourceKind.REVIEW, title="T"), (Section("Body", "x" * n),))
        return lambda: chunk_document(document, rules)

    return {
        "medline_continuations": _pair(medline, 100_000),
        "html_nested_divs": _pair(html, 50_000),
        "chunk_one_word": _pair(word, 4_000_000),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import json

    print(json.dumps(measure(), indent=2))
