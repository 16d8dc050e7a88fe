"""Recognising what needs care: questions asking for personal treatment advice, and generated
sentences that read as a recommendation (the assistant reports findings, never advice)."""

from __future__ import annotations

import re

_PERSONAL = re.compile(
    r"\b(should i|can i|could i|shall i|do i need|would you recommend|recommend (me|for me)|"
    r"my (wife|partner|doctor|pregnancy|miscarriage|miscarriages|treatment|case|daughter)|"
    r"i (am|have had|had|have|was|'m|’m) .*(miscarr|abortion|pregnan|losses|loss)|for me\b|"
    r"what (dose|treatment) should|is it safe for me|which (clinic|treatment) should)",
    re.IGNORECASE,
)
def asks_personal_advice(question: str) -> bool:
    return bool(_PERSONAL.search(question))


_RECOMMENDATION = re.compile(
    r"\b(you should|you must|you (can|could|may) (try|take|start|use|ask for)|i (would )?(recommend|suggest|advise)|"
    r"we (recommend|suggest|advise)|my (recommendation|advice)|(is|are|would be) (safe|right|suitable|a good option) for you|"
    r"consider (taking|trying|starting|using|getting))",
    re.IGNORECASE,
)


def sounds_like_recommendation(sentence: str) -> bool:
    """A generated sentence that tells the reader what to do, which the assistant never does."""
    return bool(_RECOMMENDATION.search(sentence))
