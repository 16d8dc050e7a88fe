"""What a piece of text claims, read from its structure: terms, numbers with the labels they are bound
to, negations, directions (with their objects), hedges, strength and causal cues, named entities.

`features(text)` is cached by text, so each evidence sentence is read once per process however many
answers cite it; answer clauses are read once per check. Pure functions of the text, no index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.claims import lexicon as lx
from assistant.text import _STOPWORDS, _stem, normalize

#: Prepositions and conjunctions that end a noun phrase when reading a cue's object.
_PHRASE_END = frozenset(
    "in on at to from through via by with after before during against than while whereas but because since "
    "into onto within versus vs compared which that who where when was were is are be been being has have had "
    "did does do for of".split()
)
TIMING_WORDS = frozenset({"before", "after", "during"})
_RELATIVE_TIMING = {"later": "after", "earlier": "before"}
_ADVERBS = frozenset(
    "also significantly greatly much far markedly sharply substantially slightly further still even".split()
)
_DETERMINERS = frozenset("the a an their its his her this these those that such some any both each all".split())
_TOKEN = re.compile(
    r"(?P<num>(?<![\w.])[-−]?\d+(?:\.\d+)?(?:\s*[x×]\s*10\^?\s*[-−]?\d+)?(?:\s*(?:%|percent\b|per cent\b))?(?:\s*-?\s*fold\b)?)(?!\d)(?![a-z](?![a-z0-9]))"  # "1H/1H", "Figure 5b": a label, not a number
    r"|(?P<word>[a-z][a-z0-9']*(?:[-/+][a-z0-9']+)*\+?|\d+[a-z](?![a-z0-9]))"  # "1a", "5b": a label
    r"|(?P<punct>[(),;:\[\]=]|(?<=\s)/(?=\s))"  # "=" and a spaced "/" ("34 / 41") keep numbers apart
)
_GREEK_PART = frozenset("alpha beta gamma delta kappa mu".split())


@dataclass(frozen=True)
class Token:
    kind: str  # "w" word, "n" number, "p" punctuation
    surface: str  # normalised surface form
    stem: str = ""  # canonical stem (synonyms folded) for words
    content: bool = False  # a content word (not a stopword, not one letter)
    value: float | None = None
    unit: str = ""  # "%", "fold", "" for numbers


@dataclass(frozen=True)
class NumberMention:
    value: float
    unit: str
    labels: frozenset[str]  # content stems bound to it: parenthesised label, nearest words each side
    position: int
    tag: frozenset[str] = frozenset()  # its parenthesised label, when it has one: "6.31% (syngeneic)"
    head: frozenset[str] = frozenset()  # the label words right beside it (tag, two before, one after)


@dataclass(frozen=True)
class Cue:
    """A negation, direction, hedge or action cue and the stems it is about."""

    sign: int  # +1 up, -1 down, 0 for cues without a direction
    word: str
    scope: frozenset[str]  # object (what it is about)
    subject: frozenset[str] = frozenset()
    position: int = 0
    core: frozenset[str] = frozenset()  # for negations and hedges: the words they govern (after the cue)
    target: float | None = None  # for directions: the number it moves to or by ("fell to 50%")
    left: frozenset[str] = frozenset()  # every content stem from the clause's start (last comma) to the cue
    right: frozenset[str] = frozenset()  # every content stem from the cue to the clause's end
    passive: bool = False
    verbal: bool = True  # False for a noun of change or an attributive adjective ("had a lower CBF")


@dataclass
class Features:
    text: str
    tokens: list[Token]
    terms: frozenset[str]  # content stems (direction/negation/hedge cues excluded), synonyms folded
    all_stems: frozenset[str]  # every content stem, cues included
    numbers: list[NumberMention] = field(default_factory=list)
    from_to: list[tuple[float, float]] = field(default_factory=list)
    fractions: frozenset[tuple[float, float]] = frozenset()  # "2 of 4", "5 out of 12": (part, whole)
    negations: list[Cue] = field(default_factory=list)
    directions: list[Cue] = field(default_factory=list)
    actions: list[Cue] = field(default_factory=list)
    hedges: list[Cue] = field(default_factory=list)
    strength: frozenset[str] = frozenset()
    causal: bool = False
    entities: frozenset[str] = frozenset()
    markers: frozenset[str] = frozenset()
    proper: frozenset[str] = frozenset()  # capitalised names and acronyms (lowercased)
    timing: frozenset[str] = frozenset()  # "@before", "@after", "@during" when the text says so


# -- normalisation ------------------------------------------------------------------------------------
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(sorted((w for w in lx.NUMBER_WORDS if w != "hundred"), key=len, reverse=True)) + r")"
    r"(?:[- ](one|two|three|four|five|six|seven|eight|nine))?(?: hundred)?\b"
)
#: "one" is a number only before a unit of time ("at least one day of follow-up" is "1 day"); elsewhere it
#: is mostly a pronoun or article ("one of the studies", "one man")
_ONE_MEASURED = re.compile(r"\bone(?=[- ](?:h|hours?|minutes?|days?|weeks?|months?|years?)\b)", re.IGNORECASE)
_FOLD_WORD = re.compile(r"\b(" + "|".join(lx.FOLD_WORDS) + r")\b")


def _words_to_digits(text: str) -> str:
    """ "sixty percent" -> "60 percent", "tenfold" -> "10-fold", "twenty-five" -> "25"."""
    text = _FOLD_WORD.sub(lambda m: f"{lx.FOLD_WORDS[m.group(1)]}-fold", text)

    def number(match: re.Match) -> str:
        value = lx.NUMBER_WORDS[match.group(1)]
        if match.group(2):
            value += lx.NUMBER_WORDS.get(match.group(2), 1)  # "twenty-one": "one" alone is not a number word
        if match.group(0).endswith("hundred"):
            value *= 100
        return str(value)

    return _ONE_MEASURED.sub("1", _NUMBER_WORD.sub(number, text))


def _stem_word(word: str) -> str:
    word = word.strip("'+").replace("'", "")
    if word.endswith("s") and len(word) > 2 and not re.search(r"[aeiouy]", word[:-1]):
        word = word[:-1]  # MSCs, EVs, Tregs-like abbreviations: plural of a short form
    stem = _stem(word)
    return lx.canon(lx.SYNONYMS.get(stem, stem))


def _word_parts(word: str) -> list[str]:
    """A hyphenated compound is one token when a part is a digit or Greek (il-10, tnf-alpha), else its parts."""
    parts = [p for p in re.split(r"[-/]", word) if p]
    if len(parts) > 1 and not any(any(c.isdigit() for c in p) or p in _GREEK_PART for p in parts):
        return parts
    if "/" in word:
        return [p for p in word.split("/") if p]
    return [word.replace("-", "")]


#: PDF extraction often turns the decimal middle dot into a stray accented letter ("47Á6%" for 47·6%).
_MANGLED_DECIMAL = re.compile(r"(?<=\d)[À-ÿ·](?=\d)")


def tokenize(text: str) -> list[Token]:
    text = _MANGLED_DECIMAL.sub(".", text)
    normal = _words_to_digits(normalize(text).replace("·", ".").replace("–", "-").replace("—", " , "))
    normal = _short_markers(normal)  # "interleukin-10" == "IL-10", "regulatory T cells" == "Tregs"
    normal = re.sub(r"(\d),(\d{3})\b", r"\1\2", normal)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(normal):
        if match.group("num") is not None:
            tokens.append(_number_token(match.group("num")))
        elif match.group("word") is not None:
            word = match.group("word")
            if word == "n't":
                tokens.append(Token("w", "not"))
                continue
            for part in _word_parts(word):
                part = part.rstrip("+")
                if not part:
                    continue
                if re.fullmatch(r"\d+(\.\d+)?", part):
                    tokens.append(_number_token(part))
                    continue
                trimmed = lx.MARKER_TRIM.match(part)
                if trimmed:
                    part = trimmed.group(1) or trimmed.group(2)  # tnf-alpha == tnf, il-1beta == il1
                unit = (
                    (part in lx.UNITS or part in lx.MEASURE_UNITS)
                    and bool(tokens)
                    and (tokens[-1].kind == "n" or tokens[-1].surface in lx.UNITS)
                )
                content = len(part) > 1 and part not in _STOPWORDS and not unit
                tokens.append(Token("w", part, _stem_word(part) if content else part, content))
        else:
            tokens.append(Token("p", match.group("punct")))
    return _with_units(_identifiers(tokens))


#: Nouns whose following number names an item rather than measuring it ("genotype 3", "group 2").
_NAMING = frozenset(
    "genotype genotypes serotype subtype type group groups arm cohort grade stage class phase wave lineage clade strain genogroup".split()
)


def _identifiers(tokens: list[Token]) -> list[Token]:
    """ "genotype 3" -> one word "genotype3": a name, never a value that could be misbound or compared."""
    out: list[Token] = []
    for token in tokens:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.kind == "w"
            and previous.surface in _NAMING
            and (
                (
                    token.kind == "n"
                    and not token.unit
                    and token.value is not None
                    and token.value == int(token.value)
                    and "." not in token.surface
                )
                or (token.kind == "w" and re.fullmatch(r"\d+[a-z]", token.surface))
            )
        ):
            name = f"{previous.surface.rstrip('s')}{token.surface}"
            out[-1] = Token("w", name, name, True)
            continue
        out.append(token)
    return out


def _with_units(tokens: list[Token]) -> list[Token]:
    """A number followed by a unit of measure carries it ("5 mm"); so do the numbers before it in a range
    or a mean with its spread ("from 4.08 to 5.87 mm", "22.39 ± 0.94 Hz", "3-5 days")."""
    out = list(tokens)
    for i, token in enumerate(tokens):
        if token.kind != "n" or token.unit or i + 1 >= len(tokens):
            continue
        unit = lx.MEASURE_UNITS.get(tokens[i + 1].surface) if tokens[i + 1].kind == "w" else None
        if not unit:
            continue
        out[i] = Token("n", token.surface, value=token.value, unit=unit)
        j = i - 1  # "from 4.08 to 5.87 mm", "between 2 and 5 mm": the range's first number
        if (
            j >= 2
            and tokens[j].surface in {"to", "and"}
            and tokens[j - 1].kind == "n"
            and not out[j - 1].unit
            and tokens[j - 2].surface in {"from", "between"}
        ):
            out[j - 1] = Token("n", tokens[j - 1].surface, value=tokens[j - 1].value, unit=unit)
        if i >= 1 and tokens[i - 1].kind == "n" and not out[i - 1].unit:  # "22.39 ± 0.94 Hz" (± is dropped)
            out[i - 1] = Token("n", tokens[i - 1].surface, value=tokens[i - 1].value, unit=unit)
    return out


def _number_token(raw: str) -> Token:
    raw = raw.replace("−", "-").replace(" ", "")
    unit = "%" if re.search(r"%|percent|percent", raw) else ("fold" if raw.endswith("fold") else "")
    core = re.sub(r"(%|percent|-?fold)$", "", raw)
    power = re.match(r"(-?\d+(?:\.\d+)?)[x×]10\^?(-?\d+)", core)
    if power:
        value = float(power.group(1)) * 10 ** int(power.group(2))
    else:
        try:
            value = float(core.rstrip("-"))
        except ValueError:
            value = 0.0
    return Token("n", core, value=value, unit=unit)


# -- cues -------------------------------------------------------------------------------------------
def _is_content(token: Token) -> bool:
    return token.kind == "w" and token.content


def _phrase(tokens: list[Token], start: int, step: int, limit: int = 4) -> frozenset[str]:
    """Content stems of the noun phrase from `start` walking by `step`, up to a boundary."""
    found: list[str] = []
    i = start
    while 0 <= i < len(tokens) and len(found) < limit:
        token = tokens[i]
        if token.kind == "p" and token.surface not in "()":
            break
        if token.kind == "n":
            if found:
                break
        elif token.kind == "w":
            if token.surface == "of" and found and all(f in lx.CUE_GENERIC or f in lx.GENERIC for f in found):
                pass  # "the number of infections": the object is what is counted
            elif token.surface in _PHRASE_END and found:
                break
            if (token.surface in lx.UP or token.surface in lx.DOWN or token.surface in lx.NEGATION_WORDS) and found:
                break
            if (
                token.content
                and token.surface not in lx.UP
                and token.surface not in lx.DOWN
                and token.surface not in _ADVERBS
            ):
                found.append(token.stem)
        i += step
    return frozenset(found)


def _next_word(tokens: list[Token], i: int) -> Token | None:
    j = i + 1
    while j < len(tokens) and tokens[j].kind == "w" and tokens[j].surface in _DETERMINERS:
        j += 1
    return tokens[j] if j < len(tokens) else None


_CLAUSE_END = frozenset({"while", "whereas", "but", "although", "though", "which", "that"})


def _reach(tokens: list[Token], i: int) -> tuple[frozenset[str], frozenset[str]]:
    """Content stems on each side of a cue within its clause: who acts, and on what."""
    left: list[str] = []
    j = i - 1
    while (
        j >= 0 and not (tokens[j].kind == "p" and tokens[j].surface in ",;:") and tokens[j].surface not in _CLAUSE_END
    ):
        if _is_content(tokens[j]) and tokens[j].surface not in _ADVERBS:
            left.append(tokens[j].stem)
        j -= 1
    right: list[str] = []
    for k in range(i + 1, len(tokens)):
        token = tokens[k]
        if token.surface in {";", ":"} or token.surface in _CLAUSE_END:
            break
        if token.surface == "and" and right and tokens[k - 1].surface == ",":
            break
        if _is_content(token) and token.surface not in _ADVERBS:
            right.append(token.stem)
    cues = lx.UP | lx.DOWN | lx.ACTIONS
    return frozenset(w for w in left if w not in cues), frozenset(w for w in right if w not in cues)


def _directions(tokens: list[Token]) -> tuple[list[Cue], list[Cue]]:
    directions: list[Cue] = []
    actions: list[Cue] = []
    for i, token in enumerate(tokens):
        if token.kind != "w":
            continue
        word = token.surface
        sign = 1 if word in lx.UP else -1 if word in lx.DOWN else 0
        if sign == 0 and word not in lx.ACTIONS:
            continue
        k = i - 1
        while k >= 0 and tokens[k].surface in _ADVERBS:
            k -= 1
        previous = tokens[k].surface if k >= 0 else ""
        following = _next_word(tokens, i)
        forward = _phrase(tokens, i + 1, 1)
        backward = _phrase(tokens, i - 1, -1, 2 if word in lx.POSTPOSED else 3)
        # "was lowered" is passive; "was expanding" is the progressive of an active verb
        passive = previous in {"was", "were", "is", "are", "be", "been", "being", "got"} and not word.endswith("ing")
        followed_by_than = following is not None and following.surface == "than"
        if word in lx.ADJECTIVES and any(t.surface == "than" for t in tokens[i + 1 : i + 4]):
            continue  # "lowered it more than": a comparison, checked against the numbers instead
        if word in lx.ADJECTIVES and following is not None and following.surface.endswith("ly"):
            continue  # "more strongly", "less often": a degree of the verb, not a change of an object
        adjective_alone = word in lx.ADJECTIVES and (following is None or not _is_content(following))
        # a noun of change ("an increase in the population", "a 25% decrease in incidence"): its object
        # is the phrase after the preposition, not the words before it
        nominal = (
            following is not None
            and following.surface in {"in", "of"}
            and (previous in _DETERMINERS or (k >= 0 and tokens[k].kind == "n") or word.endswith(("tion", "ment")))
        )
        if not nominal and (
            word in lx.POSTPOSED
            or passive
            or followed_by_than
            or not forward
            or adjective_alone
            or (
                following is not None
                and following.kind == "w"
                and following.surface in _PHRASE_END
                and word not in lx.ADJECTIVES
            )
        ):
            cue = Cue(sign, word, backward, frozenset(), i)
            passive = True  # "X rose", "X was lowered by Y": what changes stands before the verb
        else:
            cue = Cue(sign, word, forward, backward, i)
            passive = False
        target = next((t.value for t in tokens[i + 1 : i + 4] if t.kind == "n"), None) if sign else None
        left, right = _reach(tokens, i)
        verbal = not nominal and not (
            word in lx.ADJECTIVES and previous in _DETERMINERS | {"had", "has", "have", "with"}
        )
        cue = Cue(
            cue.sign, cue.word, cue.scope, cue.subject, cue.position, cue.core, target, left, right, passive, verbal
        )
        (directions if sign else actions).append(cue)
        if sign and word in lx.ACTIONS:
            actions.append(cue)
    return directions, actions


def _governed(tokens: list[Token], start: int, limit: int = 4) -> frozenset[str]:
    """Content stems after a cue up to the end of its clause ("not found before onset of an outbreak")."""
    found: list[str] = []
    for token in tokens[start:]:
        if token.kind == "p" or len(found) >= limit:
            break
        if token.kind == "w" and token.surface in {"and", "but", "while", "whereas", "although"} and found:
            break
        if _is_content(token) and token.surface not in lx.UP and token.surface not in lx.DOWN:
            found.append(token.stem)
    return frozenset(found)


def _negations(tokens: list[Token], text: str) -> list[Cue]:
    cues: list[Cue] = []
    for i, token in enumerate(tokens):
        if token.kind != "w" or token.surface not in lx.NEGATION_WORDS:
            continue
        if token.surface == "no" and i + 1 < len(tokens) and tokens[i + 1].surface in {"longer"}:
            pass
        forward = _phrase(tokens, i + 1, 1, 3) if token.surface not in lx.NO_CHANGE else frozenset({"chang"})
        j = i - 1
        while j >= 0 and tokens[j].kind == "w" and not tokens[j].content:
            j -= 1  # skip "did", "was", "has"
        subject = _phrase(tokens, j, -1, 2)
        governed = _governed(tokens, i + 1) if token.surface not in lx.NO_CHANGE else forward
        elliptic = i + 1 < len(tokens) and tokens[i + 1].surface in _PHRASE_END  # "but not in the spleen"
        core = governed if len(governed) > 1 or elliptic else governed | subject
        cues.append(Cue(0, token.surface, forward | subject, subject, i, core))
    return cues


def _hedges(tokens: list[Token]) -> list[Cue]:
    return [
        # its core runs to the end of its clause: "has apparently taken place on the Diamond Princess"
        Cue(0, t.surface, _phrase(tokens, i + 1, 1, 4), frozenset(), i, _governed(tokens, i + 1))
        for i, t in enumerate(tokens)
        if t.kind == "w" and t.surface in lx.HEDGES
    ]


# -- numbers ----------------------------------------------------------------------------------------
def _tag(tokens: list[Token], i: int) -> frozenset[str]:
    """The parenthesised label right after a number ("6.31% (syngeneic)"), if any."""
    j = i + 1
    if j < len(tokens) and tokens[j].surface == "(":
        close = next((k for k in range(j + 1, min(len(tokens), j + 12)) if tokens[k].surface == ")"), None)
        if close is not None:
            return frozenset(t.stem for t in tokens[j + 1 : close] if _is_content(t))
    return frozenset()


#: words that end a group label: what follows them names another group
_LABEL_STOPS = frozenset({"and", "or", "against", "versus", "vs", "whereas", "while", "but", "compared"})


def _label_after(tokens: list[Token], i: int, limit: int = 3) -> frozenset[str]:
    """The parenthesised label right after a number, or the next few content words."""
    j = i + 1
    if j < len(tokens) and tokens[j].surface == "(":
        close = next((k for k in range(j + 1, min(len(tokens), j + 12)) if tokens[k].surface == ")"), None)
        if close is not None:
            inside = frozenset(t.stem for t in tokens[j + 1 : close] if _is_content(t))
            if inside:
                return inside
            j = close + 1  # "(5 of 43)": look past it
    found: list[str] = []
    while j < len(tokens) and len(found) < limit:
        t = tokens[j]
        if t.kind in ("p", "n"):
            break
        if t.kind == "w" and t.surface in _LABEL_STOPS:
            break
        if _is_content(t) and t.surface not in lx.UP and t.surface not in lx.DOWN:
            found.append(t.stem)
        j += 1
    return frozenset(found)


def _label_before(tokens: list[Token], i: int, limit: int = 3, skip_generic: bool = False) -> frozenset[str]:
    found: list[str] = []
    j = i - 1
    if j >= 0 and tokens[j].surface == "(":
        j -= 1  # "rhinovirus (20.3%)": the label stands before the bracket
    if j >= 0 and tokens[j].surface == "=":
        j -= 1  # "wild type = 17%": the label stands before the sign
    while j >= 0 and len(found) < limit:
        t = tokens[j]
        if t.surface == "(":
            j -= 1  # "IL-4 (SMD 1.63)": the bracket labels the word before it
            continue
        if t.kind in ("p", "n"):
            break
        if t.kind == "w" and t.surface in _LABEL_STOPS:
            break
        if _is_content(t) and t.surface not in lx.UP and t.surface not in lx.DOWN:
            if not (skip_generic and (t.stem in lx.GENERIC or t.stem in lx.COUNTED)):
                found.append(t.stem)
        j -= 1
    return frozenset(found)


def _numbers(tokens: list[Token]) -> tuple[list[NumberMention], list[tuple[float, float]]]:
    mentions = []
    pairs = []
    for i, token in enumerate(tokens):
        if token.kind != "n" or _is_reference(tokens, i):
            continue
        labels = _label_before(tokens, i) | _label_after(tokens, i)
        tag = _tag(tokens, i)
        # "from 64% for rapid antigen tests to 95% for RT-PCR tests": the words before "to" label the first
        to_end = (
            i >= 2
            and tokens[i - 1].surface == "to"
            and any(tokens[m].surface == "from" and tokens[m + 1].kind == "n" for m in range(max(0, i - 10), i - 2))
        )
        before = frozenset() if to_end or _opens_labelled_bracket(tokens, i) else _label_before(tokens, i, 2, True)
        head = tag | before | (frozenset() if tag else _head_after(tokens, i))
        mentions.append(NumberMention(token.value or 0.0, token.unit, labels, i, tag, head - lx.GENERIC))
        if i >= 1 and tokens[i - 1].surface == "from":
            k = next((k for k in range(i + 1, min(i + 4, len(tokens))) if tokens[k].kind == "n"), None)
            if (
                k is not None
                and tokens[k - 1].surface in {"to", "-"}
                or (k is not None and any(tokens[m].surface == "to" for m in range(i + 1, k)))
            ):
                pairs.append((token.value or 0.0, tokens[k].value or 0.0))
    return _ranges(tokens, _fractions(tokens, _respectively(tokens, mentions))), pairs


def _opens_labelled_bracket(tokens: list[Token], i: int) -> bool:
    """ "after embryo transfer (2 live births, 1 miscarriage)": a number that opens a bracket and is
    labelled by words the sentence has not used before counts something of its own, not the words before
    the bracket ("lower for the rapid PCR group (1.5 tests; ...)" still counts the tests of that group)."""
    if i < 1 or tokens[i - 1].surface != "(":
        return False
    earlier = {t.stem for t in tokens[: i - 1] if t.kind == "w"}
    return bool(_head_after(tokens, i) - earlier)


def _ranges(tokens: list[Token], mentions: list[NumberMention]) -> list[NumberMention]:
    """ "60-78%", "22.39 ± 0.94 Hz", "(8/16)": two numbers side by side are one value; both carry its
    label, and the first takes the second's unit."""
    out = list(mentions)
    for k in range(len(mentions) - 1):
        a, b = out[k], out[k + 1]
        if b.position != a.position + 1:
            continue
        head, labels = a.head | b.head, a.labels | b.labels
        out[k] = NumberMention(a.value, a.unit or b.unit, labels, a.position, a.tag, head)
        out[k + 1] = NumberMention(b.value, b.unit, labels, b.position, b.tag, head)
    return out


_REFERENCE_WORDS = frozenset(
    "table tables fig figs figure figures supplementary movie movies ref refs reference panel".split()
)


def _is_reference(tokens: list[Token], i: int) -> bool:
    """ "(Table 1)", "Figure 5", "[3]", "plasmablasts (27-29)." : a pointer into the paper or its reference
    list, not a value of anything."""
    if i >= 1 and tokens[i - 1].surface in _REFERENCE_WORDS:
        return True
    # a bracket of bare whole numbers after a word, ending the sentence or clause: a citation
    a = i
    while a > 0 and (tokens[a - 1].kind == "n" or tokens[a - 1].surface == ","):
        a -= 1
    b = i
    while b + 1 < len(tokens) and (tokens[b + 1].kind == "n" or tokens[b + 1].surface == ","):
        b += 1
    if (
        a >= 2
        and tokens[a - 1].surface == "("
        and b + 1 < len(tokens)
        and tokens[b + 1].surface == ")"
        and tokens[a - 2].kind == "w"
        and (b + 2 >= len(tokens) or tokens[b + 2].kind == "p" and tokens[b + 2].surface != "(")
    ):
        inside = [t for t in tokens[a : b + 1] if t.kind == "n"]
        if inside and all(not t.unit and "." not in t.surface for t in inside):
            return True
    return i >= 1 and tokens[i - 1].surface == "[" and i + 1 < len(tokens) and tokens[i + 1].surface in {"]", ","}


def _fraction_pairs(tokens: list[Token]) -> frozenset[tuple[float, float]]:
    pairs = set()
    for i, t in enumerate(tokens[:-2]):
        if t.kind != "n":
            continue
        k = i + 1
        if tokens[k].surface == "out" and k + 1 < len(tokens):
            k += 1
        if tokens[k].surface in {"of", "/"} and k + 1 < len(tokens) and tokens[k + 1].kind == "n":
            pairs.add((t.value or 0.0, tokens[k + 1].value or 0.0))
    return frozenset(pairs)


def _fractions(tokens: list[Token], mentions: list[NumberMention]) -> list[NumberMention]:
    """ "6 of 7 amenorrhoeic women": one count, so both numbers carry the label of the pair."""
    at = {m.position: k for k, m in enumerate(mentions)}
    out = list(mentions)
    for k, m in enumerate(mentions):
        j = m.position
        if j + 2 < len(tokens) and tokens[j + 1].surface == "of" and tokens[j + 2].kind == "n" and j + 2 in at:
            other = mentions[at[j + 2]]
            head = m.head | other.head
            labels = m.labels | other.labels
            out[k] = NumberMention(m.value, m.unit, labels, m.position, m.tag, head)
            out[at[j + 2]] = NumberMention(other.value, other.unit, labels, other.position, other.tag, head)
    return out


def _head_after(tokens: list[Token], i: int) -> frozenset[str]:
    """The first specific word after a number, or its timing ("95% ... during an outbreak" -> @during)."""
    j = i + 1
    if j < len(tokens) and tokens[j].surface == "(":  # "11.6% (5 of 43) of treated women": past the counts
        close = next((k for k in range(j + 1, min(len(tokens), j + 8)) if tokens[k].surface == ")"), None)
        if close is not None and not any(_is_content(t) for t in tokens[j + 1 : close]):
            j = close + 1
    for t in tokens[j : j + 4]:
        if t.kind != "w":
            break
        if t.surface in TIMING_WORDS:
            return frozenset({"@" + t.surface})
        if t.surface in _RELATIVE_TIMING:  # "2 days later" times what follows as "2 days after" does
            return frozenset({"@" + _RELATIVE_TIMING[t.surface]})
        if t.surface in {"and", "or", "against", "versus", "vs", "whereas", "while", "but", "compared"}:
            break
        if (
            _is_content(t)
            and t.stem not in lx.GENERIC
            and t.stem not in lx.COUNTED
            and t.surface not in lx.UP
            and t.surface not in lx.DOWN
        ):
            # with the nearest name that holds a digit ("infected with genotype 1a", "in Katnal1 animals")
            named = next(
                (
                    x.stem
                    for x in tokens[j : j + 5]
                    if x.kind == "w" and x.content and any(c.isdigit() for c in x.surface)
                ),
                None,
            )
            return frozenset(s for s in (t.stem, named) if s is not None)
    return frozenset()


def _respectively(tokens: list[Token], mentions: list[NumberMention]) -> list[NumberMention]:
    """ "NS5A and NS5B ... in 8% and 19.2%, respectively": each number is bound to its own item."""
    at = next((i for i, t in enumerate(tokens) if t.surface == "respectively"), None)
    if at is None:
        return mentions
    listed = [m for m in mentions if m.position < at][-4:]
    run = [listed[-1]] if listed else []
    for m in reversed(listed[:-1]):  # the numbers of one list: "8% and 19.2%"
        between = tokens[m.position + 1 : run[0].position]
        if all(t.kind == "p" or t.surface in {"and", ","} or (t.kind == "w" and not t.content) for t in between):
            run.insert(0, m)
    if len(run) < 2:
        return mentions
    # the coordinated items before the first number: "A and B", "A, B and C"
    items: list[str] = []
    j = run[0].position - 1
    while j > 0 and tokens[j].surface != "and":
        j -= 1
    if j <= 0:
        return mentions
    after = next((t.stem for t in tokens[j + 1 : run[0].position] if _is_content(t)), None)
    before = next((t.stem for t in reversed(tokens[:j]) if _is_content(t)), None)
    if not after or not before:
        return mentions
    items = [before, after]
    k = j - 1
    while len(items) < len(run):
        k = next((x for x in range(k, -1, -1) if tokens[x].surface == ","), -1)
        if k < 0:
            break
        word = next((t.stem for t in reversed(tokens[:k]) if _is_content(t)), None)
        if not word:
            break
        items.insert(0, word)
        k -= 1
    if len(items) != len(run):
        return mentions
    bound = {id(m): item for m, item in zip(run, items)}
    shared = frozenset().union(*(m.head for m in run))  # context common to the list, not to one item
    return [
        NumberMention(m.value, m.unit, m.labels | {bound[id(m)]}, m.position, m.tag, shared | {bound[id(m)]})
        if id(m) in bound
        else m
        for m in mentions
    ]


# -- entities ---------------------------------------------------------------------------------------
_ENTITY_RES = {
    key: re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])") for key, pattern in lx.ENTITY_PATTERNS.items()
}
_MARKER_LONG = [(re.compile(rf"\b{pattern}\b"), short) for pattern, short in lx.MARKER_LONG_FORMS.items()]


def _entity_text(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text).replace("’", "'"))


def _short_markers(text: str) -> str:
    """Long names of markers and cell types replaced by their short names."""
    for pattern, short in _MARKER_LONG:
        text = pattern.sub(short, text)  # a replacement template: "il\\1" keeps the number
    return text


def entities_in(text: str) -> frozenset[str]:
    lowered = _entity_text(text)
    return frozenset(key for key, pattern in _ENTITY_RES.items() if pattern.search(lowered))


#: the entity keys that name who was studied, and so can be a count's unwritten subject
POPULATION_KEYS = frozenset({"patients", "women", "men", "children", "adults", "humans", "mouse", "rat"})


def counted_groups(text: str) -> dict[str, int]:
    """The largest count the text gives each population ("seven patients", "6 women"): {key: count}."""
    lowered = _words_to_digits(_entity_text(text))
    counts: dict[str, int] = {}
    for key in POPULATION_KEYS:
        pattern = lx.ENTITY_PATTERNS[key]
        for match in re.finditer(rf"\b(\d+)\s+(?:[a-z-]+\s+)?(?:{pattern})(?![a-z0-9])", lowered):
            counts[key] = max(counts.get(key, 0), int(match.group(1)))
    return counts


def markers_in(text: str) -> frozenset[str]:
    lowered = _short_markers(_entity_text(text))
    lowered = re.sub(r"(?<=[a-z0-9])[-‐](?=[a-z0-9])", "", lowered)
    found = set()
    for match in lx.MARKER.finditer(lowered):
        name = (
            match.group(1).rstrip("s")
            if match.group(1).endswith("s") and not match.group(1).endswith("ss")
            else match.group(1)
        )
        trimmed = lx.MARKER_TRIM.match(name)
        found.add((trimmed.group(1) or trimmed.group(2)) if trimmed else name.replace(" ", ""))
    found.update(m.group(1) for m in lx.TRIAL_ID.finditer(lowered))
    return frozenset(found)


_PROPER = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[A-Z][a-z]{2,})(?![\w])")


#: what follows a first author's surname: initials and "et al.", "and colleagues"
_AUTHOR_AFTER = re.compile(r"(?:\s+[A-Z]{1,3}\.?)?\s+(?:et al\b|and (?:colleagues|co-?workers)\b)")


def proper_names(text: str) -> frozenset[str]:
    """Capitalised names and acronyms, except a sentence's first word (lowercased)."""
    names = set()
    for match in _PROPER.finditer(text):
        before = text[: match.start()].rstrip()
        if not before or before[-1] in '.:;!?"“(':
            if not re.search(r"[A-Z].*[A-Z0-9]|\d", match.group(1)) and not _AUTHOR_AFTER.match(text, match.end()):
                continue  # an ordinary word that starts the sentence, unless an author's ("Zhao X et al.")
        names.add(match.group(1).lower())
    return frozenset(names)


# -- the whole reading --------------------------------------------------------------------------------
@lru_cache(maxsize=50_000)
def features(text: str) -> Features:
    """Everything the checks read from `text` (cached by text)."""
    tokens = tokenize(text)
    lowered = _entity_text(text)
    cue_words = lx.UP | lx.DOWN | lx.NEGATION_WORDS | lx.HEDGES
    terms = frozenset(t.stem for t in tokens if _is_content(t) and t.surface not in cue_words)
    all_stems = frozenset(t.stem for t in tokens if _is_content(t))
    numbers, pairs = _numbers(tokens)
    directions, actions = _directions(tokens)
    return Features(
        text=text,
        tokens=tokens,
        terms=terms,
        all_stems=all_stems,
        numbers=numbers,
        from_to=pairs,
        fractions=_fraction_pairs(tokens),
        negations=_negations(tokens, lowered),
        directions=directions,
        actions=actions,
        hedges=_hedges(tokens),
        strength=frozenset(m.group(1).replace("-", " ") for m in lx.STRENGTH.finditer(lowered)),
        causal=bool(lx.CAUSAL.search(lowered)),
        entities=entities_in(text),
        markers=markers_in(text),
        proper=proper_names(text),
        timing=frozenset("@" + t.surface for t in tokens if t.surface in TIMING_WORDS),
    )
