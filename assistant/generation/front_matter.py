"""Questions about an article itself (who funded it, when it came out, its licence...) answered from
its front-matter fields, citing the front-matter sentence that states the field.

Loaders put the front matter into `Source` fields and `Source.extra` (funding, received, licence...)
and keep each front-matter line as a sentence of its own. A question is a front-matter question when
its words name a field (by the field's vocabulary: "funded", "grant", "paid" -> funding; "come out",
"online", "published" -> publication date; "licence", "reuse", "copyright" -> licence) and nothing else
is left of it but words that point at the article ("the review", "this paper", "the authors").
British and American spellings, lower case and paraphrases are covered by the vocabulary, which is
about fields, not about any particular question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.generation.terms import with_synonyms
from assistant.text import content_terms
from assistant.types import Passage


@dataclass(frozen=True)
class Field:
    name: str
    #: words whose presence in a question points at this field
    vocabulary: str
    #: what the sentence stating it looks like
    line: re.Pattern[str]
    #: the Source.extra keys (or Source attributes) that hold its value
    keys: tuple[str, ...] = ()
    #: words that point at this field only in a question about a person ("Where do the authors work?",
    #: "Where is Feng Zhao from?"), not in a topic question ("How do MSCs work against RSA?")
    weak: str = ""


_FIELDS = (
    Field(
        "co_first_authors",
        "co-first cofirst joint first equal equally shared first authorship",
        re.compile(r"^Co-first authors?:|share first authorship", re.IGNORECASE),
        ("co_first_authors",),
    ),
    Field(
        "corresponding_author",
        "corresponding correspondence contact contacted email e-mail mail address reach",
        re.compile(r"^Corresponding author", re.IGNORECASE),
        ("corresponding_author",),
    ),
    Field(
        "funding",
        "fund funds funded funding funder funders grant grants paid pay pays payed financed finance "
        "financial financing sponsor sponsors sponsored sponsorship supported support money backed backing bankrolled",
        re.compile(r"^(?:Supported by|Funding|Funded by)|\bFoundation\b.*\bNo\.", re.IGNORECASE),
        ("funding",),
    ),
    Field(
        "conflicts",
        "conflict conflicts competing interest interests disclose disclosed disclosure declare declared "
        "declaration bias biased",
        re.compile(r"conflicts?[- ]of[- ]interest|competing interest", re.IGNORECASE),
        ("conflicts",),
    ),
    Field(
        "licence",
        "licence license licensed licensing licences licenses reuse re-use reused reusing reproduce "
        "reproduction copy copying copyright permission permissions permitted allowed redistribute redistribution "
        "share sharing remix adapt distribute creative commons cc open-access terms",
        re.compile(r"licen[cs]e|Creative Commons", re.IGNORECASE),
        ("licence_statement", "licence"),
    ),
    Field(
        "received", "received submitted submission receive", re.compile(r"\bReceived:", re.IGNORECASE), ("received",)
    ),
    Field("revised", "revised revision revisions", re.compile(r"\bRevised:", re.IGNORECASE), ("revised",)),
    Field("accepted", "accepted acceptance accept", re.compile(r"\bAccepted:", re.IGNORECASE), ("accepted",)),
    Field(
        "affiliations",
        "affiliation affiliations affiliated institution institutions institute hospital hospitals "
        "university universities department departments",
        re.compile(r"\bDepartment of\b(?!.*@)"),
        ("affiliations",),
        weak="based work works working from where located city cities country",
    ),
    Field("doi", "doi identifier", re.compile(r"\b10\.\d{4,9}/"), ()),
    Field("volume_issue", "volume issue number", re.compile(r"\d+\s*\(\d+\)\s*:"), ("volume", "issue")),
    Field("journal", "journal venue periodical outlet", re.compile(r"\d{4};\s*\d+\s*\(\d+\)"), ()),
    Field(
        "published",
        "published publish publication online come came out appear appeared release released issued date dated",
        re.compile(r"\bPublished online\b", re.IGNORECASE),
        ("published_online",),
    ),
    Field(
        "authors",
        "author authors wrote written writer writers authored",
        re.compile(r"^[A-Z][\w-]+(?: [A-Z][\w-]+)+(?:, [A-Z][\w-]+(?: [A-Z][\w-]+)+){1,}$"),
        (),
    ),
    Field(
        "article_type",
        # "is it original research or a review?", "a systematic or a narrative review?"
        "type kind sort category genre minireview minireviews original research primary narrative systematic",
        re.compile(r"^Minireviews?$|^Article type", re.IGNORECASE),
        ("article_type",),
    ),
)

#: words that point at the article itself rather than at a topic
_ARTICLE_WORDS = (
    "review reviews article articles paper papers manuscript publication work piece it this its the authors author "
    "who whom whose what which when where how under may might can could i we you our reuse use used people person "
    "name names list give tell first last date day year time colleagues colleague et al position role "
    "please pls long take took carried carry carries"
)


@lru_cache(maxsize=1)
def _field_stems() -> tuple[tuple[Field, frozenset[str]], ...]:
    return tuple((f, frozenset(content_terms(f.vocabulary))) for f in _FIELDS)


@lru_cache(maxsize=1)
def _weak_stems() -> dict[str, frozenset[str]]:
    return {f.name: frozenset(content_terms(f.weak)) for f in _FIELDS if f.weak}


def _about_person(question: str, stems: list[str]) -> bool:
    """Whether a question is about people: "the authors", or a capitalised name after its first word."""
    return "author" in stems or bool(_NAME_AFTER_FIRST_WORD.search(question))


_NAME_AFTER_FIRST_WORD = re.compile(r"\s[A-Z][a-z]+\b")


@lru_cache(maxsize=1)
def _article_stems() -> frozenset[str]:
    return frozenset(content_terms(_ARTICLE_WORDS))


def _stems(question: str) -> list[str]:
    # "co-first" and "e-mail" are one word to a reader: keep them whole as well as split
    joined = re.sub(r"\b(co|e|re)-(\w)", r"\1\2", question.lower())
    return list(dict.fromkeys(content_terms(question) + content_terms(joined)))


def front_matter_field(
    question: str, *, review_terms: frozenset[str] = frozenset(), expand=lambda text: text
) -> Field | None:
    """The front-matter field a question asks about, or None when it asks about something else.

    `review_terms` are the stems of the review's own title: "the MSC review" still points at it.
    """
    stems = _stems(question)
    if not stems:
        return None
    best, best_hits = None, 0
    person = _about_person(question, stems)
    for field, vocabulary in _field_stems():
        if person:
            vocabulary = vocabulary | _weak_stems().get(field.name, frozenset())
        hits = sum(1 for s in stems if s in vocabulary)
        if hits > best_hits:  # ties keep the earlier (more specific) field
            best, best_hits = field, hits
    if best is None:
        return None
    every_vocabulary = frozenset().union(*(v for _, v in _field_stems()), *_weak_stems().values())
    left = [
        s
        for s in stems
        if s not in every_vocabulary
        and s not in _article_stems()
        and s not in review_terms
        # an abbreviation of the title's words ("MSC therapies for RSA") names the review too
        and not (
            review_terms and set(content_terms(expand(s))) - {s} <= review_terms and content_terms(expand(s)) != [s]
        )
    ]
    # a question with its own topic ("When was the Cell J study published?") is not about the review
    return best if not left else None


def field_value(source, field: Field) -> str:
    """The field's value from a source's fields, "" when the source does not state it."""
    extra = dict(source.extra)
    values = [extra.get(key) or getattr(source, key, "") for key in field.keys]
    if field.name == "doi":
        values = [source.doi]
    elif field.name == "journal":
        values = [source.journal]
    elif field.name == "authors":
        values = [", ".join(source.authors)]
    return " ".join(str(v) for v in values if v)


def stating_sentence(field: Field, source, sentences: list[tuple[int, str]], question: str = "") -> int | None:
    """The row of the source's sentence that states the field (matching its line and its value); for
    a question about one author ("Which institution is Feng Zhao affiliated with?"), that author's line."""
    value = field_value(source, field)
    matches = [row for row, text in sentences if field.line.search(text)]
    asked = [a for a in source.authors if re.search(rf"\b{re.escape(a)}\b", question, re.IGNORECASE)]
    if asked and field.name != "authors":
        naming = [row for row in matches if any(a in dict(sentences)[row] for a in asked)]
        matches = naming or matches
    if field.name == "authors":
        # the by-line: every author's name and little else
        matches = [
            row
            for row, text in sentences
            if source.authors and all(a in text for a in source.authors) and len(text) < 40 * len(source.authors)
        ]
    if not matches:
        return None
    if value:
        # the sentence that holds the value itself ("Supported by <funding>") before one merely alike
        head = value.split(" | ")[0][:40].lower()
        texts = dict(sentences)
        holding = [row for row in matches if head and head in texts[row].lower()]
        if holding:
            return holding[0]
    return matches[0]


class FrontMatterLookup:
    """Answers front-matter questions over one loaded index: the field, then the sentence stating it.

    Built once per chain from the index, which it asks only through `LoadedIndex` methods (a source's
    sentences, the passage of a sentence); the answer's citation is the `Passage` holding the stating
    sentence, with its evidence.
    """

    def __init__(self, index) -> None:
        from assistant.types import SourceKind

        self._index = index
        self._reviews = [s for s in index.sources.values() if s.kind == SourceKind.REVIEW]
        # what names a review besides "the review": its title, authors, year and journal
        named = " ".join(f"{s.title} {' '.join(s.authors)} {s.year or ''} {s.journal}" for s in self._reviews)
        # and its journal's initials ("WJSC" for World J Stem Cells)
        named += " " + " ".join("".join(word[0] for word in s.journal.split()) for s in self._reviews if s.journal)
        # in the words of a question too: "MSC treatment for repeated abortion" names "MSC therapies for RSA"
        self._review_terms = with_synonyms(
            frozenset(content_terms(named)) | frozenset(content_terms(index.glossary.expand(named)))
        )
        self._expand = index.glossary.expand

    def answer(self, question: str, passages, *, restricted: bool = False) -> tuple[str, Passage] | None:
        """(sentence, passage) stating the asked field of the article, or None when not such a question.

        `restricted` (filters are active): only a review that retrieval returned under the filters counts.
        """
        if not self._reviews:
            return None
        field = front_matter_field(question, review_terms=self._review_terms, expand=self._expand)
        if field is None:
            return None
        retrieved = [p.source for p in sorted(passages, key=lambda p: p.rank) if p.source in self._reviews]
        source = (
            retrieved[0] if retrieved else (self._reviews[0] if len(self._reviews) == 1 and not restricted else None)
        )
        if source is None:
            return None
        sentences = dict(self._index.source_sentences(source.id))  # sentence id -> text
        sentence_id = stating_sentence(field, source, list(sentences.items()), question)
        if sentence_id is None:
            return None
        passage = self._passage(sentence_id, passages)
        return (sentences[sentence_id], passage) if passage is not None else None

    def _passage(self, sentence_id: int, passages):
        """The retrieved passage holding the sentence, else the index's passage of its chunk."""
        for passage in passages:
            if any(sentence.id == sentence_id for sentence in passage.sentences):
                return passage
        return self._index.passage_of_sentence(sentence_id, score=1.0)
