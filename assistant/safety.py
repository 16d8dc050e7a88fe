"""Recognising questions that need care: personal treatment advice and prompt-injection attempts."""

from __future__ import annotations

import re

_PERSONAL = re.compile(
    r"\b(should i|can i|could i|shall i|do i need|would you recommend|recommend (me|for me)|"
    r"my (wife|partner|doctor|pregnancy|miscarriage|miscarriages|treatment|case|daughter)|"
    r"i (am|have had|had|have|was|'m|’m) .*(miscarr|abortion|pregnan|losses|loss)|for me\b|"
    r"what (dose|treatment) should|is it safe for me|which (clinic|treatment) should)",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"(ignore (all |the |your |any )?(previous |prior |above )?(instructions|sources|rules)|"
    r"disregard (the |your )?(sources|instructions)|reveal (your |the )?(system prompt|settings|api key|key)|"
    r"print (your |the )?(system prompt|settings|api key)|invent (a |some )?(citation|reference|source)|"
    r"make up (a |some )?(citation|reference|source)|fabricate)",
    re.IGNORECASE,
)


def asks_personal_advice(question: str) -> bool:
    return bool(_PERSONAL.search(question))


def looks_like_injection(question: str) -> bool:
    return bool(_INJECTION.search(question))
