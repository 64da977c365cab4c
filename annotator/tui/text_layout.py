"""Soft-wrapping of a document into screen lines, with safe glyphs and code-point offsets.

Every code point of the text has a place on screen: printable characters are drawn as
themselves, control characters as visible placeholders (never raw), tabs as spaces, zero-width
marks attach to the character before them, and the newline ending a paragraph is one cell at the
end of its last line (so the cursor can stand on it). Wrapping costs O(screen lines + unusual
characters), not O(characters): plain stretches are measured by their length.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, get_character_cell_size

from annotator.sanitize import LINE_MAX, UNSAFE, cut, placeholder

TAB_WIDTH = 4

# Characters that are certainly one cell wide and safe to print as they are.
_PLAIN = (
    "\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u048a-\u052f"
    "\u1e00-\u1fff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u214f"
)
UNUSUAL = re.compile(f"[^{_PLAIN}]")
_ZERO_WIDTH_FORMAT = {"\u200d", "\ufe0e", "\ufe0f", "\u200c"}


@lru_cache(maxsize=4096)
def glyph(ch: str) -> tuple[str, int]:
    """What to draw for one code point, and how many cells it takes (0 attaches it before)."""
    code = ord(ch)
    if ch == "\t":
        return " " * TAB_WIDTH, TAB_WIDTH
    if ch == "\n":
        return " ", 1
    if UNSAFE.match(ch):
        return placeholder(ch), 1  # controls, bidi, invisible characters: annotator.sanitize
    if ch in _ZERO_WIDTH_FORMAT or 0x1F3FB <= code <= 0x1F3FF:
        # joiners, variation selectors, skin-tone modifiers: drop, terminals disagree on them
        return "", 0
    category = unicodedata.category(ch)
    if category in ("Mn", "Me"):
        return ch, 0  # combining mark, drawn on the character before it
    if category in ("Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
        return "\u2423" if category in ("Zl", "Zp") else "\u00b7", 1  # bidi overrides etc.
    width = get_character_cell_size(ch)
    if width <= 0:
        return "\u00b7", 1
    return ch, min(width, 2)


def cell_width(ch: str) -> int:
    return glyph(ch)[1]


def one_line(text: str, limit: int = LINE_MAX) -> str:
    """Any text (a document's, a name, a value) as the screen draws it on one line: cut to
    `limit` code points first (never more is laid out), each code point as its glyph, newlines
    and tabs as one space."""
    text = cut(text, limit)
    if text.isascii() and text.isprintable():
        return text
    return "".join(glyph(c)[0] if c not in "\t\n" else " " for c in text)


def clip(text: str, cells: int) -> str:
    """Any text on one line of at most `cells` cells: as one_line draws it, runs of white
    space collapsed, an ellipsis in the last cell when it was cut."""
    shown = " ".join(one_line(text).split())
    if cell_len(shown) <= cells:
        return shown
    room, kept = max(0, cells - 1), 0
    for end, ch in enumerate(shown):
        kept += get_character_cell_size(ch)
        if kept > room:
            return shown[:end] + "…"
    return shown


@dataclass(slots=True)
class Layout:
    """Screen lines of a text at one width: line i shows text[starts[i]:ends[i]] (+ newline)."""

    text: str
    width: int
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The screen line showing offset (a paragraph's newline is on its last line)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def line_end(self, line: int) -> int:
        """Last offset the cursor may take on this line (its newline, or the end of text)."""
        end = self.ends[line]
        if line + 1 < len(self.starts) and self.starts[line + 1] == end:
            return end - 1  # a wrapped line: its last character, the next one starts below
        return end

    def column_of(self, offset: int) -> int:
        line = self.line_of(offset)
        return sum(cell_width(c) for c in self.text[self.starts[line] : offset])

    def offset_at(self, line: int, column: int) -> int:
        """The offset drawn at (line, column), clamped to the line."""
        line = min(max(line, 0), len(self.starts) - 1)
        start, last = self.starts[line], self.line_end(line)
        x = 0
        for i in range(start, last):
            w = cell_width(self.text[i])
            if w == 0:
                continue
            if x + w > column:
                return i
            x += w
        return last


def wrap(text: str, width: int) -> Layout:
    """Soft-wrap text into lines of at most `width` cells (one cell kept for the cursor)."""
    room = max(2, width) - 1
    starts: list[int] = []
    ends: list[int] = []
    base = 0
    for para in text.split("\n"):
        _wrap_paragraph(para, base, room, starts, ends)
        base += len(para) + 1
    return Layout(text, width, starts, ends)


def _wrap_paragraph(p: str, base: int, room: int, starts: list[int], ends: list[int]) -> None:
    n = len(p)
    if n <= room and (p.isascii() and p.isprintable() or not UNUSUAL.search(p)):
        starts.append(base)
        ends.append(base + n)
        return
    unusual = [m.start() for m in UNUSUAL.finditer(p)]
    widths = [cell_width(p[i]) for i in unusual]
    pos, j = 0, 0
    while True:
        # longest stretch from pos that fits in `room` cells
        end, cells, k = pos, 0, j
        while True:
            nxt = unusual[k] if k < len(unusual) else n
            if nxt - end >= room - cells:
                end += room - cells
                cells = room
                break
            cells += nxt - end
            end = nxt
            if end >= n:
                break
            w = widths[k]
            if cells + w > room:
                break
            cells += w
            end += 1
            k += 1
        if end >= n:
            starts.append(base + pos)
            ends.append(base + n)
            return
        if p[end] == " ":
            end += 1  # a space at the break hangs in the cell kept for the cursor
        else:
            brk = p.rfind(" ", pos, end)
            if brk > pos:
                end = brk + 1
        if end <= pos:
            end = pos + 1
        while end < n and cell_width(p[end]) == 0:  # keep combining marks with their base
            end += 1
        starts.append(base + pos)
        ends.append(base + end)
        pos = end
        while j < len(unusual) and unusual[j] < pos:
            j += 1
