"""Citation markers — `[12]`, `[3,7]`, `[4-6]`, `[1–3; 9]` — parsed one way for every text.

The same grammar reads a review's in-text reference markers (ingest: which references a chunk
cites) and a generated answer's source markers (generation and verification: which numbered sources
a sentence cites, and which of them point nowhere). A group holds numbers separated by `,` or `;`;
`-`, `–` or `—` make a range. A range wider than `MAX_RANGE` is not a citation but noise, and only its
two ends are kept.
"""

from __future__ import annotations

import re

from assistant.text import split_sentences

_NUMBER = r"\d{1,4}"
_SEPARATOR = r"\s*[,;\-–—]\s*"
#: One marker group: [1], [1, 2], [1-3], [1–3; 9].
MARKER = re.compile(rf"\[\s*({_NUMBER}(?:{_SEPARATOR}{_NUMBER})*)\s*\]")
_GROUP_TEXT = r"\[\s*\d[\d\s,;\-–—]*\]"
_ADJACENT_GROUPS = re.compile(rf"({_GROUP_TEXT})(?:\s*({_GROUP_TEXT}))+")
_LEADING_GROUPS = re.compile(rf"^(?:\s*{_GROUP_TEXT})+[.,;]?\s*")
#: The widest range read as a citation ([4-6] is 4, 5, 6; [1-999] is 1 and 999).
MAX_RANGE = 50


_BODY = re.compile(rf"\[?\s*({_NUMBER}(?:{_SEPARATOR}{_NUMBER})*)\s*\]?")


def marker_body(text: str) -> str | None:
    """The body of `text` when all of it is one marker, bracketed or not ("12", "[3, 7]", "4–6"),
    without spaces; None otherwise. For superscript citations that become `[body]` text."""
    match = _BODY.fullmatch(text.strip())
    return re.sub(r"\s+", "", match.group(1)) if match else None


def parse_marker_body(body: str) -> list[int]:
    """The numbers of one group's body ("1-3, 9" -> 1, 2, 3, 9), in order, repeats kept."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body.strip()):
        bounds = [int(x) for x in re.split(r"\s*[\-–—]\s*", part) if x.isdigit()]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= MAX_RANGE:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def reference_numbers(text: str) -> tuple[int, ...]:
    """Every number cited in `text`, in order of first appearance, without repeats."""
    seen: dict[int, None] = {}
    for match in MARKER.finditer(text):
        for number in parse_marker_body(match.group(1)):
            seen.setdefault(number, None)
    return tuple(seen)


def strip_markers(text: str) -> str:
    """`text` without its marker groups, with the spaces they leave before punctuation closed up."""
    text = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", text))
    return re.sub(r"\s{2,}", " ", text).strip()


def split_markers(sentence: str) -> tuple[str, list[int]]:
    """A sentence without its citation markers, and the marker numbers in order ([1-3] -> 1, 2, 3)."""
    return strip_markers(sentence), list(reference_numbers(sentence))


def split_answer(text: str) -> list[tuple[str, list[int]]]:
    """A model's answer as (sentence without markers, cited numbers) pairs, in order.

    Markers written after the full stop ("... 6.31%. [1] Next") belong to the sentence before them.
    """
    text = _ADJACENT_GROUPS.sub(lambda m: "[" + ",".join(MARKER.findall(m.group(0))) + "]", text.strip())
    pieces: list[tuple[str, list[int]]] = []
    for start, end in split_sentences(text):
        raw = text[start:end]
        leading = _LEADING_GROUPS.match(raw)
        if leading and pieces:
            _, numbers = split_markers(leading.group(0))
            previous_text, previous_numbers = pieces[-1]
            pieces[-1] = (previous_text, list(dict.fromkeys(previous_numbers + numbers)))
            raw = raw[leading.end() :]
        sentence, numbers = split_markers(raw)
        if any(ch.isalnum() for ch in sentence):
            pieces.append((sentence, numbers))
        elif numbers and pieces:
            pieces[-1] = (pieces[-1][0], list(dict.fromkeys(pieces[-1][1] + numbers)))
    return pieces
