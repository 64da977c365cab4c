"""Text from documents, schemas and input files made safe to write to a terminal (docs/cli.md).

The one sanitiser: the CLI prints through it and the TUI draws through it (text_layout.glyph
for documents, tui.plain for every other string), so both show the same placeholders.

What is replaced, each code point by one visible placeholder of one cell:
- control characters: C0 other than newline and tab (␀ … ␟, ESC is ␛), DEL (␡), C1
  U+0080-U+009F (␦): a terminal acts on them (titles, clears, 8-bit CSI);
- bidirectional controls, which reorder what is drawn after them ("evil\u202etxt.exe" shows as
  "evilexe.txt"): U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069 (·);
- invisible characters that can hide or fake text: the soft hyphen U+00AD, U+180E, the zero
  width space U+200B, U+2060-U+2064 (word joiner, invisible operators), U+206A-U+206F,
  U+FEFF, U+FFF9-U+FFFB, the tag characters U+E0001 and U+E0020-U+E007F (invisible ASCII), the
  Hangul fillers U+115F, U+1160, U+3164, U+FFA0 (blank letters) (·);
- the line and paragraph separators U+2028, U+2029 (␣), which some terminals break lines on;
- lone surrogates U+D800-U+DFFF (·), which JSON may carry and no terminal can be sent.

Kept: the zero width joiner and non-joiner U+200D, U+200C (emoji sequences, Persian and Indic
spelling), variation selectors and combining marks: they reorder and hide nothing.

Only for what a person reads (tables, reports, messages, the screen); data outputs (exports,
JSON) keep the exact text.
"""

from __future__ import annotations

import re

FORMAT = (
    "\u00ad\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f\ud800-\udfff"
)
"""Bidi controls and invisible characters shown as a placeholder (see the module docstring)."""
SEPARATORS = "\u2028\u2029"
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
UNSAFE = re.compile(f"[{_CONTROLS}{FORMAT}{SEPARATORS}]")
"""Every code point that is never written as it is (newline and tab aside)."""
_UNSAFE_OR_BREAK = re.compile(f"[\t\n{_CONTROLS}{FORMAT}{SEPARATORS}]")
ELLIPSIS = "…"
LINE_MAX = 1000
"""Code points of one line at most before it is cut: no screen is wider, and laying out a
10 MB value to show its first 40 cells would freeze the screen."""


def placeholder(ch: str) -> str:
    """The visible stand-in for one code point that UNSAFE matches."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return "\u2426"  # ␦ for C1 controls
    if ch in SEPARATORS:
        return "\u2423"  # ␣
    return "\u00b7"  # · for bidi controls and invisible characters


def _swap(match: re.Match[str]) -> str:
    return placeholder(match.group())


def _swap_or_space(match: re.Match[str]) -> str:
    ch = match.group()
    return " " if ch in "\t\n" else placeholder(ch)


def safe(text: str) -> str:
    """`text` with every unsafe code point but newline and tab made visible."""
    if text.isascii() and text.isprintable():
        return text
    return UNSAFE.sub(_swap, text)


def cut(text: str, limit: int = LINE_MAX) -> str:
    """`text` cut to `limit` code points, with an ellipsis when anything was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def safe_line(text: str, limit: int | None = None) -> str:
    """`text` for one line of a table or a message: newlines and tabs become spaces too. With
    a `limit` it is cut to that many code points first, so a huge value costs no more than a
    short one (the TUI passes LINE_MAX or less)."""
    if limit is not None:
        text = cut(text, limit)
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE_OR_BREAK.sub(_swap_or_space, text)


def unsafe_characters(text: str) -> list[str]:
    """The distinct code points of `text` a name may not contain, as U+XXXX, in order."""
    found: dict[str, None] = {}
    for m in _UNSAFE_OR_BREAK.finditer(text):
        found.setdefault(f"U+{ord(m.group()):04X}")
    return list(found)


def escape_json_controls(encoded: str) -> str:
    """JSON text with DEL, C1 controls, bidi controls and invisible characters written as \\u
    escapes: the same JSON value (json.dumps already escapes C0), but nothing a terminal would
    act on or reorder when it is printed. Tag characters past U+FFFF become surrogate pairs."""
    return UNSAFE.sub(_json_escape, encoded)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
