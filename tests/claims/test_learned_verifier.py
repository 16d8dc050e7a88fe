"""The learned verifier (assistant/claims/learned.py) with the committed model file: it scores, it
refuses a tampered file with a clear message, and it never imports torch."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from assistant.claims import learned
from assistant.errors import AssistantError

EVIDENCE = (
    "Adipose MSCs given intraperitoneally on day 4 of pregnancy lowered the abortion rate to 6.31%, "
    "against 34.4% in untreated abortion-prone mice."
)
SUPPORTED = "Adipose MSCs given on day 4 of pregnancy lowered the abortion rate in abortion-prone mice."
NEGATED = "Adipose MSCs given on day 4 of pregnancy did not lower the abortion rate in abortion-prone mice."
NUMBER_SWAPPED = "Adipose MSCs given on day 4 of pregnancy lowered the abortion rate to 16.31% in abortion-prone mice."
REVERSED = "Adipose MSCs given on day 4 of pregnancy raised the abortion rate in abortion-prone mice."

#: faithful rewrites of the kinds issue 20 names (identity, numbers as words, synonyms, reordered clauses),
#: written for this test (not from eval/ nor the training data), and one lie about each evidence sentence
FAITHFUL = [
    # identity
    (
        "Menstrual blood MSCs restored endometrial thickness in rats with thin endometrium.",
        "Menstrual blood MSCs restored endometrial thickness in rats with thin endometrium.",
    ),
    (
        "Bone marrow MSCs were injected into the uterine horn of 24 mice seven days after injury.",
        "Bone marrow MSCs were injected into the uterine horn of 24 mice seven days after injury.",
    ),
    # number words
    (
        "Four weeks after transplantation, 3 of the 8 treated women conceived.",
        "Four weeks after transplantation, three of the eight treated women conceived.",
    ),
    (
        "Umbilical cord MSCs were given on day 2 and day 5 of the cycle.",
        "Umbilical cord MSCs were given on day two and day five of the cycle.",
    ),
    # synonyms
    (
        "The treatment significantly increased the number of endometrial glands in mice.",
        "The therapy markedly raised the number of endometrial glands in mice.",
    ),
    (
        "The study showed that MSC transplantation reduced fibrosis in the injured uterus.",
        "The investigation demonstrated that MSC transplantation lowered fibrosis in the injured uterus.",
    ),
    # reordered clauses
    (
        "In mice with intrauterine adhesions, adipose MSCs improved the pregnancy rate.",
        "Adipose MSCs improved the pregnancy rate in mice with intrauterine adhesions.",
    ),
    (
        "After two doses of MSCs, the abortion rate fell in abortion-prone mice.",
        "The abortion rate fell in abortion-prone mice after two doses of MSCs.",
    ),
]
LIES = [
    (
        "Menstrual blood MSCs restored endometrial thickness in rats with thin endometrium.",
        "Menstrual blood MSCs did not restore endometrial thickness in rats with thin endometrium.",
    ),
    (
        "Bone marrow MSCs were injected into the uterine horn of 24 mice seven days after injury.",
        "Bone marrow MSCs were injected into the uterine horn of 42 mice seven days after injury.",
    ),
    (
        "Four weeks after transplantation, 3 of the 8 treated women conceived.",
        "Four weeks after transplantation, 3 of the 8 treated mice conceived.",
    ),
    (
        "The treatment significantly increased the number of endometrial glands in mice.",
        "The treatment significantly decreased the number of endometrial glands in mice.",
    ),
    (
        "The study showed that MSC transplantation reduced fibrosis in the injured uterus.",
        "The study showed that MSC transplantation increased fibrosis in the injured uterus.",
    ),
    (
        "In mice with intrauterine adhesions, adipose MSCs improved the pregnancy rate.",
        "In mice with intrauterine adhesions, adipose MSCs worsened the pregnancy rate.",
    ),
    (
        "After two doses of MSCs, the abortion rate fell in abortion-prone mice.",
        "After two doses of MSCs, the abortion rate rose in abortion-prone mice.",
    ),
    (
        "Umbilical cord MSCs were given on day 2 and day 5 of the cycle.",
        "Umbilical cord MSCs were given on day 2 and day 9 of the cycle.",
    ),
]

pytestmark = pytest.mark.skipif(not learned.available(), reason="no committed verifier (run `make models`)")


def test_supported_pair_scores_above_its_edited_versions():
    verifier = learned.load_verifier()
    probs = verifier.probabilities(
        [(EVIDENCE, SUPPORTED), (EVIDENCE, NEGATED), (EVIDENCE, NUMBER_SWAPPED), (EVIDENCE, REVERSED)]
    )
    assert probs.shape == (4,)
    assert ((0 <= probs) & (probs <= 1)).all()
    assert probs[0] > probs[1]
    assert probs[0] > probs[2]
    assert probs[0] > probs[3]


def test_loaded_once_per_process():
    assert learned.load_verifier() is learned.load_verifier()


def test_empty_batch():
    assert learned.load_verifier().probabilities([]).shape == (0,)


def test_a_tampered_model_file_is_refused_with_how_to_fix(tmp_path):
    copy = tmp_path / "verifier"
    shutil.copytree(learned.MODEL_DIR, copy)
    with (copy / "model.onnx").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(learned.VerifierModelError) as caught:
        learned.LearnedVerifier(copy)
    assert isinstance(caught.value, AssistantError)
    assert "make models" in str(caught.value)
    assert "sha256" in str(caught.value)


def test_a_missing_file_is_refused(tmp_path):
    copy = tmp_path / "verifier"
    shutil.copytree(learned.MODEL_DIR, copy)
    (copy / "tokenizer.json").unlink()
    with pytest.raises(learned.VerifierModelError, match="make models"):
        learned.LearnedVerifier(copy)


def test_scoring_does_not_import_torch():
    code = (
        "import sys\n"
        "from assistant.claims import learned, check_sentence\n"
        f"p = learned.load_verifier().probabilities([({EVIDENCE!r}, {SUPPORTED!r})])\n"
        f"check_sentence({SUPPORTED!r}, [{EVIDENCE!r}], learned=True)\n"
        "bad = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "print('IMPORTED', bad)\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "IMPORTED []" in done.stdout


def test_faithful_rewrites_are_kept_and_one_fact_lies_rejected_by_the_model_alone():
    """The cross-encoder alone (calibrated, p >= 0.5): the model that trained one layer kept none of these
    faithful rewrites (its probabilities 0.21-0.47, identity pairs included) and ranked 3 of 8 lies above
    the faithful rewrite of the same evidence."""
    verifier = learned.load_verifier()
    faithful = verifier.probabilities(FAITHFUL)
    lies = verifier.probabilities(LIES)
    assert (faithful >= 0.5).mean() >= 0.6
    assert (lies < 0.5).mean() >= 0.75
    # ranking: a faithful rewrite scores above the lie about the same evidence
    lie_of = dict(LIES)
    above = [p > lies[list(lie_of).index(e)] for (e, _), p in zip(FAITHFUL, faithful) if e in lie_of]
    assert sum(above) >= len(above) - 1
