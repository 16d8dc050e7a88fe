"""Corpus paths and document kinds hold (issue 22, items 2, 6, 10, and `kill -9` during `corpus add`).

Links out of the corpus are never read, a one-line text file keeps its text citable, Markdown notes are
`note`s (or the kind given with `--kind`), and a killed `corpus add` leaves no half-copied document.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.ingest import load_corpus
from assistant.ingest.registry import corpus_files, load_path

RSA_BIN = Path(sys.executable).with_name("rsa-assistant")
SECRET = "root:x:0:0:SECRET-LINE-never-to-be-indexed"


def _corpus(*args: str):
    return CliRunner().invoke(app, ["corpus", *args])


def _note(title: str, body: str = "Mesenchymal stromal cells lowered the abortion rate in mice.") -> str:
    return f"# {title}\n\n{body}\n"


def _corpus_with_outside_links(tmp_path: Path) -> Path:
    """A corpus holding a good note, a link to a file outside it and a link to a folder outside it."""
    outside = tmp_path / "outside"
    outside.mkdir(parents=True)
    (outside / "passwd").write_text(f"{SECRET}\nbin:x:1:1\n", encoding="utf-8")
    (outside / "notes").mkdir()
    (outside / "notes" / "private.md").write_text(_note("Private", SECRET), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(_note("Good note"), encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(outside / "passwd")
    (corpus / "linked").symlink_to(outside / "notes", target_is_directory=True)
    return corpus


# -- item 2: links out of the corpus are skipped and named; remove takes the name shown ----------------
def test_links_out_of_the_corpus_are_skipped_and_named_in_list(tmp_path):
    corpus = _corpus_with_outside_links(tmp_path)
    assert [p.name for p in corpus_files(corpus)] == ["good.md"]
    loaded = load_corpus(corpus)
    assert [d.source.id for d in loaded.documents] == ["good"]
    result = _corpus("list", "--corpus-dir", str(corpus))
    assert result.exit_code == 0
    assert SECRET not in result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped:")]
    assert any(line.startswith("skipped: passwd.txt: a link to a file outside the corpus") for line in skipped)
    assert any(line.startswith("skipped: linked: a link") for line in skipped)
    as_json = json.loads(_corpus("list", "--json", "--corpus-dir", str(corpus)).stdout)
    assert [d["file"] for d in as_json["documents"]] == ["good.md"]
    # the name shown is what `corpus remove` takes; the link goes, its target stays
    removed = _corpus("remove", "passwd.txt", "--no-index", "--corpus-dir", str(corpus))
    assert removed.exit_code == 0, removed.output
    assert not (corpus / "passwd.txt").is_symlink() and (tmp_path / "outside" / "passwd").exists()
    assert _corpus("remove", "linked", "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    assert (tmp_path / "outside" / "notes" / "private.md").exists()
    assert sorted(os.listdir(corpus)) == ["good.md"]


def test_a_link_inside_the_corpus_is_still_read(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "notes").mkdir(parents=True)
    (corpus / "notes" / "a.md").write_text(_note("Note A"), encoding="utf-8")
    (corpus / "b.md").symlink_to(corpus / "notes" / "a.md")
    assert {p.name for p in corpus_files(corpus)} == {"a.md", "b.md"}


@pytest.mark.slow
def test_index_never_reads_a_link_out_of_the_corpus(make_settings, tmp_path):
    from assistant.indexing.build import build_index, index_status
    from assistant.indexing.index import load_index

    corpus = _corpus_with_outside_links(tmp_path / "c")
    settings = make_settings(corpus_dir=corpus)
    report = build_index(settings)
    assert report.documents == 1
    assert any(p.startswith("passwd.txt: a link") for p in report.problems)
    index = load_index(settings)
    assert set(index.sources) == {"good"}
    assert all(SECRET not in chunk.text for chunk in index.chunks)
    assert index_status(settings)["stale"] is False


def test_add_folder_does_not_copy_the_targets_of_links(tmp_path):
    _corpus_with_outside_links(tmp_path)  # `corpus` here plays the folder someone hands over
    folder = tmp_path / "corpus"
    target = tmp_path / "mine"
    result = _corpus("add", str(folder), "--no-index", "--corpus-dir", str(target))
    assert result.exit_code == 0, result.output
    assert "added: good.md" in result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped:")]
    assert any("passwd.txt: a symbolic link" in line for line in skipped)
    assert any("linked: a symbolic link" in line for line in skipped)
    assert sorted(os.listdir(target)) == ["good.md"]
    assert all(SECRET not in p.read_text(encoding="utf-8") for p in target.iterdir())


# -- item 6: a one-line text file keeps its text as body ------------------------------------------------
def test_one_line_text_file_gets_a_short_title_and_its_text_as_body(tmp_path):
    sentence = "Mesenchymal stromal cells lowered the abortion rate in mice by half. "
    path = tmp_path / "long.txt"
    path.write_text(sentence * 20_000, encoding="utf-8")  # ~1.4 MB, no line break
    [document] = load_path(path)
    assert len(document.source.title) <= 200
    assert document.source.title == sentence.strip()
    assert document.text.count("abortion rate") == 20_000  # all of it is body, so chunked and citable
    short = tmp_path / "short.txt"
    short.write_text("Treated dams carried more viable embryos to term.", encoding="utf-8")
    [one] = load_path(short)
    assert "viable embryos" in one.text


def test_one_line_text_without_sentence_breaks_gets_a_cut_title(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("word " * 100_000, encoding="utf-8")
    [document] = load_path(path)
    assert len(document.source.title) <= 200 and document.source.title.endswith("…")
    assert document.text.count("word") == 100_000


@pytest.mark.slow
def test_one_line_text_file_is_chunked_and_citable(make_settings, tmp_path):
    from assistant.indexing.build import build_index
    from assistant.indexing.index import load_index

    corpus = tmp_path / "small"
    corpus.mkdir()
    sentences = " ".join(f"Finding {i} shows that stromal cells changed marker {i}." for i in range(400))
    (corpus / "oneline.txt").write_text(sentences, encoding="utf-8")
    settings = make_settings(corpus_dir=corpus)
    assert build_index(settings).chunks > 1
    index = load_index(settings)
    assert len(index.sources["oneline"].title) <= 200
    assert any("marker 399" in chunk.text for chunk in index.chunks)


# -- item 10: document kinds -----------------------------------------------------------------------------
def test_markdown_note_is_a_note_and_an_article_stays_a_review(tmp_path):
    note = tmp_path / "my-note.md"
    note.write_text(_note("My note"), encoding="utf-8")
    assert load_path(note)[0].source.kind.value == "note"
    article = tmp_path / "article.md"
    article.write_text(_note("An article", "DOI: 10.1234/abc.5678\n\nCells helped."), encoding="utf-8")
    assert load_path(article)[0].source.kind.value == "review"


def test_add_with_kind_sets_the_kind_and_a_bad_kind_adds_nothing(tmp_path):
    corpus = tmp_path / "corpus"
    note = tmp_path / "plain.md"
    note.write_text(_note("Plain"), encoding="utf-8")
    bad = subprocess.run(
        [str(RSA_BIN), "corpus", "add", str(note), "--kind", "memo", "--no-index", "--corpus-dir", str(corpus)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 4, bad.stderr
    assert "Unknown document kind 'memo'" in bad.stderr and "review, abstract, note, document" in bad.stderr
    assert not corpus.exists() or not [p for p in os.listdir(corpus) if not p.startswith(".")]
    added = _corpus("add", str(note), "--kind", "Document", "--no-index", "--corpus-dir", str(corpus))
    assert added.exit_code == 0, added.output
    listed = json.loads(_corpus("list", "--json", "--corpus-dir", str(corpus)).stdout)
    assert [(d["id"], d["kind"]) for d in listed["documents"]] == [("plain", "document")]
    # the same file again with another kind: relabelled, not refused as a different file
    again = _corpus("add", str(note), "--kind", "note", "--no-index", "--corpus-dir", str(corpus))
    assert again.exit_code == 0 and "kind changed: plain.md: kind note" in again.output
    assert load_corpus(corpus).documents[0].source.kind.value == "note"
    # removing the file forgets its kind: added back without --kind, it has the loader's kind
    assert _corpus("remove", "plain", "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    assert os.listdir(corpus) == []


@pytest.mark.slow
def test_kind_filter_finds_notes_and_a_new_kind_makes_the_index_stale(make_settings, tmp_path):
    from assistant.api import Assistant
    from assistant.indexing.build import build_index, index_status

    corpus = tmp_path / "small"
    corpus.mkdir()
    (corpus / "article.md").write_text(
        _note("An article", "DOI: 10.1234/abc.5678\n\nStromal cells raised regulatory T cells in mice."),
        encoding="utf-8",
    )
    note = tmp_path / "my-note.md"
    note.write_text(_note("My note", "Stromal cells raised regulatory T cells in my notes."), encoding="utf-8")
    settings = make_settings(corpus_dir=corpus)
    assert _corpus("add", str(note), "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    build_index(settings)
    passages = Assistant(settings).retrieve("regulatory T cells", 8, {"kind": "note"})
    assert passages and {p.source.id for p in passages} == {"my-note"}
    assert {p.source.kind.value for p in passages} == {"note"}
    # choosing another kind for the same file changes what the index must hold
    assert _corpus("add", str(note), "--kind", "document", "--no-index", "--corpus-dir", str(corpus)).exit_code == 0
    assert index_status(settings)["stale"] is True
    build_index(settings)
    assert Assistant(settings).retrieve("regulatory T cells", 8, {"kind": "note"}) == []
    passages = Assistant(settings).retrieve("regulatory T cells", 8, {"kind": "document"})
    assert {p.source.id for p in passages} == {"my-note"}


# -- kill -9 during `corpus add` ---------------------------------------------------------------------------
#: Runs the real CLI in a subprocess whose file copy writes half the file, says so, then waits to be killed.
_PAUSING_ADD = """
import shutil, sys, time
def pausing_copy(src, dst, *args, **kwargs):
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        data = fin.read()
        fout.write(data[: len(data) // 2])
        fout.flush()
    print("HALF-WRITTEN", flush=True)
    time.sleep(600)
shutil.copyfile = pausing_copy
from assistant.cli import app
sys.argv = ["rsa-assistant", *sys.argv[1:]]
app()
"""


def test_kill_9_during_add_leaves_no_half_written_document(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(_note("Good note"), encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text(_note("Big note", "Stromal cells helped the mice. " * 200_000), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-c", _PAUSING_ADD, "corpus", "add", str(big), "--no-index", "--corpus-dir", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    try:
        line = process.stdout.readline()  # blocks until the copy is half done
        assert line.strip() == "HALF-WRITTEN", process.stderr.read()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    # the half copy sits under a hidden temporary name: never a document, never listed
    leftovers = [p for p in os.listdir(corpus) if p != "good.md"]
    assert leftovers and all(p.startswith(".") for p in leftovers)
    assert [d.source.id for d in load_corpus(corpus).documents] == ["good"]
    assert "big" not in _corpus("list", "--corpus-dir", str(corpus)).output
    # the next add completes, and clears what the killed run left
    result = _corpus("add", str(big), "--no-index", "--corpus-dir", str(corpus))
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(corpus)) == ["big.md", "good.md"]
    assert (corpus / "big.md").read_bytes() == big.read_bytes()
