"""Soft-wrapping (property tests): every code point has exactly one place on screen, lines fit
the width, and offset <-> (line, column) round-trips, for any text and width."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.tui.text_layout import cell_width, glyph, one_line, wrap

PIECES = st.sampled_from([
    "word", "a", " ", "  ", "\n", "\n\n", "\t", "2,000-strong", "“quote”", "Zoë", "e\u0301",
    "東洋放送", "🙄", "👍🏽", "👨\u200d👩\u200d👧", "\x1b[2J", "\x07", "\x9b", "İ", "x" * 120,
    "straße", "\u202e", "\u0301",
])
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(min_value=2, max_value=90))
def test_lines_cover_the_text_once_and_fit_the_width(text: str, width: int) -> None:
    layout = wrap(text, width)
    room = max(2, width) - 1
    assert layout.starts[0] == 0
    for i in range(len(layout)):
        start, end = layout.starts[i], layout.ends[i]
        assert start <= end
        if i + 1 < len(layout):
            nxt = layout.starts[i + 1]
            # the next line starts where this one ends, or after the newline ending it
            assert nxt == end or (nxt == end + 1 and text[end] == "\n")
        line = text[start:end]
        assert "\n" not in line
        drawn = [c for c in line if cell_width(c)]  # marks ride on the character before
        cells = sum(cell_width(c) for c in drawn)
        # a line longer than the room is one wide character alone, or ends in a hanging space
        assert cells <= room or drawn[-1] == " " and cells - 1 <= room or len(drawn) == 1
    assert layout.ends[-1] == len(text)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(min_value=4, max_value=60))
def test_offsets_and_screen_positions_round_trip(text: str, width: int) -> None:
    layout = wrap(text, width)
    for offset in range(len(text)):
        if cell_width(text[offset]) == 0:
            continue  # drawn on the character before it: not a cursor position
        line = layout.line_of(offset)
        assert layout.starts[line] <= offset <= layout.line_end(line)
        assert layout.offset_at(line, layout.column_of(offset)) == offset


@given(st.text())
def test_nothing_drawn_is_a_control_character(text: str) -> None:
    for ch in text:
        drawn, _ = glyph(ch)
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in drawn)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in one_line(text))
