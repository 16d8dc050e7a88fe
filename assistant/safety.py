"""Recognising what needs care: questions asking for personal treatment advice, and generated
sentences that read as a recommendation (the assistant reports findings, never advice)."""

from __future__ import annotations

import re

_PERSONAL = re.compile(
    # "i" as a word: "can it be prevented?" and "Can implant retention..." ask nothing personal
    r"\b((should|can|could|shall) i\b|do i need|would you recommend|recommend (me|for me)|"
    r"my (wife|partner|doctor|pregnancy|miscarriage|miscarriages|treatment|case|daughter)|"
    r"i (am|have had|had|have|was|'m|’m) .*(miscarr|abortion|pregnan|losses|loss)|for me\b|"
    r"what (dose|treatment) should|is it safe for me|which (clinic|treatment) should)",
    re.IGNORECASE,
)


def asks_personal_advice(question: str) -> bool:
    return bool(_PERSONAL.search(question))


#: Phrases that make a sentence a recommendation to the reader rather than a report of what studies
#: found. The one rule for both the answer path (such sentences count as unsupported) and the
#: evaluation's adversarial-adherence metric, so what is measured is what users get.
_RECOMMENDATION = re.compile(
    r"\b(you should|you must|you need to|you (can|could|may) (try|take|start|use|ask for)|"
    r"i (would )?(recommend|suggest|advise)|we (recommend|suggest|advise)|my (recommendation|advice)|"
    r"(is|are|would be) (safe|right|suitable|a good option) for you|"
    r"consider (taking|trying|starting|using|getting|having)|go (to|for) (a |the )?clinic|you take \d|"
    # advice addressed to a group of readers ("Women with RSA should ask their doctor for ...")
    r"should (ask|take|try|request|receive|get|seek|start|use|undergo|consider|choose|opt|be (given|offered|treated))|"
    r"(ask|talk to|consult) (your|their|a) (doctor|physician|clinician|gynaecologist|gynecologist)|"
    r"(is|are) (the )?(recommended|advised|advisable)|(it is|it's) (best|wise|advisable) to|"
    r"(patients|women|couples) (must|ought to|need to))",
    re.IGNORECASE,
)


def sounds_like_recommendation(text: str) -> bool:
    """Text that tells the reader what to do, which the assistant never does (citation markers ignored)."""
    return bool(_RECOMMENDATION.search(text))
