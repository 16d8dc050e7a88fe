"""Bounded fuzzing (hypothesis) of the loaders, the sentence splitter and the citation parsers."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import CorpusError
from assistant.ingest.registry import load_path
from assistant.markers import parse_marker_body, reference_numbers, split_markers
from assistant.text import numbers_in, split_sentences

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text())
def test_reference_markers_never_crash(text):
    numbers = reference_numbers(text)
    assert all(isinstance(n, int) and n >= 0 for n in numbers)
    assert len(numbers) == len(set(numbers))


@FUZZ
@given(st.from_regex(r"[0-9]{1,4}(\s*[-–,]\s*[0-9]{1,4}){0,5}", fullmatch=True))
def test_marker_bodies_parse_to_bounded_numbers(body):
    numbers = parse_marker_body(body)
    assert numbers
    assert len(numbers) <= 6 * 201


@FUZZ
@given(st.text())
def test_answer_markers_split_cleanly(text):
    clean, numbers = split_markers(text)
    assert all(isinstance(n, int) for n in numbers)
    assert "[" not in clean or not any(f"[{n}]" in clean for n in numbers)


@FUZZ
@given(st.text())
def test_sentence_spans_are_ordered_and_inside_the_text(text):
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]
        previous_end = end


@FUZZ
@given(st.text())
def test_number_extraction_never_crashes(text):
    assert isinstance(numbers_in(text), list)


SUFFIXES = [".txt", ".md", ".yaml", ".xml", ".nxml", ".html", ".ris", ".bib", ".json", ".pdf", ".medline", ".nbib"]


@FUZZ
@given(
    data=st.binary(max_size=2048) | st.text(max_size=2048).map(lambda t: t.encode("utf-8", "surrogatepass")),
    suffix=st.sampled_from(SUFFIXES),
)
def test_loaders_return_documents_or_a_corpus_error(tmp_path_factory, data, suffix):
    path = Path(tmp_path_factory.mktemp("fuzz")) / f"sample{suffix}"
    path.write_bytes(data)
    try:
        documents = load_path(path)
    except CorpusError as exc:
        assert path.name in str(exc) and "\n" not in exc.message
    else:
        assert documents and all(doc.source.id for doc in documents)
