"""Bad and hostile files are refused with one line naming the file; the rest of the batch loads."""

from __future__ import annotations

import pytest

from assistant.errors import CorpusError
from assistant.ingest import load_corpus, load_path
from tests.ingest import samples

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&lol3;</ArticleTitle>
<Abstract><AbstractText>x</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>2</PMID><Article><ArticleTitle>t</ArticleTitle>
<Abstract><AbstractText>&xxe;</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _truncated_pdf(tmp_path):
    whole = samples.write_review_pdf(tmp_path / "whole.pdf").read_bytes()
    return whole[: len(whole) // 3]


BAD_FILES = {
    "laughs.xml": (BILLION_LAUGHS, "refused for safety"),
    "xxe.xml": (EXTERNAL_ENTITY, "refused for safety"),
    "broken.xml": ("<PubmedArticleSet><PubmedArticle>", "malformed XML"),
    "other.xml": ("<catalog><book/></catalog>", "not a PubMed"),
    "latin1.md": ("# Titre\n\nCaf\u00e9 cr\u00e8me".encode("latin-1"), "not valid UTF-8"),
    "junk.txt": (bytes(range(256)) * 8, "binary content"),
    "empty.html": (b"", "empty"),
    "image.png": (b"\x89PNG\r\n\x1a\n....", "unsupported file type"),
    "bad-types.yaml": ("studies:\n  - id: s1\n    finding: [not, text]\n", "must be text"),
    "bad.json": ("{not json", "invalid JSON"),
    "nocsl.json": ('{"rows": [1, 2]}', "not CSL-JSON"),
    "nothing.ris": ("TY  - JOUR\nTI  - No abstract\nER  - \n", "has an abstract"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_one_line_naming_it(tmp_path, name):
    data, reason = BAD_FILES[name]
    path = _write(tmp_path, name, data)
    with pytest.raises(CorpusError) as caught:
        load_path(path)
    message = str(caught.value)
    assert name in message and reason in message
    assert "\n" not in message


def test_truncated_pdf_is_refused(tmp_path):
    path = _write(tmp_path, "truncated.pdf", _truncated_pdf(tmp_path))
    (tmp_path / "whole.pdf").unlink()
    with pytest.raises(CorpusError) as caught:
        load_path(path)
    assert "truncated.pdf" in str(caught.value) and "\n" not in str(caught.value)


def test_entities_are_never_expanded(tmp_path):
    path = _write(tmp_path, "xxe.xml", EXTERNAL_ENTITY)
    with pytest.raises(CorpusError):
        load_path(path)  # defusedxml refuses before any file is read


def test_batch_keeps_good_files_and_collects_problems(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (data, _) in BAD_FILES.items():
        _write(corpus, name, data)
    _write(corpus, "review.html", samples.review_html())
    _write(corpus, "cited.xml", samples.pubmed_xml())
    result = load_corpus(corpus)
    ids = {d.source.id for d in result.documents}
    assert "review-10-9999-test-review-2025-001" in ids and "pmid-90000004" in ids
    assert len(result.problems) == len(BAD_FILES)
    assert all(len(p.splitlines()) == 1 for p in result.problems)
    assert result.document_files["pmid-90000001"] == "cited.xml"
