"""In-domain minimal-edit pairs, the way FactCC made its training data: real sentences, small edits.

Each real sentence of the in-domain documents (sources.py) is the evidence. Negatives (label 0) change
one fact: negation inserted or removed, a number or unit changed, an identifier's digit changed, an
author, year or entity taken from another document, a population swapped, a comparison or verb
reversed, a hedge removed, the scope widened, or a fact of another document merged in. Positives
(label 1) keep the meaning: the sentence itself, its clauses reordered, numbers written as words,
a leading phrase moved, synonyms, an abbreviation spelt out, or only its first clause. Every edit
either changes the sentence or is dropped, and a sentence gives at most a few pairs.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from training.verifier.sources import Document, Pair

Edit = Callable[[str, Document, random.Random, list[Document]], str | None]

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.]*\d)")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-2]\d)\b")
_IDENTIFIER = re.compile(r"\b(NCT\d{6,8}|10\.\d{4,5}/[\w.()/-]+|No\. ?[\w-]*\d[\w-]*|ChiCTR[\w-]*\d+)")
_UNITS = [
    ("mg", "g"),
    ("ml", "L"),
    ("days", "weeks"),
    ("weeks", "months"),
    ("hours", "days"),
    ("%", " cases"),
    ("μg", "mg"),
    ("kg", "g"),
]
_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()

#: opposite pairs (both ways): verbs, comparatives, comparisons in words
_ANTONYMS = [
    ("increased", "decreased"),
    ("increase", "decrease"),
    ("increases", "decreases"),
    ("higher", "lower"),
    ("more", "less"),
    ("greater", "smaller"),
    ("improved", "worsened"),
    ("enhanced", "suppressed"),
    ("promoted", "inhibited"),
    ("promotes", "inhibits"),
    ("promote", "inhibit"),
    ("upregulated", "downregulated"),
    ("elevated", "reduced"),
    ("raised", "lowered"),
    ("positive", "negative"),
    ("superior", "inferior"),
    ("before", "after"),
    ("rose", "fell"),
    ("outperformed", "was inferior to"),
    ("activated", "suppressed"),
    ("reduced", "increased"),
    ("reduces", "increases"),
    ("reduce", "increase"),
    ("decline", "rise"),
    ("lowest", "highest"),
    ("longer", "shorter"),
    ("larger", "smaller"),
    ("stronger", "weaker"),
    ("benefit", "harm"),
    ("effective", "ineffective"),
    ("associated with a higher", "associated with a lower"),
    ("protective", "harmful"),
    ("gain", "loss"),
    ("accelerated", "delayed"),
    ("enhances", "impairs"),
    ("stimulated", "blocked"),
    ("induced", "prevented"),
    ("facilitated", "hindered"),
    ("common", "rare"),
    # comparisons in words (issue 20: "outperformed", "as effective as", "inferior to" passed as supported)
    ("more effective than", "as effective as"),
    ("outperformed", "matched"),
    ("similar to", "different from"),
    ("comparable to", "superior to"),
    ("better than", "worse than"),
    ("no difference", "a difference"),
]
_POPULATIONS = [
    ("mice", "women"),
    ("mouse", "human"),
    ("rats", "patients"),
    ("in vitro", "in vivo"),
    ("women", "men"),
    ("children", "adults"),
    ("patients", "healthy volunteers"),
    ("human", "murine"),
    ("pregnant", "non-pregnant"),
    ("infants", "adults"),
    ("elderly", "young"),
    ("animals", "humans"),
    ("cells", "patients"),
]
_HEDGES = [
    (r"\bmay (be|have|help|reduce|improve|increase|decrease|play|contribute|lead|cause|represent)\b", r"\1s"),
    (r"\bmight (be|have|help|reduce|improve|increase|decrease|play|contribute|lead|cause)\b", r"\1s"),
    (r"\bcould (be|have|help|reduce|improve|increase|decrease|play|contribute|lead|cause)\b", r"\1s"),
    (r"\bsuggest(?:s|ed)? that\b", "prove that"),
    (r"\bpossibly\b|\bpotentially\b|\blikely\b", "certainly"),
    (r"\bappear(?:s|ed)? to\b", "was shown to"),
    (r"\bis thought to\b", "is proven to"),
]
_SCOPE = [
    (r"\bsome\b", "all"),
    (r"\bmost\b", "all"),
    (r"\bseveral\b", "all"),
    (r"\bmany\b", "all"),
    (r"\bfew\b", "all"),
    (r"\bin (women|patients|mice|children|adults)\b", r"in all \1"),
    (r"\boften\b", "always"),
    (r"\bcan\b", "always"),
]
_SYNONYMS = [
    ("increased", "raised"),
    ("decreased", "lowered"),
    ("reduced", "lowered"),
    ("significantly", "markedly"),
    ("showed", "demonstrated"),
    ("shown", "demonstrated"),
    ("therapy", "treatment"),
    ("approximately", "about"),
    ("patients", "subjects"),
    ("improved", "bettered"),
    ("used", "employed"),
    ("found", "observed"),
    ("important", "key"),
    ("however,", ""),
    ("Moreover,", ""),
    ("In addition,", ""),
    ("study", "investigation"),
    ("rapid", "fast"),
    ("large", "big"),
    ("use of", "using"),
    ("administration", "delivery"),
    ("observed", "seen"),
    ("enhanced", "boosted"),
    ("elevated", "raised"),
    ("infection", "infections"),
    ("major", "main"),
    ("demonstrated", "showed"),
    ("compared with", "compared to"),
    ("participants", "subjects"),
    ("investigated", "studied"),
    ("evaluated", "assessed"),
    ("examined", "studied"),
    ("markedly", "considerably"),
    ("suggest", "indicate"),
    ("obtained", "derived"),
]


def _swap_word(text: str, table: list[tuple[str, str]], rng: random.Random, both: bool = True) -> str | None:
    options = []
    for a, b in table:
        for x, y in ((a, b), (b, a)) if both else ((a, b),):
            for match in re.finditer(rf"(?<![\w-]){re.escape(x)}(?![\w-])", text, flags=re.IGNORECASE):
                options.append((match, y))
    if not options:
        return None
    match, new = rng.choice(options)
    if match.group(0)[0].isupper() and new:
        new = new[0].upper() + new[1:]
    return text[: match.start()] + new + text[match.end() :]


# -- negatives ------------------------------------------------------------------------------------------
def negation(text: str, doc, rng, docs) -> str | None:
    removals = [
        (r"\b(is|was|were|are|did|does|do|has|have|had|could|would|should) not\b", r"\1"),
        (r"\bcannot\b", "can"),
        (r"\bno significant\b", "a significant"),
        (r"\bnot\s+", ""),
        (r"\bwithout\b", "with"),
        (r"\bno\b", "a"),
        (r"\bnever\b", "often"),
        (r"\bfailed to\b", "managed to"),
    ]
    inserts = [
        (r"\b(is|was|were|are|has|have|had|can|could|did|does|will|would)\b", r"\1 not"),
        (r"\bsignificantly\b", "not significantly"),
    ]
    found = [(p, r) for p, r in removals if re.search(p, text, flags=re.IGNORECASE)]
    if not found or rng.random() < 0.5:
        found = found + [(p, r) for p, r in inserts if re.search(p, text)]
    if not found:
        return None
    pattern, replacement = rng.choice(found)
    return re.sub(pattern, replacement, text, count=1, flags=re.IGNORECASE)


def number_swap(text: str, doc, rng, docs) -> str | None:
    matches = [m for m in _NUMBER.finditer(text) if not _YEAR.fullmatch(m.group(1))]
    if not matches:
        return None
    match = rng.choice(matches)
    value = match.group(1)
    if "." in value:
        whole, frac = value.split(".")
        new = (
            f"{whole}.{int(frac) + rng.randint(1, 9)}"
            if rng.random() < 0.5
            else f"{int(whole) + rng.randint(1, 5)}.{frac}"
        )
    else:
        number = int(value)
        new = str(rng.choice([number + rng.randint(1, 9), max(0, number - rng.randint(1, 9)), number * 2, number * 10]))
        if new == value:
            new = str(number + 1)
    return text[: match.start(1)] + new + text[match.end(1) :]


def unit_swap(text: str, doc, rng, docs) -> str | None:
    return _swap_word(text, _UNITS, rng)


def identifier_digits(text: str, doc, rng, docs) -> str | None:
    matches = list(_IDENTIFIER.finditer(text))
    if not matches:
        return None
    match = rng.choice(matches)
    ident = match.group(0)
    digits = [i for i, ch in enumerate(ident) if ch.isdigit()]
    at = rng.choice(digits)
    changed = ident[:at] + str((int(ident[at]) + rng.randint(1, 9)) % 10) + ident[at + 1 :]
    return text[: match.start()] + changed + text[match.end() :]


def year_swap(text: str, doc, rng, docs) -> str | None:
    match = _YEAR.search(text)
    if not match:
        return None
    year = int(match.group(1))
    return text[: match.start()] + str(year + rng.choice([-3, -2, -1, 1, 2, 3])) + text[match.end() :]


_NAME = re.compile(r"\b([A-Z][a-z]{2,}(?: [A-Z]{1,2})?)\b(?= \(\d{4}\)| et al| and colleagues)")
_CAPITAL = re.compile(r"(?<=[a-z,;] )([A-Z][A-Za-z0-9-]{2,})\b")


def entity_swap(text: str, doc, rng, docs) -> str | None:
    """An author, a name or a capitalised entity replaced by one from another document."""
    own = _NAME.findall(text) or _CAPITAL.findall(text)
    if not own:
        return None
    other = rng.choice(docs)
    if other.name == doc.name:
        return None
    candidates = other.authors or [w for s in other.sentences[:20] for w in _CAPITAL.findall(s)]
    candidates = [c for c in candidates if c not in text]
    if not candidates:
        return None
    target = rng.choice(own)
    return text.replace(target, rng.choice(candidates), 1)


def population_swap(text: str, doc, rng, docs) -> str | None:
    return _swap_word(text, _POPULATIONS, rng)


def antonym(text: str, doc, rng, docs) -> str | None:
    return _swap_word(text, _ANTONYMS, rng)


def hedge_removed(text: str, doc, rng, docs) -> str | None:
    for pattern, replacement in rng.sample(_HEDGES, len(_HEDGES)):
        if re.search(pattern, text):
            edited = re.sub(pattern, replacement, text, count=1)
            return edited.replace("bes ", "is ").replace("haves ", "has ")
    return None


def scope_widened(text: str, doc, rng, docs) -> str | None:
    for pattern, replacement in rng.sample(_SCOPE, len(_SCOPE)):
        if re.search(pattern, text):
            return re.sub(pattern, replacement, text, count=1)
    return None


def merged(text: str, doc, rng, docs) -> str | None:
    """The sentence joined with a fact from another document (the evidence holds only the first)."""
    other = rng.choice(docs)
    if other.name == doc.name or not other.sentences:
        return None
    extra = rng.choice(other.sentences)
    extra = extra[0].lower() + extra[1:] if extra[:2].isalpha() and not extra[:2].isupper() else extra
    return f"{text.rstrip('.')}, and {extra}"


def other_sentence(text: str, doc, rng, docs) -> str | None:
    """Another sentence of the same document: on topic, but not what this one says."""
    others = [s for s in doc.sentences if s != text]
    return rng.choice(others) if others else None


NEGATIVES: dict[str, Edit] = {
    "negation": negation,
    "number": number_swap,
    "unit": unit_swap,
    "identifier": identifier_digits,
    "year": year_swap,
    "entity": entity_swap,
    "population": population_swap,
    "antonym": antonym,
    "hedge": hedge_removed,
    "scope": scope_widened,
    "merged": merged,
    "other_sentence": other_sentence,
}


# -- positives ------------------------------------------------------------------------------------------
def identity(text: str, doc, rng, docs) -> str | None:
    return text


def reorder(text: str, doc, rng, docs) -> str | None:
    """A leading phrase moved to the end ("In mice, X." -> "X in mice."), or two 'and'-joined clauses swapped."""
    match = re.match(
        r"^((?:In|At|After|During|Among|For|Following|Compared with|In contrast to|Over|Within|Before|Since)\b[^,]{3,80}),\s+(.+?)\.?$",
        text,
    )
    if match:
        lead, rest = match.groups()
        return f"{rest[0].upper()}{rest[1:]} {lead[0].lower()}{lead[1:]}."
    match = re.match(r"^(.{20,}?), (while|whereas|and) (.{20,}?)\.?$", text)
    if match and match.group(2) != "and":
        first, joint, second = match.groups()
        return f"{second[0].upper()}{second[1:]}, {joint} {first[0].lower()}{first[1:]}."
    return None


def number_words(text: str, doc, rng, docs) -> str | None:
    matches = [m for m in re.finditer(r"(?<![\w.,\[])(\d{1,2})(?![\w.,%\]]|\.\d)", text) if int(m.group(1)) <= 20]
    if matches:
        match = rng.choice(matches)
        return text[: match.start()] + _WORDS[int(match.group(1))] + text[match.end() :]
    if "%" in text:
        return re.sub(r"(\d)%", r"\1 percent", text, count=1)
    return None


def synonyms(text: str, doc, rng, docs) -> str | None:
    edited = _swap_word(text, _SYNONYMS, rng, both=False)
    if edited is not None and rng.random() < 0.5:
        edited = _swap_word(edited, _SYNONYMS, rng, both=False) or edited
    return " ".join(edited.split()) if edited else None


def first_clause(text: str, doc, rng, docs) -> str | None:
    """Only part of the sentence (a claim the evidence still fully supports)."""
    match = re.match(r"^(.{40,}?)(?:, (?:which|while|whereas|and|but)|; )", text)
    return f"{match.group(1)}." if match else None


def passive(text: str, doc, rng, docs) -> str | None:
    """'We found that X' / 'Our results show that X' -> 'X'; 'X was shown by Y' kept simple."""
    match = re.match(
        r"^(?:We|Our (?:data|results|findings)|These (?:data|results|findings)|This study) (?:found|show|showed|demonstrate[ds]?|revealed|indicate[ds]?) that (.+)$",
        text,
    )
    if match:
        rest = match.group(1)
        return rest[0].upper() + rest[1:]
    return None


def abbreviation(text: str, doc, rng, docs, glossary: dict[str, str] | None = None) -> str | None:
    glossary = glossary or {}
    found = [short for short in glossary if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)]
    if found:
        short = rng.choice(found)
        return re.sub(rf"(?<![\w-]){re.escape(short)}(?![\w-])", glossary[short], text, count=1)
    longs = [short for short, long in glossary.items() if long.lower() in text.lower()]
    if longs:
        short = rng.choice(longs)
        return re.sub(re.escape(glossary[short]), short, text, count=1, flags=re.IGNORECASE)
    return None


POSITIVES: dict[str, Edit] = {
    "identity": identity,
    "reorder": reorder,
    "number_words": number_words,
    "synonyms": synonyms,
    "first_clause": first_clause,
    "passive": passive,
    "abbreviation": abbreviation,
}


def generate(
    docs: list[Document],
    glossary: dict[str, str],
    seed: int = 20,
    per_sentence: int = 3,
    limit: int | None = None,
    positives: int = 1,
) -> list[Pair]:
    """Pairs from each sentence: up to `positives` positives and up to `per_sentence - 1` negatives (kinds
    drawn at random among those that apply), evidence = the real sentence."""
    rng = random.Random(seed)
    sentences = [(doc, s) for doc in docs for s in doc.sentences]
    rng.shuffle(sentences)
    if limit is not None:
        sentences = sentences[:limit]
    pairs: list[Pair] = []
    for doc, text in sentences:
        positive_kinds = [k for k in POSITIVES if k != "identity"]
        rng.shuffle(positive_kinds)
        # the sentence itself only when no rewrite applies (or now and then): rewrites are the hard positives;
        # up to `positives` different rewrites, so faithful rewordings are not a small minority
        order = ["identity"] if rng.random() < 0.15 else [*positive_kinds, "identity"]
        kept = 0
        for kind in order:
            if kind == "identity" and kept:
                break
            edit = POSITIVES[kind]
            claim = (
                abbreviation(text, doc, rng, docs, glossary) if kind == "abbreviation" else edit(text, doc, rng, docs)
            )
            if claim and (kind == "identity" or claim != text):
                pairs.append(Pair(text, claim, 1, kind, doc.name))
                kept += 1
                if kept >= positives or kind == "identity":
                    break
        negative_kinds = list(NEGATIVES)
        rng.shuffle(negative_kinds)
        made = 0
        for kind in negative_kinds:
            if kind in ("other_sentence", "merged") and rng.random() < 0.7:
                continue  # plentiful and easy: keep it a minority
            claim = NEGATIVES[kind](text, doc, rng, docs)
            if claim and claim.strip() != text.strip():
                pairs.append(Pair(text, claim, 0, kind, doc.name))
                made += 1
                if made >= per_sentence - 1:
                    break
    return pairs
