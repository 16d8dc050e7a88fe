"""Real JATS fixtures (tests/fixtures/jats, licences in LICENSES.md) and the fake NCBI that serves them.

The cited abstracts are SYNTHETIC TEST DATA: minimal PubMed records whose title is the reference's
title and whose abstract says plainly that it is a stand-in, so nothing here passes for a real abstract.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from assistant.ingest.jats import parse_jats
from tests.fake_eutils_server import FakeEutils

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jats"
#: the article with the long reference list (64 entries, 56 with PMIDs): BMC Microbiology 2011;11:174
LONG = FIXTURES / "1471-2180-11-174.nxml"
LONG_DOI, LONG_PMID, LONG_PMCID = "10.1186/1471-2180-11-174", "21810267", "PMC3166277"
REAL = sorted(FIXTURES.glob("[0-9p]*.nxml"))
#: DOI-only references of LONG that the fake's esearch resolves (to made-up PMIDs)
DOI_PMIDS = {"10.1086/283230": "99000063"}
#: a real REVIEW article with a long reference list: an excerpt of eLife 2023;12:e82250 (CC BY 4.0) keeping
#: its Introduction and references bib80-bib140 (61 entries, 58 with PMIDs); see LICENSES.md
REVIEW = FIXTURES / "elife-82250-excerpt.xml"
REVIEW_DOI = "10.7554/eLife.82250"
#: the fake ID converter's stand-in PMID/PMCID for REVIEW (made up: the file carries neither)
REVIEW_PMID, REVIEW_PMCID = "99082250", "PMC99082250"


def synthetic_abstract_xml(pmid: str, title: str, number: int, doi: str = "") -> str:
    """A minimal <PubmedArticle>, clearly marked as synthetic test data."""
    abstract = (
        f"Synthetic test abstract standing in for reference {number}: {title}. "
        "The test suite generated this text from the reference title; it is not the study's real abstract."
    )
    doi_id = f'<ArticleId IdType="doi">{escape(doi)}</ArticleId>' if doi else ""
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        f"<Journal><Title>Synthetic Test Journal</Title><JournalIssue><PubDate><Year>2010</Year></PubDate></JournalIssue></Journal>"
        f"<ArticleTitle>{escape(title)}</ArticleTitle><Abstract><AbstractText>{escape(abstract)}</AbstractText></Abstract>"
        f"<AuthorList><Author><LastName>Synthetic</LastName><Initials>T</Initials></Author></AuthorList>"
        f'</Article></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f"{doi_id}</ArticleIdList></PubmedData></PubmedArticle>"
    )


def fake_ncbi(review: bool = False, **behaviour) -> FakeEutils:
    """The fake serving LONG (or REVIEW) from PMC, its ID-converter record, and a synthetic abstract per cited PMID."""
    path, doi, article_pmid, pmcid = (
        (REVIEW, REVIEW_DOI, REVIEW_PMID, REVIEW_PMCID) if review else (LONG, LONG_DOI, LONG_PMID, LONG_PMCID)
    )
    article = parse_jats(path.read_bytes(), path)
    articles = {r.pmid: synthetic_abstract_xml(r.pmid, r.title, r.number, r.doi) for r in article.references if r.pmid}
    for reference in article.references:
        if reference.doi in DOI_PMIDS:
            pmid = DOI_PMIDS[reference.doi]
            articles[pmid] = synthetic_abstract_xml(pmid, reference.title, reference.number, reference.doi)
    return FakeEutils(
        articles=articles,
        dois=dict(DOI_PMIDS),
        pmc={pmcid: path.read_text(encoding="utf-8")},
        records=[
            {"doi": doi, "pmid": article_pmid, "pmcid": pmcid},
            {"doi": "10.9999/closed.review", "pmid": "90000001", "pmcid": "PMC999"},
        ],
        **behaviour,
    )
