"""What a question is about, read generously: its distinctive terms, the forms evidence may write
them in (glossary expansion, plural, synonym, numeral, the corpus's spelling of a misspelt word, an
abbreviation without its prefix), their IDF weights from the corpus (`TermStatistics`), and the
share of them a set of tokens holds (`term_coverage`). Used by sentence selection and by the evidence
gate's inputs (`extractive.py`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache

from assistant.text import (
    QUESTION_FRAME_WORDS,
    Speller,
    content_terms,
    is_predicate_word,
    lexical_tokens,
    term_words,
)
from assistant.types import EvidenceSentence, source_context

__all__ = [
    "TermStatistics",
    "distinctive_terms",
    "misspelt_name",
    "named_terms",
    "other_numbered",
    "question_terms",
    "term_coverage",
]


#: Question words that carry no topic: one list, owned by assistant.text
_GENERIC = QUESTION_FRAME_WORDS


_ROMAN = re.compile(r"^[IVX]{1,4}$")


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    """The generic words as `content_terms` spells them (stemmed), whatever stemmer text.py uses."""
    return frozenset(_GENERIC) | frozenset(content_terms(" ".join(_GENERIC)))


def distinctive_terms(question: str, glossary) -> list[str]:
    """Terms that say what a question is about (not how it asks)."""
    return [t for t in content_terms(question) if t not in _generic_stems()]


class TermStatistics:
    """Document frequencies of lexical terms over the corpus, for IDF weights and unknown-term checks.

    `df` and `n` come from the loaded index (`LoadedIndex.document_frequencies`, computed once per
    index); `expand` is the corpus glossary's query expansion; `speller` gives the corpus spelling of a
    misspelt term (the index's `speller`, which retrieval shares). Token sets of sentences and source
    metadata are cached here: the corpus is fixed for the life of one chain.
    """

    def __init__(
        self,
        df: Mapping[str, int],
        n: int,
        expand: Callable[[str], str] = lambda text: text,
        speller: Callable[[str], str | None] | None = None,
    ) -> None:
        self.df = df
        self.n = max(n, 1)
        self.expand = expand
        self.speller = speller or Speller(df)
        self._own: dict[tuple[int, str, str], frozenset[str]] = {}
        self._context: dict[tuple[str, str], frozenset[str]] = {}
        self._sizes: dict[tuple[int, str], int] = {}

    def own_tokens(self, sentence: EvidenceSentence, section: str) -> frozenset[str]:
        """Lexical tokens of a sentence and its section name (cached per indexed sentence)."""
        key = (sentence.id, section, sentence.text if sentence.id < 0 else "")
        tokens = self._own.get(key)
        if tokens is None:
            tokens = self._own[key] = frozenset(lexical_tokens(self.expand(f"{section} {sentence.text}")))
        return tokens

    def content_size(self, sentence: EvidenceSentence) -> int:
        """How many distinct content terms a sentence holds (cached per indexed sentence)."""
        key = (sentence.id, sentence.text if sentence.id < 0 else "")
        size = self._sizes.get(key)
        if size is None:
            size = self._sizes[key] = len(content_terms(sentence.text))
        return size

    def context_tokens(self, source, section: str) -> frozenset[str]:
        """Lexical tokens of a source's metadata as seen from one section (cached)."""
        key = (source.id, section)
        tokens = self._context.get(key)
        if tokens is None:
            text = source_context(source, section)
            tokens = self._context[key] = frozenset(lexical_tokens(self.expand(text)))
        return tokens

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def known(self, term: str) -> bool:
        return self.df.get(term, 0) > 0

    def spelled(self, term: str) -> str:
        """The term, or the known term it misspells (see `text.known_spelling`)."""
        return self.speller(term) or term


#: Words of publication metadata that questions and articles say differently ("Who funded it?" vs
#: "Supported by ..."); a question term also matches its listed alternatives. General to any article.
_METADATA_SYNONYMS = {
    "funded": "supported grant foundation funding",
    "funding": "supported grant foundation",
    "grant": "supported funding foundation",
    "sponsored": "supported funding",
    "competing": "conflict conflicts",
    "declare": "report statement",
    "disclose": "report statement",
    "institution": "affiliation department university hospital",
    "affiliated": "affiliation department",
    "licence": "license",
    "license": "licence",
    "copyright": "licence license",
    "writing": "authored draft revised manuscript",
    "wrote": "authored draft revised manuscript",
    # the field names one event three ways (recurrent pregnancy loss, recurrent miscarriage, recurrent
    # spontaneous abortion), and a trial with people is "clinical" whatever word a question uses
    "loss": "abortion miscarriage",
    "losses": "abortion miscarriage",
    "miscarriage": "abortion loss",
    "miscarriages": "abortion loss",
    "abortion": "miscarriage loss",
    "pregnancy": "pregnant gestation",
    "humans": "women patients clinical",
    "human": "women patients clinical",
    "people": "women patients",
    "treatment": "therapy therapeutic therapies",
    "therapy": "treatment therapeutic",
    "injections": "injected injection",
    # breeders cross strains, papers write "mated" ("CBA/J x DBA/2 matings"); one entry per stem
    # ("crossed", "crossing" share "cross")
    "cross": "mated mating matings",
    "repeat": "recurrent",
    "recurring": "recurrent",
    # how authors say that something is wanted
    "new": "novel",
    # irregular plurals the stemmer leaves apart
    "mouse": "mice murine",
    "mice": "mouse murine",
    "murine": "mouse mice",
    "woman": "women",
    "women": "woman",
    "child": "children",
    "children": "child",
    # ordinals written with digits ("the 2nd wave") and in words ("the second wave")
    "1st": "first",
    "2nd": "second",
    "3rd": "third",
    "4th": "fourth",
    "5th": "fifth",
    # countries a question abbreviates and articles spell out
    "usa": "united states america american",
    "uk": "united kingdom britain british england",
    # lay words of patients and their families for what the sources name clinically
    "womb": "uterus uterine endometrium endometrial decidua decidual",
    "lining": "endometrium endometrial",
    "period": "menstrual menstruation menses",
    "periods": "menstrual menstruation menses",
    "baby": "birth births delivery",
    "babies": "birth births delivery",
    "miscarry": "abortion miscarriage",
    "lab": "vitro culture cultured",
    "uterus": "uterine",
    "uterine": "uterus",
    "experiment": "study studies preclinical model",
    "experiments": "study studies preclinical model",
    "need": "imperative necessary required",
    "needed": "imperative necessary required",
    # ("calm down NK cells", "fat-derived" cells, "stubborn" adhesions, a trial that "wrapped up")
    "calm": "suppress inhibit reduce dampen",
    "fat": "adipose",
    "stubborn": "refractory",
    "bleeding": "menstruation menses",
    "wrap": "completed",
    "finished": "completed",
    "ended": "completed",
    "sporadic": "spontaneous",
    "fetus": "fetal foetal",
    "mother": "maternal",
    "mom": "maternal",
    "mum": "maternal",
    "travel": "homed homing",
}


def with_synonyms(stems: AbstractSet[str]) -> frozenset[str]:
    """The stems and every stem that is a synonym of one of them ("therapi" brings "treatment")."""
    table = _synonym_stems()
    return frozenset(stems) | frozenset(word for word, alternatives in table.items() if alternatives & stems)


@lru_cache(maxsize=1)
def _synonym_stems() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for word, alternatives in _METADATA_SYNONYMS.items():
        for stem in content_terms(word):
            table[stem] = table.get(stem, frozenset()) | frozenset(content_terms(alternatives))
    return table


def question_terms(question: str, stats: TermStatistics) -> tuple[list[str], dict[str, set[str]], dict[str, float]]:
    """A question's distinctive terms, each with the forms evidence may write it in (glossary,
    plural, synonym, numeral) and its IDF weight. A misspelt word ("carageenan") stands for the
    corpus term it misspells, not for an absent topic."""
    terms = list(dict.fromkeys(stats.spelled(t) for t in distinctive_terms(question, None)))
    synonyms = _synonym_stems()
    prefixed = _prefixed_abbreviations(question, stats)
    numbered = {number for _, number in _DESIGNATION.findall(question)}
    expanded = {
        t: set(lexical_tokens(stats.expand(t)))
        | {t}
        | _plural_forms(t)
        | synonyms.get(t, set())
        | _numeral_forms(t, numbered)
        | prefixed.get(t, set())
        for t in terms
    }
    terms = [t for t in terms if not _asks_with(t, expanded[t], question, stats)]
    return terms, {t: expanded[t] for t in terms}, {t: stats.idf(t) for t in terms}


def _asks_with(term: str, forms: set[str], question: str, stats: TermStatistics) -> bool:
    """A word the corpus never uses that can only be a verb, adjective or adverb ("Can cord MSCs make
    trophoblasts invade and grow better?", "were human cells ever given?"): how the question asks, not a
    topic the sources lack. Counted as a term, it would weigh as much as the rarest corpus term and make
    the question look uncovered; a noun the corpus never uses ("lupus", "cost") stays a term."""
    if any(stats.known(form) for form in forms):
        return False
    words = term_words(question).get(term, frozenset())
    return bool(words) and all(is_predicate_word(word) for word in words)


def _prefixed_abbreviations(question: str, stats: TermStatistics) -> dict[str, set[str]]:
    """An abbreviation with a lower-case prefix the corpus does not use ("dMSCs" for decidual MSCs,
    "hMSC" for human MSC) also matches the abbreviation itself, in its singular and plural."""
    found: dict[str, set[str]] = {}
    for prefix, core in _PREFIXED.findall(question):
        whole = content_terms(prefix + core)
        base = content_terms(core)
        if whole and base and not stats.known(whole[0]):
            found[whole[0]] = _plural_forms(base[0])
    return found


#: a one- or two-letter lower-case prefix on a capitalised abbreviation: dMSCs, hMSC, iPSCs, exNK
_PREFIXED = re.compile(r"\b([a-z]{1,2})([A-Z]{2,}[a-z]?)\b")


def _plural_forms(term: str) -> set[str]:
    """Singular and plural of an abbreviation the stemmer keeps apart ("MSCs" is "mscs", "MSC" is "msc":
    no vowel, so no stem); for other words one form is already a stem and the other never a token."""
    return {term[:-1], term} if term.endswith("s") and len(term) > 3 else {term + "s"}


def _numeral_forms(term: str, numbered: set[str]) -> set[str]:
    """The other way of writing a designation's number: "phase II" is "phase 2", and the other way
    (`numbered`: the numbers the question's designations carry)."""
    if term in _ROMAN_VALUES:
        return {str(_ROMAN_VALUES[term])}
    if term.isdigit() and term in numbered:
        return {roman for roman, value in _ROMAN_VALUES.items() if str(value) == term}
    return set()


_DESIGNATION = re.compile(r"\b(phase|type|stage|grade|class|group|level)\s+([ivx]{1,4}|\d{1,2})\b", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _designation_number(token: str) -> int | None:
    token = token.lower()
    return int(token) if token.isdigit() else _ROMAN_VALUES.get(token)


def other_numbered(question: str, evidence: list[str]) -> list[str]:
    """The question's numbered designations ("phase 3", "phase III") that the evidence names only with
    other numbers ("Phase 2"); one the evidence does not name at all is left to the other checks."""
    found: dict[str, set[int | None]] = {}
    for text in evidence:
        for word, number in _DESIGNATION.findall(text):
            found.setdefault(word.lower(), set()).add(_designation_number(number))
    return [
        f"{word.lower()} {number}"
        for word, number in _DESIGNATION.findall(question)
        if word.lower() in found and _designation_number(number) not in found[word.lower()]
    ]


_NAME = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z0-9-]*[A-Z0-9]\b")


def named_terms(question: str) -> set[str]:
    """Terms of the names a question writes in capitals ("NK", "IL-10", "KATNAL1"). A bare roman
    numeral ("episodes II") is no name, and a question written all in capitals names nothing by it."""
    words = _NAME.findall(question)
    letters = [ch for ch in question if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > _SHOUTED * len(letters):
        return set()
    return {t for word in words if not _ROMAN.match(word) for t in content_terms(word)}


#: above this share of capital letters a question is written in capitals, not naming things
_SHOUTED = 0.6


def term_coverage(expanded_terms: dict[str, set[str]], weights: dict[str, float], tokens: AbstractSet[str]) -> float:
    total = sum(weights.values())
    if total == 0:
        return 1.0
    found = sum(weights[t] for t, forms in expanded_terms.items() if forms & tokens)
    return found / total


def misspelt_name(term: str, stats: TermStatistics) -> bool:
    """A gene or virus name one letter off a name the corpus knows ("HIN1" for H1N1, "CEAMCAM1" for
    CEACAM1): a typo, not an absent identifier. Only short letter-digit names; a trial number or a
    year one digit off (NCT…, 2031) is a different identifier, and stays unknown."""
    if not (4 <= len(term) <= 8 and re.search(r"[a-z]", term) and re.search(r"\d", term)):
        return False
    return any(
        abs(len(known) - len(term)) <= 1 and _one_edit(term, known) for known in stats.df if known[:1] == term[:1]
    )


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]
    return len(b) - len(a) == 1
