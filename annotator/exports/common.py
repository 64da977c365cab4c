"""What every exporter shares: the annotation set, meta, UTF-16 offsets, tokens, losses."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from annotator.model import Document, Link, Span, Status

AnnotationSet = tuple[Document, str, Status, list[Span], list[Link]]

# A word with inner "," "." "'" (2,000 / 3.5 / don't), else one character that is not a space:
# "Turkish-Russian" is three tokens, "2,000-strong" is "2,000", "-", "strong".
_TOKEN = re.compile(r"(\w+(?:[.,'’]\w+)*|[^\w\s])( ?)|\s+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


_SINGULAR = {"attributes": "attribute", "cross-document links": "cross-document link",
             "links": "link", "statuses": "status", "unaligned spans": "unaligned span",
             "unfinished sets (answer: ignore)": "unfinished set (answer: ignore)",
             "review decisions": "review decision"}


class Losses:
    """What a format could not hold, counted by kind, for one line on standard error."""

    ORDER = ("attributes", "cross-document links", "links", "statuses", "unaligned spans")

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.details: list[str] = []  # e.g. each span spaCy could not align

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] += n

    def line(self) -> str | None:
        """"dropped: 12 attributes, 3 cross-document links", or None when nothing was."""
        if not self.counts:
            return None
        kinds = sorted(self.counts, key=lambda k: (self.ORDER.index(k) if k in self.ORDER
                                                   else len(self.ORDER), k))
        return "dropped: " + ", ".join(
            f"{self.counts[k]} {k if self.counts[k] != 1 else _SINGULAR.get(k, k)}"
            for k in kinds)


def document_meta(doc: Document) -> dict[str, Any]:
    """The exported meta: what was imported (keys sorted), then title, then schema.

    The importer takes title and schema back out, so export → import → export is exact
    (the title always, even empty: without one the importer takes the first line)."""
    meta = dict(doc.meta)
    meta["title"] = doc.title
    if doc.schema:
        meta["schema"] = doc.schema
    return meta


def set_attrs(spans: Iterable[Span]) -> int:
    """How many attribute values (null ones are unset) the spans carry."""
    return sum(1 for s in spans for v in s.attrs.values() if v is not None)


class Utf16:
    """Code-point offset → UTF-16 code unit offset, for one text (cheap for BMP-only text)."""

    def __init__(self, text: str) -> None:
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset) if self.astral else offset


def stable_hash(*parts: object) -> int:
    """A signed 32-bit hash that is the same in every run (Prodigy's hashes are such ints)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


Token = tuple[int, int, bool]  # start, end, followed by one space that is not a token


def tokens(text: str, spans: list[Span], base: Iterable[Token] | None = None
           ) -> list[Token]:
    """Tokens covering `text` so that every span starts and ends on a token boundary.

    base: tokens of another tokenizer (spaCy's); else words, punctuation and runs of spaces
    other than one space after a token. Tokens are cut where a span starts or ends inside
    them; a space after a token stays the token's `ws` unless a span starts or ends there,
    when it becomes a token of its own."""
    starts = {s.start for s in spans}
    ends = {s.end for s in spans}
    if base is None:
        base = _words(text)
    cuts = sorted(starts | ends)
    out: list[Token] = []
    j, n = 0, len(cuts)
    for start, end, ws in base:
        while j < n and cuts[j] <= start:
            j += 1
        while j < n and cuts[j] < end:
            out.append((start, cuts[j], False))
            start = cuts[j]
            j += 1
        if ws and (end in starts or end + 1 in ends):  # a span starts or ends with that space
            out += [(start, end, False), (end, end + 1, False)]
        else:
            out.append((start, end, ws))
    return out


def _words(text: str) -> list[Token]:
    """Words, punctuation, and whitespace runs; one space after a token is its `ws`."""
    return [(m.start(), m.end(1), bool(m.group(2))) if m.group(1) is not None
            else (m.start(), m.end(), False) for m in _TOKEN.finditer(text)]
