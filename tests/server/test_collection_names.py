"""Server mode collection names and cleanup (issue #14, item 7), against a real `chroma run`.

Names are unique per build within Chroma's 63 characters whatever the prefix, the cleanup after a build
never drops a collection a kept build serves from, and an index whose collection has gone is rebuilt.
"""

from __future__ import annotations

import pytest

from assistant.indexing.build import build_index, collection_name
from assistant.indexing.index import load_index
from assistant.indexing.store import make_client
from assistant.settings import COLLECTION_PREFIX_MAX

pytestmark = pytest.mark.server


def test_names_are_unique_and_fit_chroma_for_the_longest_prefix():
    prefix = "p" * COLLECTION_PREFIX_MAX
    ids = [f"20260101T00000{n}000000-{pid}" for n in range(3) for pid in (1, 22, 333)]
    names = {collection_name(prefix, build_id) for build_id in ids}
    assert len(names) == len(ids)
    assert all(3 <= len(name) <= 63 and name.startswith(prefix + "-") for name in names)
    assert collection_name("rsa", ids[0]) == f"rsa-{ids[0]}"  # short prefixes keep the readable build id


def test_three_builds_with_a_long_prefix_keep_the_live_collection(make_settings, tmp_path, chroma_server):
    corpus = tmp_path / "small"
    corpus.mkdir()
    settings = make_settings(
        corpus_dir=corpus, chroma_url=chroma_server.url, collection_prefix="c" * COLLECTION_PREFIX_MAX
    )
    collections = []
    for n in range(3):
        (corpus / f"note{n}.md").write_text(
            f"# Note {n}\n\nMesenchymal stromal cells study number {n}.\n", encoding="utf-8"
        )
        report = build_index(settings)
        assert report.status == "built"
        collections.append(load_index(settings).manifest["collection"])
    assert len(set(collections)) == 3 and all(len(name) <= 63 for name in collections)
    on_server = {c.name if hasattr(c, "name") else c for c in make_client(chroma_server.url, None).list_collections()}
    assert collections[2] in on_server and collections[1] in on_server  # served, and the previous (open readers)
    assert collections[0] not in on_server  # pruned
    index = load_index(settings)
    assert index.store.count() == report.chunks
    assert build_index(settings).status == "up-to-date"

    # someone drops the served collection: `index` must rebuild, not report "up to date"
    make_client(chroma_server.url, None).delete_collection(collections[2])
    again = build_index(settings)
    assert again.status == "built"
    assert load_index(settings).store.count() == again.chunks
