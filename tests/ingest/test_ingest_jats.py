"""JATS full text: real PMC articles, citation linking, section-aware chunks, hostile files, review fetch."""

from __future__ import annotations

import re
import shutil
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import CorpusError, FetchError
from assistant.indexing.chunking import ChunkingRules, chunk_document
from assistant.ingest import load_corpus, load_path
from assistant.ingest.fetch import FetchSettings, classify_identifier, fetch_review
from assistant.ingest.jats import PATH_SEPARATOR, parse_jats
from assistant.markers import reference_numbers
from assistant.types import SourceKind
from tests.fake_eutils_server import idconv_url, serve
from tests.ingest import jats_samples, samples


def _section(document, name):
    return next(s for s in document.sections if s.name == name)


@pytest.mark.parametrize("path", jats_samples.REAL, ids=lambda p: p.name)
def test_real_articles_load_with_metadata_sections_and_references(path):
    (document,) = load_path(path)
    source = document.source
    assert source.kind is SourceKind.REVIEW and source.doi.startswith("10.") and source.pmid.isdigit()
    assert source.pmcid.startswith("PMC") and source.year and source.journal and source.authors
    assert source.licence.startswith("CC BY")
    extra = dict(source.extra)
    assert extra["format"] == "JATS" and int(extra["references"]) == len(document.references) > 20
    assert any(PATH_SEPARATOR in s.name for s in document.sections)  # nested headings kept as a path
    assert any(s.name.startswith("Abstract") for s in document.sections)
    tables = [s for s in document.sections if re.search(r"› Table \d+$", s.name)]
    assert tables and all(" | " in s.text for s in tables)  # rows as "cell | cell" lines
    cited = {n for s in document.sections for n in reference_numbers(s.text)}
    numbers = {r.number for r in document.references}
    assert len(cited) > 15 and cited <= numbers  # every marker points into the reference list
    assert sum(1 for r in document.references if r.pmid) >= 20


def test_long_article_metadata_and_citation_ranges():
    article = parse_jats(jats_samples.LONG.read_bytes(), jats_samples.LONG)
    document = article.document()
    source = document.source
    assert source.title == "Factors influencing lysis time stochasticity in bacteriophage λ"
    assert (source.doi, source.pmid, source.pmcid) == (
        jats_samples.LONG_DOI,
        jats_samples.LONG_PMID,
        jats_samples.LONG_PMCID,
    )
    assert source.authors == ("John J Dennehy", "Ing-Nang Wang") and source.licence == "CC BY 2.0"
    extra = dict(source.extra)
    assert extra["volume"] == "11" and extra["received"] == "2010-12-01" and "Albany" in extra["affiliations"]
    assert len(article.references) == 64 and sum(1 for r in article.references if r.pmid) == 56
    first = article.references[0]
    assert (first.pmid, first.doi, first.title) == (
        "16845428",
        "10.1038/nrmicro1460",
        "Microbial cell individuality and the underlying sources of heterogeneity",
    )
    background = _section(document, "Background").text
    # "[<xref>1</xref>-<xref>9</xref>]" is a range, "[<xref>17</xref>,<xref>18</xref>]" a list
    assert "despite identical environments and genotypes [1-9]." in background
    assert "Bacillus subtilis [17,18]" in background
    assert reference_numbers("genotypes [1-9].") == tuple(range(1, 10))
    assert "Competing interests" in {s.name for s in document.sections}
    table = _section(document, f"Results{PATH_SEPARATOR}Table 1").text
    assert table.startswith("Table 1. Effects of holin allelic sequences") and "IN61 | 274 | 45.7 | 2.92" in table


def test_plos_citations_with_brackets_inside_the_link(tmp_path):
    (document,) = load_path(jats_samples.FIXTURES / "pntd.0002065.nxml")
    introduction = _section(document, "Introduction").text
    assert "genus Phlebovirus [1]." in introduction  # <xref>[1]</xref> is not doubled into [[1]]
    assert "[[" not in introduction
    assert dict(document.source.extra)["conflicts"].startswith("The authors have declared")
    assert document.references[0].text.startswith("Murphy FA, Gibbs EPJ")


_MINIMAL = """<?xml version="1.0"?>
<article article-type="review-article"><front><article-meta>
<article-id pub-id-type="doi">10.1234/jats.test</article-id>
<title-group><article-title>A small test review</article-title></title-group></article-meta></front>
<body>{body}</body>
<back><ref-list>
<ref id="b1"><label>1</label><mixed-citation>One A. First study. J Tests. 2001. <pub-id pub-id-type="pmid">111</pub-id></mixed-citation></ref>
<ref id="b2"><label>2</label><mixed-citation>Two B. Second study. J Tests. 2002.</mixed-citation></ref>
<ref id="b3"><label>3</label><mixed-citation>Three C. Third study. J Tests. 2003. <pub-id pub-id-type="doi">10.1/three</pub-id></mixed-citation></ref>
<ref id="b4"><label>4</label><mixed-citation>Four D. Fourth study. 2004.</mixed-citation></ref>
</ref-list></back></article>"""


def _write(tmp_path, name, body=None, text=None):
    path = tmp_path / name
    path.write_text(text if text is not None else _MINIMAL.format(body=body), encoding="utf-8")
    return path


def test_citation_forms_become_markers_and_unknown_elements_keep_their_text(tmp_path):
    body = (
        "<sec><title>Mechanisms</title><sec><title>NK cells</title>"
        '<p>Ranges [<xref ref-type="bibr" rid="b1">1</xref>–<xref ref-type="bibr" rid="b3">3</xref>] and'
        ' lists<sup><xref ref-type="bibr" rid="b2">2</xref>,<xref ref-type="bibr" rid="b4">4</xref></sup> work.'
        ' Several ids in one link work too (<xref ref-type="bibr" rid="b1 b4">1, 4</xref>).'
        ' Author-year keeps its words (<xref ref-type="bibr" rid="b2">Two, 2002</xref>).'
        " <fancy-new-tag>Unknown tags keep their text.</fancy-new-tag></p>"
        "<list><list-item><p>First point.</p></list-item><list-item><p>Second point.</p></list-item></list>"
        "<boxed-text><caption><title>Box 1</title></caption><p>Boxed statement.</p></boxed-text>"
        "</sec></sec>"
    )
    floats = (
        '<floats-group><table-wrap id="t9"><label>Table 9</label><caption><title>Doses.</title></caption>'
        '<table><tr><th>Dose</th><th>Effect [<xref ref-type="bibr" rid="b2">2</xref>]</th></tr></table>'
        "</table-wrap></floats-group>"
    )
    text = _MINIMAL.format(body=body).replace("</article>", floats + "</article>")
    (document,) = load_path(_write(tmp_path, "review.nxml", text=text))
    assert (
        _section(document, f"Figures and tables{PATH_SEPARATOR}Table 9").text == "Table 9. Doses.\n\nDose | Effect [2]"
    )
    text = _section(document, f"Mechanisms{PATH_SEPARATOR}NK cells").text
    assert "Ranges [1-3] and lists [2,4] work." in text
    assert "in one link work too [1,4]." in text or "in one link work too ([1,4])." in text
    assert "(Two, 2002 [2])" in text and "Unknown tags keep their text." in text
    assert "• First point.\n\n• Second point." in text
    assert _section(document, f"Mechanisms{PATH_SEPARATOR}NK cells{PATH_SEPARATOR}Box 1").text == "Boxed statement."
    assert [(r.number, r.pmid, r.doi) for r in document.references] == [
        (1, "111", ""),
        (2, "", ""),
        (3, "", "10.1/three"),
        (4, "", ""),
    ]


def test_chunks_stay_inside_sections_and_tables_are_their_own_passages():
    (document,) = load_path(jats_samples.LONG)
    rules = ChunkingRules(
        max_tokens=160,
        overlap_sentences=1,
        encoding_name="cl100k_base",
        max_word_pieces=256,
        count_word_pieces=lambda text: len(text.split()) * 2,
    )
    chunks = chunk_document(document, rules)
    by_name = {s.name: s.text for s in document.sections}
    for chunk in chunks:
        assert by_name[chunk.section][chunk.start : chunk.end] == chunk.text  # never crosses a section
        assert chunk.tokens <= 160
    table_chunks = [c for c in chunks if c.section.endswith("Table 1")]
    assert table_chunks and all(c.section == f"Results{PATH_SEPARATOR}Table 1" for c in table_chunks)
    cited = [c for c in chunks if c.section == "Background" and 1 in c.ref_numbers]
    assert cited and set(range(1, 10)) <= set(cited[0].ref_numbers)


def test_xml_files_are_routed_by_their_root(tmp_path):
    jats = _write(tmp_path, "article.xml", "<p>Plain body text of a JATS file saved as .xml.</p>")
    pubmed = _write(tmp_path, "cited.xml", text=samples.pubmed_xml())
    assert load_path(jats)[0].source.kind is SourceKind.REVIEW
    assert {d.source.kind for d in load_path(pubmed)} == {SourceKind.ABSTRACT}


_BOMB = """<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<article><front><article-meta><title-group><article-title>&c;</article-title></title-group></article-meta></front><body><p>x</p></body></article>"""
_XXE = """<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<article><front><article-meta><title-group><article-title>t</article-title></title-group></article-meta></front><body><p>&secret;</p></body></article>"""


def test_malformed_jats_is_refused_by_name_and_the_rest_is_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(jats_samples.FIXTURES / "1472-6831-8-11.nxml", corpus / "good.nxml")
    _write(corpus, "nobody.nxml", text=_MINIMAL.replace("<body>{body}</body>", ""))
    _write(corpus, "bomb.nxml", text=_BOMB)
    _write(corpus, "xxe.nxml", text=_XXE)
    _write(corpus, "truncated.nxml", text=_MINIMAL.format(body="<p>cut off")[:400])
    _write(corpus, "book.nxml", text="<book><title>Not an article</title></book>")
    loaded = load_corpus(corpus)
    assert [d.source.doi for d in loaded.documents] == ["10.1186/1472-6831-8-11"]
    problems = "\n".join(loaded.problems)
    for name, reason in [
        ("nobody.nxml", "no <body>"),
        ("bomb.nxml", "refused for safety"),
        ("xxe.nxml", "refused for safety"),
        ("truncated.nxml", "malformed XML"),
        ("book.nxml", "not a JATS <article>"),
    ]:
        assert re.search(rf"{re.escape(name)}: .*{re.escape(reason)}", problems), (name, problems)
    assert "root:" not in problems  # /etc/passwd was never read


def test_full_text_supersedes_the_bundled_front_matter(tmp_path):
    from assistant.ingest.corpus_ops import list_documents
    from assistant.ingest.supersede import drop_superseded
    from tests.conftest import CORPUS_DIR

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    shutil.copy(jats_samples.FIXTURES / "synthetic-wjsc-fulltext.nxml", corpus / "review" / "fulltext.nxml")
    rows, _ = list_documents(corpus)
    by_id = {row.id: row for row in rows}
    full = "review-10-4252-wjsc-v17-i8-108695"
    assert by_id[full].status == "" and by_id[full].references == 2 and by_id[full].sections >= 2
    front = next(row for row in rows if row.file.endswith("wjsc-2025-17-8-108695.txt"))
    assert front.status == f"superseded by {full}"
    loaded = load_corpus(corpus)
    assert drop_superseded(loaded) == {front.id: full}
    assert front.id not in {d.source.id for d in loaded.documents} and full in {d.source.id for d in loaded.documents}
    assert (corpus / "review" / "wjsc-2025-17-8-108695.txt").is_file()  # kept on disk


def test_identifiers_are_classified():
    assert classify_identifier("https://doi.org/10.1186/1471-2180-11-174") == ("doi", "10.1186/1471-2180-11-174")
    assert classify_identifier("pmc3166277") == ("pmcid", "PMC3166277")
    assert classify_identifier("PMID: 21810267") == ("pmid", "21810267")
    with pytest.raises(FetchError, match="not a DOI, PMID or PMCID"):
        classify_identifier("lysis review")


def _settings(url: str, **extra) -> FetchSettings:
    return FetchSettings(
        eutils_base_url=url, idconv_base_url=idconv_url(url), eutils_backoff_s=0.0, eutils_max_retries=1, **extra
    )


def test_fetch_review_resumes_after_dying_midway(tmp_path):
    corpus = tmp_path / "corpus"
    dying = jats_samples.fake_ncbi(efetch_budget=2)  # two batches of abstracts, then the "network" dies
    with serve(dying) as url, pytest.raises(FetchError):
        fetch_review(jats_samples.LONG_DOI, corpus, settings=_settings(url, eutils_batch_size=10))
    assert (corpus / "fulltext" / f"{jats_samples.LONG_PMCID}.nxml").is_file()
    kept = sorted(p.stem for p in (corpus / "pubmed").glob("*.xml"))
    assert len(kept) == 20 and not list(corpus.rglob("*.tmp"))
    fake = jats_samples.fake_ncbi()
    stages = []
    with serve(fake) as url:
        report = fetch_review(
            jats_samples.LONG_PMID,
            corpus,
            settings=_settings(url, eutils_batch_size=10),
            progress=lambda stage, done, total: stages.append(stage),
        )
    assert report.full_text == "cached" and report.pmcid == jats_samples.LONG_PMCID
    assert sorted(report.abstracts.skipped) == kept and len(report.abstracts.fetched) == 57 - 20
    assert report.abstracts.unresolved_dois and report.without_identifier  # said, not hidden
    assert not [q for path, q, _ in fake.log if q.get("db") == ["pmc"]]  # the full text was not fetched again
    assert {"Resolving identifiers", "Full text", "Cited abstracts"} <= set(stages)
    loaded = load_corpus(corpus)
    assert loaded.problems == [] and len(loaded.documents) == 1 + 57


def test_review_not_open_access_falls_back_to_its_abstract(tmp_path):
    fake = jats_samples.fake_ncbi()
    fake.articles["90000001"] = samples.pubmed_article_xml("90000001")
    with serve(fake) as url:
        report = fetch_review("10.9999/closed.review", tmp_path / "corpus", settings=_settings(url))
        assert report.full_text == "abstract only" and "not open for download" in report.full_text_reason
        assert report.abstracts.fetched == ["90000001"]
        with pytest.raises(FetchError, match="not open access"):
            fetch_review("10.9999/unknown", tmp_path / "corpus", settings=_settings(url))


_XREFS = [
    '<xref ref-type="bibr" rid="b1">1</xref>',
    '<xref ref-type="bibr" rid="b4">[4]</xref>',
    '<xref ref-type="bibr" rid="b2 b3">Two and Three, 2003</xref>',
    '<xref ref-type="bibr" rid="nowhere">9</xref>',
    '<sup><xref ref-type="bibr" rid="b3">3</xref></sup>',
    "–",
    ",",
    "[",
    "]",
    "(",
    ")",
    "<italic>x</italic>",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=15).map(escape), st.sampled_from(_XREFS)), min_size=1, max_size=14))
def test_fuzzed_citation_runs_give_markers_into_the_reference_list(tmp_path, parts):
    body = "<p>Text " + "".join(parts) + " end.</p>"
    try:
        (document,) = load_path(_write(tmp_path, "fuzz.nxml", body))
    except CorpusError as exc:  # control characters make the XML malformed: refused by name
        assert "fuzz.nxml" in exc.message
        return
    text = "\n".join(s.text for s in document.sections)
    assert "\ue000" not in text and "\ue001" not in text
    assert set(reference_numbers(_section(document, "Main text").text)) <= {1, 2, 3, 4, 9}


def test_fetch_review_uses_a_full_text_already_added_by_hand(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "review").mkdir(parents=True)
    shutil.copy(jats_samples.LONG, corpus / "review" / "lysis.nxml")
    fake = jats_samples.fake_ncbi()
    with serve(fake) as url:
        report = fetch_review(jats_samples.LONG_PMCID, corpus, settings=_settings(url))
    assert (report.full_text, report.full_text_file) == ("cached", "review/lysis.nxml")
    assert not (corpus / "fulltext").exists() and len(report.abstracts.fetched) == 57
    loaded = load_corpus(corpus)
    assert loaded.problems == [] and len(loaded.documents) == 58  # one copy of the article, no id clash


def test_chunk_ids_of_long_nested_headings_stay_distinct():
    from assistant.indexing.chunking import chunk_id

    parent = "Results › Effect of allelic variation in holin sequence"
    assert chunk_id("r", parent, 0, 100) != chunk_id("r", f"{parent} › Figure 3", 0, 100)
    assert chunk_id("r", "Abstract", 0, 10) == "r::abstract::0-10"  # short names keep their ids


def test_review_article_with_a_long_reference_list():
    """A real REVIEW (excerpt of eLife 2023;12:e82250, CC BY 4.0): nested headings, 61 references, 58 with PMIDs."""
    article = parse_jats(jats_samples.REVIEW.read_bytes(), jats_samples.REVIEW)
    document = article.document()
    source = document.source
    assert source.title == "Extra-hippocampal contributions to pattern separation"
    assert source.doi == jats_samples.REVIEW_DOI.lower() and source.licence == "CC BY 4.0"
    assert source.authors == ("Tarek Amer", "Lila Davachi") and source.year == 2023
    assert dict(source.extra)["article_type"] == "review-article"
    assert len(article.references) == 61 and sum(1 for r in article.references if r.pmid) == 58
    animal_path = PATH_SEPARATOR.join(
        ["Introduction", "Hippocampal contributions to pattern separation", "Animal studies"]
    )
    names = [s.name for s in document.sections]
    assert animal_path in names and PATH_SEPARATOR.join(["Introduction", "Human studies"]) in names
    animal = _section(document, animal_path)
    by_number = {r.number: r for r in article.references}
    # an author-year citation (rid="bib103") becomes a marker for its entry, which carries PMID, DOI and title
    assert "Leutgeb et al., 2007 [24]" in animal.text
    leutgeb = by_number[24]
    assert (leutgeb.ref_id, leutgeb.pmid, leutgeb.doi) == ("bib103", "17303747", "10.1126/science.1135801")
    assert leutgeb.title == "Pattern separation in the dentate gyrus and CA3 of the hippocampus"
    cited = {n for s in document.sections for n in reference_numbers(s.text)}
    assert len(cited) >= 15 and cited <= set(by_number)
    # a citation of a reference cut from the excerpt keeps its text and gets no marker
    assert "Rolls, 2013)" in animal.text


def test_front_matter_fields_read_as_text_not_markup_parts():
    """Affiliations and funders joined with commas (no ROR/FundRef URLs, no editors), the licence's own
    words without its URL glued on, and figure sections named without a doubled full stop."""
    document = parse_jats(jats_samples.REVIEW.read_bytes(), jats_samples.REVIEW).document()
    extra = dict(document.source.extra)
    assert extra["affiliations"].startswith("Department of Psychology, University of Victoria, Victoria, Canada; ")
    assert "ror.org" not in extra["affiliations"] and "Pennsylvania" not in extra["affiliations"]
    assert extra["licence_statement"].startswith("This article is distributed under the terms")
    assert extra["funding"].startswith(
        "Funded by Canadian Institutes of Health Research (Postdoctoral Fellowship); National Institutes of Health"
    )
    assert "doi.org" not in extra["funding"] and "The funders had no role" in extra["funding"]
    figures = [s for s in document.sections if s.name.endswith("Figure 1")]
    assert figures and figures[0].text.startswith("Figure 1. ") and ".." not in figures[0].text[:12]
