"""A stand-in for NCBI E-utilities on 127.0.0.1: esearch (DOI -> PMID, JSON) and efetch (PubMed XML).

It also plays PubMed Central: efetch with db=pmc serves JATS full text (`pmc`, keyed by PMCID), and the
PMC ID converter (`idconv_url(base)`) answers DOI/PMID/PMCID lookups from `records`.

Tests give it the articles to serve and may ask it to answer the first requests with 429 (with a
Retry-After header) or 503, to break an efetch with malformed XML, or to fail every request. Every
request is logged (path, query, time) so tests can check pacing, retries and what was asked for.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


@dataclass
class FakeEutils:
    """Behaviour of the fake: `articles` maps PMID -> <PubmedArticle> XML; `dois` maps DOI -> PMID."""

    articles: dict[str, str] = field(default_factory=dict)
    dois: dict[str, str] = field(default_factory=dict)
    rate_limited: int = 0  # answer this many requests with 429 first
    unavailable: int = 0  # then this many with 503
    always_fail: int = 0  # a status every request gets (0 = none)
    malformed: bool = False
    #: PMCID ("PMC123") -> the JATS <article> XML PMC serves for it (without a body when not open access)
    pmc: dict[str, str] = field(default_factory=dict)
    #: ID converter records: each {"doi": ..., "pmid": ..., "pmcid": ...}
    records: list[dict[str, str]] = field(default_factory=list)
    #: PubMed efetch requests answered before every further one gets 503 (-1: never), as if the run died
    efetch_budget: int = -1
    #: the Retry-After header sent with each `unavailable` 503 (None: no header)
    retry_after: str | None = None
    #: answer every request with a 302 to this Location (a redirect test), unless empty
    redirect_to: str = ""
    #: how many requests get that redirect (-1: every one)
    redirect_count: int = -1
    #: seconds between single bytes of every 200 body (a server dripping its answer); 0 sends at once
    drip_s: float = 0.0
    #: answer every request with this many bytes of filler (0: off); `huge_declared` says whether the
    #: Content-Length header announces them (else the body runs until the connection closes)
    huge_body: int = 0
    huge_declared: bool = True
    #: set once a body has started to be sent (a test kills its client then)
    body_started: threading.Event = field(default_factory=threading.Event)
    #: bytes of filler the server managed to send (how much of a huge body the client read)
    huge_sent: int = 0
    log: list[tuple[str, dict[str, list[str]], float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str, dict[str, str]]:
        with self._lock:
            self.log.append((path, query, time.monotonic()))
            if self.always_fail:
                return self.always_fail, "text/plain", "failure on purpose", {}
            if self.rate_limited:
                self.rate_limited -= 1
                return 429, "application/json", '{"error":"API rate limit exceeded"}', {"Retry-After": "0"}
            if self.unavailable:
                self.unavailable -= 1
                headers = {} if self.retry_after is None else {"Retry-After": self.retry_after}
                return 503, "text/html", "<html>Service unavailable</html>", headers
            if self.redirect_to and self.redirect_count != 0:
                self.redirect_count -= 1 if self.redirect_count > 0 else 0
                return 302, "text/plain", "moved", {"Location": self.redirect_to}
        if "/idconv/" in path:
            wanted = query.get("ids", [""])[0].strip().lower()
            found = [r for r in self.records if wanted in {str(v).lower() for v in r.values()}]
            record = dict(found[0]) if found else {"doi": wanted, "status": "error", "errmsg": "invalid article id"}
            return 200, "application/json", json.dumps({"status": "ok", "records": [record]}), {}
        if path.endswith("/efetch.fcgi") and query.get("db", ["pubmed"])[0] == "pmc":
            ids = [f"PMC{i.removeprefix('PMC')}" for part in query.get("id", [""]) for i in part.split(",") if i]
            body = "".join(_article_only(self.pmc[i]) for i in ids if i in self.pmc)
            return 200, "text/xml", f'<?xml version="1.0" ?>\n<pmc-articleset>{body}</pmc-articleset>', {}
        if path.endswith("/esearch.fcgi"):
            term = query.get("term", [""])[0].removesuffix("[doi]").lower()
            ids = [self.dois[term]] if term in self.dois else []
            body = {"esearchresult": {"count": str(len(ids)), "idlist": ids}}
            return 200, "application/json", json.dumps(body), {}
        if path.endswith("/efetch.fcgi"):
            with self._lock:
                if self.efetch_budget == 0:
                    return 503, "text/plain", "gone on purpose", {}
                self.efetch_budget -= 1 if self.efetch_budget > 0 else 0
            if self.malformed:
                return 200, "text/xml", "<PubmedArticleSet><PubmedArticle>", {}
            ids = [i for part in query.get("id", [""]) for i in part.split(",") if i]
            body = "".join(self.articles[i] for i in ids if i in self.articles)
            return 200, "text/xml", f'<?xml version="1.0" ?>\n<PubmedArticleSet>{body}</PubmedArticleSet>', {}
        return 404, "text/plain", "unknown endpoint", {}


def _article_only(jats: str) -> str:
    """A JATS file without its XML declaration and DOCTYPE, as PMC nests it in <pmc-articleset>."""
    start = jats.find("<article")
    return jats[start:] if start >= 0 else jats


def idconv_url(eutils_url: str) -> str:
    """Where the fake's ID converter answers, given the base URL `serve` yielded."""
    return eutils_url.replace("/entrez/eutils", "/pmc/utils/idconv/v1.0/")


def cli_env(tmp_path: Path, url: str) -> dict[str, str]:
    """A CLI child's environment: a corpus, index and cache of the test's own, NCBI at the fake server."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RSA_")}
    return {
        **clean,
        "RSA_CORPUS_DIR": str(tmp_path / "corpus"),
        "RSA_INDEX_DIR": str(tmp_path / "index"),
        "RSA_CACHE_DIR": str(tmp_path / "cache"),
        "RSA_EUTILS_BASE_URL": url,
        "RSA_IDCONV_BASE_URL": idconv_url(url),
        "RSA_EUTILS_BACKOFF_S": "0",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }


def _handler(fake: FakeEutils) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlparse(self.path)
            status, kind, body, headers = fake.answer(url.path, parse_qs(url.query))
            if fake.huge_body and status == 200:
                self._send_huge()
                return
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if status == 200 and fake.drip_s:
                self._drip(data)
            else:
                self.wfile.write(data)

        def _drip(self, data: bytes) -> None:
            try:
                for at in range(len(data)):
                    self.wfile.write(data[at : at + 1])
                    self.wfile.flush()
                    fake.body_started.set()
                    time.sleep(fake.drip_s)
            except OSError:  # the client gave up (its deadline) or was killed
                pass

        def _send_huge(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            if fake.huge_declared:
                self.send_header("Content-Length", str(fake.huge_body))
            self.end_headers()
            piece = b"<" + b"x" * 65535
            try:
                while fake.huge_sent < fake.huge_body:
                    self.wfile.write(piece)
                    fake.huge_sent += len(piece)
            except OSError:  # the client refused the rest
                pass

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    return Handler


@contextlib.contextmanager
def serve(fake: FakeEutils) -> Iterator[str]:
    """Run the fake on a free port; yields its base URL (what RSA_EUTILS_BASE_URL is set to)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/entrez/eutils"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":  # manual use: python tests/fake_eutils_server.py
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from tests.ingest.samples import ABSTRACTS, pubmed_article_xml

    fake = FakeEutils(articles={p: pubmed_article_xml(p) for p in ABSTRACTS})
    with serve(fake) as url:
        print(url, flush=True)
        wait: Callable[[], None] = threading.Event().wait
        wait()
