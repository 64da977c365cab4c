"""Sentences, clauses and quotations: the units annotators mark, as the `(` `)` `,` `;` and `'`
keys find them (docs/keys.md). Plain functions of the text and an offset, Textual-free.

A **sentence** ends after `.` `!` `?` `…` (with the closing quotes and brackets after them)
followed by white space or the end of the text, after `。` `！` `？` anywhere, and at a line
break. A full stop does not end a sentence after an abbreviation ("Mr.", "Dr.", "Gen.",
"e.g.", "Jan." ... see ABBREVIATIONS), after one capital letter ("J. Smith"), inside an
initialism ("U.S."), or when the next word starts lower-case ("approx. five"); one between
digits ("3.5", "1.5m") is followed by no space and never counts.

A **clause** is a sentence cut further at `,` `;` `:` followed by white space, and at a dash
(`—`, `–`, or ` - `); the separator belongs to neither clause ("7,000" and "04:30" have no
space after their comma or colon, and do not cut). A unit never starts or ends with white space;
a sentence keeps its final punctuation, a clause stops before its separator.

A **quotation** is the text inside the nearest pair of quote marks around the offset: “ ”,
‘ ’, « », » «, „ “, „ ”, ‚ ‘, 「 」, 『 』, or straight " and ' (an opening mark follows a space,
a bracket or the start of a line; a closing one is not followed by a letter or digit, so the
apostrophe of "don’t" closes nothing).
"""

from __future__ import annotations

import re
from typing import Literal

from annotator.words import WORD

Unit = Literal["sentence", "clause"]
WINDOW = 4096  # how far from the offset a unit's edges are looked for

ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm",
    "maj", "gov", "sen", "rep", "pres", "jr", "sr", "rev", "hon", "fr", "vs", "etc", "approx",
    "est", "no", "nos", "vol", "pp", "ca", "cf", "al", "fig", "inc", "ltd", "co", "corp", "dept",
    "univ", "ave", "rd", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "e.g", "i.e",
    "a.m", "p.m", "u.s", "u.k", "u.n",
))  # fmt: skip

_SENTENCE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|\Z)|[。！？]+[」』”’)]*|\n")
_CLAUSE = re.compile(_SENTENCE.pattern + r"|[,;:](?=\s)|[—–]|\s-\s")


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    if m[0] == "\n" or not m[0].startswith(".") or m[0].startswith(".."):
        return True
    word = re.search(r"[\w.]*$", text[max(0, m.start() - 40) : m.start()])
    before = word[0] if word else ""
    if before.lower() in ABBREVIATIONS or "." in before:
        return False
    if len(before) == 1 and before.isupper():
        return False  # an initial
    nxt = re.match(r"\s*(\S)", text[m.end() : m.end() + 40])
    return nxt is None or not nxt[1].islower()


def _cuts(text: str, lo: int, hi: int, unit: Unit) -> list[tuple[int, int]]:
    """(start, end) of each separator between lo and hi: a unit ends at a sentence's
    separator's end, at a clause separator's start."""
    out = []
    for m in (_SENTENCE if unit == "sentence" else _CLAUSE).finditer(text, lo, hi):
        if m[0][0] in ".!?…。！？" or m[0] == "\n":
            if _ends_sentence(text, m):
                out.append((m.end() - (m[0] == "\n"), m.end()))
        else:
            out.append((m.start(), m.end()))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def units(text: str, lo: int, hi: int, unit: Unit) -> list[tuple[int, int]]:
    """The units (start, end) that lie in [lo, hi), the first and last perhaps cut off by the
    window; empty ones (white space between separators) left out."""
    out = []
    at = lo
    for end, after in _cuts(text, lo, hi, unit) + [(hi, hi)]:
        start, stop = _trim(text, at, end)
        if stop > start:
            out.append((start, stop))
        at = after
    return out


def unit_at(text: str, offset: int, unit: Unit) -> tuple[int, int] | None:
    """The unit containing offset, or None on white space or a separator between units."""
    lo, hi = max(0, offset - WINDOW), min(len(text), offset + WINDOW)
    return next(((s, e) for s, e in units(text, lo, hi, unit) if s <= offset < e), None)


def unit_end(text: str, cursor: int, unit: Unit) -> int:
    """Where `)` (sentence) or `;` (clause) goes: the last character of the unit under the
    cursor, or of the next one when the cursor is on that character or between units."""
    lo, hi = max(0, cursor - WINDOW), min(len(text), cursor + WINDOW)
    for _, end in units(text, lo, hi, unit):
        if end - 1 > cursor:
            return end - 1
    return max(cursor, len(text) - 1) if hi == len(text) else hi - 1


def unit_start(text: str, cursor: int, unit: Unit) -> int:
    """Where `(` (sentence) or `,` (clause) goes: the first character of the unit under the
    cursor, or of the one before when the cursor is there already or between units."""
    lo, hi = max(0, cursor - WINDOW), min(len(text), cursor + WINDOW)
    starts = [s for s, _ in units(text, lo, hi, unit) if s < cursor]
    return starts[-1] if starts else lo


_PAIRS = {"“": "”", "‘": "’", "«": "»", "»": "«", "„": "“”", "‚": "‘", "「": "」", "『": "』",
          '"': '"', "'": "'"}
_AMBIGUOUS = {'"', "'", "’", "”", "“", "»", "«"}  # also used the other way round or in words


def _opens(text: str, i: int) -> bool:
    ch = text[i]
    if ch not in _AMBIGUOUS or ch in "«»":
        return ch in _PAIRS
    return ch in _PAIRS and (i == 0 or text[i - 1].isspace() or text[i - 1] in "([{—–-")


def _closes(text: str, i: int, closers: str) -> bool:
    if text[i] not in closers:
        return False
    return text[i] not in _AMBIGUOUS or i + 1 >= len(text) or not text[i + 1].isalnum()


def quotation(text: str, offset: int) -> tuple[int, int] | None:
    """(start, end) inside the innermost quote marks around offset (on a mark counts as
    inside), trimmed of white space; None when the offset is in no quotation of its
    paragraph."""
    para_lo = text.rfind("\n\n", 0, offset)
    lo = max(0, para_lo + 2 if para_lo >= 0 else 0, offset - WINDOW)
    para_hi = text.find("\n\n", offset)
    hi = min(len(text), para_hi if para_hi >= 0 else len(text), offset + WINDOW)
    best: tuple[int, int] | None = None
    for i in range(min(offset, hi - 1), lo - 1, -1):
        if not _opens(text, i):
            continue
        closers = _PAIRS[text[i]]
        close = next((j for j in range(i + 1, hi) if _closes(text, j, closers)), None)
        if close is not None and close >= offset:
            best = _trim(text, i + 1, close)
            break
    return best if best is not None and best[1] > best[0] else None


def start_edge(text: str, start: int, end: int, grow: bool) -> int | None:
    """Where `H` (grow) or `K` (shrink) moves the start of the span [start, end): to the
    start of the word before it in its paragraph, or of its second word; None when there is
    none."""
    if grow:
        before = [m.start() for m in WORD.finditer(text, max(0, start - WINDOW), start)
                  if m.end() <= start]
        if not before or "\n\n" in text[before[-1] : start]:
            return None
        return before[-1]
    return next((m.start() for m in WORD.finditer(text, start, end) if m.start() > start), None)
