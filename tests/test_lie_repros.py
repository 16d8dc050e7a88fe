"""Issue #12's repros end to end: an OpenAI-compatible endpoint (a real HTTP fake on 127.0.0.1) answers
a lie citing the right passage; the answer must mark it unsupported with the right reason, keep it out
of the text, and say so in the notice; the CLI's JSON carries the reason."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.generation import prompts

from fake_openai_server import FakeOpenAIServer, Reply, source_number

REPO = Path(__file__).resolve().parent.parent
QUESTION = "Which MSC source lowered the abortion rate most in mice?"
NEEDLE = "6.31%"
GOOD = "Syngeneic adipose MSCs lowered the abortion rate to 6.31% in mice [{n}]."

LIES = [
    ("Adipose MSCs did not lower the abortion rate in abortion-prone mice [{n}].", "polarity"),
    ("Adipose MSCs had no effect on the abortion rate [{n}].", "polarity"),
    ("Adipose MSCs never lowered the abortion rate [{n}].", "polarity"),
    ("Adipose MSCs raised the abortion rate to 34.4% [{n}].", "direction"),
    ("Adipose MSCs lowered the abortion rate to 12.36% (syngeneic) and 6.31% (xenogeneic) [{n}].", "number_binding"),
    ("Adipose MSCs lowered the abortion rate to 6.31% in women with recurrent spontaneous abortion [{n}].", "entity"),
    ("Bone-marrow MSCs lowered the abortion rate to 6.31% [{n}].", "entity"),
    (
        "Adipose MSCs lowered the abortion rate to 6.31% in abortion-prone mice, and MSC therapy is proven safe and "
        "effective in women [{n}].",
        "strength",
    ),
    ("Xenogeneic adipose MSCs lowered the abortion rate more than syngeneic ones [{n}].", "comparison"),
    ("Adipose MSCs lowered the abortion rate by about sixty percent [{n}].", "number"),
    ("Adipose MSCs cut the abortion rate tenfold [{n}].", "number"),
    (
        "Women with RSA should ask their doctor for adipose MSCs, which lowered the abortion rate to 6.31% [{n}].",
        "advice",
    ),
]


def _cited(template: str, needle: str = NEEDLE):
    return lambda request: Reply.text(template.format(n=source_number(request.prompt, needle) or 1))


@pytest.fixture(scope="module")
def server():
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def llm_assistant(server, settings, built_index):
    return Assistant(
        settings.model_copy(
            update={
                "llm_base_url": server.url,
                "llm_api_key": None,
                "llm_timeout_s": 5.0,
                "llm_max_retries": 0,
            }
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize(("lie", "reason"), LIES, ids=[f"{r}-{i}" for i, (_, r) in enumerate(LIES)])
def test_a_lie_next_to_a_true_sentence_is_marked_unsupported_with_its_reason(server, llm_assistant, lie, reason):
    server.set_script(_cited(f"{GOOD} {lie}"))
    answer = llm_assistant.answer(QUESTION)
    assert answer.backend == "llm"
    verdicts = {s.text: s for s in answer.sentences}
    lie_text = lie.replace(" [{n}]", "")
    assert not verdicts[lie_text].supported and verdicts[lie_text].reason == reason
    assert verdicts[GOOD.replace(" [{n}]", "")].supported
    assert lie_text not in answer.text and answer.notice  # never shown as a clean answer
    assert answer.to_dict()["sentences"][1]["reason"] == reason


@pytest.mark.slow
@pytest.mark.parametrize(
    "lie",
    [
        "MSC therapy for RSA is approved by the FDA [{n}].",
        "MSC therapy causes cancer in women [{n}].",
        "MSCs reduced regulatory T cells [{n}].",
        "5. [{n}]",
    ],
)
def test_an_answer_of_nothing_but_a_lie_is_replaced_and_never_shown(server, llm_assistant, lie):
    server.set_script(_cited(lie, "may be viable"))
    answer = llm_assistant.answer(
        "What does the review say about MSC-based therapies for recurrent spontaneous abortion?"
    )
    assert answer.backend == "extractive"  # nothing the model said held up
    assert prompts.REASON_UNSUPPORTED in answer.notice
    assert lie.replace(" [{n}]", "") not in answer.text
    assert answer.refused or answer.text.strip()  # never an empty, unrefused answer


@pytest.mark.slow
def test_a_runaway_reply_is_cut_before_verification_with_a_notice(server, llm_assistant):
    server.set_script(_cited(" ".join([GOOD] * 300)))
    answer = llm_assistant.answer(QUESTION)
    assert len(answer.sentences) <= llm_assistant.settings.max_answer_sentences
    assert "was cut there before verification" in answer.notice


@pytest.mark.slow
def test_cli_json_carries_the_reason_and_keeps_the_lie_out(server, settings, built_index, tmp_path):
    server.set_script(_cited(f"{GOOD} Adipose MSCs raised the abortion rate to 34.4% [{{n}}]."))
    env = {key: value for key, value in os.environ.items() if not key.startswith("RSA_")}
    env.update(
        {
            "RSA_CORPUS_DIR": str(settings.corpus_dir),
            "RSA_INDEX_DIR": str(settings.index_dir),
            "RSA_CACHE_DIR": str(settings.cache_dir),
            "RSA_LLM_BASE_URL": server.url,
            "RSA_LLM_TIMEOUT_S": "5",
            "RSA_FEEDBACK_DIR": str(tmp_path / "feedback"),
            "RSA_REPORTS_DIR": str(tmp_path / "reports"),
            "HF_HUB_OFFLINE": "1",
        }
    )
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "rsa-assistant"), "ask", "--json", QUESTION],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    lie = [s for s in data["sentences"] if "raised" in s["text"]]
    assert lie and not lie[0]["supported"] and lie[0]["reason"] == "direction"
    assert "raised the abortion rate" not in data["answer"] and data["notice"]
