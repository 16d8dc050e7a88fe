"""Splitting an answer sentence into the clauses that each carry one claim.

Splits at ";", ", and", ", but", ", while", "whereas", "while", ", which" / ", who" (a relative
clause that adds a claim) and ", and MSC therapy is ..." style appended clauses. A comma inside a list
of numbers ("6.31% (syngeneic), 6.54% (allogeneic) and 12.36% (xenogeneic)") is not a clause break,
because the piece after it would carry no verb of its own; such fragments stay with their clause.
"""

from __future__ import annotations

import re

_BREAK = re.compile(
    r"\s*;\s*|,\s+(?=(?:and|but|while|whereas|although|though|yet|which|who)\b)|\s+(?=(?:whereas|while|although)\b)",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:and|but|while|whereas|although|though|yet)\s+", re.IGNORECASE)
#: A clause needs a verb-like word to stand alone; otherwise it is a list item of the clause before.
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|did|does|do|can|could|may|might|will|would|shall|should|must|"
    r"\w+ed|\w+es|\w+s|rose|fell|cut|grew|made|gave|took|showed|shown|went|met|led|kept|held|got|became)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 3


def split_clauses(sentence: str) -> list[str]:
    """The clauses of `sentence` in order (the sentence itself when it has one clause)."""
    pieces = [p for p in _BREAK.split(sentence) if p and p.strip(" ,.")]
    clauses: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        stripped = _LEADING.sub("", piece).strip(" ,")
        words = stripped.split()
        stands_alone = len(words) >= _MIN_WORDS and _VERBISH.search(stripped) is not None
        if clauses and not stands_alone:
            clauses[-1] = f"{clauses[-1]}, {piece}"
        else:
            clauses.append(stripped if stripped else piece)
    return [c.strip(" ,") for c in clauses if c.strip(" ,")] or [sentence.strip()]
