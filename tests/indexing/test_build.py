"""Index builds: manifest, staleness detection, rebuilds only when needed, atomic switch."""

from __future__ import annotations

import json

import pytest

from assistant.errors import CorpusError, IndexMissingError
from assistant.indexing.build import build_index, index_status
from assistant.indexing.index import load_index
from assistant.indexing.layout import IndexLayout


def test_manifest_records_settings_and_corpus(settings, built_index):
    status = index_status(settings)
    assert status["exists"] and not status["stale"]
    assert status["settings_fingerprint"] == settings.index_fingerprint()
    assert status["documents"] == built_index.documents >= 38
    assert status["chunks"] == built_index.chunks > 0


def test_unchanged_index_is_not_rebuilt(settings, built_index):
    report = build_index(settings)
    assert report.status == "up-to-date"
    assert report.build_id == built_index.build_id


def test_settings_change_makes_index_stale_and_rebuild_reuses_vectors(make_settings):
    first = make_settings()
    built = build_index(first)
    assert built.status == "built" and built.embedded > 0
    changed = make_settings(chunk_max_tokens=100)
    status = index_status(changed)
    assert status["stale"] and "settings" in status["reason"]
    rebuilt = build_index(changed)
    assert rebuilt.status == "built" and rebuilt.build_id != built.build_id
    forced = build_index(changed, rebuild=True)
    assert forced.status == "built" and forced.embedded == 0 and forced.reused > 0


def test_corpus_change_makes_index_stale(make_settings):
    settings = make_settings()
    build_index(settings)
    extra = settings.corpus_dir / "notes.txt"
    extra.write_text("Extra notes\nMSCs were studied in a new model of pregnancy loss.\n", encoding="utf-8")
    status = index_status(settings)
    assert status["stale"] and "corpus" in status["reason"]
    report = build_index(settings)
    assert report.status == "built" and report.documents == status["documents"] + 1


def test_failed_build_leaves_previous_index_usable(make_settings, tmp_path):
    settings = make_settings()
    good = build_index(settings)
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    broken = make_settings(corpus_dir=empty)
    with pytest.raises(CorpusError):
        build_index(broken, rebuild=True)
    assert IndexLayout(settings.index_dir).current_build_id() == good.build_id
    assert load_index(settings).chunks


def test_missing_or_damaged_index_says_how_to_fix(make_settings):
    settings = make_settings()
    with pytest.raises(IndexMissingError, match="rsa-assistant index"):
        load_index(settings)
    build_index(settings)
    layout = IndexLayout(settings.index_dir)
    manifest = layout.build_folder(layout.current_build_id()) / "manifest.json"
    manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexMissingError, match="rsa-assistant index"):
        load_index(settings)
    assert build_index(settings).status == "built"  # a damaged index is rebuilt, not reused
    json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else None
