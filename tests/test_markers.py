"""One citation-marker grammar for review text and generated answers (assistant/markers.py)."""

from __future__ import annotations

from assistant.markers import MAX_RANGE, parse_marker_body, reference_numbers, split_answer, split_markers


def test_review_and_answer_markers_read_the_same_way():
    text = "NK cells fell [1], [3,7] and [4-6]; Tregs rose [8 – 9; 12] [2][2]."
    assert reference_numbers(text) == (1, 3, 7, 4, 5, 6, 8, 9, 12, 2)
    clean, numbers = split_markers(text)
    assert numbers == list(reference_numbers(text))
    assert "[" not in clean and clean.endswith("rose.")


def test_ranges_wider_than_the_cap_keep_only_their_ends():
    assert parse_marker_body(f"1-{1 + MAX_RANGE}") == list(range(1, 2 + MAX_RANGE))
    assert parse_marker_body("1-999") == [1, 999]
    assert parse_marker_body("9-3") == [9, 3]  # a reversed range is two numbers, not a range


def test_markers_after_the_full_stop_belong_to_the_sentence_before():
    pieces = split_answer("Rates fell to 6.31%. [1] Tregs rose [2][3]. Uncited claim. [9]")
    assert pieces == [("Rates fell to 6.31%.", [1]), ("Tregs rose.", [2, 3]), ("Uncited claim.", [9])]


def test_the_old_homes_of_the_rule_share_it():
    from assistant import verification

    assert verification.split_markers is split_markers and verification.split_answer is split_answer


def test_superscript_bodies_use_the_same_grammar():
    from assistant.markers import marker_body

    assert marker_body("12") == "12" and marker_body("[3, 7]") == "3,7" and marker_body(" 4 – 6 ") == "4–6"
    assert marker_body("a") is None and marker_body("12b") is None and marker_body("") is None
