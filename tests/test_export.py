"""Conversation export (Markdown, JSON), feedback JSONL and filter facets."""

from __future__ import annotations

import json

import pytest

from assistant.export import (
    append_feedback,
    conversation_json,
    conversation_markdown,
    feedback_path,
    feedback_record,
    safe_filename,
)
from assistant.facets import facets_of, facets_of_sources, msc_source_categories
from assistant.types import Answer, AnswerSentence, Chunk, Citation, Passage, Reference, Source, SourceKind


def _answer(question: str, source: Source, quote: str, *, supported: bool = True, searched: str = "") -> Answer:
    chunk = Chunk(id=f"{source.id}-0", source_id=source.id, section="Finding", start=0, end=len(quote), text=quote)
    citation = Citation(
        n=1,
        passage=Passage(chunk=chunk, source=source),
        quote=quote,
        references=[Reference(12, "Smith J. Tregs in pregnancy.", pmid="123456")],
    )
    return Answer(
        question=question,
        text=f"{quote} [1]",
        sentences=[AnswerSentence(quote, [1], supported)],
        citations=[citation],
        searched_query=searched or question,
    )


STUDY = Source(
    id="s1",
    kind=SourceKind.STUDY_DIGEST,
    title="Adipose MSCs in mice",
    authors=("Rezaei F",),
    year=2019,
    journal="Cell J",
    doi="10.1/x",
    pmid="30507094",
    evidence="preclinical-mouse",
    msc_source="adipose",
)
REVIEW = Source(id="r1", kind=SourceKind.REVIEW, title="Advances in MSC therapies", year=2025, doi="10.2/y")


def test_markdown_has_questions_citations_and_one_reference_list():
    answers = [
        _answer("Which source lowered abortion most?", STUDY, "Adipose MSCs lowered the abortion rate to 6.31%."),
        _answer(
            "And in the review?",
            REVIEW,
            "MSCs modulate decidual NK cells.",
            supported=False,
            searched="And in the review? (abortion)",
        ),
        _answer("Again the mice?", STUDY, "Adipose MSCs lowered the abortion rate to 6.31%."),
    ]
    text = conversation_markdown(answers)
    assert "## 1. Which source lowered abortion most?" in text
    assert "Adipose MSCs lowered the abortion rate to 6.31%. [1]" in text
    assert "not supported by the cited source" in text
    assert "Searched for: And in the review? (abortion)" in text
    assert "cites [12] Smith J. Tregs in pregnancy. ([PMID 123456](https://pubmed.ncbi.nlm.nih.gov/123456/))" in text
    references = text.split("## References", 1)[1]
    # each cited source appears once in the reference list, with resolvable links
    assert references.count("Adipose MSCs in mice") == 1 and references.count("Advances in MSC therapies") == 1
    assert "[DOI 10.1/x](https://doi.org/10.1/x)" in references
    assert "[PMID 30507094](https://pubmed.ncbi.nlm.nih.gov/30507094/)" in references


def test_json_export_round_trips_every_turn():
    answers = [_answer("Q one?", STUDY, "Quote one."), _answer("Q two?", REVIEW, "Quote two.")]
    data = json.loads(conversation_json(answers))
    assert [turn["question"] for turn in data["turns"]] == ["Q one?", "Q two?"]
    assert data["turns"][0]["citations"][0]["links"]["PMID"].endswith("/30507094/")
    assert data["disclaimer"]


def test_feedback_appends_one_json_line_per_rating(tmp_path):
    answer = _answer("Q?", STUDY, "Quote.")
    append_feedback(tmp_path, feedback_record(answer, "up", session="abc"))
    path = append_feedback(tmp_path, feedback_record(answer, "down"))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert path == tmp_path.resolve() / "feedback.jsonl"
    assert [row["rating"] for row in rows] == ["up", "down"]
    assert rows[0]["question"] == "Q?" and rows[0]["answer"] == "Quote. [1]"
    assert rows[0]["citations"][0]["source_id"] == "s1" and rows[0]["timestamp"]
    with pytest.raises(ValueError):
        feedback_record(answer, "sideways")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/tmp/evil", "..", "a/../../b", "C:\\x\\y", "", "fb.jsonl"])
def test_feedback_file_names_cannot_leave_the_folder(tmp_path, name):
    path = feedback_path(tmp_path, name)
    assert path.parent == tmp_path.resolve()
    assert "/" not in safe_filename(name) and ".." not in safe_filename(name)


def test_msc_source_categories_group_variants_under_the_shared_name():
    groups = msc_source_categories(
        [
            "bone marrow",
            "bone marrow (exosomes)",
            "autologous bone-marrow mononuclear cells",
            "adipose",
            "endometrial / menstrual blood",
            "menstrual blood (autologous)",
            "none",
            "",
        ]
    )
    assert set(groups) == {"bone marrow", "adipose", "menstrual blood"}
    assert "autologous bone-marrow mononuclear cells" in groups["bone marrow"]
    assert "endometrial / menstrual blood" in groups["menstrual blood"]


def test_facet_filters_only_constrain_what_was_chosen():
    facets = facets_of_sources([STUDY, REVIEW])
    assert facets.kinds == (SourceKind.REVIEW, SourceKind.STUDY_DIGEST)
    assert facets.evidence == ("preclinical-mouse",) and (facets.year_min, facets.year_max) == (2019, 2025)
    assert facets.filters() == {}
    assert facets.filters(years=(2019, 2025)) == {}
    assert facets.filters(
        kinds=[SourceKind.STUDY_DIGEST], evidence=["preclinical-mouse"], msc_sources=["adipose"], years=(2020, 2025)
    ) == {"kind": ["study_digest"], "evidence": ["preclinical-mouse"], "msc_source": ["adipose"], "year_min": 2020}


def test_facets_of_the_real_index_filter_retrieval(assistant):
    facets = facets_of(assistant.index)
    assert "preclinical-mouse" in facets.evidence and SourceKind.REVIEW in facets.kinds
    assert facets.year_min and facets.year_max and facets.year_min < facets.year_max
    category = next(iter(facets.msc_sources))
    passages = assistant.retrieve(
        "mesenchymal stem cells abortion", k=5, filters=facets.filters(msc_sources=[category])
    )
    assert passages
    assert all(
        any(raw in passage.source.msc_source.lower() for raw in facets.msc_sources[category]) for passage in passages
    )
