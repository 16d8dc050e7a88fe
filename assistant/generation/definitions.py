"""What an abbreviation stands for, as a cited sentence: the index's glossary made a source.

A definition question ("What is RSA?", "LIT and IVIG - what are they?") is answered first with one
sentence per asked term ("LIT stands for lymphocyte immunotherapy."), each citing the glossary entry
it comes from, so the long form is a claim with a source like any other and is verified like one. The
glossary is the corpus's curated abbreviations plus the definitions found in the indexed texts
(`assistant.indexing.glossary`); it is cited, never searched: other questions never see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.generation import prompts
from assistant.generation.question import ABBREVIATION
from assistant.text import lexical_tokens
from assistant.types import Chunk, EvidenceSentence, Passage, Question, Source, SourceKind

__all__ = ["GLOSSARY_SOURCE", "Definition", "definitions_for"]

#: the one source every definition cites
GLOSSARY_SOURCE = Source(id="glossary", kind=SourceKind.GLOSSARY, title=prompts.GLOSSARY_TITLE)


@dataclass(frozen=True)
class Definition:
    """One asked term, its long form, and the glossary passage that says so."""

    term: str
    long: str
    passage: Passage
    #: the glossary's long form of any abbreviation, to read a sentence's own abbreviations
    long_form: Callable[[str], str | None] = field(repr=False, compare=False, default=lambda _: None)

    @property
    def text(self) -> str:
        return self.passage.text

    def written_in(self, sentence: str) -> bool:
        """Whether a sentence is about the term: it writes the term or its long form, the long form
        possibly through its own abbreviations ("Human amniotic MSCs" writes "human amniotic
        mesenchymal stem cell")."""
        if re.search(rf"\b{re.escape(self.term)}s?\b", sentence):
            return True
        words = set(_words(sentence))
        for abbreviation in ABBREVIATION.findall(sentence):
            words |= set(_words(self.long_form(abbreviation) or ""))
        # a long form of four words or more may be written with one of them left out ("menstrual-blood
        # MSCs" for "menstrual blood-derived stem cell"), never its first, which says which kind it is
        # ("decidual" of "decidual mesenchymal stem cell")
        long = _words(self.long)
        missing = set(long) - words
        return not missing or (len(missing) == 1 and len(long) >= 4 and long[0] not in missing)


def definitions_for(question: Question, long_form: Callable[[str], str | None] | None) -> tuple[Definition, ...]:
    """The definitions of the terms the question asks about that the glossary knows; () when it asks
    for none, or when filters narrow the sources (the glossary is none of the kinds a user filters by)."""
    if not question.defines or long_form is None or question.filters:
        return ()
    found = []
    for term in question.defines:
        long = long_form(term)
        if long and long.lower() != term.lower():
            found.append(Definition(term, long, _passage(term, long), long_form))
    return tuple(found)


def _words(text: str) -> list[str]:
    """The word stems of a text, hyphenated words taken apart ("blood-derived": blood, derived)."""
    return lexical_tokens(text.replace("-", " "))


def _passage(term: str, long: str) -> Passage:
    text = prompts.DEFINITION_SENTENCE.format(term=term, long=long)
    chunk = Chunk(
        id=f"glossary:{term}", source_id=GLOSSARY_SOURCE.id, section="Abbreviations", start=0, end=len(text), text=text
    )
    return Passage(chunk, GLOSSARY_SOURCE, score=1.0, sentences=(EvidenceSentence(text, 0, len(text)),))
