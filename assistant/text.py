"""Text primitives shared by indexing, retrieval, generation and verification.

Sentence splitting that respects biomedical writing (et al., e.g., decimals, P=0.02), lexical
tokenization for BM25 and support checks, and number extraction for numeric fidelity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

_ABBREVIATIONS = {
    "al",
    "e.g",
    "i.e",
    "vs",
    "fig",
    "figs",
    "no",
    "nos",
    "ref",
    "refs",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "approx",
    "ca",
    "cf",
    "etc",
    "eq",
    "vol",
    "pp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "st",
    "sp",
    "spp",
    "inc",
    "ltd",
    "co",
    "dept",
    "univ",
    "min",
    "max",
    "resp",
    "incl",
    "n.b",
    "viz",
    "mo",
    "yr",
    "yrs",
    "wk",
    "wks",
}

# A sentence ends at . ! ? (optionally followed by a closing quote/bracket or citation marker)
# when whitespace and an uppercase letter, digit or opening quote/bracket follow.
_BOUNDARY = re.compile(r"([.!?])([\"'”’)\]]*(?:\[\d[\d,\s–-]*\])?)(\s+)(?=[A-Z0-9\"'“‘(\[])")


_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
#: initials and dotted abbreviations end no sentence: "J.", "D.O. Ott", "U.S. trials", "i.e."
_INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")
#: what follows a journal name in a citation ("Aug 26, 2025;", "2016;47:29", "2019 Jan;21(1)")
_CITATION_TAIL = re.compile(
    r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b|\d{4}\s*(?:;|[A-Z][a-z]{2}\b[^.]{0,12};))"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of `text`, whitespace trimmed.

    A blank line (paragraph break) always ends a sentence; inside a paragraph a sentence ends at
    . ! ? followed by a capital, digit or opening bracket, except after abbreviations (et al., e.g.).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _PARAGRAPH.finditer(text):
        spans.extend(_split_paragraph(text, start, match.start()))
        start = match.end()
    spans.extend(_split_paragraph(text, start, len(text)))
    return spans


def _split_paragraph(text: str, begin: int, finish: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = begin
    for match in _BOUNDARY.finditer(text, begin, finish):
        end = match.end(2)
        before = text[start : match.start(1)]
        last_word = re.split(r"[\s(]", before)[-1].lower() if before else ""
        if last_word.rstrip(".") in _ABBREVIATIONS or _INITIALS.fullmatch(last_word):
            continue
        if _CITATION_TAIL.match(text, match.end(3), finish):
            continue  # "World J Stem Cells. Aug 26, 2025; 17(8)": a citation line goes on after the journal
        spans.append((start, end))
        start = match.end(3)
    spans.append((start, finish))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves may might must shall via per among upon within without
    whether either neither tell show give list please describe explain according paper article study
    studies one two know""".split()
)

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "μ": "mu", "×": " x "}
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/.][a-z0-9]+)*")


def normalize(text: str) -> str:
    """Lowercased, accent-free text with Greek letters spelled out (TNF-α == TNF-alpha)."""
    for char, name in _GREEK.items():
        text = text.replace(char, name)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower()


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # the plural rule below still keeps "cells" == "cell"
        return None


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    """Snowball stem (funded == funding == fund); digits and short tokens stay as they are."""
    if len(token) <= 3 or any(ch.isdigit() for ch in token):
        return token
    stemmer = _stemmer()
    if stemmer is not None:
        return stemmer.stemWord(token)
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def lexical_tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Tokens for BM25 and overlap checks: compounds kept whole and split (IL-10 -> il-10, il, 10, il10)."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(normalize(text)):
        word = match.group(0).strip(".")
        parts = [p for p in re.split(r"[-/.]", word) if p]
        if len(parts) > 1:
            tokens.append(_stem("".join(parts)))
        for part in parts:
            if keep_stopwords or part not in _STOPWORDS:
                tokens.append(_stem(part))
    return tokens


def content_terms(text: str) -> list[str]:
    """Distinct meaningful terms of a question, in order (no stopwords, no one-letter tokens)."""
    seen: dict[str, None] = {}
    names = {normalize(m.group(0)) for m in _NAME_AND_DIGIT.finditer(text)}
    for match in _TOKEN.finditer(normalize(text)):
        word = match.group(0)
        if word in names:
            # "HO-1", "PD-1": the digit is the name's; alone, "ho" would name nothing the corpus says
            # ("Ho1", "HO-1" are both "ho1")
            seen.setdefault(word.replace("-", ""), None)
            continue
        for part in re.split(r"[-/.]", word):
            if len(part) > 1 and part not in _STOPWORDS:
                seen.setdefault(_stem(part), None)
    return list(seen)


#: a short name written with a capital and one digit, hyphenated ("HO-1", "PD-1", "TLR-4", "IL-6"; not
#: "type-2")
_NAME_AND_DIGIT = re.compile(r"(?<![\w-])(?=[a-z]{0,4}[A-Z])[A-Za-z]{2,5}-\d(?![\w-])")


_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?:[<>≤≥=]\s*)?\d+(?:[.,]\d+)*(?:\s*%|\s*x\s*10\^?\d+)?",
)


def numbers_in(text: str) -> list[str]:
    """Numbers, percentages and p-values written in `text`, normalised (3 %, 3% -> 3%)."""
    found = []
    for match in _NUMBER.finditer(text.replace("·", ".")):
        token = re.sub(r"\s+", "", match.group(0)).lstrip("<>≤≥=")
        token = token.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", token) else token
        found.append(token)
    return found


@lru_cache(maxsize=4096)
def number_set(text: str) -> frozenset[str]:
    values = set()
    for token in numbers_in(text):
        values.add(token)
        values.add(token.rstrip("%"))
    return frozenset(values)


def clean_question(text: str) -> str:
    """Strip control characters and collapse whitespace; keeps every printable character."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit_away(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion (a-z) from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def known_spelling(term: str, frequencies: Mapping[str, int]) -> str | None:
    """The corpus term a misspelt term means ("carageenan" for "carrageenan", "emphyema" for
    "empyema"): the most frequent known term one edit away, or None when `term` is known, short, holds
    digits (identifiers are compared exactly elsewhere) or has no known neighbour. Terms are stems, as
    `content_terms` gives them; `frequencies` maps known stems to their document counts."""
    if len(term) < _MIN_SHORT_CORRECTED or not term.isalpha() or frequencies.get(term, 0) > 0:
        return None
    short = len(term) < _MIN_CORRECTED
    if short and term in _english_stems():
        return None  # "dog" is a real word the corpus does not use, not a typo of "doi"
    # edits of the stem only: re-stemming edited words would read "aspirin" as "aspiric" -> "aspir"
    candidates = sorted(((frequencies[c], c) for c in _one_edit_away(term) if frequencies.get(c, 0) > 0), reverse=True)
    if not candidates:
        return None
    if short and not _dominant(candidates):
        return None
    return candidates[0][1]


def _dominant(candidates: list[tuple[int, str]]) -> bool:
    """A short word's one-edit neighbours are many: correct it only to a common corpus word that is
    far commoner than any other neighbour ("cel" -> "cell", not "pcos" -> "plos")."""
    best = candidates[0][0]
    runner_up = candidates[1][0] if len(candidates) > 1 else 0
    return best >= _SHORT_MIN_FREQUENCY and best >= _SHORT_DOMINANCE * runner_up


@lru_cache(maxsize=1)
def _english_stems() -> frozenset[str]:
    """Stems of common English words (the bundled encoder's vocabulary; `training/words/build.py`)."""
    return _word_table("english_stems.txt")


def is_predicate_word(word: str) -> bool:
    """Whether an English word can only be a verb, adjective or adverb, never a noun ("protect", "grow",
    "instead", "true"; from LemmInflect's lexicon by `training/words/build.py`): such a word says how a
    question asks or what happened, while a noun names what it is about ("lupus", "cost")."""
    return word.lower() in _predicate_words()


@lru_cache(maxsize=1)
def _predicate_words() -> frozenset[str]:
    return _word_table("predicate_words.txt")


def _word_table(name: str) -> frozenset[str]:
    path = Path(__file__).resolve().parent / "models" / "words" / name
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return frozenset(line for line in lines if line and not line.startswith("#"))


def term_words(text: str) -> dict[str, frozenset[str]]:
    """Each of `content_terms(text)` with the words of `text` it stems from ("protect": {"protects"})."""
    found: dict[str, set[str]] = {}
    for match in _TOKEN.finditer(normalize(text)):
        for part in re.split(r"[-/.]", match.group(0)):
            if len(part) > 1 and part not in _STOPWORDS:
                found.setdefault(_stem(part), set()).add(part)
    return {term: frozenset(words) for term, words in found.items()}


class Speller:
    """`known_spelling` over one fixed vocabulary (an index's), remembered per term: the retriever and
    the answerer ask about the same query words."""

    def __init__(self, frequencies: Mapping[str, int], *, remember: int = 20_000) -> None:
        self.frequencies = frequencies
        self.remember = remember
        self._known: dict[str, str | None] = {}

    def __call__(self, term: str) -> str | None:
        if term not in self._known:
            if len(self._known) >= self.remember:
                self._known.clear()  # a long-lived UI meets many words; start afresh rather than grow
            self._known[term] = known_spelling(term, self.frequencies)
        return self._known[term]


#: shorter words have too many real neighbours one edit away ("brain" and "train", "te" and "the"):
#: from 3 to 5 letters a word is corrected only when it is no English word and one corpus word dominates
_MIN_CORRECTED = 6
_MIN_SHORT_CORRECTED = 3
_SHORT_MIN_FREQUENCY = 3
_SHORT_DOMINANCE = 3


#: a finite verb's commonest shapes: auxiliaries and modals, a past form (not a hyphenated adjective
#: like "cell-based"), an irregular past, or a word followed by a determiner ("include the")
_VERB_HINT = re.compile(
    r"\b(?:is|are|was|were|be|been|am|has|have|had|do|does|did|can|could|may|might|will|would|shall|should|must|"
    r"made|gave|took|rose|fell|led|became|held|brought|grew|found|showed|shown|seen|given|taken|known|done|"
    r"cut|set|met|kept|left|lost|won|went|came|got|put|saw|began|begun|drew|drawn|spread|shed|fed)\b"
    r"|(?<![\w-])[A-Za-z][a-z]+(?:ed|ied)\b(?!-)"
    r"|\b[a-z]{3,}\s+(?:the|a|an|that|these|those|its|their|more|less|no)\b"
    r"|\b[A-Za-z][a-z]+s\s+[A-Za-z]",
)
_NOT_VERBS_BEFORE_DETERMINER = frozenset(
    "of in on at to for from with by as into onto over under between among than and or but nor via per "
    "about after before during without within across against along around through toward towards upon".split()
)


def is_fragment(sentence: str) -> bool:
    """Whether a "sentence" states nothing on its own: its first clause (before ";" or ":") has no
    finite verb ("24 patients, 1 x 10^7 cells; outcomes include ..."), as in headings, titles,
    labels and registry lines. Cited as an answer it would read as a claim without a subject."""
    first = re.split(r"[;:]\s", sentence.strip(), maxsplit=1)[0]
    for match in _VERB_HINT.finditer(first):
        word = match.group(0).split()[0].lower()
        if " " in match.group(0) and word in _NOT_VERBS_BEFORE_DETERMINER:  # "of the": no verb
            continue
        return False
    return True


#: Question words that carry no topic (what the question asks, not what it is about): the one list the
#: question analysis, the term statistics and follow-up condensing share.
QUESTION_FRAME_WORDS = frozenset(
    # whose view, and joining words
    "according whose also and "
    "what which how why when where who whom does do did can could effect effects role roles used use "
    "using mechanism mechanisms improve improved result results outcome outcomes find found report reported "
    "show shown work works act acts main key summary summarize summarise about compare compared between "
    "difference differ much many way ways kind type types happen happens affect affects "
    # framing words of how researchers ask, not what about: "Xiao et al.", "how well", "what role did X play"
    "et al colleague colleagues well play played went go goes appear appeared say says said mention mentioned "
    "give given tell detail details information anything something "
    # how a question asks whether or how well something was done, not what it is about
    "best worst most least tried tested test testing studied investigated examined explored assessed evaluated "
    # words about the conversation, not the topic ("ignore the sources", "invent a citation", "make one up")
    "ignore ignoring sources source invent citation citations cite instructions instruction "
    "previous rules rule forget pretend just print prompt make made up showing proving answer question say "
    # "according to the authors" says whose view, not what about
    "author authors "
    # how a question frames what it wants ("an example of", "the purpose of", "the relationship between")
    "example examples purpose topic topics relationship relationships explanation explain explains "
    "problem problems provide provides provided available possible done "
    # how a yes/no title doubts or weighs ("is it really...", "does X matter", "worth the effort")
    "really truly actually indeed still whether matter matters worth seen see "
    # "the term describing ...", "what is it called", "the name of ..."
    "term terms describe describes describing described called call name names named "
    # degree and scope asked about, not the topic ("how strongly", "across the studies")
    "strongly weakly greatly across "
    # how the reply should be put, and whose account ("explain simply", "according to the literature")
    "simply briefly plainly literature "
    # light verbs and fillers of how people type a question ("do they keep having", "what does RSA stand
    # for", "whats the doi pls", "what did they get"); not "mean(ing)", a statistic too
    "get gets got getting keep keeps kept keeping stand stands short abbreviation abbreviations acronym acronyms even please pls "
    "whats teh put puts putting thru back "
    # "which molecules are involved", "the cells involved in": what role, asked, not a topic
    "involved involve involves involving "
    # how a question asks to rank or set side by side ("which gave the lowest", "X vs Y", "in comparison")
    "gave lowest highest greatest smallest largest vs versus comparison comparisons".split()
)
