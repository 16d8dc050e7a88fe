"""How the offline answerer ranks the sentences of the retrieved passages (after the relevance gate).

Real `select_sentences` over hand-made passages: the sentence vectors are set so that each test
controls what meaning (dense similarity) says, and the words decide the rest.
"""

from __future__ import annotations

import math

import numpy as np

from assistant.generation.extractive import select_sentences
from assistant.generation.terms import TermStatistics
from assistant.settings import Settings
from assistant.text import content_terms, split_sentences
from assistant.types import Chunk, EvidenceSentence, Passage, Source, SourceKind

QUERY = np.array([1.0, 0.0, 0.0])
SOURCE = Source(id="cruise", kind=SourceKind.REVIEW, title="An outbreak on the Diamond Princess cruise ship")


def _vector(similarity: float, axis: int) -> np.ndarray:
    """A unit vector at `similarity` to the query, leaning on its own axis (so two differ)."""
    vector = np.zeros(3)
    vector[0], vector[axis] = similarity, math.sqrt(1 - similarity**2)
    return vector


def _passage(sentences: list[tuple[str, np.ndarray]], rank: int = 1) -> Passage:
    text = " ".join(sentence for sentence, _ in sentences)
    spans = split_sentences(text)
    assert len(spans) == len(sentences)
    evidence = tuple(
        EvidenceSentence(text[start:end], start, end, vector, id=100 * rank + n)
        for n, ((start, end), (_, vector)) in enumerate(zip(spans, sentences))
    )
    chunk = Chunk(f"cruise-{rank}", SOURCE.id, "Results", 0, len(text), text)
    return Passage(chunk, SOURCE, score=1.0, rank=rank, sentences=evidence)


def _stats(*texts: str) -> TermStatistics:
    """Document frequencies that know every word used here (no term is "unknown" to the corpus)."""
    df: dict[str, int] = {}
    for text in texts:
        for term in content_terms(text):
            df[term] = df.get(term, 0) + 1
    return TermStatistics(df, n=50)


def _answer(question: str, passages: list[Passage]) -> list[str]:
    texts = [question, SOURCE.title, "results", *(s.text for p in passages for s in p.sentences)]
    result = select_sentences(question, question, QUERY, passages, _stats(*texts), Settings())
    assert not result.refused, result.reason
    return [text for text, _ in result.sentences]


def test_a_full_sentence_leads_over_a_fragment_saying_the_same():
    fragment = "Passengers quarantined on the ship."
    full = (
        "Passengers were quarantined on the ship for fourteen days after the first case, while crew "
        "members kept working and serving meals across every deck."
    )
    same = _vector(0.8, 1)  # one meaning: the fragment and the sentence are near-duplicates
    answer = _answer(
        "What happened to passengers on the Diamond Princess?", [_passage([(fragment, same), (full, same)])]
    )
    # near-duplicates give one sentence, and it is the one that states something, not the heading
    assert answer == [full]


def test_content_size_counts_distinct_content_terms_once_per_sentence():
    stats = _stats("cases")
    sentence = EvidenceSentence("Cases, cases and more confirmed cases on the ship.", 0, 50, id=7)
    assert stats.content_size(sentence) == 3  # case, confirm, ship ("more" is a stop word)
    assert stats._sizes == {(7, ""): 3}  # cached per indexed sentence


def test_the_sentence_closest_in_meaning_leads_even_when_another_repeats_the_question():
    # the question's words, restated, say nothing new; the answering sentence shares fewer of them
    restating = (
        "Passengers of the Diamond Princess cruise ship were followed closely by health officials during "
        "the whole outbreak in Yokohama harbour."
    )
    answering = (
        "Of 3711 passengers and crew on board, 619 tested positive within three weeks, and most infections stayed mild "
        "or showed no symptoms."
    )
    answer = _answer(
        "What happened to passengers on the Diamond Princess?",
        [_passage([(restating, _vector(0.6, 1)), (answering, _vector(0.85, 2))])],
    )
    assert answer[0] == answering
