"""One-off: the committed FEVER-NLI dev subsample (training/data/fever/dev_sample.tsv).

FEVER-NLI dev in RTE form is in asaakyan/covidfact @ ceeb613c (RTE-Fever/processed/dev.raw.input0/1,
dev.label). Run with the mirror's git directory: python -m training.verifier.fever_sample GIT_DIR.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

COMMIT = "ceeb613cde5a6c19dea4f2c165654e510ff52b10"
OUT = Path(__file__).resolve().parents[1] / "data" / "fever" / "dev_sample.tsv"
SIZE = 4000


def _show(git_dir: str, path: str) -> list[str]:
    text = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{COMMIT}:{path}"], check=True, capture_output=True, text=True
    ).stdout
    return text.splitlines()


def main(git_dir: str) -> None:
    evidence = _show(git_dir, "RTE-Fever/processed/dev.raw.input0")
    claims = _show(git_dir, "RTE-Fever/processed/dev.raw.input1")
    labels = _show(git_dir, "RTE-Fever/processed/dev.label")
    rows = list(zip(evidence, claims, labels))
    random.Random(20).shuffle(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        handle.write("evidence\tclaim\tlabel\n")
        for e, c, label in rows[:SIZE]:
            handle.write(f"{e.replace(chr(9), ' ')}\t{c.replace(chr(9), ' ')}\t{label}\n")


if __name__ == "__main__":
    main(sys.argv[1])
