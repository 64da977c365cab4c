"""All occurrences (`*`): the places where a span's text appears again, in its document and in
the other open ones, that a label-everywhere action adds spans on (docs/keys.md).

An occurrence is the same text (case and accents as they are; an accent composed or not) on
word boundaries: it does not start or end inside a word ("Akar" is not found in "Akarsu",
"7,000" not in "17,000", "Jose" not in a decomposed "José"), as words.py cuts words. Two
exceptions: a possessive "’s" / "'s" after it is not part of it ("Akar’s" has "Akar"), and an
edge on a CJK character is always a boundary (CJK is written without spaces and there is no
tokenizer, so "東京" is found in "東京都"). A place already covered, even partly, by a span of
the same label is skipped (the span `*` was pressed on among them).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from annotator.model import LabelDef, Span
from annotator.words import CJK_CHAR, word_at

_POSSESSIVE = re.compile(r"['’]s(?!\w)")


def _cjk(ch: str) -> bool:
    return CJK_CHAR.match(ch) is not None


def _starts_word(text: str, start: int, needle: str) -> bool:
    if start == 0 or _cjk(needle[0]):
        return True
    word = word_at(text, start)
    return word is None or word[0] >= start


def _ends_word(text: str, end: int, needle: str) -> bool:
    if end >= len(text) or _cjk(needle[-1]):
        return True
    word = word_at(text, end - 1)
    return word is None or word[1] <= end or _POSSESSIVE.match(text, end) is not None


def find_all(text: str, needle: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each occurrence of needle in text on word boundaries, in order (they
    never overlap)."""
    if not needle.strip():
        return
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        if _starts_word(text, at, needle) and _ends_word(text, end, needle):
            yield at, end
            at = text.find(needle, end)
        else:
            at = text.find(needle, at + 1)


@dataclass(frozen=True, slots=True)
class Place:
    """A document to look in: its id, its text and the annotator's spans in it."""

    doc_id: str
    text: str
    spans: Iterable[Span]


@dataclass(frozen=True, slots=True)
class Occurrence:
    doc_id: str
    start: int
    end: int


def written_either_way(text: str, needle: str) -> list[tuple[int, int]]:
    """find_all of needle as it is, composed (NFC) and decomposed (NFD): "José" typed with é
    also finds a "Jose\u0301" another outlet wrote (offsets are the text's own)."""
    forms = dict.fromkeys((needle, unicodedata.normalize("NFC", needle),
                           unicodedata.normalize("NFD", needle)))
    return sorted({hit for form in forms for hit in find_all(text, form)})


def unlabelled(needle: str, label: str, places: Sequence[Place]) -> list[Occurrence]:
    """Every occurrence of needle in places (written either way) that no span labelled
    `label` overlaps."""
    found: list[Occurrence] = []
    for place in places:
        taken = sorted((s.start, s.end) for s in place.spans if s.label == label)
        starts = [a for a, _ in taken]
        reach = list(accumulate((b for _, b in taken), max))  # furthest end so far
        for start, end in written_either_way(place.text, needle):
            before = bisect_left(starts, end)  # the spans that start before this one ends
            if before == 0 or reach[before - 1] <= start:
                found.append(Occurrence(place.doc_id, start, end))
    return found


def copied_attrs(source: Span, label: LabelDef | None) -> dict[str, Any]:
    """The attributes an occurrence takes from the span `*` was pressed on: all of them but
    references to other spans (those belong to the source's own sentence)."""
    refs = {a.name for a in (label.attributes if label else ()) if a.type == "span"}
    return {k: v for k, v in source.attrs.items() if k not in refs}


def summary(label: str, counts: dict[str, int], here: str) -> str:
    """"labelled 4 more PERSON: 3 here, 1 in meridian-wire" (documents in the order given)."""
    total = sum(counts.values())
    parts = [f"{n} here" if doc == here else f"{n} in {doc}" for doc, n in counts.items() if n]
    return f"labelled {total} more {label}: {', '.join(parts)}"
