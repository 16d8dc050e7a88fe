"""In-text reference markers of a review ([12], [3,7], [4-6], [1–3, 9]) parsed into numbers."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[(\d{1,4}(?:\s*[-–,]\s*\d{1,4})*)\]")
MAX_RANGE = 200


def parse_marker_body(body: str) -> list[int]:
    numbers: list[int] = []
    for part in body.split(","):
        part = part.strip()
        if not part:
            continue
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high and high - low <= MAX_RANGE:
                numbers.extend(range(low, high + 1))
                continue
        numbers.extend(int(b) for b in bounds if b.isdigit())
    return numbers


def reference_numbers(text: str) -> tuple[int, ...]:
    """Every reference number cited in `text`, in order of first appearance, without repeats."""
    seen: dict[int, None] = {}
    for match in MARKER.finditer(text):
        for number in parse_marker_body(match.group(1)):
            seen.setdefault(number, None)
    return tuple(seen)
