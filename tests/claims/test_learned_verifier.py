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
