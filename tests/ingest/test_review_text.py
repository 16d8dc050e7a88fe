"""The bundled review text and study digest load with their structure and identifiers."""

from __future__ import annotations

import pytest

from assistant.errors import CorpusError
from assistant.ingest import load_corpus
from assistant.ingest.digest import load_digest
from assistant.types import SourceKind


@pytest.fixture(scope="module")
def documents(corpus_copy):
    result = load_corpus(corpus_copy)
    assert result.problems == []
    return {doc.source.id: doc for doc in result.documents}


def test_review_metadata(documents):
    review = documents["review"].source
    assert review.kind is SourceKind.REVIEW
    assert review.title.startswith("Advances in mesenchymal stem cell-based therapies")
    assert review.doi == "10.4252/wjsc.v17.i8.108695"
    assert review.journal == "World J Stem Cells" and review.year == 2025
    assert review.authors[0] == "Yi Xiao" and len(review.authors) == 5
    extra = dict(review.extra)
    assert extra["received"] == "April 21, 2025" and extra["published_online"] == "August 26, 2025"
    assert "Liaoning" in extra["funding"]
    assert review.licence == "CC BY-NC 4.0"


def test_review_sections(documents):
    sections = {s.name: s.text for s in documents["review"].sections}
    assert sections["Abstract"].startswith("Young women’s physical and mental health")
    assert sections["Core Tip"].startswith("The reproductive health of women")
    assert "Natural Science Foundation of Liaoning Province" in sections["Funding"]


def test_digest_entries_keep_identifiers(documents):
    study = documents["celljournal-2019-adipose-msc-origin"].source
    assert study.kind is SourceKind.STUDY_DIGEST
    assert (study.pmid, study.pmcid, study.doi, study.year) == (
        "30507094",
        "PMC6275426",
        "10.22074/cellj.2019.5954",
        2019,
    )
    assert study.evidence == "preclinical-mouse" and study.msc_source == "adipose"
    trial = documents["sctr-2021-collagen-ucmsc-thin-endometrium"].source
    assert trial.trial_id == "NCT03724617"
    assert len([d for d in documents.values() if d.source.kind is SourceKind.STUDY_DIGEST]) == 37


def test_digest_with_bad_types_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("studies:\n  - id: x\n    year: soon\n    finding: text\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="bad.yaml"):
        load_digest(path)
