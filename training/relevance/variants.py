"""Question variants for robustness: extra words, short-word typos, synonyms (seeded, deterministic).

Users do not ask the benchmarks' exact wording: "do mesenchymal stem cels reduce misscarriage in
mise?" must find what "Do MSCs reduce miscarriage in mice?" finds. Each variant keeps the question's
meaning, so it keeps its labels.
"""

from __future__ import annotations

import random
import re

#: framing words a user adds around the same question
_EXTRA = (
    "Please tell me: {q}",
    "According to the sources, {q}",
    "I would like to know, {q}",
    "{q} Please explain briefly.",
    "Quick question: {q}",
    "In the studies, {q}",
)

#: plain synonyms (question wording vs paper wording), both directions
_SYNONYMS = {
    "reduce": "lower",
    "reduces": "lowers",
    "increase": "raise",
    "increases": "raises",
    "patients": "people",
    "effect": "impact",
    "effects": "impacts",
    "treatment": "therapy",
    "disease": "illness",
    "symptoms": "signs",
    "children": "kids",
    "risk": "chance",
    "died": "passed away",
    "deaths": "fatalities",
    "infection": "infections",
    "virus": "pathogen",
    "cause": "lead to",
    "causes": "leads to",
    "associated": "linked",
    "important": "significant",
    "used": "employed",
    "study": "research",
    "method": "approach",
    "prevent": "stop",
    "improve": "enhance",
    "common": "frequent",
    "mortality": "death rate",
    "outcome": "result",
    "outcomes": "results",
}

_WORD = re.compile(r"[A-Za-z]{4,}")


def typo(question: str, rng: random.Random) -> str:
    """One typo in one word of four letters or more: a letter dropped, doubled or two swapped."""
    words = list(_WORD.finditer(question))
    if not words:
        return question
    match = rng.choice(words)
    word = match.group()
    i = rng.randrange(1, len(word) - 1)
    how = rng.randrange(3)
    if how == 0:
        changed = word[:i] + word[i + 1 :]
    elif how == 1:
        changed = word[:i] + word[i] + word[i:]
    else:
        changed = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return question[: match.start()] + changed + question[match.end() :]


def synonym(question: str, rng: random.Random) -> str | None:
    """One word replaced by a synonym; None when the question has none listed."""
    tokens = re.findall(r"\w+|\W+", question)
    spots = [i for i, t in enumerate(tokens) if t.lower() in _SYNONYMS]
    if not spots:
        return None
    i = rng.choice(spots)
    tokens[i] = _SYNONYMS[tokens[i].lower()]
    return "".join(tokens)


def extra_words(question: str, rng: random.Random) -> str:
    template = rng.choice(_EXTRA)
    q = (
        question[0].lower() + question[1:]
        if template.startswith(("Please tell", "According", "I would", "Quick", "In the"))
        else question
    )
    return template.format(q=q)


def variants(question: str, seed: int) -> list[tuple[str, str]]:
    """(kind, text) variants of a question: one with extra words, one typo, one synonym if any."""
    rng = random.Random(seed)
    found = [("extra", extra_words(question, rng)), ("typo", typo(question, rng))]
    swapped = synonym(question, rng)
    if swapped and swapped != question:
        found.append(("synonym", swapped))
    return found
