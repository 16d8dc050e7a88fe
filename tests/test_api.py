"""The public API end to end on the bundled corpus: retrieval, cited answers, refusals."""

from __future__ import annotations

import pytest

from assistant.errors import InvalidQuestionError
from assistant.generation import prompts


def _section_text(assistant, passage):
    return passage.text


def test_retrieve_returns_passages_with_metadata(assistant):
    passages = assistant.retrieve("Through which mechanisms can MSCs improve pregnancy outcomes in RSA?", k=8)
    assert 1 <= len(passages) <= 8
    top = passages[0]
    assert top.text and top.source.title and top.section and top.end > top.start
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))


@pytest.mark.parametrize(
    ("question", "source_id", "section"),
    [
        ("Through which mechanisms can MSCs improve pregnancy outcomes in RSA?", "review", "Abstract"),
        ("Who funded the review?", "review", "Funding"),
        ("When was the review received and accepted?", "review", "Dates"),
        ("What is the core tip of the review?", "review", "Core Tip"),
        (
            "How did adipose MSCs change abortion rates in syngeneic and xenogeneic transplantation?",
            "celljournal-2019-adipose-msc-origin",
            "Finding",
        ),
    ],
)
def test_retrieval_finds_the_right_section(assistant, question, source_id, section):
    passages = assistant.retrieve(question, k=5)
    assert any(p.source_id == source_id and p.section == section for p in passages)


def test_answer_cites_the_abstract_verbatim(assistant):
    answer = assistant.answer("Through which mechanisms can MSCs improve pregnancy outcomes in RSA?")
    assert not answer.refused
    assert any(c.passage.source_id == "review" and c.passage.section == "Abstract" for c in answer.citations)
    numbers = {c.n for c in answer.citations}
    assert answer.sentences and len(answer.sentences) <= 5
    for sentence in answer.sentences:
        assert sentence.citations and set(sentence.citations) <= numbers
        # verbatim from one of its cited source's passages (one number per source, issue #14 item 23)
        assert any(sentence.text in c.passage.text for c in answer.citations if c.n == sentence.citations[0])
        assert f"{sentence.text} [{sentence.citations[0]}]" in answer.text


def test_quotes_are_exact_substrings_of_their_sources(assistant):
    index = assistant.index
    for question in ("Which MSC source lowered the abortion rate most in mice?", "How do MSCs act on NK cells?"):
        answer = assistant.answer(question)
        for citation in answer.citations:
            assert citation.quote in citation.passage.text
            chunk = citation.passage.chunk
            row = index.row_of[chunk.id]
            assert index.chunks[row].text == citation.passage.text


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "What dose was used in the phase III trial?",
        "How do I bake sourdough bread?",
        "Who won the 2018 football world cup?",
    ],
)
def test_out_of_scope_questions_are_refused_without_citations(assistant, question):
    answer = assistant.answer(question)
    assert answer.refused
    assert answer.text.startswith((prompts.REFUSAL, prompts.REFUSAL_OFF_TOPIC))
    assert answer.citations == [] and answer.sentences == []


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x00"])
def test_empty_questions_raise_a_clear_error(assistant, question):
    with pytest.raises(InvalidQuestionError) as caught:
        assistant.answer(question)
    assert str(caught.value) == prompts.EMPTY_QUESTION


@pytest.mark.parametrize("question", ["?!", "???", "🤰🧬❓", "  …  ", "👍 !!"])
def test_wordless_questions_are_told_they_have_no_words(assistant, question):
    """Typed but word-less (issue 22 item 9): not "empty", but nothing a search could match, and what to type."""
    for call in (assistant.answer, assistant.retrieve):
        with pytest.raises(InvalidQuestionError) as caught:
            call(question)
        assert str(caught.value) == prompts.NO_WORDS_QUESTION
        assert "empty" not in str(caught.value) and "type it in words" in str(caught.value)


def test_answer_to_dict_has_the_cli_json_keys(assistant):
    data = assistant.answer("How do MSCs act on decidual NK cells?").to_dict()
    assert {"question", "answer", "refused", "citations", "timings"} <= set(data)
    for citation in data["citations"]:
        assert {"n", "source_id", "title", "kind", "section", "quote"} <= set(citation)


def test_follow_up_accepts_previous_answers_as_history(assistant):
    first = assistant.answer("Which MSC source lowered the abortion rate most in mice?")
    follow_up = assistant.answer("What about exosomes?", history=[first])
    assert follow_up.searched_query != "What about exosomes?"
    assert "abortion" in follow_up.searched_query.lower()
    with pytest.raises(InvalidQuestionError):
        assistant.answer("What about exosomes?", history=[object()])


#: Never imported by an extractive `ask`: torch and sentence-transformers (the query encoder is the
#: ONNX export), langchain-core and langsmith (the chain runs its own steps; ~0.6 s of CPU, issue 22
#: item 15) and chromadb (exact search over the build's vector copy).
_NEVER_ON_ASK = ("torch", "sentence_transformers", "transformers", "langchain_core", "langsmith", "chromadb")

_ASK_PROBE = (
    "import sys\n"
    "sys.argv = ['rsa-assistant', 'ask', '--json', 'How do MSCs act on decidual NK cells?']\n"
    "try:\n"
    "    from assistant.cli import main; main()\n"
    "except SystemExit as exit:\n"
    f"    loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({_NEVER_ON_ASK!r}))\n"
    "    print('EXIT', exit.code, 'LOADED=' + ','.join(loaded), file=sys.stderr)\n"
)


@pytest.mark.slow
def test_an_extractive_ask_imports_no_heavy_package(settings, built_index):
    """A cold `ask` answers with citations without loading torch, langchain-core, langsmith or chromadb."""
    import json
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    env = subprocess_env(settings, RSA_BACKEND="extractive")
    result = subprocess.run([sys.executable, "-c", _ASK_PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert "EXIT 0 LOADED=\n" in result.stderr, result.stderr[-2000:]
    assert json.loads(result.stdout)["citations"]


def test_the_chain_as_an_lcel_runnable_gives_the_same_answer(assistant):
    """`AnswerChain.runnable` (built on first use) streams the same events as the chain run directly."""
    from langchain_core.runnables import Runnable

    from assistant.generation.base import FinalAnswer
    from assistant.generation.state import AnswerState

    question = "Which MSC source lowered the abortion rate most in mice?"
    chain = assistant.chain
    assert isinstance(chain.runnable, Runnable) and chain.runnable is chain.runnable
    from assistant.generation.question import build_question

    state = AnswerState(build_question(question))
    finals = [e.answer for e in chain.runnable.stream(state) if isinstance(e, FinalAnswer)]
    direct = assistant.answer(question)
    assert len(finals) == 1 and finals[0].text == direct.text
    assert [c.passage.chunk.id for c in finals[0].citations] == [c.passage.chunk.id for c in direct.citations]
