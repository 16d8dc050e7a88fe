"""Each loader reads its format into Documents: sections, metadata, citation markers and references."""

from __future__ import annotations

import pytest

from assistant.indexing.chunking import reference_numbers
from assistant.ingest import load_path
from assistant.text import split_sentences
from assistant.types import SourceKind
from tests.ingest import samples


def _section(document, name):
    return next(s for s in document.sections if s.name == name)


def _refs(document):
    return {r.number: (r.pmid, r.doi) for r in document.references}


def test_html_review_metadata_sections_markers_and_references(sample_files):
    [document] = load_path(sample_files["review.html"])
    source = document.source
    assert source.kind is SourceKind.REVIEW
    assert source.title == "Stromal cells and pregnancy loss: a test review"
    assert source.authors == ("Tester, Alice", "Checker, Bob")
    assert (source.year, source.doi, source.journal) == (2025, samples.REVIEW_DOI, "Journal of Test Reviews")
    names = [s.name for s in document.sections]
    assert names == [
        "Abstract",
        "Decidual natural killer cells",
        "Regulatory T cells",
        "Conclusion",
        "Figures and tables",
    ]
    nk = _section(document, "Decidual natural killer cells").text
    assert reference_numbers(nk) == (1, 2, 3)  # superscripts became [n] markers
    assert reference_numbers(_section(document, "Regulatory T cells").text) == (4, 2, 3)
    assert "Table 1 Summary" in _section(document, "Figures and tables").text
    assert "tracking" not in document.text and "Menu items" not in document.text and "Copyright" not in document.text
    assert _refs(document) == {n: samples.CITED[n] for n in samples.CITED}
    assert not document.references[0].text.endswith(("PubMed", "DOI"))


def test_markdown_review(sample_files):
    [document] = load_path(sample_files["review.md"])
    assert document.source.title.startswith("Stromal cells and pregnancy loss")
    assert document.source.doi == samples.REVIEW_DOI
    assert reference_numbers(_section(document, "Decidual natural killer cells").text) == (1, 2, 3)
    assert _refs(document) == {n: samples.CITED[n] for n in samples.CITED}
    assert all(s.name != "References" for s in document.sections)


def test_markdown_paragraphs_end_their_sentences(tmp_path):
    # header lines without a full stop must not run on into the abstract's first sentence
    path = tmp_path / "paper.md"
    path.write_text(
        "# A paper\n\nhttps://example.org/paper\n\nSHA: 0123abcd\n\n"
        "Abstract: BACKGROUND: Influenza spreads in winter. Children were tested.\n",
        encoding="utf-8",
    )
    [document] = load_path(path)
    text = document.sections[0].text
    sentences = [text[start:end] for start, end in split_sentences(text)]
    assert sentences == [
        "https://example.org/paper",
        "SHA: 0123abcd",
        "Abstract: BACKGROUND: Influenza spreads in winter.",
        "Children were tested.",
    ]


def test_plain_text_with_a_reference_list_is_a_review(sample_files):
    [document] = load_path(sample_files["notes.txt"])
    assert document.source.kind is SourceKind.REVIEW
    assert _refs(document)[3] == ("90000003", "")


def test_pdf_review_headers_hyphenation_headings_and_references(sample_files):
    [document] = load_path(sample_files["review.pdf"])
    text = document.text
    assert document.source.doi == samples.REVIEW_DOI
    assert "Journal of Test Reviews 2025" not in text  # running header removed
    assert "Immunological balance" in text  # "Immuno-" + "logical" joined
    assert "anti-inflammatory" in text  # a real hyphen kept
    names = [s.name for s in document.sections]
    assert "Introduction" in names and "Decidual natural killer cells" in names
    assert _refs(document) == {n: samples.CITED[n] for n in samples.CITED}  # wrapped entry 3 joined


def test_pubmed_xml_structured_abstract_and_identifiers(sample_files):
    documents = {d.source.id: d for d in load_path(sample_files["cited.xml"])}
    assert set(documents) == {"pmid-90000001", "pmid-90000002", "pmid-90000003", "pmid-90000004"}
    first = documents["pmid-90000001"]
    assert first.source.kind is SourceKind.ABSTRACT
    # the record's fields follow the abstract as citable sentences (assistant/ingest/details.py)
    assert [s.name for s in first.sections] == [
        "Background",
        "Methods",
        "Results",
        "Conclusions",
        "Article information",
    ]
    assert (first.source.pmid, first.source.doi, first.source.year, first.source.journal) == (
        "90000001",
        "10.9999/cited.one",
        2021,
        "J Tests",
    )
    assert first.source.authors == ("Tester A", "Test Group")


def test_medline_text(sample_files):
    documents = load_path(sample_files["cited.nbib"])
    first = documents[0]
    assert first.source.pmid == "90000001" and first.source.doi == "10.9999/cited.one"
    assert [s.name for s in first.sections] == [
        "Background",
        "Methods",
        "Results",
        "Conclusions",
        "Article information",
    ]
    assert "Abortion-prone mice received" in first.text  # continuation line joined
    assert documents[1].source.year == 2023


def test_medline_saved_as_txt_is_read_as_medline(tmp_path):
    path = tmp_path / "pubmed-export.txt"
    path.write_text(samples.medline_text(), encoding="utf-8")
    assert [d.source.id for d in load_path(path)] == ["pmid-90000001", "pmid-90000003"]


def test_ris_bibtex_and_csl_json(sample_files):
    [ris] = load_path(sample_files["cited.ris"])  # the record without an abstract is left out
    assert (ris.source.id, ris.source.doi, ris.source.year) == ("doi-10-9999-cited-four", "10.9999/cited.four", 2024)
    [bib] = load_path(sample_files["cited.bib"])
    assert (bib.source.pmid, bib.source.title) == ("90000002", "Stromal cells and Embryo resorption")
    assert "transfer & needed cell contact" in bib.text
    assert bib.source.authors == ("Tester, Alice", "Checker, Bob")
    [csl] = load_path(sample_files["cited.json"])
    assert (csl.source.pmid, csl.source.year) == ("90000003", 2023)
    assert [s.name for s in csl.sections] == ["Background", "Results", "Article information"]


def test_bibtex_decodes_latex_and_resolves_string_macros(tmp_path):
    from assistant.ingest.bibtex import parse_bibtex

    [entry] = parse_bibtex(
        '@string{jt = "J Tests"}\n'
        "@Article{m2021,\n  Title = {Decidual {NK} cells in M{\\\"u}ller's mice},\n"
        '  author = {M{\\"u}ller, Hans and Ca{\\~n}ada, Ana},\n  journal = jt,\n  year = 2021,\n'
        "  abstract = {Resorption fell by 50\\% -- from 30\\%~to 15\\% \\& more.}\n}\n"
    )
    assert entry["title"] == "Decidual NK cells in Müller's mice"
    assert entry["author"] == "Müller, Hans and Cañada, Ana"
    assert entry["journal"] == "J Tests"
    assert entry["abstract"] == "Resorption fell by 50% – from 30% to 15% & more."


def test_malformed_bibtex_is_a_clear_corpus_error(tmp_path):
    from assistant.errors import CorpusError
    from assistant.ingest.bibtex import load_bibtex

    path = tmp_path / "broken.bib"
    path.write_text("@article{ok, title = {Fine}, year = 2020}\n@article{broken,\n  title = {never closed\n")
    with pytest.raises(CorpusError, match="broken.bib: malformed BibTeX entry"):
        load_bibtex(path)
