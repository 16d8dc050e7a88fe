"""Which links may leave the corpus: plain http(s) URLs only, and identifier links to known resolvers.

Corpus files are untrusted. A publisher page can put `javascript:alert(1)` or `data:` into a meta tag;
such a value must never become a link in an export, a JSON answer or the UI. Loaders keep a source's
own URL only when `safe_http_url` accepts it, and `Source.links` checks again (a second line of
defence for indexes built before this rule). Identifier links are built by us from the identifier,
so their host is always one of `RESOLVER_HOSTS`.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

#: Hosts of the identifier resolvers `Source.links` builds links to.
RESOLVER_HOSTS = frozenset(
    {
        "doi.org",
        "pubmed.ncbi.nlm.nih.gov",
        "www.ncbi.nlm.nih.gov",
        "pmc.ncbi.nlm.nih.gov",
        "clinicaltrials.gov",
    }
)

# white space, controls (C0, DEL, C1), quotes, angle brackets, backslash and bidi/zero-width format
# characters: none belongs in a URL we show, and each can hide or break out of a Markdown/HTML link
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\"'<>\\`\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")


def safe_http_url(url: str | None) -> str:
    """`url` when it is an absolute http(s) URL with a plain host name, else "" (drop it)."""
    url = (url or "").strip()
    if not url or len(url) > 2000 or _FORBIDDEN.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return ""
    if not _HOST.match(parts.netloc):
        return ""
    return url


def is_resolver_url(url: str) -> bool:
    """True for an https link to one of the identifier resolvers."""
    url = safe_http_url(url)
    return bool(url) and urlsplit(url).scheme == "https" and urlsplit(url).hostname in RESOLVER_HOSTS


def identifier_path(identifier: str) -> str:
    """An identifier (DOI, PMCID, trial id) as a URL path piece: reserved and unsafe characters encoded."""
    return quote(identifier.strip(), safe="/;:@!$&()*+,=-._~")
