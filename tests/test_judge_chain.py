"""The entailment judge in the real pipeline (issue 21 item 6): one judge request per answer, a "no"
vetoes its sentence, and an unreachable judge vetoes nothing and adds a notice."""

from __future__ import annotations

from assistant.api import Assistant
from assistant.generation import prompts
from assistant.settings import load_settings

from fake_openai_server import FakeOpenAIServer, Reply, free_port

QUESTION = "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?"


def _assistant(settings, judge_url: str) -> Assistant:
    values = {name: getattr(settings, name) for name in ("corpus_dir", "index_dir", "cache_dir", "reports_dir")}
    return Assistant(load_settings(**values, judge_base_url=judge_url, judge_timeout_s=5))


def test_one_judge_request_per_answer_and_a_no_vetoes(settings, built_index, assistant):
    plain = assistant.answer(QUESTION)
    kept = [s for s in plain.sentences if s.supported]
    assert len(kept) >= 2
    verdicts = "\n".join(f"{n}: {'no' if n == 1 else 'yes'}" for n in range(1, len(kept) + 1))
    with FakeOpenAIServer(script=[Reply.text(verdicts)]) as server:
        judged = _assistant(settings, server.url).answer(QUESTION)
        assert len(server.requests) == 1
        assert all(s.text in server.requests[0].prompt for s in kept)
    supported = [s.text for s in judged.sentences if s.supported]
    assert kept[0].text not in supported and supported == [s.text for s in kept[1:]]


def test_an_unreachable_judge_vetoes_nothing_and_says_so(settings, built_index, assistant):
    plain = assistant.answer(QUESTION)
    judged = _assistant(settings, f"http://127.0.0.1:{free_port()}/v1").answer(QUESTION)
    assert [s.text for s in judged.sentences if s.supported] == [s.text for s in plain.sentences if s.supported]
    assert prompts.NOTICE_JUDGE_UNAVAILABLE in (judged.notice or "")
