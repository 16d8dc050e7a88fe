"""Fetching from E-utilities against the fake server on 127.0.0.1: caching, DOI lookup, retries, errors."""

from __future__ import annotations

import pytest

from assistant.errors import FetchError
from assistant.ingest import load_corpus
from assistant.ingest.fetch import FetchSettings, fetch_abstracts
from tests.fake_eutils_server import FakeEutils, serve
from tests.ingest import samples


def _fake(**behaviour) -> FakeEutils:
    return FakeEutils(
        articles={p: samples.pubmed_article_xml(p) for p in samples.ABSTRACTS},
        dois={"10.9999/cited.four": "90000004"},
        **behaviour,
    )


def _settings(url: str) -> FetchSettings:
    return FetchSettings(eutils_base_url=url, eutils_backoff_s=0.0, eutils_max_retries=3)


def test_fetch_writes_one_file_per_pmid_and_skips_cached(tmp_path):
    fake = _fake()
    cache = tmp_path / "corpus" / "pubmed"
    with serve(fake) as url:
        report = fetch_abstracts(
            ["90000001", "90000002", "12345"], ["10.9999/cited.four", "10.0/none"], cache, settings=_settings(url)
        )
        assert sorted(report.fetched) == ["90000001", "90000002", "90000004"]
        assert report.missing == ["12345"] and report.unresolved_dois == ["10.0/none"]
        requests = len(fake.log)
        again = fetch_abstracts(["90000001", "90000002"], [], cache, settings=_settings(url))
    assert again.skipped == ["90000001", "90000002"] and again.fetched == []
    assert len(fake.log) == requests  # nothing was asked for again
    loaded = load_corpus(tmp_path / "corpus")
    assert {d.source.pmid for d in loaded.documents} == {"90000001", "90000002", "90000004"}
    assert loaded.problems == []


def test_rate_limit_and_server_errors_are_retried(tmp_path):
    fake = _fake(rate_limited=2, unavailable=1)
    with serve(fake) as url:
        report = fetch_abstracts(["90000003"], [], tmp_path / "pubmed", settings=_settings(url))
    assert report.fetched == ["90000003"]
    assert len(fake.log) == 4  # three refused tries, then the answer


def test_persistent_failure_is_one_fetch_error(tmp_path):
    with serve(_fake(always_fail=503)) as url, pytest.raises(FetchError) as caught:
        fetch_abstracts(["90000003"], [], tmp_path / "pubmed", settings=_settings(url))
    assert "after 4 tries" in str(caught.value)


def test_client_errors_and_malformed_answers_are_fetch_errors(tmp_path):
    with serve(_fake(always_fail=400)) as url, pytest.raises(FetchError, match="HTTP 400"):
        fetch_abstracts(["90000003"], [], tmp_path / "pubmed", settings=_settings(url))
    with serve(_fake(malformed=True)) as url, pytest.raises(FetchError, match="malformed XML"):
        fetch_abstracts(["90000003"], [], tmp_path / "pubmed", settings=_settings(url))
    assert not list((tmp_path / "pubmed").glob("*.xml")) if (tmp_path / "pubmed").exists() else True


def test_api_key_is_sent_and_raises_the_rate(monkeypatch, tmp_path):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key")
    fake = _fake()
    with serve(fake) as url:
        settings = _settings(url)
        assert settings.requests_per_second == 10
        fetch_abstracts(["90000001"], [], tmp_path / "pubmed", settings=settings)
    assert fake.log[0][1]["api_key"] == ["secret-key"]
    assert FetchSettings(eutils_base_url=url).requests_per_second == 10
    monkeypatch.delenv("NCBI_API_KEY")
    assert FetchSettings().requests_per_second == 3


def test_cli_fetch_from_references(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.html").write_text(samples.review_html(), encoding="utf-8")
    fake = _fake()
    with serve(fake) as url:
        monkeypatch.setenv("RSA_EUTILS_BASE_URL", url)
        monkeypatch.setenv("RSA_EUTILS_BACKOFF_S", "0")
        result = CliRunner().invoke(
            app, ["corpus", "fetch", "--from-references", "--no-index", "--corpus-dir", str(corpus)]
        )
    assert result.exit_code == 0, result.output
    assert "fetched 4" in result.output
    assert sorted(p.stem for p in (corpus / "pubmed").glob("*.xml")) == ["90000001", "90000002", "90000003", "90000004"]
