"""A study's bibliographic fields as citable sentences: the study's "Article information" section.

Facts that live only in a source's fields (first author, year, journal, identifiers, trial
registration, kind of evidence, MSC source) are shown on source cards but were read by no search:
"What did the study by Eskandarian find?" found nothing. Loaders of studies (the digest, abstract
records) add this section, so the fields are indexed (dense and BM25) and their sentences carry vectors
like any other, and an answer can cite the sentence that states a field.

Each field present gives one complete sentence (a subject and a verb, never a bare "PMID 123."), each
its own paragraph so the sentence splitter never joins or cuts them; a missing field gives nothing and
nothing is guessed.

The section is front matter (its name is one of `assistant.types.FRONT_MATTER_NAMES`, as the review's own
"Article information" is): its lines are about the study, not about a topic, so they are embedded
without the title, take no part in retrieval's per-document bonus, and the extractive generator cites
one only when the question's terms are mostly its own ("the study by Eskandarian", "NCT03724617").
Measured on the curated set, letting them compete as topic evidence instead put "The MSC source in this
study is ..." in place of a trial's results and refused a marker question.

The wording keeps the words of topic questions out where it can ("The cells in ... came from adipose", "The
registration number of ... is NCT..."): 37 short lines saying "MSC", "mice", "registered clinical
trial" filled the top passages of "What dose and route of MSC administration worked best in mice?" and
lowered the BM25 weight of "trial" enough to lose a trial's own finding; the rare words (names,
identifiers) are what these lines are for.
"""

from __future__ import annotations

from assistant.types import EVIDENCE_KINDS, Section, Source

__all__ = ["STUDY_DETAILS", "details_section", "details_sentences", "evidence_phrase"]

#: the section's name: a front-matter name (see the module docstring)
STUDY_DETAILS = "Article information"

#: values that mean "no MSC source" (as in `assistant.facets`), which state nothing about the study
_ABSENT = {"", "none", "n/a", "na", "unknown", "not applicable"}

#: more authors than this are summed up ("... and 12 others"): a sentence longer than a chunk would be cut
_MAX_AUTHORS = 6


def evidence_phrase(evidence: str) -> str:
    """The evidence kind in words ("preclinical-mouse" -> "a preclinical study in mice"); an unknown
    kind is named as it is written, with its hyphens read as spaces; "" for none."""
    value = " ".join(evidence.split()).lower()
    if not value:
        return ""
    kind = EVIDENCE_KINDS.get(value)
    return kind.phrase if kind else f"evidence of the kind '{value.replace('-', ' ')}'"


def details_sentences(source: Source, *, first_author_only: bool = False) -> list[str]:
    """One sentence per field present, in a fixed order: people, publication, identifiers, trial,
    evidence kind, MSC source. `first_author_only`: the source's one author is its first author (the
    digest records only that one), not its only author."""
    subject = _subject(source)
    trial, evidence = _clean(source.trial_id), evidence_phrase(source.evidence)
    sentences = [
        _people_and_publication(source, first_author_only),
        _identifiers(source, subject),
        _trial(trial, subject),
        # "This is a preclinical study in mice", not "This study is a preclinical study in mice"
        f"{'This' if subject == 'this study' else _capital(subject)} is {evidence}." if evidence else "",
        _msc_source(source.msc_source, subject),
    ]
    return [sentence for sentence in sentences if sentence]


def details_section(source: Source, *, first_author_only: bool = False) -> Section | None:
    """The section stating a study's fields (named `STUDY_DETAILS`), or None when it has none to state."""
    sentences = details_sentences(source, first_author_only=first_author_only)
    return Section(STUDY_DETAILS, "\n\n".join(sentences)) if sentences else None


def _clean(value: object) -> str:
    """One line of text, without the trailing full stop a sentence of ours adds itself."""
    return " ".join(str(value or "").split()).rstrip(" .;,")


def _subject(source: Source) -> str:
    """How the other sentences name the study: by its first author and year where known ("the study by
    Rezaei F (2019)"), so that "Which MSC source did the study by Rezaei use?" finds one sentence that
    holds both the name and the answer, and a sentence cited alone still says which study it is about."""
    author = next((name for name in (_clean(a) for a in source.authors) if name), "")
    if not author:
        return "this study"
    return f"the study by {author} ({source.year})" if source.year else f"the study by {author}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _people_and_publication(source: Source, first_only: bool) -> str:
    """Who wrote it and where and when it came out, in one sentence ("the 2019 study by Eskandarian"
    names both, so one sentence holds both)."""
    people = _authors(source.authors, first_only)
    published = _published(source.journal, source.year)
    if people and published:
        return f"{people}, and it was published {published}."
    if people:
        return f"{people}."
    return f"This study was published {published}." if published else ""


def _authors(authors: tuple[str, ...], first_only: bool) -> str:
    names = [name for name in (_clean(a) for a in authors) if name]
    if not names:
        return ""
    if first_only:
        return f"The first author of this study is {names[0]}"
    if len(names) == 1:
        return f"The author of this study is {names[0]}"
    if len(names) > _MAX_AUTHORS:
        shown = ", ".join(names[:_MAX_AUTHORS])
        return f"The first author of this study is {names[0]}; its authors are {shown} and {len(names) - _MAX_AUTHORS} others"
    return f"The first author of this study is {names[0]}; its authors are {', '.join(names[:-1])} and {names[-1]}"


def _published(journal: str, year: int | None) -> str:
    """ "in <journal> in <year>", or the part of it that is known."""
    journal = _clean(journal)
    return " ".join(part for part in (f"in {journal}" if journal else "", f"in {year}" if year else "") if part)


def _identifiers(source: Source, subject: str) -> str:
    named = [
        f"its {label} is {value}"
        for label, value in (
            ("DOI", _clean(source.doi)),
            ("PMID", _clean(source.pmid)),
            ("PMCID", _clean(source.pmcid)),
        )
        if value
    ]
    if not named:
        return ""
    # "The DOI of <subject> is …, its PMID is … and its PMCID is …."
    named[0] = named[0].replace("its ", "The ", 1).replace(" is ", f" of {subject} is ", 1)
    return (named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}") + "."


def _trial(trial: str, subject: str) -> str:
    # without "trial" or "registered": "Which clinical trials are registered?" is a topic question, and a
    # line saying both outranked the trial's own finding; "registration" still meets "trial registration"
    return f"The registration number of {subject} is {trial}." if trial else ""


def _msc_source(value: str, subject: str) -> str:
    text = _clean(value)
    if text.lower() in _ABSENT:
        return ""
    return f"The cells in {subject} came from {text}."
