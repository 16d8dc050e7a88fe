"""Hybrid retrieval over the bundled corpus: modes, filters (API and LangChain adapter), abbreviations."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.errors import InvalidFilterError


def test_hybrid_returns_k_ranked_passages_with_both_scores(assistant):
    passages = assistant.retrieve("How do mesenchymal stem cells act on decidual NK cells?", k=5)
    assert len(passages) == 5
    assert [p.rank for p in passages] == [1, 2, 3, 4, 5]
    assert all(p.dense_score is not None and p.lexical_score is not None for p in passages)
    assert len({p.chunk.id for p in passages}) == 5


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_baseline_modes_rank_by_their_own_score(assistant, mode):
    result = assistant.retriever.retrieve("regulatory T cells in abortion-prone mice", 6, mode=mode)
    scores = [p.dense_score if mode == "dense" else p.lexical_score for p in result.passages]
    assert len(scores) == 6 and all(s is not None for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_unknown_mode_is_refused(assistant):
    with pytest.raises(ValueError):
        assistant.retriever.retrieve("MSCs", 3, mode="magic")


def test_abbreviation_query_finds_spelled_out_passages(assistant):
    """'RSA' in the question must reach passages that say 'recurrent spontaneous abortion' and vice versa."""
    short = assistant.retrieve("What causes RSA?", k=8)
    assert any("recurrent spontaneous abortion" in p.text.lower() for p in short)
    long = assistant.retrieve("immune mechanisms of recurrent spontaneous abortion", k=8)
    assert any("RSA" in p.text for p in long)
    expanded = assistant.retriever.retrieve("Do BM-MSCs help?", 3).expanded_query.lower()
    assert "bone marrow" in expanded and "mesenchymal stem cell" in expanded


def test_a_misspelt_word_reaches_the_passages_that_spell_it(assistant):
    """A typo must not lose the lexical match: the corpus's spelling is searched too."""
    result = assistant.retriever.retrieve("embryo resorbtion", 3, mode="lexical")
    assert "resorpt" in result.expanded_query
    assert result.passages and "resorption" in result.passages[0].text.lower()
    assert assistant.retriever.retrieve("embryo resorption", 3).expanded_query == "embryo resorption"


def test_filter_kind_through_api(assistant):
    digests = assistant.retrieve("MSCs in abortion-prone mice", k=6, filters={"kind": "study_digest"})
    assert digests and all(p.source.kind.value == "study_digest" for p in digests)
    reviews = assistant.retrieve("MSCs in abortion-prone mice", k=6, filters={"kind": ["review"]})
    assert reviews and all(p.source.kind.value == "review" for p in reviews)


def test_filter_evidence_msc_source_and_years_through_api(assistant):
    mice = assistant.retrieve("regulatory T cells", k=5, filters={"evidence": "preclinical-mouse"})
    assert mice and all(p.source.evidence == "preclinical-mouse" for p in mice)
    adipose = assistant.retrieve("regulatory T cells", k=5, filters={"msc_source": "ADIPOSE"})
    assert adipose and all("adipose" in p.source.msc_source.lower() for p in adipose)
    recent = assistant.retrieve("MSC therapy", k=8, filters={"year_min": 2020, "year_max": 2023})
    assert recent and all(2020 <= (p.source.year or 0) <= 2023 for p in recent)
    exact = assistant.retrieve("MSC therapy", k=8, filters={"year": [2016]})
    assert exact and all(p.source.year == 2016 for p in exact)


def test_filters_that_match_nothing_return_nothing(assistant):
    assert assistant.retrieve("MSC therapy", k=5, filters={"year": 1901}) == []


def test_bad_filters_raise_with_a_hint(assistant):
    with pytest.raises(InvalidFilterError, match="Unknown filter"):
        assistant.retrieve("MSCs", filters={"colour": "red"})
    with pytest.raises(InvalidFilterError, match="year"):
        assistant.retrieve("MSCs", filters={"year_min": "soon"})
    with pytest.raises(InvalidFilterError, match="kind"):
        assistant.retrieve("MSCs", filters={"kind": "blog"})


def test_langchain_retriever_returns_documents_with_metadata(assistant):
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    from assistant import LangChainRetriever

    retriever = LangChainRetriever(assistant=assistant, k=4, filters={"kind": "study_digest", "msc_source": "adipose"})
    assert isinstance(retriever, BaseRetriever)
    documents = retriever.invoke("Which cytokines change after adipose MSC treatment?")
    assert 1 <= len(documents) <= 4
    for document in documents:
        assert isinstance(document, Document)
        meta = document.metadata
        assert meta["kind"] == "study_digest" and "adipose" in meta["msc_source"].lower()
        assert {"source_id", "section", "start", "end", "score", "dense_score", "lexical_score"} <= set(meta)
        assert document.page_content and meta["end"] > meta["start"]


def test_langchain_retriever_year_filter_and_k(assistant):
    from assistant.langchain_adapter import LangChainRetriever

    documents = LangChainRetriever(assistant=assistant, k=2, filters={"year": 2019}).invoke("MSC therapy")
    assert len(documents) == 2 and all(d.metadata["year"] == 2019 for d in documents)
    reviews = LangChainRetriever(assistant=assistant, k=3, filters={"kind": "review"}).invoke("MSC therapy")
    assert reviews and all(d.metadata["kind"] == "review" for d in reviews)


def test_importing_retrieve_pulls_no_ui_or_llm_client():
    code = (
        "import sys\nfrom assistant import retrieve\n"
        "bad = [m for m in ('streamlit', 'langchain_openai') if m in sys.modules]\nprint(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == ""


def test_retrieval_module_pulls_no_ui_or_llm_client():
    code = (
        "import sys\nimport assistant.retrieval, assistant.api\n"
        "print(','.join(m for m in ('streamlit', 'langchain_openai') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == ""
