"""Fixture files the ingest tests write themselves: a small review in each full-text format and the
abstracts it cites in each bibliographic format. All text here was written for these tests."""

from __future__ import annotations

from pathlib import Path

REVIEW_DOI = "10.9999/test.review.2025.001"
CITED = {
    1: ("90000001", "10.9999/cited.one"),
    2: ("90000002", "10.9999/cited.two"),
    3: ("90000003", ""),
    4: ("", "10.9999/cited.four"),
}

PARAGRAPH_NK = (
    "Umbilical cord stromal cells lowered the cytotoxicity of decidual natural killer cells in "
    "abortion-prone mice{m12}. The treated dams carried more viable embryos to term{m3}."
)
PARAGRAPH_TREG = (
    "Placental stromal cells expanded regulatory T cells at the maternal-fetal interface{m4}, "
    "and earlier work had described the same shift in cultured decidual tissue [2-3]."
)


def _reference_text(number: int) -> str:
    pmid, doi = CITED[number]
    ids = (f" [PMID: {pmid}]" if pmid else "") + (f" [DOI: {doi}]" if doi else "")
    return (
        f"Author{number} A, Writer B. A study of stromal cells number {number}. Test J 202{number}; {number}: 1-9.{ids}"
    )


def review_html() -> str:
    items = "\n".join(
        f'<li id="B{n}">{_reference_text(n).split(" [PMID")[0].split(" [DOI")[0]}'
        + (f' <a href="https://pubmed.ncbi.nlm.nih.gov/{CITED[n][0]}/">PubMed</a>' if CITED[n][0] else "")
        + (f' <a href="https://doi.org/{CITED[n][1]}">DOI</a>' if CITED[n][1] else "")
        + "</li>"
        for n in CITED
    )
    nk = PARAGRAPH_NK.format(m12='<sup><a href="#B1">1</a>,<a href="#B2">2</a></sup>', m3="<sup>3</sup>")
    treg = PARAGRAPH_TREG.format(m4="<sup>[4]</sup>")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>Journal site | Stromal cells and pregnancy loss</title>
<meta name="citation_title" content="Stromal cells and pregnancy loss: a test review">
<meta name="citation_author" content="Tester, Alice">
<meta name="citation_author" content="Checker, Bob">
<meta name="citation_journal_title" content="Journal of Test Reviews">
<meta name="citation_publication_date" content="2025/08/26">
<meta name="citation_doi" content="{REVIEW_DOI}">
<script>var tracking = "not article text";</script>
</head><body>
<nav><a href="/">Home</a> Menu items</nav>
<h1>Stromal cells and pregnancy loss: a test review</h1>
<h2>Abstract</h2>
<p>Recurrent pregnancy loss is a test condition in this fixture; stromal cells are discussed as a therapy.</p>
<h2>Decidual natural killer cells</h2>
<p>{nk}</p>
<figure><img src="f1.png"><figcaption>Figure 1 Stromal cells acting on decidual immune cells.</figcaption></figure>
<h2>Regulatory T cells</h2>
<p>{treg}</p>
<table><caption>Table 1 Summary of the animal studies.</caption><tr><td>cell</td></tr></table>
<h3>Conclusion</h3>
<p>Stromal cell therapy deserves careful clinical trials.</p>
<h2>References</h2>
<ol>{items}</ol>
<footer>Copyright footer text</footer>
</body></html>"""


def review_markdown() -> str:
    nk = PARAGRAPH_NK.format(m12="[1,2]", m3="<sup>3</sup>")
    treg = PARAGRAPH_TREG.format(m4="[4]")
    refs = "\n".join(f"{n}. {_reference_text(n)}" for n in CITED)
    return f"""# Stromal cells and pregnancy loss: a test review

DOI: {REVIEW_DOI}

## Decidual natural killer cells

{nk}

## Regulatory T cells

{treg}

## References

{refs}
"""


def review_text() -> str:
    nk = PARAGRAPH_NK.format(m12="[1,2]", m3="[3]")
    refs = "\n".join(f"{n} {_reference_text(n)}" for n in CITED)
    return f"Stromal cells and pregnancy loss\n\nDecidual natural killer cells\n{nk}\n\nReferences\n{refs}\n"


def write_review_pdf(path: Path) -> Path:
    """A three-page PDF with a running header, page numbers, a hyphenated line end and a reference list."""
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self):
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, "Journal of Test Reviews 2025 | Tester A et al", new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, str(self.page_no()), align="C")

    pdf = Paper()
    pdf.set_title("Stromal cells and pregnancy loss: a test review")
    pdf.set_author("Alice Tester, Bob Checker")

    def heading(text):
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")

    def lines(*rows):
        pdf.set_font("Helvetica", size=10)
        for row in rows:
            pdf.cell(0, 6, row, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    pdf.add_page()
    heading("Stromal cells and pregnancy loss: a test review")
    lines(f"DOI: {REVIEW_DOI}")
    heading("1. Introduction")
    lines("Recurrent pregnancy loss is a test condition. Immuno-", "logical balance at the interface matters [1].")
    pdf.add_page()
    heading("2. Decidual natural killer cells")
    lines(
        "Umbilical cord stromal cells lowered the cytotoxicity of decidual",
        "natural killer cells in mice [1,2].",
        "The anti-",
        "inflammatory effect lasted to term [3].",
    )
    pdf.add_page()
    heading("References")
    lines(*(f"{n} {_reference_text(n)}" for n in (1, 2)))
    lines(f"3 {_reference_text(3)[:60]}", _reference_text(3)[60:])
    lines(f"4 {_reference_text(4)}")
    pdf.output(str(path))
    return path


ABSTRACTS = {
    "90000001": (
        "Umbilical cord stromal cells calm decidual natural killer cells",
        [
            ("BACKGROUND", "Decidual natural killer cells may harm early pregnancy."),
            ("METHODS", "Abortion-prone mice received umbilical cord stromal cells."),
            ("RESULTS", "Cytotoxicity of decidual natural killer cells fell by half."),
            ("CONCLUSIONS", "Stromal cells protect pregnancy through natural killer cells."),
        ],
        "10.9999/cited.one",
        2021,
    ),
    "90000002": (
        "Stromal cells and embryo resorption",
        [("", "Embryo resorption fell after stromal cell transfer. The effect needed cell contact.")],
        "10.9999/cited.two",
        2022,
    ),
    "90000003": (
        "Viable embryos after stromal cell therapy",
        [("", "Treated dams carried more viable embryos to term than untreated dams.")],
        "",
        2023,
    ),
    "90000004": (
        "Placental stromal cells and regulatory T cells",
        [("", "Placental stromal cells expanded regulatory T cells in the pregnant uterus.")],
        "10.9999/cited.four",
        2024,
    ),
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pubmed_article_xml(pmid: str) -> str:
    title, parts, doi, year = ABSTRACTS[pmid]
    texts = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{label}">{_escape(text)}</AbstractText>'
        if label
        else f"<AbstractText>{_escape(text)}</AbstractText>"
        for label, text in parts
    )
    doi_id = f'<ArticleId IdType="doi">{doi}</ArticleId>' if doi else ""
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f"<Article><Journal><JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue>"
        f"<Title>Journal of Tests</Title><ISOAbbreviation>J Tests</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{_escape(title)}</ArticleTitle><Abstract>{texts}</Abstract>"
        f"<AuthorList><Author><LastName>Tester</LastName><Initials>A</Initials></Author>"
        f"<Author><CollectiveName>Test Group</CollectiveName></Author></AuthorList></Article></MedlineCitation>"
        f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>{doi_id}</ArticleIdList></PubmedData>'
        f"</PubmedArticle>"
    )


def pubmed_xml(pmids=None) -> str:
    """An efetch-style PubmedArticleSet (with the DOCTYPE line efetch sends) for `pmids`."""
    body = "".join(pubmed_article_xml(p) for p in (pmids or ABSTRACTS))
    return (
        '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
        f"<PubmedArticleSet>{body}</PubmedArticleSet>\n"
    )


def medline_text() -> str:
    title, parts, doi, year = ABSTRACTS["90000001"]
    abstract = " ".join(f"{label}: {text}" for label, text in parts)
    cut = abstract.index(" ", 60)  # MEDLINE wraps long fields at a space, continuing with six spaces
    return (
        f"PMID- 90000001\nOWN - NLM\nDP  - {year} Mar\nTI  - {title}\nAB  - {abstract[:cut]}\n      {abstract[cut + 1 :]}\n"
        f"AU  - Tester A\nAU  - Checker B\nTA  - J Tests\nAID - {doi} [doi]\n\n"
        "PMID- 90000003\nDP  - 2023\nTI  - Viable embryos after stromal cell therapy\n"
        "AB  - Treated dams carried more viable embryos to term than untreated dams.\nAU  - Tester A\n"
    )


def ris_text() -> str:
    return (
        "TY  - JOUR\nTI  - Placental stromal cells and regulatory T cells\nAU  - Tester, Alice\nAU  - Checker, Bob\n"
        "PY  - 2024\nJO  - J Tests\nDO  - 10.9999/cited.four\n"
        "AB  - Placental stromal cells expanded regulatory T cells in the pregnant uterus.\nER  - \n"
        "TY  - JOUR\nTI  - A record without an abstract\nAN  - 90000009\nER  - \n"
    )


def bibtex_text() -> str:
    return (
        "@comment{exported for tests}\n"
        "@article{tester2022,\n  title = {Stromal cells and {E}mbryo resorption},\n"
        '  author = {Tester, Alice and Checker, Bob},\n  journal = "J Tests",\n  year = 2022,\n'
        "  doi = {10.9999/cited.two},\n  pmid = {90000002},\n"
        "  abstract = {Embryo resorption fell after stromal cell transfer \\& needed {cell contact}.}\n}\n"
    )


def csl_json_text() -> str:
    import json

    return json.dumps(
        [
            {
                "type": "article-journal",
                "title": "Viable embryos after stromal cell therapy",
                "author": [{"family": "Tester", "given": "Alice"}, {"literal": "Test Group"}],
                "issued": {"date-parts": [[2023, 5]]},
                "container-title": "J Tests",
                "PMID": "90000003",
                "abstract": "BACKGROUND: Dams lose embryos. RESULTS: Treated dams carried more viable embryos to term.",
            }
        ]
    )
