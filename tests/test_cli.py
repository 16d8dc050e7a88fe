"""The rsa-assistant command as a user runs it (subprocess): index, ask --json, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "rsa-assistant"


def run_cli(settings, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, RSA_INDEX_DIR=str(settings.index_dir), RSA_CORPUS_DIR=str(settings.corpus_dir))
    return subprocess.run([str(BIN), *args], input=stdin, capture_output=True, env=env, timeout=300)


@pytest.mark.slow
def test_index_is_up_to_date_after_build(settings, built_index):
    result = run_cli(settings, "index")
    assert result.returncode == 0, result.stderr
    assert b"up to date" in result.stdout


@pytest.mark.slow
def test_ask_json_cites_the_abstract(settings, built_index):
    result = run_cli(settings, "ask", "--json", "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["refused"] is False
    assert any(c["source_id"] == "review" and c["section"] == "Abstract" for c in data["citations"])
    for citation in data["citations"]:
        assert citation["quote"] in citation["passage"]


@pytest.mark.slow
def test_ask_json_refuses_off_topic(settings, built_index):
    result = run_cli(settings, "ask", "--json", "What is the capital of France?")
    data = json.loads(result.stdout)
    assert data["refused"] is True and data["citations"] == []


@pytest.mark.slow
@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_nonzero_with_one_line(settings, built_index, question):
    result = run_cli(settings, "ask", question)
    assert result.returncode != 0
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")


@pytest.mark.slow
def test_question_from_stdin_and_invalid_utf8(settings, built_index):
    ok = run_cli(settings, "ask", "--json", "-", stdin=b"How do MSCs act on decidual NK cells?")
    assert ok.returncode == 0 and json.loads(ok.stdout)["question"].startswith("How do MSCs")
    bad = run_cli(settings, "ask", "-", stdin=b"\xff\xfe\xfa broken")
    assert bad.returncode != 0 and b"UTF-8" in bad.stderr and b"Traceback" not in bad.stderr


def test_help_lists_the_commands():
    result = subprocess.run([str(BIN), "--help"], capture_output=True, timeout=60)
    assert result.returncode == 0
    for command in (b"index", b"ask", b"ui", b"eval"):
        assert command in result.stdout


# -- issue #14, items 13-18: filters, usage errors, --version, corpus list, help, rejected sentences ----
def _bare_cli(*args: str, columns: int | None = None, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RSA_")}
    if columns:
        clean["COLUMNS"] = str(columns)
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120, env={**clean, **env})


@pytest.mark.parametrize(
    "args, expected",
    [
        (["ask", "--foo", "x"], "No such option: --foo"),
        (["ask"], "Missing argument"),
        (["ask", "-k", "0", "What is RSA?"], "--top-k"),
        (["no-such-command"], "No such command"),
        (["index", "--rebuild=maybe"], "rebuild"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, expected):
    result = _bare_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0], result.stderr
    assert "internal error" not in result.stderr


def test_version_and_bare_command():
    version = _bare_cli("--version")
    assert (
        version.returncode == 0
        and version.stdout.startswith("rsa-assistant ")
        and version.stdout.split()[1][0].isdigit()
    )
    bare = _bare_cli()
    assert bare.returncode == 0 and "Usage" in bare.stdout and "internal error" not in bare.stderr


@pytest.mark.parametrize("command", [["ask"], ["index"], ["corpus", "add"], ["corpus", "list"], ["eval"]])
def test_help_shows_no_type_beside_flags(command):
    result = _bare_cli(*command, "--help", columns=120)
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout
    if command == ["ask"]:
        assert "--show-rejected" in result.stdout and "KEY=VALUE" in result.stdout


@pytest.mark.slow
def test_year_bounds_filter_as_in_the_readme(settings, built_index):
    from assistant.ingest import load_corpus

    result = run_cli(
        settings,
        "ask",
        "--json",
        "--filter",
        "evidence=preclinical-mouse",
        "--filter",
        "year_min=2019",
        "--filter",
        "year_max=2024",
        "Do MSCs raise Tregs?",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    years = {d.source.id: d.source.year for d in load_corpus(settings.corpus_dir).documents}
    assert data["citations"] and all(2019 <= years[c["source_id"]] <= 2024 for c in data["citations"])
    twice = run_cli(settings, "ask", "--filter", "year_min=2019", "--filter", "year_min=2020", "Do MSCs raise Tregs?")
    assert twice.returncode == 2 and b"twice" in twice.stderr


@pytest.mark.slow
def test_unknown_filter_value_is_an_error_listing_the_valid_ones(settings, built_index):
    result = run_cli(settings, "ask", "--filter", "evidence=human", "Do MSCs raise Tregs?")
    assert result.returncode == 2
    line = result.stderr.decode().strip()
    assert "evidence 'human'" in line and "preclinical-mouse" in line and "clinical-trial-registration" in line
    source = run_cli(settings, "ask", "--filter", "msc_source=unicorn horn", "Do MSCs raise Tregs?")
    assert source.returncode == 2 and b"bone marrow" in source.stderr


def test_corpus_list_never_cuts_ids(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    long_id = "a-study-with-a-rather-long-identifier-that-does-not-fit-in-narrow-terminals-2024"
    (corpus / "digest.yaml").write_text(
        f"studies:\n  - id: {long_id}\n    label: {'A long title about stromal cells and pregnancy ' * 4}\n"
        "    finding: MSCs lowered the abortion rate.\n",
        encoding="utf-8",
    )
    as_json = json.loads(_bare_cli("corpus", "list", "--json", "--corpus-dir", str(corpus)).stdout)
    assert [row["id"] for row in as_json["documents"]] == [long_id]
    for columns in (40, 80, 160):
        result = _bare_cli("corpus", "list", "--corpus-dir", str(corpus), columns=columns)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0].split()[0] == long_id  # whole, on one line
        assert "…" not in result.stdout
        title_words = " ".join(line.strip() for line in result.stdout.splitlines()[1:-1]).split()
        assert title_words[:9] == "A long title about stromal cells and pregnancy".split() + ["A"]


@pytest.mark.slow
def test_rejected_sentences_are_hidden_or_shown_in_a_labelled_block(settings, built_index):
    sys.path.insert(0, str(Path(__file__).parent))
    from fake_openai_server import FakeOpenAIServer, Reply

    supported = "MSCs improved pregnancy outcomes in RSA [1]."
    invented = "MSCs cured infertility in 99.9% of 12,000 women within one week [1]."
    with FakeOpenAIServer(script=[Reply.text(f"{supported} {invented}")]) as server:
        env = {"RSA_LLM_BASE_URL": server.url, "RSA_LLM_TIMEOUT_S": "20", "RSA_BACKEND": "llm"}
        question = "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?"
        plain = subprocess.run(
            [str(BIN), "ask", question],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, RSA_INDEX_DIR=str(settings.index_dir), RSA_CORPUS_DIR=str(settings.corpus_dir), **env),
        )
        shown = subprocess.run(
            [str(BIN), "ask", "--show-rejected", question],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, RSA_INDEX_DIR=str(settings.index_dir), RSA_CORPUS_DIR=str(settings.corpus_dir), **env),
        )
    assert plain.returncode == 0 and shown.returncode == 0, plain.stderr + shown.stderr
    assert "99.9%" not in plain.stdout and "(unsupported)" not in plain.stdout
    assert "rejected by verification" in shown.stdout.lower()
    assert shown.stdout.lower().index("rejected by verification") < shown.stdout.index("99.9%")


def test_year_bounds_parse_to_one_year_whichever_way_they_come():
    from assistant.cli.checks import parse_filters
    from assistant.errors import InvalidFilterError
    from assistant.retrieval import normalize_filters

    parsed = parse_filters(["evidence=preclinical-mouse", "year_min=2019", "year_max= 2024 "])
    assert parsed == {"evidence": ["preclinical-mouse"], "year_min": "2019", "year_max": "2024"}
    assert normalize_filters(parsed) == {"evidence": ["preclinical-mouse"], "year_min": 2019, "year_max": 2024}
    assert normalize_filters({"year_min": ["2019"]}) == {"year_min": 2019}  # a one-element list, as before the fix
    with pytest.raises(InvalidFilterError):
        parse_filters(["year_min=2019", "year_min=2020"])
    with pytest.raises(InvalidFilterError):
        parse_filters(["year_min"])


@pytest.mark.slow
def test_eval_table_fits_a_100_column_terminal(settings, built_index, tmp_path):
    """Issue #22 item 12: `rsa-assistant eval` printed one table ~240 columns wide; every line of its
    output now fits the terminal's width (COLUMNS=100), with every metric still shown."""
    import yaml

    curated = yaml.safe_load((Path(__file__).resolve().parent.parent / "eval" / "curated.yaml").read_text())
    by_category: dict[str, dict] = {}
    for item in curated["items"]:
        by_category.setdefault(item["category"], item)  # one item per category: every row, few questions
    small = tmp_path / "small.yaml"
    small.write_text(yaml.safe_dump({"version": 1, "items": list(by_category.values())[:4]}), encoding="utf-8")
    env = dict(
        os.environ,
        RSA_INDEX_DIR=str(settings.index_dir),
        RSA_CORPUS_DIR=str(settings.corpus_dir),
        RSA_CACHE_DIR=str(settings.cache_dir),
        COLUMNS="100",
    )
    # a short reports folder: the "Report: <path>" line names a path, which no terminal width can wrap
    reports = Path(tempfile.mkdtemp(prefix="r"))
    try:
        result = subprocess.run(
            [str(BIN), "eval", "--set", str(small), "--out", str(reports)],
            capture_output=True,
            env=env,
            timeout=600,
        )
    finally:
        shutil.rmtree(reports, ignore_errors=True)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    output = (result.stdout + result.stderr).decode()
    too_wide = [line for line in output.splitlines() if len(line) > 100]
    assert not too_wide, "\n".join(too_wide)
    for heading in ("hit@5", "MRR@10", "citation", "refusal", "adversarial", "p95 ms"):
        assert heading in output, heading
