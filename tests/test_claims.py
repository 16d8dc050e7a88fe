"""Claim-level verification (assistant.claims): clauses, the named reasons, the lie suite, bounds.

Pure and index-free: each check runs against evidence sentences given inline. The same lies go
through a real HTTP endpoint in tests/test_lie_repros.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from assistant.claims import check_sentence, split_clauses
from assistant.errors import ConfigurationError
from assistant.evaluation import lies
from assistant.indexing.glossary import Glossary, load_curated
from assistant.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
GLOSSARY = Glossary(load_curated(REPO / "corpus"))
ADIPOSE = (
    "Adipose MSCs given intraperitoneally on day 4 of pregnancy lowered the abortion rate to 6.31% (syngeneic), "
    "6.54% (allogeneic) and 12.36% (xenogeneic), against 34.4% in untreated abortion-prone mice."
)
ABSTRACT = [
    "Young women's physical and mental health is seriously impacted by recurrent spontaneous abortion (RSA), a "
    "prevalent obstetric complication that is becoming more commonplace worldwide.",
    "Recent developments suggest that mesenchymal stem cell (MSC)-based therapies may be viable for addressing RSA.",
    "MSCs exhibit a remarkable capacity for multi-differentiation that could enhance pregnancy outcomes.",
]


def _check(text: str, evidence=None):
    return check_sentence(text, evidence or [ADIPOSE], GLOSSARY)


# -- the repros, each with its reason ------------------------------------------------------------
@pytest.mark.parametrize(
    ("lie", "reason"),
    [
        ("Adipose MSCs did not lower the abortion rate in abortion-prone mice.", "polarity"),
        ("Adipose MSCs had no effect on the abortion rate.", "polarity"),
        ("Adipose MSCs never lowered the abortion rate.", "polarity"),
        ("Adipose MSCs raised the abortion rate to 34.4%.", "direction"),
        ("Adipose MSCs lowered the abortion rate to 12.36% (syngeneic) and 6.31% (xenogeneic).", "number_binding"),
        ("Adipose MSCs lowered the abortion rate to 6.31% in women with recurrent spontaneous abortion.", "entity"),
        ("Bone-marrow MSCs lowered the abortion rate to 6.31%.", "entity"),
        (
            "Adipose MSCs lowered the abortion rate to 6.31% in abortion-prone mice, and MSC therapy is proven safe "
            "and effective in women.",
            "strength",
        ),
        ("Xenogeneic adipose MSCs lowered the abortion rate more than syngeneic ones.", "comparison"),
        ("Adipose MSCs lowered the abortion rate by about sixty percent.", "number"),
        ("Adipose MSCs cut the abortion rate tenfold.", "number"),
        (
            "Women with RSA should ask their doctor for adipose MSCs, which lowered the abortion rate to 6.31%.",
            "advice",
        ),
        ("5.", "no_content"),
    ],
)
def test_each_repro_lie_is_unsupported_with_its_reason(lie, reason):
    result = _check(lie)
    assert not result.supported
    assert result.reason == reason, [(c.text, c.reason, c.detail) for c in result.claims]


@pytest.mark.parametrize(
    ("lie", "reason"),
    [
        ("MSC therapy for RSA is approved by the FDA.", "strength"),
        ("MSC therapy causes cancer in women.", "entity"),
        ("MSCs reduced regulatory T cells.", "entity"),
        ("MSC-based therapies are viable for addressing RSA.", "hedging"),
    ],
)
def test_inventions_citing_the_abstract_are_unsupported(lie, reason):
    result = _check(lie, ABSTRACT)
    assert not result.supported and result.reason == reason


@pytest.mark.parametrize(
    "paraphrase",
    [
        ADIPOSE,
        "Syngeneic adipose MSCs lowered the abortion rate of abortion-prone mice to 6.31%.",
        "In untreated abortion-prone mice the abortion rate was 34.4%.",
        "Adipose-derived MSCs injected intraperitoneally reduced the abortion rate to 6.31% (syngeneic), "
        "6.54% (allogeneic) and 12.36% (xenogeneic).",
        "Syngeneic MSCs lowered the abortion rate more than xenogeneic ones.",
        "The abortion rate was lowest with syngeneic adipose MSCs.",
    ],
)
def test_faithful_paraphrases_stay_supported(paraphrase):
    result = _check(paraphrase)
    assert result.supported, [(c.text, c.reason, c.detail) for c in result.claims]
    assert result.reason == "" and all(c.supported and c.evidence for c in result.claims)


def test_hedged_paraphrase_of_the_abstract_is_supported():
    assert _check(
        "MSC-based therapies may be viable for addressing recurrent spontaneous abortion.", ABSTRACT
    ).supported


def test_a_sentence_is_split_into_claim_bearing_clauses():
    assert split_clauses("A lowered X to 6.31%; B raised Y.") == ["A lowered X to 6.31%", "B raised Y."]
    assert len(split_clauses("MSCs lowered IL-6, and MSC therapy is proven safe in women.")) == 2
    assert len(split_clauses("Tregs rose whereas Th17 cells fell.")) == 2
    # a list of numbers is one clause, not three
    assert split_clauses("It fell to 6.31% (syngeneic), 6.54% (allogeneic) and 12.36% (xenogeneic).") == [
        "It fell to 6.31% (syngeneic), 6.54% (allogeneic) and 12.36% (xenogeneic)."
    ]


def test_one_false_clause_makes_the_sentence_unsupported_and_names_it():
    result = _check("Adipose MSCs lowered the abortion rate to 6.31%, and bone-marrow MSCs cured RSA in women.")
    assert not result.supported
    assert [c.supported for c in result.claims] == [True, False]


def test_no_evidence_is_never_support():
    assert not check_sentence("Adipose MSCs lowered the abortion rate.", [], GLOSSARY).supported


# -- the lie suite -----------------------------------------------------------------------------------------
def test_lie_suite_is_large_varied_and_carries_its_evidence():
    statements = lies.load_suite()
    kinds = {s.kind for s in statements if s.is_lie}
    assert len(statements) >= 120 and sum(not s.is_lie for s in statements) >= 50
    assert len(kinds) >= 10
    assert any("covidqa" in s.passage or s.passage.startswith("covid") for s in statements)
    assert {"dev", "holdout", "heldout2", "heldout3"} <= {s.split for s in statements}
    # every later held-out batch is a real test set: enough lies and paraphrases to give a rate
    for split in ("heldout2", "heldout3"):
        batch = [s for s in statements if s.split == split]
        assert len(batch) >= 30 and sum(not s.is_lie for s in batch) >= 10, split


def test_lie_suite_metrics_are_reported_per_kind():
    summary = lies.evaluate()
    assert set(lies.LIE_METRIC_KEYS) <= set(summary)
    assert {"dev", "holdout", "heldout2", "heldout3"} <= set(summary["by_split"])
    assert all(0 <= v["lie_catch_rate"] <= 1 for v in summary["by_split"].values())
    assert summary["by_kind"]["negation"]["n"] >= 5
    # what the issue asks of the checker; the gate in eval/thresholds.yaml holds the same targets
    assert summary["truth_keep_rate"] >= 0.90
    assert summary["lie_catch_rate"] >= 0.90


# -- bounds on settings -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "nan", "1e308", "1e10", "-1"])
def test_timeouts_reject_infinite_and_absurd_values(value):
    with pytest.raises(ConfigurationError, match="RSA_LLM_TIMEOUT_S"):
        load_settings(llm_timeout_s=value)
    with pytest.raises(ConfigurationError, match="RSA_JUDGE_TIMEOUT_S"):
        load_settings(judge_timeout_s=value)


def test_cli_rejects_an_infinite_llm_timeout_with_exit_3(tmp_path):
    env = {**os.environ, "RSA_LLM_TIMEOUT_S": "inf", "RSA_INDEX_DIR": str(tmp_path / "index"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "rsa-assistant"), "ask", "What is RSA?"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "RSA_LLM_TIMEOUT_S" in done.stderr and "Traceback" not in done.stderr


# -- the optional judge, over real HTTP ------------------------------------------------------------------
def test_the_judge_can_only_veto_and_is_asked_over_http():
    from assistant.claims.judge import make_judge

    from fake_openai_server import FakeOpenAIServer, Reply

    true = "Syngeneic adipose MSCs lowered the abortion rate of abortion-prone mice to 6.31%."
    lie = "Adipose MSCs raised the abortion rate to 34.4%."
    with FakeOpenAIServer(script=[Reply.text("NOT_ENTAILED")]) as server:
        judge = make_judge(load_settings(judge_base_url=server.url, judge_model="judge-model", judge_timeout_s=5))
        vetoed = check_sentence(true, [ADIPOSE], GLOSSARY, judge=judge)
        assert not vetoed.supported and vetoed.reason == "judge"
        asked = server.requests[-1]
        assert asked.body["model"] == "judge-model" and true in asked.prompt and "6.31% (syngeneic)" in asked.prompt

        server.set_script([Reply.text("ENTAILED")])
        judge = make_judge(load_settings(judge_base_url=server.url, judge_timeout_s=5))
        assert check_sentence(true, [ADIPOSE], GLOSSARY, judge=judge).supported
        served = len(server.requests)
        # a lie the rules catch stays caught whatever the judge says, and the judge is not even asked
        assert check_sentence(lie, [ADIPOSE], GLOSSARY, judge=judge).reason == "direction"
        assert len(server.requests) == served


def test_a_failing_judge_leaves_the_rules_verdict():
    from assistant.claims.judge import make_judge

    from fake_openai_server import FakeOpenAIServer, Reply

    with FakeOpenAIServer(script=[Reply.error(500)]) as server:
        judge = make_judge(load_settings(judge_base_url=server.url, judge_timeout_s=5))
        assert check_sentence(
            "Syngeneic adipose MSCs lowered the abortion rate to 6.31%.", [ADIPOSE], GLOSSARY, judge=judge
        ).supported


def test_the_judge_is_off_by_default():
    settings = load_settings()
    assert settings.judge_base_url is None
    assert "judge_api_key" in settings.public_dict() and settings.public_dict()["judge_api_key"] is None
