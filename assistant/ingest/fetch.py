"""Fetching cited abstracts from NCBI E-utilities into a resumable cache under corpus/pubmed/.

esearch turns DOIs into PMIDs, efetch returns PubMed XML; each article is stored as its own
`corpus/pubmed/<PMID>.xml`, so an interrupted fetch resumes where it stopped and PMIDs already
fetched are skipped. Requests are paced to NCBI's limits (3/s, or 10/s with NCBI_API_KEY) and
retried with backoff on 429 and 5xx replies.
"""

from __future__ import annotations

import os
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import CorpusError, FetchError
from assistant.ingest.pubmed_xml import parse_pubmed_xml

Progress = Callable[[int, int], None]
TOOL_NAME = "msc-rsa-assistant"


class FetchSettings(BaseSettings):
    """How E-utilities are reached (env prefix `RSA_`; the API key is NCBI's own `NCBI_API_KEY`)."""

    model_config = SettingsConfigDict(env_prefix="RSA_", extra="ignore", populate_by_name=True)

    eutils_base_url: str = Field(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", description="Base URL of NCBI E-utilities (tests use a fake)."
    )
    ncbi_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("NCBI_API_KEY", "RSA_NCBI_API_KEY"),
        description="NCBI API key; raises the request limit from 3 to 10 per second.",
    )
    eutils_email: str = Field("", description="Contact e-mail NCBI asks callers to send (optional).")
    eutils_timeout_s: float = Field(30.0, gt=0, description="Seconds before one E-utilities request is abandoned.")
    eutils_max_retries: int = Field(4, ge=0, le=10, description="Retries of a request answered 429/5xx or not at all.")
    eutils_backoff_s: float = Field(1.0, ge=0, description="First retry delay; doubles on each further retry.")
    eutils_batch_size: int = Field(100, ge=1, le=500, description="PMIDs asked for in one efetch request.")

    @property
    def requests_per_second(self) -> int:
        return 10 if self.ncbi_api_key else 3


class RateLimiter:
    """At most `per_second` request starts in any second (simple spacing, thread-safe)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


@dataclass
class FetchReport:
    """What a fetch did: PMIDs written, already cached, not found, and DOIs that had no PMID."""

    fetched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unresolved_dois: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {"fetched": self.fetched, "skipped": self.skipped, "missing": self.missing,
                "unresolved_dois": self.unresolved_dois}


class EutilsClient:
    """A small E-utilities client: paced, retried, one-line errors."""

    def __init__(self, settings: FetchSettings | None = None, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.limiter = RateLimiter(self.settings.requests_per_second)
        self.client = httpx.Client(timeout=self.settings.eutils_timeout_s, transport=transport,
                                   headers={"User-Agent": f"{TOOL_NAME} (cited-abstract fetch)"})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _params(self, **params: str) -> dict[str, str]:
        params = {"db": "pubmed", "tool": TOOL_NAME, **params}
        if self.settings.eutils_email:
            params["email"] = self.settings.eutils_email
        if self.settings.ncbi_api_key:
            params["api_key"] = self.settings.ncbi_api_key.get_secret_value()
        return params

    def get(self, endpoint: str, **params: str) -> httpx.Response:
        url = f"{self.settings.eutils_base_url.rstrip('/')}/{endpoint}"
        last = ""
        for attempt in range(self.settings.eutils_max_retries + 1):
            self.limiter.wait()
            try:
                response = self.client.get(url, params=self._params(**params))
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return response
                if response.status_code != 429 and response.status_code < 500:
                    raise FetchError(
                        f"E-utilities {endpoint} answered HTTP {response.status_code}: {response.text[:160].strip()}",
                        hint="Check the PMIDs/DOIs and RSA_EUTILS_BASE_URL.",
                    )
                last = f"HTTP {response.status_code}"
                if attempt < self.settings.eutils_max_retries:
                    time.sleep(_retry_after(response) or self.settings.eutils_backoff_s * 2**attempt)
                    continue
            if attempt < self.settings.eutils_max_retries:
                time.sleep(self.settings.eutils_backoff_s * 2**attempt)
        raise FetchError(
            f"E-utilities {endpoint} failed after {self.settings.eutils_max_retries + 1} tries ({last}).",
            hint="Check the network (or RSA_EUTILS_BASE_URL) and run the fetch again; fetched PMIDs are kept.",
        )

    def pmids_for_doi(self, doi: str) -> list[str]:
        response = self.get("esearch.fcgi", term=f"{doi}[doi]", retmode="json")
        try:
            ids = response.json()["esearchresult"]["idlist"]
        except (ValueError, KeyError, TypeError):
            raise FetchError(f"E-utilities esearch gave an unreadable answer for DOI {doi}.") from None
        return [str(i) for i in ids if str(i).isdigit()]

    def fetch_xml(self, pmids: list[str]) -> bytes:
        return self.get("efetch.fcgi", id=",".join(pmids), retmode="xml", rettype="abstract").content


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return min(float(value), 60.0)
    except ValueError:
        return None


def cached_pmids(cache_dir: Path) -> set[str]:
    return {p.stem for p in cache_dir.glob("*.xml") if p.stem.isdigit()} if cache_dir.is_dir() else set()


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def store_articles(xml: bytes, cache_dir: Path) -> list[str]:
    """Split an efetch answer into one `<PMID>.xml` per article; returns the PMIDs written."""
    try:
        root = parse_pubmed_xml(xml, Path("efetch answer"))
    except CorpusError as exc:
        raise FetchError(exc.message, hint="Run the fetch again later; fetched PMIDs are kept.") from None
    if root.tag != "PubmedArticleSet":
        raise FetchError(f"E-utilities efetch answered <{root.tag}>, not a PubmedArticleSet.")
    cache_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for article in root.findall("PubmedArticle"):
        pmid = (article.findtext("MedlineCitation/PMID") or "").strip()
        if not pmid.isdigit():
            continue
        body = ET.tostring(article, encoding="unicode")
        _write_atomically(cache_dir / f"{pmid}.xml",
                          f'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n'.encode())
        written.append(pmid)
    return written


def fetch_abstracts(
    pmids: Iterable[str], dois: Iterable[str], cache_dir: Path, *,
    settings: FetchSettings | None = None, progress: Progress | None = None,
) -> FetchReport:
    """Fetch the abstracts of `pmids` (and of `dois`, resolved to PMIDs) into `cache_dir`."""
    report = FetchReport()
    wanted = list(dict.fromkeys(p.strip() for p in pmids if p.strip()))
    bad = [p for p in wanted if not p.isdigit()]
    if bad:
        raise FetchError(f"Not a PMID: {', '.join(bad[:5])}.", hint="PMIDs are numbers such as 31234567.")
    with EutilsClient(settings) as client:
        for doi in dict.fromkeys(d.strip() for d in dois if d.strip()):
            found = client.pmids_for_doi(doi)
            if found:
                wanted.extend(p for p in found[:1] if p not in wanted)
            else:
                report.unresolved_dois.append(doi)
        cached = cached_pmids(cache_dir)
        report.skipped = [p for p in wanted if p in cached]
        todo = [p for p in wanted if p not in cached]
        batch = client.settings.eutils_batch_size
        done = 0
        for at in range(0, len(todo), batch):
            chunk = todo[at:at + batch]
            written = set(store_articles(client.fetch_xml(chunk), cache_dir))
            report.fetched.extend(p for p in chunk if p in written)
            report.missing.extend(p for p in chunk if p not in written)
            done += len(chunk)
            if progress:
                progress(done, len(todo))
    return report
