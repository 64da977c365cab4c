"""Where the document view's word, paragraph and search motions go: plain functions of the text
and the cursor (Textual-free), so a motion is tested without an app."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from annotator.words import WORD, snap, word_at

WINDOW = 256  # how far back a backward word search looks at a time


@dataclass(frozen=True, slots=True)
class Target:
    """A range the next action applies to: the selection, or the word under the cursor."""

    start: int
    end: int


def selected(text: str, anchor: int, cursor: int, exclusive: bool, precise: bool
             ) -> Target | None:
    """The range selected from `anchor` to `cursor`: both included (`v`, as in vim with a block
    cursor), or up to the cursor when `exclusive` (shift+arrows); grown to whole words with
    no white space at either end unless `precise`."""
    lo, hi = sorted((anchor, cursor))
    if exclusive:
        if hi == lo:
            return None
        hi -= 1  # both ends are caret positions, before a character: [lo, hi)
    if not precise:
        snapped = snap(text, lo, hi)
        return Target(*snapped) if snapped else None
    hi = min(hi + 1, len(text))
    return Target(lo, hi) if hi > lo else None


def word_or_character(text: str, cursor: int) -> Target | None:
    """The word under the cursor; on a character that is in no word (punctuation), that
    character; on white space, None."""
    found = word_at(text, cursor)
    if found:
        return Target(*found)
    if cursor < len(text) and not text[cursor].isspace():
        return Target(cursor, cursor + 1)
    return None


def next_word(text: str, cursor: int) -> int:
    """The start of the word after the one at `cursor` (the text's end when there is none)."""
    here = word_at(text, cursor)
    m = WORD.search(text, here[1] if here else cursor + 1)
    return m.start() if m else len(text)


def previous_word(text: str, cursor: int) -> int:
    """The start of the word before `cursor` (or of the one it is inside); 0 when none."""
    lo = cursor
    while lo > 0:
        lo = max(0, lo - WINDOW)
        starts = [s for m in WORD.finditer(text, lo, cursor) if (s := m.start()) < cursor]
        if starts:
            return starts[-1]
    return 0


def next_paragraph(text: str, cursor: int) -> int:
    """The first character of the next paragraph (after a blank line), or the text's end."""
    i = text.find("\n\n", cursor)
    if i < 0:
        return len(text)
    while i < len(text) and text[i] == "\n":
        i += 1
    return i


def previous_paragraph(text: str, cursor: int) -> int:
    """The first character of this paragraph, or of the one before when already there."""
    i = text.rfind("\n\n", 0, max(0, cursor - 1))
    while i >= 0 and i + 2 < len(text) and text[i + 2] == "\n":
        i += 1
    return 0 if i < 0 else i + 2


def search_pattern(query: str) -> str:
    """A regex for query that also finds its letters written the other Unicode way: "café"
    typed with é finds "cafe\u0301" in the text, and the other way round (offsets stay the
    text's own; nothing is normalised in place)."""
    parts = []
    for ch in unicodedata.normalize("NFC", query):
        forms = {ch, unicodedata.normalize("NFD", ch)}
        parts.append(re.escape(ch) if len(forms) == 1 else
                     "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len)[::-1]) + ")")
    return "".join(parts)


class Matches:
    """Every case-insensitive match of a query in a text, found once per query."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.query: str | None = None
        self.spans: list[tuple[int, int]] = []  # (start, end), in order
        self.starts: list[int] = []

    def find(self, query: str) -> bool:
        """Find `query`'s matches; False when they are the ones found last time."""
        if query == self.query:
            return False
        self.query = query
        self.spans = [m.span() for m in re.finditer(search_pattern(query), self.text,
                                                    re.IGNORECASE)] if query else []
        self.starts = [m[0] for m in self.spans]
        return True

    def position(self, cursor: int) -> tuple[int, int] | None:
        """(1-based number of the match starting at `cursor`, how many there are), or None."""
        i = bisect_left(self.starts, cursor)
        if i < len(self.spans) and self.starts[i] == cursor:
            return i + 1, len(self.spans)
        return None

    def next(self, cursor: int, delta: int) -> int:
        """The start of the next (delta > 0) or previous match from `cursor`, wrapping."""
        if delta > 0:
            i = bisect_right(self.starts, cursor)
            return self.starts[0 if i >= len(self.starts) else i]
        return self.starts[bisect_left(self.starts, cursor) - 1]  # -1 wraps to the last
