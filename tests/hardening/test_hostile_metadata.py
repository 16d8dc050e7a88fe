"""Hostile corpus metadata (issue 22, "not yet tried"): titles, DOIs and URLs that try to inject
Markdown or HTML, break a table or a heading, or smuggle a `javascript:`/`data:`/`file:` link.

The Markdown export is parsed by a real CommonMark+GFM parser (markdown-it) and the JSON export by
`json.loads`; the UI source cards are checked in a real headless browser in
tests/hardening/test_hostile_metadata_browser.py. Either way the text reaches the reader as literal
characters and the only links are plain https links to identifier resolvers, or a source's own http(s) URL.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt

from assistant.export import conversation_json, conversation_markdown
from assistant.rendering.sanitize import markdown_link
from assistant.types import Answer, AnswerSentence, Chunk, Citation, Passage, Reference, Source, SourceKind
from assistant.urls import RESOLVER_HOSTS, safe_http_url

#: A title that tries everything at once: close a link and open a javascript: one, raw HTML with an
#: event handler, a data: link, newlines that start a heading and a table row, and a pipe.
HOSTILE_TITLE = (
    "Tregs](javascript:alert(1)) <img src=x onerror=alert(2)> [x](data:text/html;base64,PHNjcmlwdD4=)"
    "\n# Injected heading\n\n| a | b |\n|---|---|\n| evil | row | end"
)
HOSTILE_DOIS = ('10.1/x"><script>alert(3)</script>', "javascript:alert(4)", "data:text/html,<b>x</b>")
HOSTILE_URLS = (
    "javascript:alert(5)",
    "JaVaScRiPt:alert(6)",
    " javascript:alert(7)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "https://ok.example/\njavascript:alert(8)",
    'https://ok.example/"onmouseover="alert(9)',
    "https://user@evil.example/",
)
SAFE_SCHEMES = ("http", "https")


def _source(n: int, **fields) -> Source:
    base = dict(
        id=f"evil-{n}",
        kind=SourceKind.REVIEW,
        title=HOSTILE_TITLE,
        authors=("Xiao Y](javascript:alert(10))", "<b>Zeng</b> | FY"),
        year=2025,
        journal="World J <i>Stem</i> Cells\n## journal heading",
    )
    return Source(**{**base, **fields})


def _hostile_sources() -> list[Source]:
    sources = [_source(n, doi=doi) for n, doi in enumerate(HOSTILE_DOIS)]
    sources += [_source(10 + n, url=url) for n, url in enumerate(HOSTILE_URLS)]
    sources.append(_source(30, pmcid='PMC1"><script>alert(11)</script>', trial_id="javascript:alert(12)"))
    return sources


def _answer(sources: list[Source]) -> Answer:
    citations, sentences = [], []
    for n, source in enumerate(sources, 1):
        text = f"MSCs raised regulatory T cells in study {n}."
        chunk = Chunk(f"{source.id}-1", source.id, "Abstract\n# section heading", 0, len(text), text)
        reference = Reference(3, "Ref <script>x</script> | cell", doi=HOSTILE_DOIS[0], pmid="12 OR 1=1")
        citations.append(Citation(n, Passage(chunk, source), text, [reference]))
        sentences.append(AnswerSentence(text, [n], True))
    answer = Answer("Q?", " ".join(s.text for s in sentences), sentences=sentences, citations=citations)
    answer.studies = [
        {"study": HOSTILE_TITLE, "link": url, "finding": HOSTILE_TITLE, "model": "mice | rats"} for url in HOSTILE_URLS
    ]
    return answer


def _tokens(text: str):
    md = MarkdownIt("commonmark").enable(["table", "strikethrough", "linkify"] if _has_linkify() else ["table"])
    for token in md.parse(text):
        yield token
        yield from token.children or ()


def _has_linkify() -> bool:
    try:
        import linkify_it  # noqa: F401
    except ImportError:
        return False
    return True


def _assert_safe_href(href: str) -> None:
    parts = urlsplit(href)
    assert parts.scheme in SAFE_SCHEMES, href
    assert safe_http_url(href) == href, href


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_source_url_is_never_a_link(url):
    source = _source(0, url=url)
    assert source.links == {}, url
    assert markdown_link("label", url) == "label"


@pytest.mark.parametrize("doi", HOSTILE_DOIS)
def test_hostile_doi_becomes_an_encoded_https_resolver_link(doi):
    link = _source(0, doi=doi).links["DOI"]
    _assert_safe_href(link)
    assert urlsplit(link).hostname == "doi.org"
    assert not set('"<> ') & set(link), link


def test_markdown_export_renders_hostile_titles_dois_and_urls_inert():
    text = conversation_markdown([_answer(_hostile_sources())])
    tokens = list(_tokens(text))
    assert not [t for t in tokens if t.type == "image"], "no image"
    assert not [t for t in tokens if t.type.startswith("html")], "no raw HTML"
    for token in tokens:
        if token.type == "link_open":
            _assert_safe_href(token.attrGet("href"))
            assert urlsplit(token.attrGet("href")).hostname in RESOLVER_HOSTS, token.attrGet("href")
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0].startswith("MSC therapies") and headings[-1] == "References"
    assert not [h for h in headings if "Injected" in h or "heading" in h], headings
    # outside resolver links (https://doi.org/javascript:alert(4) is only a DOI look-up), every
    # scheme is broken ("javascript\\:") so no renderer or linkifier can act on it
    outside_links = re.sub(r"\]\(<?https://[^\s)>]+>?\)", "]()", text).replace("javascript\\:", "").lower()
    assert "javascript:" not in outside_links and "data:" not in outside_links and "file:" not in outside_links
    # the one evidence table keeps its rows: no pipe or newline from a title splits or adds one
    assert len([t for t in tokens if t.type == "table_open"]) == 1
    assert len([t for t in tokens if t.type == "tr_open"]) == 1 + len(HOSTILE_URLS)
    # the reader still sees what the metadata said
    assert "Injected heading" in text and "onerror" in text


def test_json_export_stays_valid_json_with_only_http_links():
    text = conversation_json([_answer(_hostile_sources())])
    data = json.loads(text)
    turn = data["turns"][0]
    assert turn["citations"], "the hostile sources are all exported"
    for citation in turn["citations"]:
        assert citation["title"] == HOSTILE_TITLE, "JSON keeps the title as data, unchanged"
        for url in citation["links"].values():
            _assert_safe_href(url)
    assert turn["studies"], "the evidence rows are exported"
    for row in turn["studies"]:
        assert row["study"] == HOSTILE_TITLE
        for key in ("link", "url"):
            if row.get(key):
                _assert_safe_href(row[key])
        for url in (row.get("links") or {}).values():
            _assert_safe_href(url)
    assert "\u2028" not in text and "\u2029" not in text
