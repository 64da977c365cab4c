"""The document view's word, paragraph, selection and search motions as plain functions
(annotator/tui/motions.py): no app needed."""

from __future__ import annotations

from annotator.tui.motions import (
    Matches,
    Target,
    next_paragraph,
    next_word,
    previous_paragraph,
    previous_word,
    selected,
    word_or_character,
)

TEXT = "About 7,000 residents left.\n\nCafe\u0301 owners stayed; “no troops”.\n"


def test_words_forward_and_back() -> None:
    assert next_word(TEXT, 0) == 6  # "7,000" is one word
    assert next_word(TEXT, 6) == 12
    assert previous_word(TEXT, 12) == 6
    assert previous_word(TEXT, 3) == 0
    assert next_word("end", 1) == 3  # no word after: the end of the text


def test_paragraphs_forward_and_back() -> None:
    second = TEXT.index("Cafe")
    assert next_paragraph(TEXT, 0) == second
    assert previous_paragraph(TEXT, second + 5) == second
    assert previous_paragraph(TEXT, second) == 0
    assert next_paragraph(TEXT, second) == len(TEXT)


def test_a_selection_snaps_to_words_unless_precise() -> None:
    assert selected(TEXT, 8, 14, exclusive=False, precise=False) == Target(6, 21)
    assert selected(TEXT, 8, 14, exclusive=False, precise=True) == Target(8, 15)
    assert selected(TEXT, 8, 14, exclusive=True, precise=True) == Target(8, 14)
    assert selected(TEXT, 8, 8, exclusive=True, precise=True) is None
    assert selected(TEXT, 27, 28, exclusive=False, precise=False) is None  # only white space


def test_a_label_key_takes_the_word_or_the_character() -> None:
    assert word_or_character(TEXT, 7) == Target(6, 11)
    assert word_or_character(TEXT, TEXT.index("“")) == Target(TEXT.index("“"), TEXT.index("“") + 1)
    assert word_or_character(TEXT, 5) is None  # a space


def test_matches_find_either_unicode_form_and_wrap() -> None:
    found = Matches(TEXT)
    assert found.find("café")
    assert not found.find("café")  # the same query: found once
    assert found.spans == [(TEXT.index("Cafe"), TEXT.index("Cafe") + 5)]
    assert found.find("o")
    first, last = found.starts[0], found.starts[-1]
    assert found.next(last, 1) == first
    assert found.next(first, -1) == last
    assert found.position(first) == (1, len(found.starts))
    assert found.position(first + 1) is None
    assert found.find("")
    assert found.spans == []
