"""Who decides (assistant/claims/checks.py): the rules' exact vetoes, else the learned verifier; and a
sentence citing two sources is checked against each source alone (verification.py)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.claims import Checker, check_sentence, learned
from assistant.generation.base import DraftSentence
from assistant.types import Chunk, Passage, Source, SourceKind
from assistant.verification import verify_sentences

ADIPOSE = (
    "Adipose MSCs given intraperitoneally on day 4 of pregnancy lowered the abortion rate to 6.31% (syngeneic), "
    "6.54% (allogeneic) and 12.36% (xenogeneic), against 34.4% in untreated abortion-prone mice."
)
DECIDUA = "Umbilical cord MSCs raised the share of regulatory T cells in the decidua of abortion-prone mice."

needs_model = pytest.mark.skipif(not learned.available(), reason="no committed verifier (run `make models`)")


def _passage(text: str, source_id: str, chunk_id: str) -> Passage:
    source = Source(id=source_id, kind=SourceKind.STUDY_DIGEST, title=source_id)
    return Passage(Chunk(chunk_id, source_id, "Finding", 0, len(text), text), source, rank=1)


def _evidence_of(passage: Passage):
    return [passage.text], np.ones((1, 3)) / np.sqrt(3)


def _verify(text: str, passages: list[Passage]):
    vectors = np.ones((1, 3)) / np.sqrt(3)
    return verify_sentences([DraftSentence(text, passages, [])], vectors, _evidence_of)[0]


def test_facts_merged_from_two_sources_are_not_supported():
    first, second = _passage(ADIPOSE, "rezaei-2019", "c1"), _passage(DECIDUA, "ucmsc-2020", "c2")
    merged = (
        "Adipose MSCs given on day 4 of pregnancy lowered the abortion rate to 6.31%, and umbilical cord MSCs "
        "raised the share of regulatory T cells in the decidua of abortion-prone mice."
    )
    assert not _verify(merged, [first, second]).supported
    # each source still supports its own fact, also when both are cited
    assert _verify(ADIPOSE, [first, second]).supported
    assert _verify(DECIDUA, [first, second]).supported


def test_rules_keep_the_last_word_on_numbers():
    check = check_sentence(
        "Adipose MSCs lowered the abortion rate to 16.31% in abortion-prone mice.", [ADIPOSE], learned=True
    )
    assert not check.supported
    assert check.reason == "number"
    assert check.probability is None  # the learned verifier was not asked


def test_rules_alone_when_asked():
    check = Checker(None, learned=False).check_sentence("Adipose MSCs lowered the abortion rate in mice.", [ADIPOSE])
    assert check.supported and check.probability is None


@needs_model
def test_the_learned_verifier_decides_what_the_rules_do_not_settle():
    check = check_sentence("Adipose MSCs lowered the abortion rate in abortion-prone mice.", [ADIPOSE], learned=True)
    assert check.supported
    assert check.probability is not None and 0.0 <= check.probability <= 1.0


@needs_model
def test_a_batch_is_checked_in_one_call_and_matches_single_checks():
    checker = Checker(None)
    items = [
        ("Adipose MSCs lowered the abortion rate in abortion-prone mice.", [ADIPOSE], None, None),
        ("Adipose MSCs raised the abortion rate in abortion-prone mice.", [ADIPOSE], None, None),
    ]
    batch = checker.check_many(items)
    single = [checker.check_sentence(t, e) for t, e, _, _ in items]
    assert [b.supported for b in batch] == [s.supported for s in single]
    # int8 activations are quantised per run (per batch), so a batch scores close to single pairs, not
    # exactly: about 0.03 apart with two trained layers
    assert [b.probability for b in batch] == pytest.approx([s.probability for s in single], abs=0.04)
