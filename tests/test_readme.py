"""The README serves a newcomer (issue 22 item 14): its first screen says what works out of the box,
what is not bundled and the two commands; the long evaluation, benchmark and design prose lives in
docs/, and every relative link in the README and docs/ points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FIRST_SCREEN = 40  # lines a terminal or a GitHub page shows before scrolling
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_first_screen_has_the_essentials():
    first = "\n".join(README.read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN])
    for needle in ("make run", "make test", "Works out of the box", "Not bundled", "docs/evaluation.md"):
        assert needle in first, needle


def test_long_prose_moved_to_docs_and_reliability_stays():
    text = README.read_text(encoding="utf-8")
    assert "\n## Reliability\n" in text and "\n## Architecture\n" in text
    assert len(text.splitlines()) < 400, "long prose belongs in docs/"
    evaluation = (REPO / "docs" / "evaluation.md").read_text(encoding="utf-8")
    assert "## Answers on external questions" in evaluation and "eval/curated.yaml" in evaluation
    assert "## Retrieval" in (REPO / "docs" / "how-answers-work.md").read_text(encoding="utf-8")


def test_relative_links_resolve():
    broken = []
    for path in [README, *sorted((REPO / "docs").glob("*.md"))]:
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{path.name}: {target}")
    assert broken == []
