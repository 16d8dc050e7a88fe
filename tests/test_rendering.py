"""The one answer renderer (assistant.rendering): hostile corpus text stays inert in the Markdown export,
the JSON and the terminal; one number per source everywhere; rejected sentences never read as answer."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from assistant.export import conversation_json, conversation_markdown
from assistant.rendering.json_output import answer_json
from assistant.rendering.terminal import answer_lines, print_answer
from assistant.rendering.view import answer_view
from assistant.types import (
    Answer,
    AnswerSentence,
    Chunk,
    Citation,
    Passage,
    Reference,
    Source,
    SourceKind,
)
from assistant.urls import RESOLVER_HOSTS

TRACKER = "![FDA seal](http://127.0.0.1:8799/track.png?src=corpus)"
HOSTILE = (
    f"MSCs lowered the abortion rate {TRACKER} <script>alert(1)</script> <img src=x onerror=alert(2)> "
    "[click](javascript:alert(document.cookie)) see http://evil.example/x and www.evil.example "
    "&lt;b&gt; <https://evil.example/auto>."
)
TERMINAL_ATTACK = (
    "Tregs rose \x1b[2J\x1b[31mred\x1b[0m and \x1b]8;;http://evil.example/\x1b\\PubMed\x1b]8;;\x1b\\ "
    "\x9b2J \u202eexe.txt done."
)


def _answer(source: Source, sentences: list[tuple[str, str, bool]], question: str = "Q?") -> Answer:
    """An answer numbered per passage (as chains used to): each (section, text, supported) is one passage."""
    citations, answer_sentences = [], []
    for n, (section, text, supported) in enumerate(sentences, 1):
        chunk = Chunk(f"{source.id}-{n}", source.id, section, 0, len(text), text)
        citations.append(
            Citation(
                n, Passage(chunk, source), text, [Reference(12, "Smith J. Tregs <b>in</b> pregnancy.", pmid="123456")]
            )
        )
        answer_sentences.append(AnswerSentence(text, [n], supported))
    return Answer(
        question,
        " ".join(t for _, t, _ in sentences),
        sentences=answer_sentences,
        citations=citations,
        searched_query=question,
    )


HOSTILE_SOURCE = Source(
    id="evil",
    kind=SourceKind.REVIEW,
    title="Review <script>alert('t')</script> ![x](http://127.0.0.1:8799/track.png)",
    authors=("Xiao Y", "Zeng FY"),
    year=2025,
    journal="World J <i>Stem</i> Cells",
    url="javascript:alert(document.cookie)",
)


def _rendered_markdown_tokens(text: str):
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for token in md.parse(text):
        yield token
        yield from token.children or ()


def test_markdown_export_keeps_hostile_corpus_text_inert():
    text = conversation_markdown(
        [_answer(HOSTILE_SOURCE, [("Abstract", HOSTILE, True)], question="<b>Q</b> ![q](http://x/y.png)?")]
    )
    tokens = list(_rendered_markdown_tokens(text))
    assert not [t for t in tokens if t.type == "image"], "no corpus image is fetched by a Markdown viewer"
    assert not [t for t in tokens if t.type.startswith("html")], "no raw HTML reaches a Markdown viewer"
    hrefs = [t.attrGet("href") for t in tokens if t.type == "link_open"]
    assert all(str(href).startswith("https://") and str(href).split("/")[2] in RESOLVER_HOSTS for href in hrefs), hrefs
    assert "javascript:" not in text.replace("javascript\\:", "")
    assert "http://evil" not in text and "www.evil" not in text, "bare URLs are not autolinked"
    # the words are all still there for the reader
    for word in ("MSCs lowered the abortion rate", "FDA seal", "script", "onerror", "click"):
        assert word in text


def test_links_only_to_resolvers_or_the_sources_own_http_url():
    assert HOSTILE_SOURCE.links == {}, "a javascript: URL from a meta tag is never a link"
    assert Source(id="a", kind=SourceKind.REVIEW, title="t", url="https://example.org/a").links == {
        "URL": "https://example.org/a"
    }
    assert Source(id="a", kind=SourceKind.REVIEW, title="t", url="data:text/html,<b>").links == {}
    odd = Source(id="a", kind=SourceKind.ABSTRACT, title="t", doi="10.1/x>)<script>", pmid="12 OR 1=1")
    assert odd.links == {"DOI": "https://doi.org/10.1/x%3E)%3Cscript%3E"}
    data = json.loads(answer_json(_answer(HOSTILE_SOURCE, [("Abstract", HOSTILE, True)])))
    assert data["citations"][0]["links"] == {}


def test_html_meta_javascript_url_is_dropped_at_ingest(tmp_path):
    from assistant.ingest.html_review import load_html

    page = tmp_path / "review.html"
    page.write_text(
        '<html><head><meta name="citation_title" content="A review">'
        '<meta name="citation_fulltext_html_url" content="javascript:alert(document.cookie)">'
        '<meta name="citation_abstract_html_url" content="https://journal.example/abstract/1">'
        "</head><body><h2>Abstract</h2><p>MSCs act on decidual NK cells in mice.</p></body></html>",
        encoding="utf-8",
    )
    source = load_html(page)[0].source
    assert source.url == "https://journal.example/abstract/1"
    page.write_text(page.read_text().replace("https://journal.example/abstract/1", "JaVaScRiPt:alert(1)"))
    assert load_html(page)[0].source.url == ""


def test_terminal_shows_control_characters_instead_of_obeying_them():
    source = Source(
        id="t",
        kind=SourceKind.STUDY_DIGEST,
        title="Study \x1b[2J title",
        year=2019,
        authors=("Rezaei F",),
        journal="Cell J",
        pmid="30507094",
    )
    answer = _answer(source, [("Finding", TERMINAL_ATTACK, True)])
    answer.notice = "Note \x1b[5mblink"
    buffer = io.StringIO()
    from rich.console import Console

    print_answer(answer, console=Console(file=buffer, force_terminal=True, width=200, highlight=False))
    out = buffer.getvalue()
    for attack in ("\x1b[2J", "\x1b[31m", "\x1b]8;;", "\x9b", "\u202e", "\x1b[5m"):
        assert attack not in out, repr(attack)
    assert "␛[2J" in out and "<U+202E>" in out and "<U+009B>" in out, "the reader sees what was there"
    assert "PMID 30507094: https://pubmed.ncbi.nlm.nih.gov/30507094/" in out
    assert "Rezaei F · 2019 · Cell J" in out


def test_one_number_per_source_with_every_quoted_passage():
    review = Source(
        id="r",
        kind=SourceKind.REVIEW,
        title="Advances in MSC therapies",
        authors=("Xiao Y", "Zeng FY"),
        year=2025,
        journal="World J Stem Cells",
        doi="10.4252/wjsc.v17.i8.108695",
    )
    answer = _answer(review, [("Abstract", "MSCs modulate NK cells.", True), ("Core Tip", "MSCs raise Tregs.", True)])
    view = answer_view(answer)
    assert [s.n for s in view.sources] == [1] and len(view.sources[0].citations) == 2
    assert [view.marks(s) for s in answer.sentences] == [[1], [1]]
    text = conversation_markdown([answer])
    assert "MSCs modulate NK cells. [1] MSCs raise Tregs. [1]" in text
    assert text.count("**[1]**") == 1 and "**[2]**" not in text
    assert "> Abstract: “MSCs modulate NK cells.”" in text and "> Core Tip: “MSCs raise Tregs.”" in text
    assert text.split("## References", 1)[1].count("Advances in MSC therapies") == 1
    assert "Xiao Y et al., 2025, World J Stem Cells" in text
    terminal = "\n".join(line.plain for line in answer_lines(answer))
    assert "[2]" not in terminal and terminal.count("[1] Advances") == 1


def test_rejected_sentences_are_hidden_or_shown_under_a_label():
    source = Source(id="s", kind=SourceKind.STUDY_DIGEST, title="Adipose MSCs in mice", year=2019)
    answer = _answer(
        source, [("Finding", "Adipose MSCs lowered abortion.", True), ("Finding", "MSCs cure every woman.", False)]
    )
    hidden = "\n".join(line.plain for line in answer_lines(answer)).split("\nSources\n")[0]
    assert "lowered abortion" in hidden and "cure every woman" not in hidden and "unsupported" not in hidden
    shown = "\n".join(line.plain for line in answer_lines(answer, show_rejected=True))
    body, rejected = shown.split("Rejected by verification", 1)
    assert "cure every woman" not in body and "cure every woman" in rejected
    exported = conversation_markdown([answer])
    answer_part, rest = exported.split("Rejected by verification", 1)
    assert "cure every woman" not in answer_part and "~~MSCs cure every woman. [1]~~" in rest


def test_json_outputs_escape_c1_controls():
    answer = _answer(Source(id="s", kind=SourceKind.ABSTRACT, title="t\x9b2J"), [("Abstract", "x\x1b[2J y.", True)])
    for text in (answer_json(answer), conversation_json([answer])):
        assert "\x9b" not in text and "\x1b" not in text
        assert json.loads(text)


def test_evidence_table_is_a_markdown_table_with_escaped_cells_and_safe_links():
    source = Source(id="s", kind=SourceKind.STUDY_DIGEST, title="Adipose MSCs in mice", year=2019, pmid="30507094")
    answer = _answer(source, [("Finding", "Adipose MSCs lowered the abortion rate to 6.31%.", True)])
    answer.studies = [
        {
            "study": "Rezaei F et al., 2019",
            "link": "https://pubmed.ncbi.nlm.nih.gov/30507094/",
            "evidence": "preclinical",
            "model": "mice | rats",
            "msc_source": "adipose",
            "route": "intraperitoneal",
            "dose": "1 x 10^7 cells",
            "finding": f"Lowered abortion {TRACKER}.",
        },
        {
            "study": "Evil et al.",
            "link": "javascript:alert(1)",
            "evidence": "",
            "model": "",
            "msc_source": "",
            "route": "",
            "dose": "",
            "finding": "<img src=x onerror=alert(1)>",
        },
    ]
    text = conversation_markdown([answer])
    table = text.split("**Studies cited**", 1)[1].split("**Sources**", 1)[0].strip().splitlines()
    assert table[0] == "| Study | Evidence | Model | MSC source | Route / dose | Finding |"
    assert table[2].startswith(
        "| [Rezaei F et al., 2019](https://pubmed.ncbi.nlm.nih.gov/30507094/) | preclinical | mice \\| rats |"
    )
    assert "intraperitoneal; 1 x 10\\^7 cells" in table[2]
    assert table[3].startswith("| Evil et al. |"), "an unsafe link leaves the plain label"
    tokens = list(_rendered_markdown_tokens(text))
    assert [t.attrGet("href") for t in tokens if t.type == "link_open"].count("javascript:alert(1)") == 0
    assert not [t for t in tokens if t.type == "image" or t.type.startswith("html")]
    assert len([t for t in tokens if t.type == "tr_open"]) == 3, "the pipe in a cell does not split it"


@pytest.mark.slow
def test_ask_prints_hostile_corpus_text_inert_end_to_end(tmp_path):
    """Issue #14 items 11-12 through the real CLI: a corpus whose HTML meta tag holds a javascript: URL
    and whose text holds terminal escapes and Markdown images; `ask` and `ask --json` stay inert."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile.html").write_text(
        '<html><head><meta name="citation_title" content="Stem cells in abortion-prone mice">'
        '<meta name="citation_fulltext_html_url" content="javascript:alert(document.cookie)">'
        '<meta name="citation_publication_date" content="2021"></head><body><h2>Abstract</h2>'
        "<p>Bone marrow mesenchymal stem cells lowered the embryo resorption rate in abortion-prone mice "
        "<img src=x onerror=alert(1)> and raised regulatory T cells at the maternal-fetal interface.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    (corpus / "menstrual-nk.md").write_text(
        "# Decidual NK cells and menstrual blood stem cells\n\n## Finding\n\n"
        f"Menstrual blood stem cells reduced decidual NK cell cytotoxicity \x1b[2J\x1b]8;;http://evil.example/\x1b\\\\"
        f"PubMed\x1b]8;;\x1b\\\\ in abortion-prone mice {TRACKER}.\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "RSA_CORPUS_DIR": str(corpus),
        "RSA_INDEX_DIR": str(tmp_path / "index"),
        "RSA_CACHE_DIR": str(tmp_path / "cache"),
        "RSA_FEEDBACK_DIR": str(tmp_path / "fb"),
        "RSA_REPORTS_DIR": str(tmp_path / "reports"),
        "HF_HUB_OFFLINE": "1",
    }
    binary = Path(sys.executable).parent / "rsa-assistant"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(binary), *args], capture_output=True, text=True, env=env, timeout=600)

    built = run("index")
    assert built.returncode == 0, built.stderr
    asked = run(
        "ask", "--json", "Did bone marrow mesenchymal stem cells lower embryo resorption in abortion-prone mice?"
    )
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert data["citations"], data
    assert all("javascript" not in url.lower() for c in data["citations"] for url in c["links"].values())
    printed = run("ask", "Did menstrual blood stem cells reduce decidual NK cell cytotoxicity in abortion-prone mice?")
    assert printed.returncode == 0, printed.stderr
    assert "decidual NK cell cytotoxicity" in printed.stdout
    assert "\x1b" not in printed.stdout and "␛[2J" in printed.stdout and "␛]8;;" in printed.stdout


def test_cited_references_show_the_indexed_abstracts_key_sentence():
    review = Source(id="review", kind=SourceKind.REVIEW, title="Review")
    text = "MSCs reduce NK cytotoxicity [12]."
    chunk = Chunk("c", "review", "Mechanisms › NK cells", 0, len(text), text)
    reference = Reference(
        12,
        "Smith J. NK cells.",
        pmid="16845428",
        abstract_id="pmid-16845428",
        key_sentence="NK cytotoxicity fell <b>by half</b>.",
    )
    answer = Answer(
        "q",
        text,
        sentences=[AnswerSentence(text, [1])],
        citations=[Citation(1, Passage(chunk, review), text, [reference])],
    )
    exported = conversation_markdown([answer])
    assert "> Mechanisms › NK cells: “MSCs reduce NK cytotoxicity \\[12\\].”" in exported
    assert "    - abstract in the corpus (pmid-16845428): “NK cytotoxicity fell \\<b\\>by half\\</b\\>.”" in exported
    terminal = "\n".join(line.plain for line in answer_lines(answer))
    assert "abstract pmid-16845428: “NK cytotoxicity fell <b>by half</b>.”" in terminal
