"""Abbreviation glossary: Schwartz–Hearst detection over the corpus, used to expand queries and texts.

"recurrent spontaneous abortion (RSA)" teaches the glossary RSA <-> recurrent spontaneous abortion;
plurals ("MSCs") and hyphenated compounds ("BM-MSCs") resolve through their parts. A curated
`corpus/glossary.yaml` (short form: long form) adds field abbreviations the corpus uses undefined.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

_PAREN = re.compile(r"\(([^()]{1,60})\)")
_SHORT_FORM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/α-ωΑ-Ω.+]{0,11}$")
_WORD = re.compile(r"[A-Za-z0-9α-ωΑ-Ω][\w'’α-ωΑ-Ω-]*")


def _is_short_form(candidate: str) -> bool:
    candidate = candidate.strip()
    if not _SHORT_FORM.match(candidate) or len(candidate) < 2:
        return False
    letters = [c for c in candidate if c.isalpha()]
    return bool(letters) and any(c.isupper() for c in candidate) and len(candidate.split()) == 1


def _best_long_form(short: str, long_candidate: str) -> str | None:
    """Schwartz & Hearst (2003): match the short form's characters right-to-left in the long form."""
    s_index, l_index = len(short) - 1, len(long_candidate) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            long_candidate[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and long_candidate[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = long_candidate.rfind(" ", 0, l_index + 1) + 1
    long_form = long_candidate[start:].strip(" ,;:-")
    return long_form or None


def spells_out(short: str, text: str) -> bool:
    """Whether some run of `text`'s words spells out the abbreviation `short` without defining it
    ("Bovine coronavirus" for "BCoV"): the Schwartz-Hearst match, its long form two words or more
    and at most one word longer than the abbreviation has letters."""
    letters = sum(c.isalpha() for c in short)
    if letters < 2:
        return False
    words = _WORD.findall(text)
    for end in range(1, len(words) + 1):
        window = " ".join(words[max(0, end - letters - 1) : end])
        long_form = _best_long_form(short, window)
        if (
            long_form
            and 2 <= len(long_form.split()) <= letters + 1
            and long_form.lower().endswith(words[end - 1].lower())
        ):
            return True
    return False


def detect_abbreviations(text: str) -> dict[str, str]:
    """Short form -> long form pairs defined in `text` as "long form (SF)" or "SF (long form)"."""
    found: dict[str, str] = {}
    for match in _PAREN.finditer(text):
        inside = match.group(1).strip().split(";")[0].split(",")[0].strip()
        before = text[: match.start()].rstrip()
        if _is_short_form(inside):
            short = _singular(inside)
            words = _WORD.findall(before)
            window = words[-min(len(short) + 5, len(short) * 2) :]
            candidate = " ".join(window)
            long_form = _best_long_form(short, candidate)
            if long_form and len(long_form) > len(short) and short.lower() not in long_form.lower().split():
                found.setdefault(short, _clean_long(long_form))
        else:
            preceding = _WORD.findall(before)[-1:] if before else []
            if preceding and _is_short_form(preceding[0]) and len(inside.split()) > 1:
                long_form = _best_long_form(_singular(preceding[0]), inside)
                if long_form:
                    found.setdefault(_singular(preceding[0]), _clean_long(long_form))
    return found


def _singular(short: str) -> str:
    return short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short


def _clean_long(long_form: str) -> str:
    long_form = re.sub(r"\s+", " ", long_form)
    return long_form[:-1] if long_form.endswith("s") and not long_form.endswith("ss") else long_form


class Glossary:
    """Short form <-> long form pairs, with query/text expansion in both directions."""

    def __init__(self, pairs: dict[str, str] | None = None) -> None:
        self.pairs: dict[str, str] = dict(pairs or {})
        self._build_patterns()

    def _build_patterns(self) -> None:
        self._by_short = {short.lower(): long for short, long in self.pairs.items()}
        self._long_to_short = {long.lower(): short for short, long in self.pairs.items()}
        if self.pairs:
            longs = sorted(self._long_to_short, key=len, reverse=True)
            self._long_pattern: re.Pattern[str] | None = re.compile(
                r"\b("
                + "|".join(re.escape(long).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]") for long in longs)
                + r")s?\b",
                re.IGNORECASE,
            )
        else:
            self._long_pattern = None

    def __len__(self) -> int:
        return len(self.pairs)

    def long_form(self, token: str) -> str | None:
        """The long form of `token`, resolving plurals (MSCs) and compounds (BM-MSCs)."""
        key = token.strip(".,;:()[]").lower()
        if key in self._by_short:
            return self._by_short[key]
        if key.endswith("s") and key[:-1] in self._by_short:
            return self._by_short[key[:-1]]
        if "-" in key or "/" in key:
            parts = [self.long_form(part) or part for part in re.split(r"[-/]", key)]
            if any(self.long_form(part) for part in re.split(r"[-/]", key)):
                return " ".join(parts)
        return None

    def expansions(self, text: str) -> list[str]:
        """Phrases to add to `text` so that both spellings of its abbreviations match."""
        additions: list[str] = []
        for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-/]*", text):
            if any(c.isupper() for c in token) or token.lower() in self._by_short:
                long_form = self.long_form(token)
                if long_form and long_form.lower() not in text.lower():
                    additions.append(long_form)
        if self._long_pattern is not None:
            for match in self._long_pattern.finditer(text):
                phrase = re.sub(r"[\s-]+", " ", match.group(1).lower())
                short = self._long_to_short.get(phrase)
                if short and not re.search(rf"\b{re.escape(short)}s?\b", text):
                    additions.append(short)
        return list(dict.fromkeys(additions))

    def expand(self, text: str) -> str:
        additions = self.expansions(text)
        return f"{text} ({'; '.join(additions)})" if additions else text

    def to_json(self) -> str:
        return json.dumps(self.pairs, indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_file(cls, path: Path) -> Glossary:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_texts(cls, texts: Iterable[str], curated: dict[str, str] | None = None) -> Glossary:
        """Corpus definitions (the most frequent long form per short form) over a curated base."""
        votes: dict[str, Counter[str]] = {}
        for text in texts:
            for short, long in detect_abbreviations(text).items():
                votes.setdefault(short, Counter())[long.lower()] += 1
        pairs = dict(curated or {})
        for short, counter in votes.items():
            pairs[short] = counter.most_common(1)[0][0]
        return cls(pairs)


def load_curated(corpus_dir: Path, cache_dir: Path | None = None) -> dict[str, str]:
    """The curated glossary shipped with the corpus, if any (`glossary.yaml`: SF: long form).

    With `cache_dir`, the parsed pairs are kept there as JSON under the hash of the file's text: every
    `ask` fingerprints the corpus (is the index stale?), and importing PyYAML and parsing the file in
    pure Python cost ~0.03 s of CPU that reading a JSON copy does not. An edited file hashes differently
    and is parsed again.
    """
    path = corpus_dir / "glossary.yaml"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    cached = _curated_cache(cache_dir, text)
    if cached is not None:
        with contextlib.suppress(OSError, ValueError):
            pairs = json.loads(cached.read_text(encoding="utf-8"))
            if isinstance(pairs, dict) and all(isinstance(v, str) for v in pairs.values()):
                return pairs
    pairs = _parse_curated(text)
    if cached is not None:
        _store_curated(cached, pairs)
    return pairs


def _parse_curated(text: str) -> dict[str, str]:
    import yaml  # only when the JSON copy is missing: see load_curated

    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int, float)) and str(v).strip()}


def _curated_cache(cache_dir: Path | None, text: str) -> Path | None:
    if cache_dir is None:
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    # the format number changes with _parse_curated's rules, so a copy made by older rules is not read
    return Path(cache_dir) / "glossary" / f"curated-v1-{digest}.json"


def _store_curated(target: Path, pairs: dict[str, str]) -> None:
    """Write the JSON copy atomically; a read-only cache is skipped. Copies of earlier versions stay (a
    few hundred bytes each; two corpora sharing a cache folder must not evict each other's)."""
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, target)  # a concurrent reader sees no file or the whole new one
