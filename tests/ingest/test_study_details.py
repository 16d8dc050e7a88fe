"""A study's fields become citable sentences (issue 21 item 3): the digest's and abstract records'
"Article information" section, and questions that name only a field, answered through the real pipeline."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.abstracts import AbstractRecord, documents_from_records
from assistant.ingest.details import STUDY_DETAILS, details_section, details_sentences, evidence_phrase
from assistant.ingest.digest import load_digest
from assistant.text import split_sentences
from assistant.types import Section, Source, SourceKind, is_front_matter_section

CORPUS_DIGEST = Path(__file__).resolve().parents[2] / "corpus" / "related_studies.yaml"

FULL_STUDY = """\
studies:
  - id: full-study
    first_author: Eskandarian
    year: 2019
    label: "MSCs and uterine dendritic cells in abortion-prone mice"
    journal: "Cell J 21:274"
    doi: 10.22074/cellj.2019.5954
    pmid: "30507094"
    pmcid: PMC6582417
    trial: NCT03724617
    evidence: preclinical-mouse
    msc_source: menstrual blood
    finding: Adipose MSCs lowered abortion.
  - id: bare-study
    first_author: ""
    year: null
    journal: ""
    doi: ""
    pmid: ""
    evidence: ""
    msc_source: none
    finding: Something was found.
"""


def _digest(tmp_path, text=FULL_STUDY):
    path = tmp_path / "related_studies.yaml"
    path.write_text(text, encoding="utf-8")
    return {document.source.id: document for document in load_digest(path)}


def _is_complete_sentence(sentence: str) -> bool:
    # a subject ("This study", "The first author...", "This") and a verb, a capital first and a full stop last
    return bool(re.match(r"^(This|The)\b.* (is|are|was|came)\b.*\.$", sentence))


def test_every_field_of_a_digest_study_is_one_sentence(tmp_path):
    document = _digest(tmp_path)["full-study"]
    assert [s.name for s in document.sections] == ["Finding", STUDY_DETAILS]
    assert document.sections[0] == Section("Finding", "Adipose MSCs lowered abortion.")  # unchanged
    details = document.sections[1].text
    assert details.split("\n\n") == [
        "The first author of this study is Eskandarian, and it was published in Cell J 21:274 in 2019.",
        # the other sentences name the study, so a sentence cited alone says which study it is about
        "The DOI of the study by Eskandarian (2019) is 10.22074/cellj.2019.5954, its PMID is 30507094 and its "
        "PMCID is PMC6582417.",
        "The registration number of the study by Eskandarian (2019) is NCT03724617.",
        "The study by Eskandarian (2019) is a preclinical study in mice.",
        "The cells in the study by Eskandarian (2019) came from menstrual blood.",
    ]
    # the sentence splitter sees exactly these sentences, none cut or joined
    assert [details[a:b] for a, b in split_sentences(details)] == details.split("\n\n")


def test_no_empty_field_yields_a_sentence(tmp_path):
    document = _digest(tmp_path)["bare-study"]
    assert [s.name for s in document.sections] == ["Finding"]  # "none" is no MSC source; nothing else is filled
    assert details_section(Source(id="x", kind=SourceKind.STUDY_DIGEST, title="x")) is None
    only_year = Source(id="y", kind=SourceKind.STUDY_DIGEST, title="y", year=2016, msc_source="n/a")
    assert details_sentences(only_year, first_author_only=True) == ["This study was published in 2016."]
    only_pmid = Source(id="z", kind=SourceKind.ABSTRACT, title="z", pmid="31943723", journal="  ")
    assert details_sentences(only_pmid) == ["The PMID of this study is 31943723."]
    unnamed = Source(id="u", kind=SourceKind.STUDY_DIGEST, title="u", evidence="in-vitro-human", msc_source="adipose")
    assert details_sentences(unnamed) == [
        "This is in-vitro work on human cells.",
        "The cells in this study came from adipose.",
    ]


def test_evidence_kinds_are_words():
    assert evidence_phrase("preclinical-mouse") == "a preclinical study in mice"
    assert evidence_phrase("preclinical-rat") == "a preclinical study in rats"
    assert evidence_phrase("in-vitro-human") == "in-vitro work on human cells"
    # without "clinical", "trial", "registered": a topic question's words (see the module docstring)
    assert evidence_phrase("clinical-trial-registration") == "a registry entry"
    assert evidence_phrase("clinical-pilot") == "a pilot study in patients"
    assert evidence_phrase("Meta-Analysis") == "a meta-analysis"
    assert evidence_phrase("") == ""
    # a kind the project does not know is named as written, not guessed at
    assert evidence_phrase("case-report") == "evidence of the kind 'case report'"


def test_every_bundled_study_states_its_fields_in_complete_sentences():
    documents = load_digest(CORPUS_DIGEST)
    assert len(documents) == 37
    for document in documents:
        finding, *rest = document.sections
        assert finding.name == "Finding"
        source = document.source
        has_fields = any(
            (source.authors, source.year, source.journal, source.doi, source.pmid, source.pmcid, source.trial_id)
        )
        assert bool(rest) or not has_fields, source.id
        for section in rest:
            assert section.name == STUDY_DETAILS and is_front_matter_section(section.name)
            paragraphs = section.text.split("\n\n")
            assert [section.text[a:b] for a, b in split_sentences(section.text)] == paragraphs, source.id
            assert all(_is_complete_sentence(p) for p in paragraphs), paragraphs
            # every identifier the source carries is stated, and nothing it lacks
            for value in (source.doi, source.pmid, source.pmcid, source.trial_id, *source.authors):
                if value:
                    assert value in section.text, (source.id, value)


def test_abstract_records_state_authors_journal_and_identifiers(tmp_path):
    record = AbstractRecord(
        title="Stromal cells in mice",
        abstract=[Section("Abstract", "Cells helped.")],
        authors=["Tester A", "Checker B", "Third C"],
        year=2021,
        journal="J Tests",
        doi="10.9999/cited.one",
        pmid="90000001",
    )
    [document] = documents_from_records([record], tmp_path / "cited.xml", "PubMed")
    assert [s.name for s in document.sections] == ["Abstract", STUDY_DETAILS]
    assert document.sections[1].text.split("\n\n") == [
        "The first author of this study is Tester A; its authors are Tester A, Checker B and Third C, "
        "and it was published in J Tests in 2021.",
        "The DOI of the study by Tester A (2021) is 10.9999/cited.one and its PMID is 90000001.",
    ]
    many = AbstractRecord(
        title="t", abstract=[Section("Abstract", "x y z.")], authors=[f"Author {i}" for i in range(9)]
    )
    [long] = documents_from_records([many], tmp_path / "many.xml", "PubMed")
    assert long.sections[-1].text == (
        "The first author of this study is Author 0; its authors are Author 0, Author 1, Author 2, Author 3, "
        "Author 4, Author 5 and 3 others."
    )


# -- through the real pipeline (the session's index of the bundled corpus) ------------------------------


def _cited_sources(answer) -> set[str]:
    return {citation.passage.source.id for citation in answer.citations}


def test_a_study_named_by_its_first_author_is_found_and_cited(assistant):
    answer = assistant.answer("What did the study by Eskandarian find?")
    assert not answer.refused, answer.text
    assert "celljournal-2019-uterine-dc" in _cited_sources(answer)
    assert "Eskandarian" in answer.text


def test_a_study_named_by_its_first_author_answers_with_its_finding(assistant):
    """Retrieval brings a study's Finding with its record passage, and an answer led by the record
    line says what the study found next (issue 21 item 3)."""
    answer = assistant.answer("What did the study by Eskandarian find?")
    assert "uterine dendritic cells" in answer.text


def test_a_trial_registration_id_is_answered_with_its_study(assistant):
    answer = assistant.answer("Which study has the trial registration NCT03724617?")
    assert not answer.refused, answer.text
    assert "sctr-2021-collagen-ucmsc-thin-endometrium" in _cited_sources(answer)
    assert "NCT03724617" in answer.text


def test_a_pmid_is_answered_with_its_study(assistant):
    answer = assistant.answer("Which study has the PMID 30507094?")
    assert not answer.refused, answer.text
    assert _cited_sources(answer) == {"celljournal-2019-adipose-msc-origin"}
