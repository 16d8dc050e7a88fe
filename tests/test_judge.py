"""The entailment judge (RSA_JUDGE_BASE_URL) over real HTTP: every sentence of one answer in ONE call,
a "no" vetoes its sentence, and a judge that cannot answer vetoes nothing and says so (issue 21 item 6)."""

from __future__ import annotations

import pytest

from assistant.claims.judge import make_batch_judge, parse_batch_reply
from assistant.generation import prompts
from assistant.generation.base import DraftSentence
from assistant.settings import load_settings
from assistant.verification import verify_sentences, veto_by_judge

from fake_openai_server import FakeOpenAIServer, Reply, free_port

QUESTION = "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?"


@pytest.fixture()
def verdicts_of(assistant):
    """Fresh verdicts for three answer sentences quoted from retrieved passages (the rules support them)."""
    passages = assistant.retrieve(QUESTION, k=8)
    picked = []
    for passage in passages:
        for text in passage.sentence_texts():
            draft = DraftSentence(text, [passage])
            vectors = assistant.retriever.embedder.encode([text])
            if verify_sentences([draft], vectors)[0].supported and len(picked) < 3:
                picked.append(draft)
                break
    assert len(picked) == 3

    def fresh():
        vectors = assistant.retriever.embedder.encode([d.text for d in picked])
        return verify_sentences(picked, vectors)

    return fresh


def _judge(url: str):
    return make_batch_judge(load_settings(judge_base_url=url, judge_model="judge-model", judge_timeout_s=5))


def test_one_request_per_answer_and_a_no_vetoes_its_sentence(verdicts_of):
    verdicts = verdicts_of()
    with FakeOpenAIServer(script=[Reply.text("1: yes\n2: NO\n3: yes")]) as server:
        assert veto_by_judge(verdicts, _judge(server.url)) is None
        assert len(server.requests) == 1  # three sentences, one call
        asked = server.requests[0]
    assert asked.body["model"] == "judge-model" and not asked.stream
    for number, verdict in enumerate(verdicts, start=1):
        assert f"{number}. Claim: {verdict.text}" in asked.prompt
    assert [v.supported for v in verdicts] == [True, False, True]
    assert verdicts[1].reason == "judge" and verdicts[0].reason == ""


def test_unsupported_sentences_are_not_asked_about(verdicts_of):
    verdicts = verdicts_of()
    verdicts[0].check.supported = False
    with FakeOpenAIServer(script=[Reply.text("1: no\n2: yes")]) as server:
        veto_by_judge(verdicts, _judge(server.url))
        assert verdicts[0].text not in server.requests[0].prompt
    assert [v.supported for v in verdicts] == [False, False, True]
    with FakeOpenAIServer() as server:  # nothing left to judge: no call at all
        none_supported = verdicts_of()
        for verdict in none_supported:
            verdict.check.supported = False
        assert veto_by_judge(none_supported, _judge(server.url)) is None
        assert server.requests == []


@pytest.mark.parametrize("failure", ["unreachable", "http 500", "garbage", "no verdicts"])
def test_a_judge_that_cannot_answer_vetoes_nothing_and_says_so(verdicts_of, failure):
    verdicts = verdicts_of()
    if failure == "unreachable":
        notice = veto_by_judge(verdicts, _judge(f"http://127.0.0.1:{free_port()}/v1"))
    else:
        reply = {"http 500": Reply.error(500), "garbage": Reply.garbage(), "no verdicts": Reply.text("I think so.")}
        with FakeOpenAIServer(script=[reply[failure]]) as server:
            notice = veto_by_judge(verdicts, _judge(server.url))
            assert len(server.requests) == 1  # one attempt: the judge does not retry
    assert notice == prompts.NOTICE_JUDGE_UNAVAILABLE
    assert all(v.supported for v in verdicts)


def test_no_judge_configured_changes_nothing(verdicts_of):
    verdicts = verdicts_of()
    assert veto_by_judge(verdicts, None) is None
    assert all(v.supported for v in verdicts)


def test_only_an_explicit_no_vetoes():
    assert parse_batch_reply("1: yes\n2. No\n[3] NO\nSentence 4 - yes", 4) == [True, False, False, True]
    assert parse_batch_reply("2: no", 3) == [True, False, True]  # unmentioned sentences keep their verdict
    assert parse_batch_reply("1: no\n1: yes\n9: no", 2) == [False, True]  # first answer counts; 9 is no sentence
    assert parse_batch_reply("ENTAILED", 2) is None and parse_batch_reply("", 1) is None
