"""Fetching from NCBI into a resumable cache in the corpus: cited abstracts, and a review's full text.

esearch turns DOIs into PMIDs, efetch returns PubMed XML; each article is stored as its own
`corpus/pubmed/<PMID>.xml`, so an interrupted fetch resumes where it stopped and PMIDs already
fetched are skipped. Requests are paced to NCBI's limits (3/s, or 10/s with NCBI_API_KEY) and
retried with backoff on 429 and 5xx replies.

`fetch_review` does the whole review in one go: the NCBI ID converter resolves a DOI, PMID or PMCID;
the JATS full text comes from PMC (efetch db=pmc) when the article is open access there and is stored
as `corpus/fulltext/PMC<id>.nxml` (otherwise its PubMed abstract is fetched instead, and the report
says why); then the abstracts of every reference carrying a PMID or DOI. Every file is written
atomically, so a run killed at any point loses nothing and the next run starts where it stopped.

A server's answers are not trusted: a PMCID must be `PMC` and digits before it names a file, and every
write is checked to land inside the corpus; each request has one total deadline (RSA_EUTILS_TIMEOUT_S,
enforced on every socket read and write) and a body size cap (RSA_EUTILS_MAX_RESPONSE_MB); a redirect
is followed only to the same host (or among NCBI's own hosts) over http(s); a Retry-After that is not a
usable number of seconds is ignored.
"""

from __future__ import annotations

import email.utils
import math
import os
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigurationError, CorpusError, FetchError
from assistant.ingest.pubmed_xml import parse_pubmed_xml

Progress = Callable[[int, int], None]
TOOL_NAME = "msc-rsa-assistant"
#: A PMCID as used in file names: "PMC" and ASCII digits only (a server's answer is never trusted as a path)
_PMCID = re.compile(r"PMC[0-9]{1,12}")
_PMID = re.compile(r"[0-9]{1,12}")
#: Longest wait a Retry-After header or the backoff may ask for between two tries
_MAX_RETRY_DELAY_S = 60.0
_MAX_REDIRECTS = 5
#: Hosts NCBI moves its services between (www. -> pmc., eutils.): redirects among them are followed
_NCBI_DOMAIN = "ncbi.nlm.nih.gov"


class FetchSettings(BaseSettings):
    """How E-utilities are reached (env prefix `RSA_`; the API key is NCBI's own `NCBI_API_KEY`)."""

    model_config = SettingsConfigDict(env_prefix="RSA_", extra="ignore", populate_by_name=True)

    eutils_base_url: str = Field(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", description="Base URL of NCBI E-utilities (tests use a fake)."
    )
    ncbi_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("NCBI_API_KEY", "RSA_NCBI_API_KEY"),
        description="NCBI API key; raises the request limit from 3 to 10 per second.",
    )
    eutils_email: str = Field("", description="Contact e-mail NCBI asks callers to send (optional).")
    eutils_timeout_s: float = Field(
        30.0,
        gt=0,
        le=600,
        allow_inf_nan=False,
        description="Seconds (at most 600) one request may take in total, from connecting to the last byte of "
        "the answer; a slower one is abandoned (and retried).",
    )
    eutils_max_retries: int = Field(4, ge=0, le=10, description="Retries of a request answered 429/5xx or not at all.")
    eutils_backoff_s: float = Field(
        1.0,
        ge=0,
        le=60,
        allow_inf_nan=False,
        description="First retry delay in seconds (at most 60); doubles on each further retry, up to 60 s.",
    )
    eutils_max_response_mb: int = Field(
        100,
        ge=1,
        le=2048,
        description="Largest answer one request may return, in MB (at most 2,048); a larger one is refused "
        "without being read in full.",
    )
    eutils_batch_size: int = Field(100, ge=1, le=500, description="PMIDs asked for in one efetch request.")
    idconv_base_url: str = Field(
        "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0/",
        description="NCBI PMC ID converter (DOI/PMID/PMCID to each other) used by `corpus fetch --review`; tests use a fake.",
    )

    def __init__(self, **values: object) -> None:
        # the CLI builds these settings itself: a bad RSA_EUTILS_* value is the same one-line settings
        # error (exit 3) as any other setting, never a raw pydantic block
        try:
            super().__init__(**values)  # type: ignore[arg-type]
        except ValidationError as exc:
            from assistant.settings import validation_problems

            raise ConfigurationError(
                f"Invalid settings: {validation_problems(exc)}.", hint="Fix the environment variable(s) named."
            ) from None

    @property
    def requests_per_second(self) -> int:
        return 10 if self.ncbi_api_key else 3

    @property
    def max_response_bytes(self) -> int:
        return self.eutils_max_response_mb * 1024 * 1024


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
        return {
            "fetched": self.fetched,
            "skipped": self.skipped,
            "missing": self.missing,
            "unresolved_dois": self.unresolved_dois,
        }


class EutilsClient:
    """A small E-utilities client: paced, retried, one-line errors."""

    def __init__(self, settings: FetchSettings | None = None, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.limiter = RateLimiter(self.settings.requests_per_second)
        self.deadline = _Deadline()
        if transport is None:
            transport = httpx.HTTPTransport()
            _bound_by_deadline(transport, self.deadline)
        # redirects are followed by `_send`, which checks each one (NCBI moves services now and then)
        self.client = httpx.Client(
            timeout=self.settings.eutils_timeout_s,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": f"{TOOL_NAME} (cited-abstract fetch)"},
        )

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
        return self._get(url, endpoint, self._params(**params))

    def _get(self, url: str, endpoint: str, params: dict[str, str]) -> httpx.Response:
        last = ""
        for attempt in range(self.settings.eutils_max_retries + 1):
            self.limiter.wait()
            try:
                response = self._send(url, endpoint, params)
            except httpx.TimeoutException:
                last = f"no complete answer within RSA_EUTILS_TIMEOUT_S={self.settings.eutils_timeout_s:g} s"
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
                    asked = _retry_after(response)
                    time.sleep(self._backoff(attempt) if asked is None else asked)
                    continue
            if attempt < self.settings.eutils_max_retries:
                time.sleep(self._backoff(attempt))
        raise FetchError(
            f"E-utilities {endpoint} failed after {self.settings.eutils_max_retries + 1} tries ({last}).",
            hint="Check the network (or RSA_EUTILS_BASE_URL) and run the fetch again; fetched PMIDs are kept.",
        )

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.eutils_backoff_s * 2**attempt, _MAX_RETRY_DELAY_S)

    def _send(self, url: str, endpoint: str, params: dict[str, str] | None) -> httpx.Response:
        """One request under one total deadline, its redirects checked and followed, its body size capped."""
        self.deadline.start(self.settings.eutils_timeout_s)
        try:
            for _ in range(_MAX_REDIRECTS + 1):
                response = self._read(self.client.build_request("GET", url, params=params), endpoint)
                if not response.is_redirect:
                    return response
                target = urljoin(str(response.url), response.headers.get("Location", ""))
                _check_redirect(str(response.url), target, endpoint)
                url, params = target, None  # the query travels in the Location
        finally:
            self.deadline.clear()
        raise FetchError(
            f"E-utilities {endpoint} redirected more than {_MAX_REDIRECTS} times.",
            hint="Check RSA_EUTILS_BASE_URL / RSA_IDCONV_BASE_URL.",
        )

    def _read(self, request: httpx.Request, endpoint: str) -> httpx.Response:
        """The response with its body read, refused before reading past the size cap."""
        limit = self.settings.max_response_bytes
        response = self.client.send(request, stream=True)
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.strip().isdigit() and int(declared) > limit:
                raise _too_large(endpoint, limit, f"it announces {int(declared):,} bytes")
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > limit:
                    raise _too_large(endpoint, limit, "it sent more")
                self.deadline.check()  # a server dripping bytes is stopped between reads as well
        finally:
            response.close()
        response._content = bytes(body)  # httpx's own cache of a read body: .content/.text/.json use it
        return response

    def pmids_for_doi(self, doi: str) -> list[str]:
        response = self.get("esearch.fcgi", term=f"{doi}[doi]", retmode="json")
        try:
            ids = response.json()["esearchresult"]["idlist"]
        except (ValueError, KeyError, TypeError):
            raise FetchError(f"E-utilities esearch gave an unreadable answer for DOI {doi}.") from None
        return [str(i) for i in ids if _PMID.fullmatch(str(i))]

    def fetch_xml(self, pmids: list[str]) -> bytes:
        return self.get("efetch.fcgi", id=",".join(pmids), retmode="xml", rettype="abstract").content

    def convert_id(self, identifier: str) -> dict[str, str]:
        """The ID converter's record for one DOI, PMID or PMCID: {'doi', 'pmid', 'pmcid'} as far as known."""
        params = {"ids": identifier, "format": "json", "tool": TOOL_NAME}
        if self.settings.eutils_email:
            params["email"] = self.settings.eutils_email
        response = self._get(self.settings.idconv_base_url, "ID converter", params)
        try:
            records = response.json()["records"]
        except (ValueError, KeyError, TypeError):
            raise FetchError(f"The NCBI ID converter gave an unreadable answer for {identifier}.") from None
        record = records[0] if records and isinstance(records, list) and isinstance(records[0], dict) else {}
        found = {key: str(record.get(key) or "").strip() for key in ("doi", "pmid", "pmcid")}
        if record.get("status") == "error":
            return {key: "" for key in found}
        # the PMCID becomes a file name and the PMID a query: an answer of another shape is refused
        for key, shape, example in (("pmcid", _PMCID, "PMC12345678"), ("pmid", _PMID, "40881633")):
            if found[key] and not shape.fullmatch(found[key]):
                raise FetchError(
                    f"The NCBI ID converter answered {key} {found[key][:80]!r} for {identifier}, not an id such as"
                    f" {example}; nothing was written.",
                    hint="Check RSA_IDCONV_BASE_URL points at NCBI's ID converter.",
                )
        return found

    def fetch_pmc(self, pmcid: str) -> bytes:
        return self.get("efetch.fcgi", db="pmc", id=pmcid.removeprefix("PMC"), retmode="xml").content


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait (delta-seconds or an HTTP date), at most 60; None when the header
    is absent or unusable (negative, nan, inf, garbage): the backoff applies then."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        seconds = max(seconds, 0.0)  # a date in the past: try again now
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, _MAX_RETRY_DELAY_S)


def _too_large(endpoint: str, limit: int, why: str) -> FetchError:
    return FetchError(
        f"E-utilities {endpoint} answer refused: larger than RSA_EUTILS_MAX_RESPONSE_MB="
        f"{limit // (1024 * 1024)} ({why}).",
        hint="Fetch fewer records at once (RSA_EUTILS_BATCH_SIZE) or raise RSA_EUTILS_MAX_RESPONSE_MB.",
    )


def _check_redirect(source: str, target: str, endpoint: str) -> None:
    """Refuse a redirect to another scheme (file:, ftp:), from https to http, or to a host that is neither
    the one asked nor one of NCBI's own."""
    old, new = urlsplit(source), urlsplit(target)
    same_host = (new.hostname or "") == (old.hostname or "") and new.port == old.port
    ncbi = all(h == _NCBI_DOMAIN or h.endswith("." + _NCBI_DOMAIN) for h in (old.hostname or "", new.hostname or ""))
    allowed_scheme = new.scheme in ("http", "https") and not (old.scheme == "https" and new.scheme == "http")
    if not allowed_scheme or not (same_host or ncbi):
        raise FetchError(
            f"E-utilities {endpoint} redirected to {target[:200]}, refused: only redirects to the same host"
            f" (or among NCBI's) over http(s) are followed.",
            hint="Check RSA_EUTILS_BASE_URL / RSA_IDCONV_BASE_URL; set them to the final address if you trust it.",
        )


class _Deadline:
    """The moment the current request must be done by (per thread); every socket read and write waits
    at most until then, so a server sending one byte at a time cannot hold a fetch past it."""

    def __init__(self) -> None:
        self._local = threading.local()

    def start(self, seconds: float) -> None:
        self._local.at = time.monotonic() + seconds

    def clear(self) -> None:
        self._local.at = None

    def remaining(self) -> float | None:
        at = getattr(self._local, "at", None)
        return None if at is None else at - time.monotonic()

    def check(self) -> None:
        left = self.remaining()
        if left is not None and left <= 0:
            raise httpx.ReadTimeout("the request's total deadline passed")

    def bound(self, timeout: float | None) -> float | None:
        left = self.remaining()
        if left is None:
            return timeout
        if left <= 0:
            raise httpcore.ReadTimeout("the request's total deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        inner = self._stream.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, deadline: _Deadline) -> None:
        self._backend, self._deadline = backend, deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self._backend.connect_tcp(host, port, self._deadline.bound(timeout), local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        stream = self._backend.connect_unix_socket(path, self._deadline.bound(timeout), socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _bound_by_deadline(transport: httpx.HTTPTransport, deadline: _Deadline) -> None:
    # httpx exposes no hook for this: its connection pool's network backend is wrapped, so each socket
    # operation gets min(its own timeout, the time left); tests/hardening/test_fetch_defects.py checks it
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = _DeadlineBackend(backend, deadline)  # type: ignore[union-attr]


def cached_pmids(cache_dir: Path) -> set[str]:
    return {p.stem for p in cache_dir.glob("*.xml") if p.stem.isdigit()} if cache_dir.is_dir() else set()


#: what `_write_atomically` names its temporary copies (hidden, so the corpus never loads one)
_TEMPORARY = re.compile(r"\.(?:PMC[0-9]+\.nxml|[0-9]+\.xml)\.[0-9]+\.tmp")


def _write_atomically(path: Path, data: bytes, root: Path) -> None:
    """Write `path` (which must lie inside `root`) through a hidden temporary and a rename: a run killed
    at any point leaves either the whole file or none. Called under the corpus lock."""
    resolved_root = root.resolve()
    resolved = path.parent.resolve() / path.name
    if resolved_root != resolved.parent and resolved_root not in resolved.parents:
        raise FetchError(f"Refused to write {path}: it lies outside {root}.", hint="This is a bug; please report it.")
    for leftover in path.parent.glob(".*.tmp"):  # a killed run's; no other run writes while the lock is held
        if _TEMPORARY.fullmatch(leftover.name):
            leftover.unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())  # the rename must never publish a file whose bytes are not on disk
    os.replace(temporary, path)


def store_articles(xml: bytes, cache_dir: Path) -> list[str]:
    """Split an efetch answer into one `<PMID>.xml` per article; returns the PMIDs written."""
    try:
        root = parse_pubmed_xml(xml, Path("efetch answer"))
    except CorpusError as exc:
        raise FetchError(exc.message, hint="Run the fetch again later; fetched PMIDs are kept.") from None
    if root.tag != "PubmedArticleSet":
        raise FetchError(f"E-utilities efetch answered <{root.tag}>, not a PubmedArticleSet.")
    from assistant.ingest.corpus_ops import corpus_lock

    cache_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with corpus_lock(cache_dir.parent):  # the corpus folder: a concurrent `corpus add` waits for the batch
        for article in root.findall("PubmedArticle"):
            pmid = (article.findtext("MedlineCitation/PMID") or "").strip()
            if not _PMID.fullmatch(pmid):
                continue
            body = ET.tostring(article, encoding="unicode")
            _write_atomically(
                cache_dir / f"{pmid}.xml",
                f'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n'.encode(),
                cache_dir,
            )
            written.append(pmid)
    return written


def fetch_abstracts(
    pmids: Iterable[str],
    dois: Iterable[str],
    cache_dir: Path,
    *,
    settings: FetchSettings | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch the abstracts of `pmids` (and of `dois`, resolved to PMIDs) into `cache_dir`."""
    report = FetchReport()
    wanted = list(dict.fromkeys(p.strip() for p in pmids if p.strip()))
    bad = [p for p in wanted if not _PMID.fullmatch(p)]
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
            chunk = todo[at : at + batch]
            written = set(store_articles(client.fetch_xml(chunk), cache_dir))
            report.fetched.extend(p for p in chunk if p in written)
            report.missing.extend(p for p in chunk if p not in written)
            done += len(chunk)
            if progress:
                progress(done, len(todo))
    return report


# -- a whole review: identifiers, full text, cited abstracts ------------------------------------------

StageProgress = Callable[[str, int, int], None]
_DOI_START = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


@dataclass
class ReviewFetchReport:
    """What `fetch_review` did, for the summary: the review's identifiers, its full text, its references."""

    identifier: str
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    #: "fetched", "cached", or "abstract only" (with `full_text_reason`)
    full_text: str = ""
    full_text_reason: str = ""
    full_text_file: str = ""
    references: int = 0
    abstracts: FetchReport = field(default_factory=FetchReport)
    #: reference numbers whose entry carries neither PMID nor DOI
    without_identifier: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "identifier": self.identifier,
            "doi": self.doi,
            "pmid": self.pmid,
            "pmcid": self.pmcid,
            "full_text": self.full_text,
            "full_text_reason": self.full_text_reason,
            "full_text_file": self.full_text_file,
            "references": self.references,
            "abstracts": self.abstracts.to_dict(),
            "without_identifier": self.without_identifier,
        }


def classify_identifier(identifier: str) -> tuple[str, str]:
    """('doi' | 'pmid' | 'pmcid', normalised value), or a FetchError saying what is accepted."""
    value = identifier.strip()
    doi = _DOI_START.match(value)
    if doi:
        return "doi", doi.group(1).rstrip(".,;").lower()
    if re.fullmatch(r"(?i)pmc[0-9]{1,9}", value):
        return "pmcid", value.upper()
    if re.fullmatch(r"(?i)(?:pmid:?\s*)?[0-9]{1,9}", value):
        return "pmid", re.sub(r"\D", "", value)
    raise FetchError(
        f"'{identifier}' is not a DOI, PMID or PMCID.",
        hint="Give e.g. 10.4252/wjsc.v17.i8.108695, 40881633 or PMC12345678.",
    )


def full_text_path(corpus_dir: Path, pmcid: str) -> Path:
    if not _PMCID.fullmatch(pmcid):  # the name comes from a server's answer: never a path of its choosing
        raise FetchError(f"{pmcid[:80]!r} is not a PMCID; nothing was written.", hint="A PMCID is PMC and digits.")
    return corpus_dir / "fulltext" / f"{pmcid}.nxml"


def _article_bytes(answer: bytes) -> bytes | None:
    """The JATS <article> inside an efetch db=pmc answer, when it carries a body (open access)."""
    from assistant.ingest.pubmed_xml import parse_pubmed_xml

    try:
        root = parse_pubmed_xml(answer, Path("PMC efetch answer"))
    except CorpusError as exc:
        raise FetchError(exc.message, hint="Run the fetch again later; what was fetched is kept.") from None
    article = (
        root
        if root.tag.rsplit("}", 1)[-1] == "article"
        else next((e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "article"), None)
    )
    if article is None or not any(
        isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "body" for e in article.iter()
    ):
        return None
    text = answer.decode("utf-8", errors="replace")
    start = re.search(r"<article[\s>]", text)
    end = text.rfind("</article>")
    if not start or end < 0:
        return None
    # the article's own bytes, as PMC serves them (namespace declarations included)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text[start.start() : end + len("</article>")] + "\n").encode()


def fetch_review(
    identifier: str,
    corpus_dir: Path,
    *,
    settings: FetchSettings | None = None,
    progress: StageProgress | None = None,
) -> ReviewFetchReport:
    """Resolve `identifier`, fetch the review's JATS full text (or its abstract), then its cited abstracts."""
    kind, value = classify_identifier(identifier)
    tick = progress or (lambda stage, done, total: None)
    report = ReviewFetchReport(identifier=identifier)
    setattr(report, kind, value)  # the identifier given is known before any lookup
    with EutilsClient(settings) as client:
        tick("Resolving identifiers", 0, 1)
        found = client.convert_id(value)
        report.doi = report.doi or found.get("doi", "").lower()
        report.pmid = report.pmid or found.get("pmid", "")
        report.pmcid = report.pmcid or found.get("pmcid", "")
        tick("Resolving identifiers", 1, 1)
        if kind == "doi" and not report.pmid and not report.pmcid:
            pmids = client.pmids_for_doi(value)  # not in PMC: PubMed may still know it
            report.pmid = pmids[0] if pmids else ""
        tick("Full text", 0, 1)
        from assistant.ingest.corpus_ops import corpus_lock

        with corpus_lock(corpus_dir):  # the check for a hand-added copy and the write are one step
            article = _full_text(client, report, corpus_dir)
        tick("Full text", 1, 1)
    if article is None:
        if not report.pmid:
            raise FetchError(
                f"{identifier}: not open access in PubMed Central and no PMID to fetch its abstract by"
                f" ({report.full_text_reason}).",
                hint="Add the review's full text yourself: rsa-assistant corpus add review.nxml (or .html/.pdf).",
            )
        report.abstracts = fetch_abstracts([report.pmid], [], corpus_dir / "pubmed", settings=settings)
        return report
    references = article.references
    report.references = len(references)
    pmids = [r.pmid for r in references if r.pmid]
    dois = [r.doi for r in references if r.doi and not r.pmid]
    report.without_identifier = [r.number for r in references if not r.pmid and not r.doi]
    report.abstracts = fetch_abstracts(
        pmids,
        dois,
        corpus_dir / "pubmed",
        settings=settings,
        progress=lambda done, total: tick("Cited abstracts", done, total),
    )
    return report


def _full_text_in_corpus(corpus_dir: Path, report: ReviewFetchReport) -> Path | None:
    """A JATS file of the same article already added by hand (`corpus add review.nxml`): used, not fetched
    again, so the corpus never holds two copies under one id."""
    from assistant.ingest.jats import parse_jats

    for candidate in sorted(corpus_dir.rglob("*.nxml")) if corpus_dir.is_dir() else []:
        try:
            source = parse_jats(candidate.read_bytes(), candidate).source
        except (CorpusError, OSError):
            continue
        if (report.pmcid and source.pmcid == report.pmcid) or (report.doi and source.doi == report.doi.lower()):
            return candidate
    return None


def _full_text(client: EutilsClient, report: ReviewFetchReport, corpus_dir: Path):
    """The parsed JATS article (fetched now or cached before), or None with `full_text_reason` set."""
    from assistant.ingest.jats import parse_jats

    if not report.pmcid:
        report.full_text, report.full_text_reason = "abstract only", "not in PubMed Central"
        return None
    path = _full_text_in_corpus(corpus_dir, report) or full_text_path(corpus_dir, report.pmcid)
    if path.is_file():
        report.full_text = "cached"
    else:
        data = _article_bytes(client.fetch_pmc(report.pmcid))
        if data is None:
            report.full_text = "abstract only"
            report.full_text_reason = f"{report.pmcid} is in PubMed Central but its full text is not open for download"
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        parse_jats(data, path)  # refuse a broken answer before it reaches the corpus
        _write_atomically(path, data, corpus_dir)
        report.full_text = "fetched"
    report.full_text_file = str(path.relative_to(corpus_dir))
    try:
        return parse_jats(path.read_bytes(), path)
    except CorpusError as exc:
        raise FetchError(exc.message, hint=f"Delete {path} and run the fetch again.") from None
