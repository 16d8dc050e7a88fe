"""Hostile and broken corpus files are refused one by one; the rest indexes; stored data survives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.indexing.build import build_index
from assistant.indexing.index import load_index
from assistant.indexing.layout import IndexLayout

XXE = """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&xxe;</ArticleTitle>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>2</PMID><Article><ArticleTitle>&lol4;</ArticleTitle>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""


def _write_hostile_files(folder: Path) -> dict[str, Path]:
    files = {
        "xxe": folder / "xxe.xml",
        "bomb": folder / "bomb.xml",
        "truncated_pdf": folder / "truncated.pdf",
        "huge": folder / "huge.txt",
        "junk": folder / "junk.txt",
        "bad_yaml": folder / "bad_types.yaml",
        "empty": folder / "empty.md",
        "unknown": folder / "data.exe",
    }
    files["xxe"].write_text(XXE, encoding="utf-8")
    files["bomb"].write_text(BOMB, encoding="utf-8")
    files["truncated_pdf"].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Ty")
    with open(files["huge"], "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # a 50 MB file (sparse)
    files["junk"].write_bytes(os.urandom(4096))
    files["bad_yaml"].write_text("studies:\n  - id: [1, 2]\n    year: {a: b}\n    finding: 12\n", encoding="utf-8")
    files["empty"].write_text("", encoding="utf-8")
    files["unknown"].write_bytes(b"MZ\x90\x00")
    return files


@pytest.mark.slow
def test_hostile_files_are_refused_and_the_rest_indexes(make_settings):
    settings = make_settings()
    good = build_index(settings)
    hostile = _write_hostile_files(settings.corpus_dir)
    report = build_index(settings)
    assert report.status == "built"
    assert report.documents == good.documents  # every good document still indexed
    joined = "\n".join(report.problems)
    for name, path in hostile.items():
        assert path.name in joined, f"{name} was not refused by name"
    assert all("\n" not in problem for problem in report.problems)
    assert "root:" not in joined  # the external entity was never resolved
    index = load_index(settings)
    assert all("root:x" not in chunk.text for chunk in index.chunks)


@pytest.mark.slow
def test_corpus_add_refuses_hostile_files_and_keeps_the_index(make_settings):
    settings = make_settings()
    before = build_index(settings)
    staging = settings.corpus_dir.parent / "incoming"
    staging.mkdir()
    hostile = _write_hostile_files(staging)
    env = dict(os.environ, RSA_INDEX_DIR=str(settings.index_dir), RSA_CORPUS_DIR=str(settings.corpus_dir))
    binary = Path(sys.executable).parent / "rsa-assistant"
    result = subprocess.run(
        [str(binary), "corpus", "add", *map(str, hostile.values())], capture_output=True, env=env, timeout=600
    )
    assert b"Traceback" not in result.stderr
    assert result.returncode != 0
    for path in hostile.values():
        assert path.name.encode() in result.stderr + result.stdout
        assert not (settings.corpus_dir / path.name).exists()
    manifest = IndexLayout(settings.index_dir).current_manifest()
    assert manifest["documents"] == before.documents
    assert load_index(settings).chunks
