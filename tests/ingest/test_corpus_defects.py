"""Corpus changes lose nothing and skip nothing silently (issue #14, items 1-6).

File names that are not UTF-8, names the indexer skips, names near the 255-byte limit, concurrent
adds of the same document, a second plain-text review, and a document without a DOI of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.ingest import load_corpus
from assistant.ingest.corpus_ops import corpus_lock
from assistant.ingest.registry import load_path

RSA_BIN = Path(sys.executable).with_name("rsa-assistant")


def _corpus(*args: str):
    return CliRunner().invoke(app, ["corpus", *args])


def _note(title: str, body: str = "Mesenchymal stromal cells lowered the abortion rate in mice.") -> str:
    return f"# {title}\n\n{body}\n"


def _text_review(doi: str, title: str) -> str:
    """A review in the publisher's plain-text layout: citation line, DOI, then an Abstract heading."""
    return (
        f"Tester A. {title}. World J Test 2025; 17(8): 100\n\nDOI: https://doi.org/{doi}\n\n"
        "Abstract\nMesenchymal stromal cells improved pregnancy outcomes in abortion-prone mice.\n\n"
        "Core Tip: MSCs act on decidual immune cells.\n"
    )


# -- item 1: file names that are not UTF-8 ---------------------------------------------------------
def test_non_utf8_file_name_is_refused_by_name(tmp_path):
    corpus = tmp_path / "corpus"
    bad = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.md"))
    bad.write_text(_note("Cafe"), encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text(_note("Good note"), encoding="utf-8")
    result = _corpus("add", str(bad), str(good), "--no-index", "--corpus-dir", str(corpus))
    assert result.exit_code == 4
    refused = [line for line in result.output.splitlines() if line.startswith("refused:")]
    assert len(refused) == 1 and "caf\\xe9.md" in refused[0] and "not valid UTF-8" in refused[0]
    assert "added: good.md" in result.output
    assert sorted(os.listdir(corpus)) == ["good.md"]


def test_non_utf8_file_already_in_the_corpus_never_stops_a_build(make_settings, tmp_path):
    from assistant.indexing.build import build_index, index_status

    corpus = tmp_path / "small"
    corpus.mkdir()
    (corpus / "good.md").write_text(_note("Good note"), encoding="utf-8")
    bad = os.fsdecode(bytes(corpus) + b"/caf\xe9.md")
    Path(bad).write_text(_note("Cafe"), encoding="utf-8")  # copied in by hand, not through `corpus add`
    settings = make_settings(corpus_dir=corpus)
    report = build_index(settings)
    assert report.status == "built" and report.documents == 1
    assert any("caf\\xe9.md" in problem and "UTF-8" in problem for problem in report.problems)
    assert index_status(settings)["stale"] is False  # the refused file does not make the index stale forever
    assert build_index(settings).status == "up-to-date"
    # and `corpus remove` takes the file away by its (bytes) name
    removed = _corpus("remove", os.fsdecode(b"caf\xe9.md"), "--no-index", "--corpus-dir", str(corpus))
    assert removed.exit_code == 0 and "caf\\xe9.md" in removed.output
    assert sorted(os.listdir(corpus)) == ["good.md"]


def test_ask_warns_when_the_last_build_failed_or_the_index_is_stale(make_settings, tmp_path):
    from assistant.cli.checks import stale_index_warning
    from assistant.errors import StoreUnavailableError
    from assistant.indexing.build import build_index

    corpus = tmp_path / "small"
    corpus.mkdir()
    (corpus / "good.md").write_text(_note("Good note"), encoding="utf-8")
    settings = make_settings(corpus_dir=corpus)
    build_index(settings)
    assert stale_index_warning(settings) is None
    (corpus / "more.md").write_text(_note("Another note"), encoding="utf-8")
    stale = stale_index_warning(settings)
    assert stale and "out of date" in stale and "the corpus changed" in stale
    try:  # a build that fails (store unreachable) leaves the old index serving: ask must say so
        build_index(make_settings(corpus_dir=corpus, chroma_url="http://127.0.0.1:9"))
    except StoreUnavailableError:
        pass
    failed = stale_index_warning(settings)
    assert failed and "last index build failed" in failed and "127.0.0.1:9" in failed
    build_index(settings)
    assert stale_index_warning(settings) is None  # a good build clears the record


# -- item 2: names the indexer skips ---------------------------------------------------------------
def test_names_the_indexer_skips_are_refused_when_named_and_reported_in_folders(tmp_path):
    corpus = tmp_path / "corpus"
    folder = tmp_path / "batch"
    folder.mkdir()
    names = ["License.md", "notice.md", "Glossary.md", ".hidden.md", "README.md"]
    for name in [*names, "study.md"]:
        (folder / name).write_text(_note(name), encoding="utf-8")
    named = _corpus("add", *(str(folder / n) for n in names[:4]), "--no-index", "--corpus-dir", str(corpus))
    assert named.exit_code == 4
    refused = [line for line in named.output.splitlines() if line.startswith("refused:")]
    assert len(refused) == 4 and all("not indexed" in line for line in refused)
    assert not any(line.startswith("added:") for line in named.output.splitlines())
    walked = _corpus("add", str(folder), "--no-index", "--corpus-dir", str(corpus))
    assert walked.exit_code == 0, walked.output
    assert "added: study.md" in walked.output
    skipped = [line for line in walked.output.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 5
    assert sorted(os.listdir(corpus)) == ["study.md"]  # what the corpus holds is exactly what gets indexed


# -- item 3: long names, and a batch that meets a failure ------------------------------------------
def test_a_batch_with_248_character_names_adds_every_valid_file_and_reports_each_failure(tmp_path):
    corpus = tmp_path / "corpus"
    long_name = "n" * 248 + ".md"
    files = {name: tmp_path / name for name in ("ok.md", long_name, "other.md")}
    for name, path in files.items():
        path.write_text(_note(f"Note {name[:20]} {len(name)}"), encoding="utf-8")
    missing = tmp_path / "missing.md"
    result = _corpus(
        "add",
        str(files["ok.md"]),
        str(files[long_name]),
        str(missing),
        str(files["other.md"]),
        "--no-index",
        "--corpus-dir",
        str(corpus),
    )
    assert result.exit_code == 4
    added = sorted(line.removeprefix("added: ") for line in result.output.splitlines() if line.startswith("added: "))
    assert added == sorted([long_name, "ok.md", "other.md"])
    refused = [line for line in result.output.splitlines() if line.startswith("refused:")]
    assert len(refused) == 1 and "missing.md" in refused[0]
    assert sorted(os.listdir(corpus)) == added  # no temporary file left behind either


# -- item 4: two concurrent adds of the same document ----------------------------------------------
def test_concurrent_adds_of_the_same_doi_add_it_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(
            f"# Same article ({name})\n\nDOI: 10.9999/same.2025\n\nMSCs lowered abortion rates.\n", encoding="utf-8"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSA_")}
    with corpus_lock(corpus):  # both runs start while the corpus is busy, then race for it
        runs = [
            subprocess.Popen(
                [str(RSA_BIN), "corpus", "add", str(tmp_path / name), "--no-index", "--corpus-dir", str(corpus)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for name in ("a.md", "b.md")
        ]
        time.sleep(3)
        assert all(run.poll() is None for run in runs)  # waiting for the lock
    outcomes = [run.communicate(timeout=120) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 4], outcomes
    assert sum("already in the corpus" in err for _, err in outcomes) == 1
    loaded = load_corpus(corpus)
    assert len(loaded.documents) == 1 and not loaded.problems


# -- item 5: a second plain-text review ------------------------------------------------------------
def test_a_second_text_review_gets_its_own_id(tmp_path):
    corpus = tmp_path / "corpus"
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(_text_review("10.9999/first.2025", "First review of stromal cells"), encoding="utf-8")
    second.write_text(_text_review("10.9999/second.2025", "Second review of stromal cells"), encoding="utf-8")
    result = _corpus("add", str(first), str(second), "--no-index", "--corpus-dir", str(corpus))
    assert result.exit_code == 0, result.output
    ids = sorted(d.source.id for d in load_corpus(corpus).documents)
    assert ids == ["review-10-9999-first-2025", "review-10-9999-second-2025"]
    # the bundled review, in the corpus's review/ folder, keeps the id the evaluation set uses
    bundled = tmp_path / "review" / "article.txt"
    bundled.parent.mkdir()
    bundled.write_text(_text_review("10.9999/first.2025", "First review of stromal cells"), encoding="utf-8")
    assert load_path(bundled)[0].source.id == "review"


# -- item 6: a document without its own DOI ------------------------------------------------------
def test_a_document_without_a_doi_does_not_take_one_from_its_references(tmp_path):
    note = tmp_path / "note.md"
    note.write_text(
        "# A note on MSCs\n\nSome text about MSCs and Tregs in mice.\n\n## References\n\n"
        "1. Smith J. A study. Nature 2019. doi:10.1000/abc.123\n2. Doe K. Another. 2020. https://doi.org/10.2000/xyz\n",
        encoding="utf-8",
    )
    document = load_path(note)[0]
    assert [r.doi for r in document.references] == ["10.1000/abc.123", "10.2000/xyz"]
    assert document.source.doi == "" and "DOI" not in document.source.links
    assert document.source.id == "note"
    own = tmp_path / "own.md"
    own.write_text("---\ndoi: 10.3000/own.1\n---\n" + note.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_path(own)[0].source.doi == "10.3000/own.1"  # its own DOI (front matter) still counts
