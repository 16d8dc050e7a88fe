"""Align each clause of an answer sentence to its evidence sentences, then check it claim by claim.

A clause is supported only when every check passes; the first failing check names the reason:

- ``no_content``: nothing but numbers, markers or filler ("5.", "See the sources.");
- ``unaligned``: no evidence sentence carries enough of its terms (or meaning, with vectors);
- ``advice``: it reads as a recommendation the evidence does not make;
- ``strength``: "approved", "proven", "cures", "safe and effective", "first-line"... not in the evidence,
  or "all" (of a counted group too) where the evidence reports a share;
- ``polarity``: a negation/absence the evidence lacks, or one the evidence has and the clause drops;
- ``direction``: increase where the evidence says decrease (or back) for the same object, or where its
  values before and after moved the other way;
- ``number``: a number or calendar date the evidence does not state; ``number_binding``: stated for
  another group, or a date given to another event ("accepted on" the date it was revised);
- ``comparison``: "more than", "lowest"... that the evidence's numbers contradict, or a comparison of
  the same attribute the evidence makes the other way in words ("higher sensitivity compared with");
- ``entity``: a population, cell source, route, timing, marker, trial id or name the evidence lacks, or
  a word with another prefix than the evidence's ("polyclonal" for "monoclonal"), or a treatment "given"
  where the evidence worked in vitro;
- ``hedging``: the evidence says "may"/"suggest" and the clause states it as fact;
- ``cause``: a causal link the evidence does not draw;
- ``roles``: agent and patient swapped ("NK cells inhibited MSCs");
- ``judge``: the optional entailment judge said no;
- ``learned``: the rules passed it, the learned verifier (learned.py) found it unsupported.

Who decides: the rules keep the last word where the text is exact or the rule guards safety (`VETO`:
numbers and units, number bindings and numeric comparisons, identifiers, names and other entities,
negation, agent and patient swapped (the same words in swapped places: the cross-encoder, trained on
minimal edits, let role swaps through), advice, overclaiming, the judge). Everywhere else the learned verifier decides: the
cross-encoder's calibrated logit on (aligned evidence, sentence), combined with the rules' reason and
alignment share through learned weights (`Combiner`, fitted in training/verifier/combiner.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.claims import lexicon as lx
from assistant.claims.clauses import split_clauses
from assistant.claims.features import POPULATION_KEYS, Cue, Features, counted_groups, features
from assistant.indexing.glossary import spells_out
from assistant.safety import sounds_like_recommendation

#: Share of a clause's terms its aligned evidence must hold (or MIN_SHARE_WITH_MEANING with vectors).
MIN_TERM_SHARE = 2 / 3 - 1e-9
MIN_SHARE_WITH_MEANING = 0.5
MIN_MEANING = 0.78
#: A second evidence sentence joins the alignment when it adds terms and shares at least this much.
SECOND_SENTENCE_SHARE = 0.3

#: A "sentence" longer than this is run-on text, not a claim that can be checked (and would be slow).
MAX_SENTENCE_CHARS = 1500

#: (clause, evidence text) -> True when the judge finds the clause entailed.
Judge = Callable[[str, str], bool]

REASONS = (
    "no_content",
    "unaligned",
    "advice",
    "strength",
    "polarity",
    "direction",
    "number",
    "number_binding",
    "comparison",
    "entity",
    "hedging",
    "cause",
    "roles",
    "judge",
    "learned",
)

#: Reasons on which the rules have the last word (exact text, or a safety rule); the learned
#: verifier decides every other sentence, including those the rules found supported.
VETO = frozenset(
    {
        "no_content",
        "number",
        "number_binding",
        "comparison",
        "entity",
        "polarity",
        "advice",
        "strength",
        "roles",
        "judge",
    }
)


@dataclass
class Claim:
    """One clause of an answer sentence, the evidence sentence(s) it was aligned to, and its verdict."""

    text: str
    evidence: list[str] = field(default_factory=list)
    supported: bool = False
    reason: str = ""  # one of REASONS when unsupported; "" when supported
    detail: str = ""  # what exactly failed (the number, the word)
    share: float = 1.0  # share of its terms the aligned evidence holds (a signal for the learned decision)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "evidence": list(self.evidence),
            "supported": self.supported,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass
class SentenceCheck:
    """The verdict on one answer sentence: supported only when every clause is; `reason` is the first
    failing clause's reason ("" when supported)."""

    supported: bool
    reason: str
    claims: list[Claim]
    #: the learned verifier's combined probability (None when the rules decided alone)
    probability: float | None = None
    #: what the rules alone said ("" = supported), kept when the learned verifier decided otherwise
    rule_reason: str = ""
    verbatim: bool = False

    @property
    def aligned_evidence(self) -> str:
        """The evidence sentences its clauses were aligned to, in order, once each (the learned pair's left side)."""
        return " ".join(dict.fromkeys(e for c in self.claims for e in c.evidence))

    @property
    def share(self) -> float:
        return min((c.share for c in self.claims), default=0.0)


@dataclass
class _Evidence:
    text: str
    features: Features
    terms: frozenset[str]  # its terms plus the stems of its glossary expansions
    vector: np.ndarray | None = None


#: (evidence, claim) pairs -> calibrated logits of the cross-encoder (learned.LearnedVerifier.logits)
Scorer = Callable[[list[tuple[str, str]]], np.ndarray]


class Checker:
    """Claim checks with one glossary; evidence sentences are read once and cached by text.

    `learned`: None uses the committed learned verifier when there is one (assistant/models/verifier/),
    False checks by the rules alone (how the combiner's training signals are computed)."""

    def __init__(self, glossary=None, judge: Judge | None = None, learned: bool | None = None) -> None:
        self.glossary = glossary
        self.judge = judge
        self.learned = learned
        self._expanded: dict[str, frozenset[str]] = {}
        self._expanded_text: dict[str, str] = {}

    # -- evidence ---------------------------------------------------------------------------------
    def expanded(self, text: str) -> str:
        """`text` plus the other spelling of each abbreviation it uses (cached)."""
        cached = self._expanded_text.get(text)
        if cached is None:
            cached = self.glossary.expand(text) if self.glossary is not None and len(self.glossary) else text
            if len(self._expanded_text) > 50_000:
                self._expanded_text.clear()
            self._expanded_text[text] = cached
        return cached

    def evidence_terms(self, text: str) -> frozenset[str]:
        cached = self._expanded.get(text)
        if cached is None:
            cached = features(text).all_stems | features(self.expanded(text)).all_stems
            if len(self._expanded) > 50_000:
                self._expanded.clear()
            self._expanded[text] = cached
        return cached

    # -- the check -----------------------------------------------------------------------------------
    def check_sentence(
        self,
        text: str,
        evidence: Sequence[str],
        vector: np.ndarray | None = None,
        evidence_vectors: np.ndarray | None = None,
    ) -> SentenceCheck:
        """Checks `text` against evidence sentences (optionally with unit vectors of both)."""
        return self.check_many([(text, evidence, vector, evidence_vectors)])[0]

    def check_many(
        self, items: Sequence[tuple[str, Sequence[str], np.ndarray | None, np.ndarray | None]]
    ) -> list[SentenceCheck]:
        """Checks several (text, evidence, vector, evidence vectors) at once: the rules for each, then one
        batched run of the learned verifier for every sentence the rules do not settle."""
        results = [self.rule_check(*item) for item in items]
        verifier = self._verifier()
        if verifier is None:
            return results
        # verbatim quotes, vetoes and sentences with nothing aligned (no evidence at all) stay the rules' call
        open_ = [i for i, r in enumerate(results) if not r.verbatim and r.reason not in VETO and r.aligned_evidence]
        if not open_:
            return results
        pairs = [(results[i].aligned_evidence, items[i][0]) for i in open_]
        logits = verifier.logits(pairs)
        combiner = verifier.combiner
        probs = combiner.probabilities(
            logits, [results[i].reason for i in open_], np.array([results[i].share for i in open_])
        )
        for i, p in zip(open_, probs):
            results[i] = _decided(results[i], float(p), combiner.threshold_for(results[i].reason))
        return results

    def _verifier(self):
        if self.learned is False:
            return None
        from assistant.claims import learned

        if self.learned is None and not learned.available(learned.MODEL_DIR):
            return None
        return learned.load_verifier(learned.MODEL_DIR)

    def rule_check(
        self,
        text: str,
        evidence: Sequence[str],
        vector: np.ndarray | None = None,
        evidence_vectors: np.ndarray | None = None,
    ) -> SentenceCheck:
        """The rules' verdict alone (with each clause's alignment share and aligned evidence)."""
        pool = [
            _Evidence(e, features(e), self.evidence_terms(e), None if evidence_vectors is None else evidence_vectors[i])
            for i, e in enumerate(evidence)
            if e and e.strip()
        ]
        if not pool:
            return SentenceCheck(False, "unaligned", [Claim(text, [], False, "unaligned", "no evidence")])
        if len(text) > MAX_SENTENCE_CHARS:
            return SentenceCheck(False, "unaligned", [Claim(text, [], False, "unaligned", "too long to verify")])
        squashed = _squash(text)
        if any(_squash(e.text) == squashed for e in pool):
            verbatim = next(e.text for e in pool if _squash(e.text) == squashed)
            return SentenceCheck(True, "", [Claim(text, [verbatim], True)], verbatim=True)
        claims = [self._check_clause(clause, pool, vector) for clause in split_clauses(_spell_like(text, pool))]
        if not _has_content(features(text)):
            claims = [Claim(text, [], False, "no_content")]
        failed = next((c for c in claims if not c.supported), None)
        return SentenceCheck(failed is None, failed.reason if failed else "", claims)

    def _check_clause(self, clause: str, pool: list[_Evidence], vector: np.ndarray | None) -> Claim:
        own = features(clause)
        if not _has_content(own):
            return Claim(clause, [], False, "no_content")
        aligned, share, meaning = self._align(own, pool, vector)
        claim = Claim(clause, [e.text for e in aligned], share=share)
        checks = (
            self._advice,
            _identifiers,
            _dates,
            _strength,
            _universal,
            _polarity,
            _direction,
            _attributes,
            _numbers,
            _comparison,
            _superlative_swap,
            self._entities,
            _setting,
            _timing,
            _hedging,
            _cause,
            _roles,
        )
        if share < MIN_TERM_SHARE and not (meaning >= MIN_MEANING and share >= MIN_SHARE_WITH_MEANING):
            # unaligned; name a more telling reason when one does not depend on the alignment
            for check in (self._advice, _identifiers, _dates, _strength, self._entities, _numbers):
                problem = check(own, aligned, pool)
                if problem:
                    claim.reason, claim.detail = problem
                    return claim
            claim.reason, claim.detail = "unaligned", f"terms {share:.2f}, meaning {meaning:.2f}"
            return claim
        for check in checks:
            problem = check(own, aligned, pool)
            if problem:
                claim.reason, claim.detail = problem
                return claim
        if self.judge is not None and not self.judge(clause, " ".join(e.text for e in aligned)):
            claim.reason, claim.detail = "judge", "the entailment judge did not find it entailed"
            return claim
        claim.supported = True
        return claim

    def _align(self, own: Features, pool: list[_Evidence], vector) -> tuple[list[_Evidence], float, float]:
        terms = _claim_terms(own)
        numbers = {(n.value) for n in own.numbers}
        scored = []
        for e in pool:
            shared = terms & e.terms
            score = len(shared) / max(len(terms), 1)
            score += (
                0.25 * sum(1 for n in e.features.numbers if n.value in numbers) / max(len(numbers), 1) if numbers else 0
            )
            similarity = float(e.vector @ vector) if vector is not None and e.vector is not None else 0.0
            scored.append((score + 0.5 * similarity, similarity, e, shared))
        scored.sort(key=lambda s: -s[0])
        best = scored[0]
        aligned = [best[2]]
        covered = set(best[3])
        for _, _, e, shared in scored[1:3]:
            extra = shared - covered
            if extra and len(shared) / max(len(terms), 1) >= SECOND_SENTENCE_SHARE:
                aligned.append(e)
                covered |= shared
        share = len(covered) / len(terms) if terms else 1.0
        meaning = max((s[1] for s in scored if s[2] in aligned), default=0.0)
        return aligned, share, meaning

    # -- checks needing the glossary -------------------------------------------------------------------
    def _advice(self, own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
        if sounds_like_recommendation(own.text) and not any(sounds_like_recommendation(e.text) for e in aligned):
            return "advice", "reads as a recommendation"
        return None

    def _entities(self, own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
        text = " ".join(self.expanded(e.text) for e in aligned)
        found = features(text)
        for key in sorted(own.entities):
            if not any(k in found.entities for k in lx.ENTITY_ACCEPTS.get(key, (key,))):
                if not _unwritten_subject(key, own, found, pool):
                    return "entity", key
        missing = sorted(own.markers - found.markers)
        if missing:
            return "entity", missing[0]
        lowered = text.lower()
        for name in sorted(own.proper):
            if name in lowered or re.sub(r"s$", "", name) in lowered:
                continue
            if self.glossary is not None and self.glossary.long_form(name):
                continue  # an abbreviation: its terms are checked by alignment
            if _is_acronym(name, own.text) and spells_out(name, text):
                continue  # "BCoV" where the evidence writes "Bovine coronavirus" out
            if _abbreviated_title(name, own.text, text):
                continue  # "World Journal of Stem Cells" where the evidence writes "World J Stem Cells"
            return "entity", name
        return _prefix_swap(own.text, lowered) or _compound_swap(own.text, lowered)


def _unwritten_subject(key: str, own: Features, found: Features, pool: list[_Evidence]) -> bool:
    """ "Three patients reported an infection" where the evidence says "Three reported an infection"
    after "seven patients ... six women and one man": a count whose evidence names no population is
    counted from the source's whole cohort, the population it counts the most of."""
    if key not in POPULATION_KEYS or found.entities & POPULATION_KEYS:
        return False
    claimed = counted_groups(own.text).get(key)
    if claimed is None or not any(n.value == claimed for n in found.numbers):
        return False
    cohort: dict[str, int] = {}
    for evidence in pool:
        for group, count in counted_groups(evidence.text).items():
            cohort[group] = max(cohort.get(group, 0), count)
    return key in cohort and cohort[key] > claimed and cohort[key] == max(cohort.values())


#: a run of capitalised words, with the small words titles keep ("World Journal of Stem Cells")
_TITLE_RUN = re.compile(r"[A-Z][\w-]*\.?(?:\s+(?:(?:of|and|the|for|&)\s+)?[A-Z][\w-]*\.?)+")
_TITLE_SMALL = frozenset({"of", "and", "the", "for", "&"})


def _abbreviated_title(name: str, claim: str, evidence: str) -> bool:
    """Whether the claim's capitalised name holding `name` is the evidence's, with words abbreviated
    ("World Journal of Stem Cells" / "World J Stem Cells", "Stem Cell Research & Therapy" / "Stem Cell
    Res Ther"): the same number of words, each of the evidence's a prefix of the claim's."""

    def words(run: str) -> list[str]:
        return [w.rstrip(".").lower() for w in run.split() if w.lower() not in _TITLE_SMALL]

    runs = [words(m.group(0)) for m in _TITLE_RUN.finditer(claim)]
    said = [words(m.group(0)) for m in _TITLE_RUN.finditer(evidence)]
    for run in (r for r in runs if name in r):
        if any(len(e) == len(run) and all(c.startswith(x) for c, x in zip(run, e)) for e in said):
            return True
    return False


def _is_acronym(name: str, text: str) -> bool:
    """Whether the claim writes `name` (lowercased) with two capitals or more ("BCoV", "MEWDS")."""
    written = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE)
    return written is not None and sum(c.isupper() for c in written.group(0)) >= 2


#: prefixes that make another thing of the same word ("monoclonal" / "polyclonal", "allogeneic" /
#: "xenogeneic", "hypertension" / "hypotension"); only a word of eight letters or more is read for one
_SWAPPABLE_PREFIX = re.compile(
    r"(mono|poly|di|tri|tetra|para|alpha|beta|gamma|delta|hyper|hypo|intra|extra|inter|pre|post|anti|pro|sub|"
    r"supra|super|trans|endo|exo|micro|macro|multi|allo|auto|xeno|syn|homo|hetero|over|under|non)"
    r"([a-z]{6,})"
)
#: the words the prefix checks compare: six letters or more
_LONG_WORD = re.compile(r"[a-z]{6,}")
#: prefixes that negate the word they join ("unsatisfactory", "ineffective", "nonsignificant"); "in" and
#: "im" begin many words that negate nothing ("improved", "increase"), so they count before long words only
_NEGATING = {"un": 6, "dis": 6, "non": 6, "in": 8, "im": 8, "ir": 8}


def _negated_in(word: str, said: set[str]) -> bool:
    """Whether the evidence writes the word's opposite by a negating prefix, added or dropped."""
    for prefix, shortest in _NEGATING.items():
        if len(word) >= shortest and f"{prefix}{word}" in said:
            return True
        base = word[len(prefix) :]
        if word.startswith(prefix) and len(base) >= shortest and base in said:
            return True
    return False


#: "bromocriptine-induced", "LPS-treated", "IL-10-deficient": the first part names what acted
_COMPOUND = re.compile(
    r"([a-z0-9][\w]*)-(induced|treated|exposed|deficient|knockout|primed|stimulated|challenged|infected|mediated)\b"
)


def _compound_swap(claim: str, evidence: str) -> tuple[str, str] | None:
    """ "a mifepristone-induced model" where the evidence writes only "a bromocriptine-induced model":
    the same kind of compound with another agent the evidence never names."""
    said = {(m.group(2), m.group(1)) for m in _COMPOUND.finditer(evidence)}
    for match in _COMPOUND.finditer(claim.lower()):
        agent, kind = match.group(1), match.group(2)
        others = [a for k, a in said if k == kind and a != agent]
        if others and agent not in evidence:
            return "entity", f"{agent}-{kind} vs {others[0]}-{kind}"
    return None


def _prefix_swap(claim: str, evidence: str) -> tuple[str, str] | None:
    """ "polyclonal" where the evidence says "monoclonal", "parapertussis" for "pertussis",
    "betacoronaviruses" for "alphacoronaviruses": a word the evidence never writes whose ending it writes
    behind another prefix, or none, names another thing. A word with its prefix left off
    ("coronavirus" for "betacoronavirus") is only less specific, and holds."""
    said = set(_LONG_WORD.findall(evidence))
    for word in dict.fromkeys(_LONG_WORD.findall(claim.lower())):
        if word in said:
            continue
        if _negated_in(word, said):
            return "polarity", f"{word}: the evidence says the opposite word"  # "satisfactory" / "unsatisfactory"
        if len(word) < 8:
            continue
        match = _SWAPPABLE_PREFIX.fullmatch(word)
        if match:
            prefix, ending = match.groups()
            others = [w for w in said if _bare(w) == _bare(ending) or _same_ending(w, _bare(ending), prefix)]
            if others:
                return "entity", f"{word} vs {sorted(others)[0]}"
    return None


def _bare(word: str) -> str:
    """A word without its plural "s" ("alphacoronaviruses" is "alphacoronavirus")."""
    return word[:-1] if word.endswith("s") else word


def _same_ending(word: str, ending: str, prefix: str) -> bool:
    """Whether `word` is `ending` behind another swappable prefix than `prefix`."""
    match = _SWAPPABLE_PREFIX.fullmatch(word)
    return match is not None and match.group(1) != prefix and _bare(match.group(2)) == ending


def _decided(rules: SentenceCheck, probability: float, threshold: float) -> SentenceCheck:
    """The learned decision on a sentence the rules do not settle; the rules' reason is kept beside it."""
    supported = probability >= threshold
    reason = "" if supported else (rules.reason or "learned")
    claims = rules.claims
    if supported != rules.supported:
        detail = f"learned verifier: p={probability:.2f} (threshold {threshold:.2f})"
        claims = [
            Claim(
                c.text, c.evidence, supported, "" if supported else (c.reason or "learned"), c.detail or detail, c.share
            )
            for c in rules.claims
        ]
    return SentenceCheck(supported, reason, claims, probability, rules.reason)


# -- abbreviations the glossary does not know ------------------------------------------------------------
_ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,6})s?(?![\w-])")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def _initials_phrase(text: str, acronym: str) -> str | None:
    """The run of words in `text` whose initials spell `acronym` ("mother-to-child transmission" for
    MTCT, hyphenated parts counted as words), or None."""
    words = list(_WORD.finditer(text))
    size = len(acronym)
    letters = acronym.lower()
    for i in range(len(words) - size + 1):
        run = words[i : i + size]
        if "".join(w.group(0)[0].lower() for w in run) == letters and all(
            re.fullmatch(r"[\s-]*", text[a.end() : b.start()]) for a, b in zip(run, run[1:])
        ):
            return text[run[0].start() : run[-1].end()]
    return None


def _spell_like(text: str, pool: list[_Evidence]) -> str:
    """The clause with each abbreviation written the way its evidence writes it, when the evidence uses
    the short form and the clause the long one (or back), found by initials: general, so abbreviations
    the glossary lacks ("MTCT" = "mother-to-child transmission") still align."""
    evidence = " ".join(e.text for e in pool)
    for acronym in dict.fromkeys(_ACRONYM.findall(evidence)):
        if acronym not in text:
            phrase = _initials_phrase(text, acronym)
            if phrase:
                text = text.replace(phrase, acronym)
    for acronym in dict.fromkeys(_ACRONYM.findall(text)):
        if acronym not in evidence:
            phrase = _initials_phrase(evidence, acronym)
            if phrase:
                text = re.sub(rf"(?<![\w-]){acronym}s?(?![\w-])", phrase, text)
    return text


# -- checks ------------------------------------------------------------------------------------------------
def _claim_terms(own: Features) -> frozenset[str]:
    return frozenset(t for t in own.terms if t not in lx.FILLER and not re.fullmatch(r"[\d.]+", t))


def _has_content(own: Features) -> bool:
    return bool(_claim_terms(own))


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[^\w%.]+", " ", text.lower()).split()).strip(" .")


def _specific(stems: frozenset[str]) -> frozenset[str]:
    specific = stems - lx.GENERIC
    return specific or stems


def _strength(own: Features, aligned: list[_Evidence], pool: list[_Evidence]) -> tuple[str, str] | None:
    said = set().union(*(e.features.strength for e in pool))
    extra = sorted(own.strength - said)
    return ("strength", extra[0]) if extra else None


#: "all women", "every patient", "each of the mice": a claim about the whole group
_UNIVERSAL = re.compile(
    r"\b(?:all|every|each)\b(?!\s+(?:of\s+)?(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\b)"
)
#: "5 of 12", "16 of 18 women": a share of a group
_SHARE = re.compile(r"\b(\d+)\s+(?:of|out of)\s+(\d+)\b")


#: a treatment given to someone, which work in a dish is not
_GIVEN = re.compile(
    r"\b(?:given|administered|injected|infused|transfused|as a (?:treatment|therapy)|"
    r"treated (?:\w+ )?(?:women|men|patients|people|mice|rats|animals))\b",
    re.IGNORECASE,
)
_IN_VITRO = re.compile(r"\bin vitro\b|\bco-?cultures?\b|\bcultured\b", re.IGNORECASE)


def _setting(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """ "Given as a treatment to women, decidual MSCs raised their Tregs" where the evidence did it in
    vitro: cells in a dish were given to no one."""
    if not _GIVEN.search(own.text) or _IN_VITRO.search(own.text):
        return None
    if any(_IN_VITRO.search(e.text) for e in aligned) and not any(_GIVEN.search(e.text) for e in aligned):
        return "entity", "in vitro in the evidence, given as a treatment in the claim"
    return None


def _clause_around(text: str, at: int) -> str:
    """The clause of `text` that holds position `at` (between commas, semicolons or sentence ends)."""
    start = max(text.rfind(mark, 0, at) for mark in ",;.:") + 1
    ends = [i for i in (text.find(mark, at) for mark in ",;:") if i != -1]
    return text[start : min(ends, default=len(text))]


#: "in all seven women", "all 12 patients": the whole of a counted group
_COUNTED_ALL = re.compile(r"\ball (?:of )?(?:the )?(\d+|" + "|".join(lx.NUMBER_WORDS) + r")\b")
#: "the endometrium reached 7 mm in 5 (P=0.0002)": a count of the group, closing its clause
_IN_SOME = re.compile(r"\bin (\d+)\s*(?=[(,.;]|$)")


def _universal(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """ "All women conceived" where the evidence says "5 of 12 conceived": the whole group for a share
    of it. A claim that counts the group itself ("all 12 women") is checked by its numbers."""
    lowered = own.text.lower()
    counted = _COUNTED_ALL.search(lowered)
    if counted:  # "in all seven women" where the evidence reports it "in 5" of its 7
        whole = int(lx.NUMBER_WORDS.get(counted.group(1), counted.group(1)))
        after = features(own.text[counted.end() :]).tokens
        group = next((t.stem for t in after if t.kind == "w" and t.content), "")  # "women" of "all 7 women"
        said = own.terms - {group} - lx.GENERIC
        for e in aligned:
            if not re.search(rf"\b{whole}\b", e.text) or _COUNTED_ALL.search(e.text.lower()):
                continue
            for share in [*_SHARE.finditer(e.text), *_IN_SOME.finditer(e.text)]:
                part = int(share.group(1))
                if part < whole and features(_clause_around(e.text, share.start())).terms & said:
                    return "strength", f"all {whole}, where the evidence reports a share"
    if not _UNIVERSAL.search(lowered) or _SHARE.search(lowered):
        return None
    for e in aligned:
        if any(int(part) < int(whole) for part, whole in _SHARE.findall(e.text)):
            return "strength", "all, where the evidence reports a share"
    return None


def _cue_terms(stems: frozenset[str]) -> frozenset[str]:
    specific = stems - lx.CUE_GENERIC
    return specific or stems


def _overlaps(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(_cue_terms(a) & _cue_terms(b))


def _overlap(a: frozenset[str], b: frozenset[str]) -> int:
    return len(_cue_terms(a) & _cue_terms(b))


def _polarity(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    evidence_negations = [n for e in aligned for n in e.features.negations]
    for negation in own.negations:
        if not negation.scope:
            if not evidence_negations:
                return "polarity", negation.word
            continue
        if not any(_overlaps(negation.scope, n.core or n.scope) for n in evidence_negations):
            return "polarity", negation.word
    for negation in evidence_negations:
        scope = _cue_terms(negation.core or negation.scope)
        if not scope:
            continue
        held = scope & own.all_stems
        if held and len(held) >= 0.75 * len(scope):
            if not any(_overlaps(negation.scope, n.scope) for n in own.negations):
                return "polarity", f"drops '{negation.word}'"
    return None


_CONDITION = re.compile(r"^\s*(?:if|when|whenever|as long as)\b(.{1,120}?)(?:,|\bthen\b)", re.IGNORECASE)


def _condition(text: str) -> tuple[int, frozenset[float]] | None:
    """ "If Rt is greater than 1, ...": the condition's comparison sign and numbers."""
    match = _CONDITION.match(text)
    if not match:
        return None
    part = match.group(1)
    compared = _comparatives(part + " ")  # "greater than 1"
    lowered = part.lower()
    sign = (
        compared[0][0]
        if compared
        else (
            1
            if re.search(r"\b(above|over|exceeds?)\b", lowered)
            else -1
            if re.search(r"\b(below|under)\b", lowered)
            else 0
        )
    )
    return sign, frozenset(n.value for n in features(part).numbers)


def _direction(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    evidence_cues = [d for e in aligned for d in e.features.directions]
    condition = _condition(own.text)
    if condition is not None:  # "If Rt > 1, infections rise": only evidence under the same condition counts
        conditions = [(e, _condition(e.text)) for e in pool]
        same = [
            e
            for e, c in conditions
            if c is not None and c[0] == condition[0] and (c[1] & condition[1] or not condition[1])
        ]
        if same:
            evidence_cues = [d for e in same for d in e.features.directions]
    for cue in own.directions:
        if not cue.scope and cue.target is None:
            continue
        best = max((_overlap(cue.scope, d.scope) for d in evidence_cues), default=0)
        matching = [d for d in evidence_cues if best and _overlap(cue.scope, d.scope) == best]
        if not matching and cue.target is not None:  # "rose to 50%" where the evidence "declined to 50%"
            matching = [d for d in evidence_cues if d.target == cue.target]
        matching = _naming_further(cue, matching, evidence_cues) or matching
        if matching and not any(d.sign == cue.sign for d in matching):
            return "direction", f"{cue.word} vs {matching[0].word}"
        target = _cue_terms(cue.scope) - lx.GENERIC
        evidence_terms = frozenset().union(*(e.terms for e in aligned))
        stated_end = cue.target is not None and any(
            _same_number(cue.target, "", n.value, "") for e in aligned for n in e.features.numbers
        )
        # ("grew to 7 mm" where the evidence "reached 7 mm" states the same end value: not a new claim)
        if (
            not matching
            and target
            and target <= evidence_terms
            and not stated_end
            and not any(target & (d.scope | d.left | d.right) for d in evidence_cues)
        ):
            stated = _change_in_values(target, aligned)
            if stated == cue.sign:
                continue  # the evidence gives the values before and after, and they moved this way
            if stated:
                return "direction", f"{cue.word} vs the values before and after"
            # the evidence names the object but says nothing of it going up or down
            return "direction", f"{cue.word}: no change of {' '.join(sorted(target))} in the evidence"
    return None


#: a value stated before and after ("pre-treatment hepcidin levels were 58.42 ng/mL, post-treatment levels
#: were 46.87 ng/mL"): the first number after each phrase, within the sentence
_VALUE_BEFORE = re.compile(
    r"\b(?:pre-?treatment|before (?:the )?treatment|at baseline|baseline)\b\D{0,60}?(\d+(?:\.\d+)?)", re.I
)
_VALUE_AFTER = re.compile(r"\b(?:post-?treatment|after (?:the )?treatment)\b\D{0,60}?(\d+(?:\.\d+)?)", re.I)


def _change_in_values(target: frozenset[str], aligned: list[_Evidence]) -> int:
    """The sign of the change an evidence sentence about the target states as two values, before and
    after (0 when none does): "decreased after treatment" holds where it gives 58.42 before and 46.87 after."""
    for evidence in aligned:
        if not target <= evidence.terms:
            continue
        before, after = _VALUE_BEFORE.search(evidence.text), _VALUE_AFTER.search(evidence.text)
        if before and after:
            a, b = float(before.group(1)), float(after.group(1))
            if a != b:
                return 1 if b > a else -1
    return 0


def _naming_further(cue, matching, evidence_cues) -> list:
    """The evidence's changes that name what tells the claim's object from the best-matching change's:
    for "lowered decidual TNF-alpha", where the evidence "raised decidual IL-4 ..., and lowered IFN-gamma
    (SMD -1.66) and TNF-alpha", the "lowered" whose clause goes on to name TNF-alpha, not the "raised" that
    shares "decidual". Empty when the best match names it too, or nothing does."""
    distinctive = cue.scope - lx.GENERIC - frozenset().union(*(d.scope for d in matching))
    if not distinctive or any(distinctive & (d.scope | d.right) for d in matching):
        return []
    return [d for d in evidence_cues if distinctive <= (d.scope | d.right)]


def _same_number(a_value: float, a_unit: str, b_value: float, b_unit: str) -> bool:
    if abs(a_value - b_value) > 1e-9 * max(1.0, abs(a_value)):
        return False
    return not a_unit or a_unit == b_unit


def _numbers(own: Features, aligned: list[_Evidence], pool: list[_Evidence]) -> tuple[str, str] | None:
    for number in own.numbers:
        holders = [
            e for e in pool if any(_same_number(number.value, number.unit, n.value, n.unit) for n in e.features.numbers)
        ]
        label = f"{number.value:g}{number.unit if number.unit != 'fold' else '-fold'}"
        if not holders:
            return "number", label
        free = (own.terms | own.timing).difference(*(n.head for n in _other_values(own, number)))
        free = free - _nearer_other(own, number)
        if _is_year(number):
            continue  # a calendar year dates a finding; its order is checked with the from/to pairs below
        if not any(_bound_here(number, e.features, free) for e in holders):
            return "number_binding", label
    stated = frozenset().union(*(e.features.fractions for e in pool))
    for part, whole in own.fractions:  # "4 of 4" where the evidence says "2 of 4"
        if (part, whole) not in stated and any(w == whole or p == part for p, w in stated):
            return "number_binding", f"{part:g} of {whole:g}"
    for pair in own.from_to:
        pairs = [p for e in pool for p in e.features.from_to]
        if (pair[1], pair[0]) in pairs and pair not in pairs:
            return "number_binding", f"from {pair[0]:g} to {pair[1]:g}"
    return None


def _other_values(own: Features, number) -> list:
    """The clause's numbers that state another value: "46.87±2.98 ng/mL" is one value with its spread,
    so the spread is not another group's number."""
    return [n for n in own.numbers if n is not number and abs(n.position - number.position) > 1]


def _nearer_other(own: Features, number) -> frozenset[str]:
    """Words of the clause that stand nearer another of its numbers than this one: "PRINCE achieved 88.4%
    and LPIHN 81.3%" ties PRINCE to 88.4%, so it cannot vouch for 81.3%."""
    others = [n.position for n in _other_values(own, number) if not _is_year(n)]
    if not others:
        return frozenset()
    near = set()
    for i, t in enumerate(own.tokens):
        if t.kind == "w" and t.content and min(abs(i - p) for p in others) < abs(i - number.position):
            near.add(t.stem)
    mine = {
        t.stem
        for i, t in enumerate(own.tokens)
        if t.kind == "w" and t.content and abs(i - number.position) <= min(abs(i - p) for p in others)
    }
    return frozenset(near - mine)


def _is_year(number) -> bool:
    return not number.unit and number.value == int(number.value) and 1800 <= number.value <= 2100


#: words that put a value before or after a treatment (stems and timing marks)
_STATES = frozenset({"pre", "post", "baselin", "@before", "@after", "@during"})


def _bound_here(number, evidence: Features, clause_terms: frozenset[str]) -> bool:
    """The clause's number is not tied, in this evidence sentence, to another number's group.

    Each number's head is the label right beside it (its bracketed label, the two words before, the
    word after). The clause's head words must point at this number more than at any other; a number
    the evidence states without a label ("5 of 12") cannot be misbound.
    """
    same = [n for n in evidence.numbers if _same_number(number.value, number.unit, n.value, n.unit)]
    others = [
        n
        for n in evidence.numbers
        if not _same_number(number.value, number.unit, n.value, n.unit)
        and not _is_year(n)  # a year dates the finding, it is not another group's value
        and not any(abs(n.position - m.position) == 1 for m in same)  # nor is the value's own spread
    ]
    own_heads = set().union(*(n.head for n in same))
    other_heads = set().union(*(n.head for n in others)) if others else set()
    if not own_heads:
        return True
    timed = any(h.startswith("@") for h in number.head)  # "2 days after the release": the release is no label
    head = number.head if timed else number.head | (number.labels - lx.GENERIC)
    # a state the clause puts its number in ("post-treatment ... were 80.5") points as a head does
    towards_other = (head | (clause_terms & _STATES)) & (other_heads - own_heads)
    towards_own = (head | clause_terms) & (own_heads - other_heads)  # "untreated ... was 34.4%"
    if len(towards_other) <= len(towards_own):
        return True
    # the heads point away; the wider labels of the evidence's numbers may still tell them apart
    own_labels = set().union(*(n.labels for n in same)) - lx.GENERIC
    other_labels = set().union(*(n.labels for n in others)) - lx.GENERIC if others else set()
    words = head | clause_terms
    return len(words & (own_labels - other_labels)) > len(words & (other_labels - own_labels))


# the words between a comparative and its "than" hold no other comparative: in "a lower CBF and more
# dyskinetic cilia than wild type" only "more" is compared with wild type
_COMPARATIVE = re.compile(
    r"\b(more|less|higher|lower|greater|smaller|larger|fewer|further)\b"
    r"(?:\s+(?!(?:more|less|higher|lower|greater|smaller|larger|fewer|further)\b)\S+){0,5}?\s+than\b"
)
# ("at least 1 day", "at most 3 doses" bound a number; they rank nothing)
_SUPERLATIVE = re.compile(r"(?<!\bat )\b(most|least|lowest|highest|largest|smallest|greatest|fewest|best|worst)\b")


def _comparison(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    lowered = own.text.lower()
    numbers = [n for e in aligned for n in _leading(e.features.numbers) if n.labels - lx.GENERIC]
    if len(numbers) < 2:
        return _comparison_words(own, aligned)  # nothing to compare by value; the words still count
    lowering = any(d.sign < 0 and d.word not in lx.ADJECTIVES for d in own.directions)

    def value_of(stem: str):
        if stem in lx.GENERIC:
            return None
        values = {(n.value, n.unit) for n in numbers if stem in (n.labels - lx.GENERIC)}
        return next(iter(values)) if len(values) == 1 else None

    match = _COMPARATIVE.search(lowered)
    if match:
        before = features(own.text[: match.start()]).tokens
        between = features(own.text[match.start() : match.end()]).tokens
        after = features(own.text[match.end() :]).tokens
        a = next((value_of(t.stem) for t in between if t.kind == "w" and t.content and value_of(t.stem)), None)
        a = a or next(
            (value_of(t.stem) for t in reversed(before) if t.kind == "w" and t.content and value_of(t.stem)), None
        )
        b = next((value_of(t.stem) for t in after if t.kind == "w" and t.content and value_of(t.stem)), None)
        if a and b and a[1] == b[1] and a[0] != b[0]:
            word = match.group(1)
            bigger = word in {"more", "higher", "greater", "larger", "further"}
            if lowering:
                bigger = not bigger  # "lowered it more than": a lower resulting value
            if (a[0] > b[0]) != bigger:
                return "comparison", f"{word} than"
    verdict = _comparison_words(own, aligned) or _worded_comparison(own, aligned, value_of, lowering)
    if verdict:
        return verdict
    match = _SUPERLATIVE.search(lowered)
    if match:
        word = match.group(1)
        near = features(own.text[: match.start()]).tokens[::-1] + features(own.text[match.end() :]).tokens
        labelled = [value_of(t.stem) for t in near if t.kind == "w" and t.content and value_of(t.stem)]
        labelled = [v for v in labelled if sum(1 for n in numbers if n.unit == v[1]) >= 2]
        if labelled:
            value, unit = labelled[0]
            peers = [n.value for n in numbers if n.unit == unit]
            if len(peers) >= 2:
                largest = word in {"most", "highest", "largest", "greatest"}
                if word in {"best", "worst"}:
                    if not lowering:
                        return None
                    largest = word == "worst"
                elif lowering and word in {"most", "least", "greatest"}:
                    largest = word == "least"
                target = max(peers) if largest else min(peers)
                if value != target:
                    return "comparison", word
    return None


#: identifiers that are copied, never paraphrased: a DOI, a trial registration, a PubMed Central id (a bare
#: PMID is a number, which the number checks compare)
_IDENTIFIER = re.compile(r"\b10\.\d{4,9}/[^\s,;]+|\bNCT\d{6,}\b|\bPMC\d+\b", re.IGNORECASE)


def _identifiers(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """Each identifier the claim writes is written, character for character, in the evidence: a DOI
    with one digit changed names another paper."""
    said = {_identifier_key(m) for e in pool for m in _IDENTIFIER.findall(e.text)}
    for found in _IDENTIFIER.findall(own.text):
        if _identifier_key(found) not in said:
            return "number", f"identifier {found.rstrip('.)')} is not in the evidence"
    return None


_MONTHS = "january february march april may june july august september october november december".split()
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
#: "April 21, 2025", "21 April 2025", "on 7 January": a calendar date, and the event word before it
_DATE = re.compile(
    rf"(?:\b(?P<event>received|revised|accepted|published|submitted)\b\W+(?:\w+\W+){{0,2}}?)?"
    rf"(?:\b{_MONTH}\.?\s+(?P<day>\d{{1,2}})\b,?(?:\s+(?P<year>\d{{4}}))?|"
    rf"\b(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\b\.?(?:,?\s+(?P<year2>\d{{4}}))?)",
    re.IGNORECASE,
)


def _dates_in(text: str) -> list[tuple[str, tuple[int, int, int | None]]]:
    """(event word or "", (month, day, year or None)) for each calendar date the text writes."""
    found = []
    for m in _DATE.finditer(text):
        if (m.group("month2") or "").lower() == "may" and not m.group("year2"):
            continue  # "12 may have": the verb, not the month
        month_word = (m.group("month") or m.group("month2")).lower()[:3]
        month = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(month_word))
        day = int(m.group("day") or m.group("day2"))
        year = m.group("year") or m.group("year2")
        found.append(((m.group("event") or "").lower(), (month, day, int(year) if year else None)))
    return found


def _dates(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """A date is copied, never paraphrased: "received on April 21, 2024" where the evidence writes
    "Received: April 21, 2025", or "accepted on May 29" where May 29 is when it was revised."""
    said = [d for e in pool for d in _dates_in(e.text)]
    if not said:
        return None
    for event, (month, day, year) in _dates_in(own.text):
        same = [(e, y) for e, (m, d, y) in said if (m, d) == (month, day) and (year is None or y in (None, year))]
        if not same:
            return "number", f"date {_MONTHS[month - 1].title()} {day}" + (f", {year}" if year else "")
        if event and all(e and e != event for e, _ in same):
            return "number_binding", f"{event} on {_MONTHS[month - 1].title()} {day}: the evidence says {same[0][0]}"
    return None


def _identifier_key(text: str) -> str:
    return re.sub(r"\s+|:", "", text.rstrip(".)]").lower())


#: comparisons made in words, not by "more ... than": which side is better, worse or the same
_WORDED_COMPARISON = re.compile(
    r"\b(?P<better>outperform\w*|superior to|better than|more effective than|more potent than)\b|"
    r"\b(?P<worse>inferior to|worse than|less effective than|less potent than|underperform\w*)\b|"
    r"\b(?P<same>as effective as|as potent as|equivalent to|comparable to|on par with|matched)\b"
)
#: "comparable" values differ by at most this share of the larger one
_SAME_SHARE = 0.25


def _worded_comparison(own: Features, aligned: list[_Evidence], value_of, lowering: bool) -> tuple[str, str] | None:
    """ "Xenogeneic cells outperformed syngeneic ones" where the evidence gives each arm's value: the
    better arm has the lower value when the outcome is lowered (an abortion rate), else the higher one."""
    match = _WORDED_COMPARISON.search(own.text.lower())
    if not match:
        return None

    def first_value(tokens):
        return next((value_of(t.stem) for t in tokens if t.kind == "w" and t.content and value_of(t.stem)), None)

    a = first_value(reversed(features(own.text[: match.start()]).tokens))
    b = first_value(features(own.text[match.end() :]).tokens)
    if not (a and b and a[1] == b[1]) or a[0] == b[0]:
        return None
    lowering = lowering or (
        not own.directions
        and any(d.sign < 0 and d.word not in lx.ADJECTIVES for e in aligned for d in e.features.directions)
    )
    if match.group("same"):
        contradicted = abs(a[0] - b[0]) > _SAME_SHARE * max(abs(a[0]), abs(b[0]))
    else:
        a_better = a[0] < b[0] if lowering else a[0] > b[0]
        contradicted = a_better != bool(match.group("better"))
    return ("comparison", match.group(0)) if contradicted else None


def _leading(numbers) -> list:
    """The numbers that carry a value: the second of "1.747 ± 0.462" or "60-78%" only spreads the first."""
    positions = {n.position for n in numbers}
    return [n for n in numbers if n.position - 1 not in positions]


_COMPARATIVE_SIGN = {
    "more": 1,
    "higher": 1,
    "greater": 1,
    "larger": 1,
    "less": -1,
    "lower": -1,
    "smaller": -1,
    "fewer": -1,
}


def _comparatives(text: str) -> list[tuple[int, frozenset[str], frozenset[str]]]:
    """Each "more/less X than Y" as (sign, what is compared, what it is compared with)."""
    found = []
    for match in _COMPARATIVE.finditer(text.lower()):
        sign = _COMPARATIVE_SIGN.get(match.group(1))
        if sign is None:
            continue
        middle = features(text[match.start(1) + len(match.group(1)) : match.end() - 4]).tokens
        after = features(text[match.end() :]).tokens
        attribute = frozenset(t.stem for t in middle if t.kind == "w" and t.content)
        other = frozenset([t.stem for t in after if t.kind == "w" and t.content][:2])
        found.append((sign, attribute, other))
    return found


_BEFORE_THAN = re.compile(
    r"\b(before|at baseline|initially|earlier|pre-?treatment)\b.{0,60}?\bthan\b|\bthan\b.{0,40}?\b(after|later|at \d|following)\b"
)
_AFTER_THAN = re.compile(
    r"\b(after|later|at \d|following)\b.{0,60}?\bthan\b|\bthan\b.{0,40}?\b(before|at baseline|initially|earlier)\b"
)


def _over_time(own: Features, aligned: list[_Evidence]) -> tuple[str, str] | None:
    """ "X was greater before treatment than at 3 months" is a fall of X over time: the evidence's change
    of the same thing must run the same way."""
    lowered = own.text.lower()
    for sign, attribute, _ in _comparatives(own.text):
        if _BEFORE_THAN.search(lowered):
            change = -sign  # bigger before than after: it fell
        elif _AFTER_THAN.search(lowered):
            change = sign
        else:
            continue
        comparative = re.search(r"\b(more|less|higher|lower|greater|smaller|larger|fewer)\b", lowered)
        head = own.text[: comparative.start()] if comparative else own.text
        subject = _cue_terms(features(head).terms) | attribute
        for cue in (d for e in aligned for d in e.features.directions):
            if _overlaps(subject, cue.scope) and cue.sign == -change:
                return "comparison", f"over time the evidence says {cue.word}"
    return None


def _comparison_words(own: Features, aligned: list[_Evidence]) -> tuple[str, str] | None:
    """ "more toxic than CQ" where the evidence says "less toxic than CQ"."""
    over_time = _over_time(own, aligned)
    if over_time:
        return over_time
    said = [c for e in aligned for c in _comparatives(e.text)]
    for sign, attribute, other in _comparatives(own.text):
        # related: the same thing compared with the same other ("higher (60-78%) than at the delta levels"
        # names no attribute between the words, so the other side alone ties it)
        related = [s for s, a, o in said if (attribute & a or not a) and other & o]
        if related and sign not in related:
            return "comparison", "the comparison runs the other way"
    return _attribute_comparison(own, aligned)


@dataclass(frozen=True)
class _Relation:
    """One comparison a sentence makes in words: of `attribute`, its subject has more (+1), less (-1)
    or the same (0) than the other side ("higher sensitivity compared with ELISAs", "did so less strongly",
    "as effective as")."""

    attribute: str
    sign: int
    subject: frozenset[str]
    other: frozenset[str]


#: comparison words and the side they put the subject on
_RELATION_SIGN = {
    **dict.fromkeys(("more", "higher", "greater", "larger", "better", "stronger"), 1),
    **dict.fromkeys(("less", "lower", "smaller", "fewer", "worse", "weaker"), -1),
    **dict.fromkeys(("similar", "comparable", "equivalent", "same", "equal"), 0),
}
#: words after which the other side of a comparison is named
_RELATION_OTHER = frozenset({"than", "as", "to", "with", "versus", "vs"})
#: attribute stems that all say how well something worked ("more potent", "less strongly", "as effective as")
_EFFICACY = frozenset({"potent", "effect", "signifi", "power", "well", "stronge", "improv"})


def _relations(text: str) -> list[_Relation]:
    tokens = features(text).tokens
    found = []
    for i, token in enumerate(tokens):
        if token.kind != "w":
            continue
        word = token.surface
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "as" and nxt is not None and nxt.content and i + 2 < len(tokens) and tokens[i + 2].surface == "as":
            sign, attribute, rest = 0, nxt.stem, i + 3  # "as effective as"
        elif word in _RELATION_SIGN:
            sign = _RELATION_SIGN[word]
            if nxt is not None and nxt.kind == "w" and nxt.content and nxt.surface not in _RELATION_SIGN:
                attribute, rest = nxt.stem, i + 2
            elif word in ("better", "worse", "stronger", "weaker"):
                attribute, rest = "efficacy", i + 1  # "worked better than"
            else:
                continue
        else:
            continue
        attribute = "efficacy" if attribute in _EFFICACY else attribute
        start = max((j for j in range(i) if tokens[j].kind == "p"), default=-1) + 1
        subject = frozenset(t.stem for t in tokens[start:i] if t.kind == "w" and t.content)
        after = tokens[rest:]
        at = next((k for k, t in enumerate(after) if t.surface in _RELATION_OTHER), None)
        other_words = [t.stem for t in after[at + 1 :] if t.kind == "w" and t.content][:4] if at is not None else []
        found.append(_Relation(attribute, sign, subject, frozenset(other_words)))
    return found


def _attribute_comparison(own: Features, aligned: list[_Evidence]) -> tuple[str, str] | None:
    """ "The ELISA-array was less sensitive than ELISAs" where the evidence gives it "higher sensitivity
    compared with" them; "as effective as" where the evidence says one "did so less strongly". The claim's
    sides are matched to the evidence's subject, so a comparison stated from the other side still holds."""
    said = [r for e in aligned for r in _relations(e.text)]
    if not said:
        return None
    for claim in _relations(own.text):
        mine, theirs = claim.subject - claim.other, claim.other - claim.subject
        signs = set()
        for relation in (r for r in said if r.attribute == claim.attribute):
            flipped = len(theirs & relation.subject) > len(mine & relation.subject)
            signs.add(relation.sign * (-1 if flipped else 1))
        if signs and claim.sign not in signs:
            return "comparison", f"the evidence compares {claim.attribute} the other way"
    return None


_OPPOSITE_SUPERLATIVE = {
    "most": "least",
    "least": "most",
    "highest": "lowest",
    "lowest": "highest",
    "largest": "smallest",
    "smallest": "largest",
    "best": "worst",
    "worst": "best",
    "greatest": "least",
    "fewest": "most",
}


def _superlative_words(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each superlative and the content words just before it ("tail-vein injection least")."""
    found = []
    for match in _SUPERLATIVE.finditer(text.lower()):
        before = features(text[: match.start()]).tokens
        stems: list[str] = []
        for t in reversed(before):
            if t.kind == "p" or len(stems) >= 3:
                break
            if t.kind == "w" and t.content and t.surface not in lx.UP and t.surface not in lx.DOWN:
                stems.append(t.stem)
        found.append((match.group(1), frozenset(stems)))
    return found


def _superlative_swap(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """ "X helped most" where the evidence says "X ... least"."""
    said = [w for e in aligned for w in _superlative_words(e.text)]
    for word, stems in _superlative_words(own.text):
        opposite = _OPPOSITE_SUPERLATIVE.get(word)
        if not stems or not opposite:
            continue
        same = max((_overlap(stems, s) for w, s in said if w == word), default=0)
        other = max((_overlap(stems, s) for w, s in said if w == opposite), default=0)
        if other > same:
            return "comparison", f"{word} vs {opposite}"
    return None


_TIMING = re.compile(r"\b(before|after|prior to|following|during)\b")
_TIMING_OPPOSITE = {"before": "after", "prior to": "after", "after": "before", "following": "before"}


def _timing_words(text: str) -> list[tuple[str, frozenset[str]]]:
    found = []
    for match in _TIMING.finditer(text.lower()):
        word = {"prior to": "before", "following": "after"}.get(match.group(1), match.group(1))
        stems = [t.stem for t in features(text[match.end() :]).tokens[:4] if t.kind == "w" and t.content]
        found.append((word, frozenset(stems[:2])))
    return found


def _timing(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """ "before the therapy" where the evidence says "after the therapy"."""
    said = [w for e in aligned for w in _timing_words(e.text)]
    for word, stems in _timing_words(own.text):
        opposite = _TIMING_OPPOSITE.get(word)
        if not stems or not opposite:
            continue
        same = max((_overlap(stems, s) for w, s in said if w == word), default=0)
        other = max((_overlap(stems, s) for w, s in said if w == opposite), default=0)
        if other > same:
            return "entity", f"{word} vs {opposite}"
    return None


def _attributed(own: Features) -> set[tuple[str, str]]:
    """(attribute, the thing it describes) for each scale word: "low maternal viral load" -> (low, matern)."""
    pairs = set()
    tokens = own.tokens
    for i, t in enumerate(tokens):
        if t.kind == "w" and t.surface in lx.ANTONYMS:
            for nxt in tokens[i + 1 : i + 4]:
                if nxt.kind != "w":
                    break
                if nxt.content and nxt.surface not in lx.ANTONYMS:
                    pairs.add((t.surface, nxt.stem))
    return pairs


def _attributes(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """ "low maternal viral load" where the evidence says "high maternal viral load" (opposite ends of a scale)."""
    # read the attributes of the evidence clause the claim matches best ("RSCU higher than 1.0 have positive
    # bias, while ... lower than 1.0 has negative bias": each clause carries its own)
    pieces = [features(piece) for e in aligned for piece in split_clauses(e.text)]
    best = max(pieces, key=lambda f: len(f.all_stems & own.all_stems), default=None)
    said = _attributed(best) if best is not None else set()
    for word, thing in _attributed(own):
        if (word, thing) not in said and (lx.ANTONYMS[word], thing) in said:
            return "direction", f"{word} vs {lx.ANTONYMS[word]} {thing}"
    return None


def _hedging(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    if own.hedges:
        return None
    for e in aligned:
        for hedge in e.features.hedges:
            scope = _cue_terms(hedge.core or hedge.scope)
            held = scope & own.all_stems
            if scope and len(held) >= min(2, len(scope)) and len(held) >= 0.6 * len(scope):
                return "hedging", f"drops '{hedge.word}'"
    return None


_CAUSE_OF = re.compile(
    r"\b(?:because of|due to|owing to|thanks to|caused by|driven by|mediated by|by way of|as a result of|attributed to)\b"
)


def _cause(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    if own.causal and not any(e.features.causal for e in aligned):
        return "cause", "a causal link the evidence does not state"
    match = _CAUSE_OF.search(own.text.lower()) if own.causal else None
    if match:  # "declines because of lockdowns": the named cause must be in the evidence too
        named = [t.stem for t in features(own.text[match.end() :]).tokens if t.kind == "w" and t.content][:3]
        evidence_terms = frozenset().union(*(e.terms for e in aligned))
        specific = [stem for stem in named if stem not in lx.GENERIC and stem not in lx.CUE_GENERIC]
        if specific and not all(stem in evidence_terms for stem in specific):
            return "cause", f"a cause ({' '.join(specific)}) the evidence does not name"
    return None


def _sides(cue: Cue) -> tuple[frozenset[str], frozenset[str]]:
    """(agent side, patient side) of a cue; a passive ("X was lowered by Y") turns them round."""
    left, right = _cue_terms(cue.left), _cue_terms(cue.right)
    return (right, left) if cue.passive else (left, right)


def _roles(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    """ "Y lowered X" where the evidence says "X lowered Y" (same kind of verb, sides swapped)."""
    evidence_cues: list[Cue] = [c for e in aligned for c in (*e.features.directions, *e.features.actions) if c.verbal]
    for cue in (*own.directions, *own.actions):
        agent, patient = _sides(cue)
        if not agent or not patient or not cue.verbal:
            continue  # only a verb has an agent and a patient ("had a lower CBF than" has neither)
        for other in evidence_cues:
            if other.sign != cue.sign or (cue.sign == 0 and other.word[:5] != cue.word[:5]):
                continue
            their_agent, their_patient = _sides(other)
            if (agent & their_patient) - their_agent and (patient & their_agent) - their_patient:
                return "roles", f"{cue.word}: agent and patient swapped"
    return _roles_by_scope(own, aligned, pool) or _prepositional_swap(own, aligned) or _markers_apart(own, aligned)


#: the contrasts that part an evidence sentence into statements about different things
#: ("while lowering their markers" goes on about the same subject, so a participle parts nothing)
_CONTRAST = re.compile(r",?\s+(?:whereas|while|but|although|though)\s+(?!\w+ing\b)|\s*;\s*", re.IGNORECASE)


def _markers_apart(own: Features, aligned: list[_Evidence]) -> tuple[str, str] | None:
    """ "ORF3a can activate IFN-beta" where the evidence says "ORF4a ... can activate IFN-beta production,
    whereas ORF3a can regulate NF-kB": the named molecules of one claim stand together in one statement of
    the evidence, not on the two sides of its contrast."""
    names = _named_molecules(own)
    if len(names) < 2 or not any(names <= _named_molecules(features(p)) for p in own.text.split(",")):
        return None  # a claim that names them apart ("the IgG rate rose ..., the IgM rate ...") may too
    for evidence in aligned:
        if not names <= _named_molecules(evidence.features):
            continue
        parts = [_named_molecules(features(p)) for p in _CONTRAST.split(evidence.text) if p.strip()]
        if len(parts) > 1 and not any(names <= part for part in parts):
            return "roles", f"{' and '.join(sorted(names))} on two sides of a contrast"
    return None


def _named_molecules(text: Features) -> frozenset[str]:
    """Markers and names written with a digit ("IL-10", "ORF3a"): what a contrast tells apart."""
    return text.markers | frozenset(p for p in text.proper if any(c.isdigit() for c in p))


_ROLE_PREPOSITIONS = frozenset({"into", "onto", "from", "towards", "toward"})


def _prepositional(own: Features) -> list[tuple[str, frozenset[str], str]]:
    """(the words before, the object after) of "into/from/onto X": "a hydroxyl group into CQ"."""
    found = []
    tokens = own.tokens
    for i, t in enumerate(tokens):
        if t.surface not in _ROLE_PREPOSITIONS:
            continue
        after = next((x for x in tokens[i + 1 : i + 4] if x.kind != "p" and (x.kind == "n" or x.content)), None)
        if after is None or after.kind == "n":
            continue
        before = frozenset(x.stem for x in tokens[max(0, i - 3) : i] if x.kind == "w" and x.content)
        if before:
            found.append((t.surface.rstrip("s"), before, after.stem))
    return found


def _prepositional_swap(own: Features, aligned: list[_Evidence]) -> tuple[str, str] | None:
    said = [p for e in aligned for p in _prepositional(e.features)]
    evidence_terms = frozenset().union(*(e.terms for e in aligned))
    for prep, before, obj in _prepositional(own):
        if any(p == prep and o == obj for p, _, o in said):
            continue  # the evidence says the same somewhere
        for their_prep, their_before, their_obj in said:
            if prep != their_prep:
                continue
            if before & their_before and obj != their_obj and obj in evidence_terms and their_obj in own.terms:
                return "roles", f"{obj} where the evidence has {their_obj}"
    return None


def _roles_by_scope(own: Features, aligned: list[_Evidence], pool) -> tuple[str, str] | None:
    evidence_cues: list[Cue] = [c for e in aligned for c in (*e.features.directions, *e.features.actions)]
    for cue in (*own.directions, *own.actions):
        if not cue.scope or not cue.subject:
            continue
        for other in evidence_cues:
            if not other.subject or not other.scope:
                continue
            if (
                _overlaps(cue.scope, other.subject)
                and _overlaps(cue.subject, other.scope)
                and not _overlaps(cue.scope, other.scope)
            ):
                return "roles", f"{cue.word}: agent and patient swapped"
    return None
