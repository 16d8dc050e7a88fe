"""Citation verification: marker parsing, numeric fidelity, per-sentence support."""

from __future__ import annotations

import numpy as np

from assistant.generation.base import DraftSentence
from assistant.text import split_sentences
from assistant.types import Chunk, Passage, Source, SourceKind
from assistant.verification import check_support, numeric_fidelity, split_answer, split_markers, verify_sentences

EVIDENCE = (
    "Adipose MSCs given intraperitoneally on day 4 of pregnancy lowered the abortion rate to 6.31% (syngeneic), "
    "6.54% (allogeneic) and 12.36% (xenogeneic), against 34.4% in untreated abortion-prone mice."
)


def _passage(text: str = EVIDENCE, chunk_id: str = "c1") -> Passage:
    source = Source(id="s1", kind=SourceKind.STUDY_DIGEST, title="Adipose MSCs in mice")
    return Passage(Chunk(chunk_id, "s1", "Finding", 0, len(text), text), source, rank=1)


def test_split_markers_handles_groups_and_ranges():
    assert split_markers("IL-10 rose [1, 3][4-5].") == ("IL-10 rose.", [1, 3, 4, 5])
    assert split_markers("Nothing cited.") == ("Nothing cited.", [])


def test_split_answer_moves_trailing_markers_to_their_sentence():
    pieces = split_answer("Rates fell to 6.31%. [1] Tregs rose [2][3]. Uncited claim. [9]")
    assert pieces == [("Rates fell to 6.31%.", [1]), ("Tregs rose.", [2, 3]), ("Uncited claim.", [9])]


def test_numeric_fidelity_rejects_changed_numbers():
    assert numeric_fidelity("The abortion rate fell to 3%.", EVIDENCE) == (False, ["3%"])
    assert numeric_fidelity("The abortion rate fell to 6.31 %.", EVIDENCE)[0]
    # a percentage needs a percentage: "day 4" does not support "4%"
    assert not numeric_fidelity("It fell by 4%.", EVIDENCE)[0]
    assert numeric_fidelity("Treatment was given on day 4.", EVIDENCE)[0]


def test_check_support_needs_meaning_and_numbers():
    assert check_support("Adipose MSCs lowered the abortion rate to 6.31% in mice.", [EVIDENCE]).supported
    changed = check_support("Adipose MSCs lowered the abortion rate to 3% in mice.", [EVIDENCE])
    assert not changed.supported and changed.missing_numbers == ["3%"]
    assert not check_support("Unrelated claim about kidney transplants.", [EVIDENCE]).supported


def test_verify_sentences_marks_uncited_unsupported_and_quotes_evidence():
    passage = _passage()
    texts = [EVIDENCE[s:e] for s, e in split_sentences(EVIDENCE)]

    def evidence_of(_p):
        return texts, np.ones((len(texts), 3)) / np.sqrt(3)

    vectors = np.ones((3, 3)) / np.sqrt(3)
    verdicts = verify_sentences(
        [
            DraftSentence("Adipose MSCs lowered the abortion rate to 6.31% in mice.", [passage], []),
            DraftSentence("Adipose MSCs lowered the abortion rate to 3% in mice.", [passage], []),
            DraftSentence("Adipose MSCs lowered the abortion rate.", [], [9]),
        ],
        vectors,
        evidence_of,
    )
    assert [v.supported for v in verdicts] == [True, False, False]
    assert verdicts[0].quotes["c1"] == texts[0]
    assert verdicts[2].invented == [9]
