"""`corpus fetch` against a hostile or broken NCBI stand-in on 127.0.0.1 (issue 22, items 1, 3, 4 and the
redirect, 1 GB body and kill -9 cases): nothing is written outside the corpus, bad headers and slow or
huge answers end in one clear FetchError, and a killed fetch leaves no partial file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.errors import FetchError
from assistant.ingest.fetch import (
    FetchSettings,
    _check_redirect,
    _retry_after,
    _write_atomically,
    fetch_abstracts,
    fetch_review,
)
from tests.fake_eutils_server import FakeEutils, cli_env, idconv_url, serve
from tests.ingest import jats_samples, samples

REPO = Path(__file__).resolve().parents[2]
DOI = "10.9999/hostile.review"


def _settings(url: str, **values) -> FetchSettings:
    return FetchSettings(
        eutils_base_url=url, idconv_base_url=idconv_url(url), eutils_backoff_s=0.0, eutils_max_retries=1, **values
    )


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# -- item 1: the PMCID a server answers never becomes a path --------------------------------------


@pytest.mark.parametrize("pmcid", ["../../PWNED", "PMC1/../../x", "/tmp/abs", "PMC12 x", "PMC١٢٣"])
def test_a_pmcid_that_is_not_pmc_and_digits_is_refused_and_nothing_written(tmp_path, pmcid):
    corpus = tmp_path / "a" / "b" / "corpus"
    fake = FakeEutils(records=[{"doi": DOI, "pmid": "", "pmcid": pmcid}], pmc={pmcid: "<article><body/></article>"})
    with serve(fake) as url, pytest.raises(FetchError, match="not an id such as PMC12345678"):
        fetch_review(DOI, corpus, settings=_settings(url))
    assert _files(tmp_path) == []  # not PWNED.nxml two folders up, nor anything in the corpus


def test_the_cli_exits_non_zero_with_one_line_on_a_traversal_pmcid(tmp_path):
    # "PMC.." then "../..": without the check the review lands in tmp_path/PWNED.nxml, outside the corpus
    pmcid = "PMC../../../PWNED"
    article = jats_samples.LONG.read_text(encoding="utf-8")
    fake = FakeEutils(records=[{"doi": DOI, "pmid": "", "pmcid": pmcid}], pmc={pmcid: article})
    with serve(fake) as url:
        result = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "corpus", "fetch", "--review", DOI, "--no-index"],
            capture_output=True,
            text=True,
            timeout=300,
            env=cli_env(tmp_path, url),
        )
    assert result.returncode == 9, result.stderr
    assert result.stderr.startswith("error:") and "PWNED" in result.stderr and "Traceback" not in result.stderr
    assert _files(tmp_path) == []


def test_every_write_is_checked_to_lie_inside_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with pytest.raises(FetchError, match="outside"):
        _write_atomically(corpus / ".." / "escaped.xml", b"x", corpus)
    (corpus / "pubmed").symlink_to(tmp_path)  # a folder link leading out of the corpus
    with pytest.raises(FetchError, match="outside"):
        _write_atomically(corpus / "pubmed" / "1.xml", b"x", corpus)
    assert _files(tmp_path) == []


# -- item 3: a Retry-After that is no number of seconds is ignored ----------------------------------


@pytest.mark.parametrize("header", ["-1", "nan", "inf", "-inf", "soon", "1e999", ""])
def test_a_bad_retry_after_is_treated_as_absent(tmp_path, header):
    fake = FakeEutils(articles={"90000001": samples.pubmed_article_xml("90000001")}, unavailable=1, retry_after=header)
    with serve(fake) as url:
        report = fetch_abstracts(["90000001"], [], tmp_path / "pubmed", settings=_settings(url))
    assert report.fetched == ["90000001"] and len(fake.log) == 2


def test_retry_after_is_capped_and_dates_are_understood():
    def asked(value: str) -> float | None:
        return _retry_after(httpx.Response(503, headers={"Retry-After": value}))

    assert asked("1e308") == 60.0 and asked("7") == 7.0
    assert asked("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: now
    assert asked("Thu, 99 Foo 2015") is None


# -- item 4 and the 1 GB body: a total deadline and a size cap ---------------------------------------


def test_a_server_dripping_its_answer_is_abandoned_at_the_deadline(tmp_path):
    # 0.05 s a byte: the answer would take minutes, each read waiting far less than the timeout
    fake = FakeEutils(articles={"90000001": samples.pubmed_article_xml("90000001")}, drip_s=0.05)
    with serve(fake) as url, pytest.raises(FetchError, match="no complete answer within RSA_EUTILS_TIMEOUT_S=1 s"):
        fetch_abstracts(["90000001"], [], tmp_path / "pubmed", settings=_settings(url, eutils_timeout_s=1))
    assert not (tmp_path / "pubmed").exists() or _files(tmp_path / "pubmed") == []


@pytest.mark.parametrize("declared", [True, False])
def test_a_1_gb_answer_is_refused_without_reading_it_all(tmp_path, declared):
    fake = FakeEutils(huge_body=1 << 30, huge_declared=declared)
    with serve(fake) as url, pytest.raises(FetchError, match="larger than RSA_EUTILS_MAX_RESPONSE_MB=2"):
        fetch_abstracts(["90000001"], [], tmp_path / "pubmed", settings=_settings(url, eutils_max_response_mb=2))
    assert fake.huge_sent < 64 << 20  # the client stopped reading: not the whole gigabyte was sent
    assert len(fake.log) == 1  # a deterministic refusal is not retried


# -- redirects ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://example.org/entrez/eutils/efetch.fcgi", "ftp://x/y"])
def test_a_redirect_to_another_scheme_or_host_is_refused(tmp_path, target):
    fake = FakeEutils(redirect_to=target)
    with serve(fake) as url, pytest.raises(FetchError, match="redirected to .* refused"):
        fetch_abstracts(["90000001"], [], tmp_path / "pubmed", settings=_settings(url))
    assert len(fake.log) == 1


def test_a_redirect_on_the_same_host_or_among_ncbi_hosts_is_followed(tmp_path):
    fake = FakeEutils(articles={"90000001": samples.pubmed_article_xml("90000001")}, redirect_count=1)
    with serve(fake) as url:
        fake.redirect_to = f"{url}/efetch.fcgi?db=pubmed&id=90000001&retmode=xml"
        report = fetch_abstracts(["90000001"], [], tmp_path / "pubmed", settings=_settings(url))
    assert report.fetched == ["90000001"] and len(fake.log) == 2
    # NCBI moved the ID converter from www. to pmc.: such a move keeps working
    _check_redirect("https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0/", "https://pmc.ncbi.nlm.nih.gov/x", "idconv")
    with pytest.raises(FetchError, match="refused"):  # never a downgrade to plain http
        _check_redirect("https://www.ncbi.nlm.nih.gov/a", "http://www.ncbi.nlm.nih.gov/a", "idconv")
    with pytest.raises(FetchError, match="refused"):  # nor a look-alike host
        _check_redirect("https://www.ncbi.nlm.nih.gov/a", "https://evil-ncbi.nlm.nih.gov.example/a", "idconv")


# -- kill -9 mid-download ----------------------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_during_a_fetch_leaves_no_partial_file_and_the_next_run_completes(tmp_path):
    fake = jats_samples.fake_ncbi(drip_s=0.0005)
    command = [sys.executable, "-m", "assistant.cli", "corpus", "fetch", "--review", jats_samples.LONG_PMCID]
    with serve(fake) as url:
        env = cli_env(tmp_path, url)
        process = subprocess.Popen([*command, "--no-index"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # wait until the full text is being downloaded (some of its bytes sent), then kill the client
            deadline = time.monotonic() + 120
            while not any(q.get("db") == ["pmc"] for _, q, _ in list(fake.log)) and time.monotonic() < deadline:
                assert process.poll() is None, process.communicate()
                time.sleep(0.05)
            time.sleep(1.0)
            assert process.poll() is None, "the fetch finished before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        corpus = tmp_path / "corpus"
        assert [f for f in _files(corpus) if f.endswith((".nxml", ".tmp", ".xml"))] == [] if corpus.exists() else True
        fake.drip_s = 0.0
        again = subprocess.run([*command, "--no-index"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "full text (JATS): fetched, fulltext/PMC" in again.stdout
    left = _files(tmp_path / "corpus")
    assert not [f for f in left if f.endswith(".tmp")], left
    written = (tmp_path / "corpus" / "fulltext" / f"{jats_samples.LONG_PMCID}.nxml").read_bytes()
    assert written.rstrip().endswith(b"</article>")
