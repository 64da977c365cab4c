"""An index of one document's spans: by offset block for drawing, sorted for navigation.

Every lookup a keystroke makes is O(log n) or touches only the spans near an offset, so the
cost of a keystroke does not grow with the number of spans or the length of the document.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable

from annotator.model import Span

BLOCK = 128  # offsets per bucket


class SpanIndex:
    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._by_id: dict[str, Span] = {}
        self._blocks: dict[int, list[str]] = {}
        self._sorted: list[tuple[int, int, str, str]] = []  # (start, end, label, id)
        self.counts: Counter[str] = Counter()
        for span in spans:
            self._add(span)
        self._sorted.sort()

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, span_id: str) -> bool:
        return span_id in self._by_id

    def get(self, span_id: str) -> Span | None:
        return self._by_id.get(span_id)

    def _add(self, span: Span) -> None:
        self._by_id[span.id] = span
        for b in range(span.start // BLOCK, (span.end - 1) // BLOCK + 1):
            self._blocks.setdefault(b, []).append(span.id)
        self._sorted.append((span.start, span.end, span.label, span.id))
        self.counts[span.label] += 1

    def add(self, span: Span) -> None:
        if span.id in self._by_id:
            self.remove(span.id)
        self._by_id[span.id] = span
        for b in range(span.start // BLOCK, (span.end - 1) // BLOCK + 1):
            self._blocks.setdefault(b, []).append(span.id)
        insort(self._sorted, (span.start, span.end, span.label, span.id))
        self.counts[span.label] += 1

    def remove(self, span_id: str) -> Span | None:
        span = self._by_id.pop(span_id, None)
        if span is None:
            return None
        for b in range(span.start // BLOCK, (span.end - 1) // BLOCK + 1):
            ids = self._blocks.get(b)
            if ids is not None:
                ids.remove(span_id)
                if not ids:
                    del self._blocks[b]
        key = (span.start, span.end, span.label, span.id)
        i = bisect_left(self._sorted, key)
        if i < len(self._sorted) and self._sorted[i] == key:
            del self._sorted[i]
        self.counts[span.label] -= 1
        if not self.counts[span.label]:
            del self.counts[span.label]
        return span

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Spans sharing at least one offset with [start, end)."""
        seen: set[str] = set()
        out: list[Span] = []
        for b in range(start // BLOCK, max(start, end - 1) // BLOCK + 1):
            for span_id in self._blocks.get(b, ()):
                if span_id in seen:
                    continue
                seen.add(span_id)
                span = self._by_id[span_id]
                if span.start < end and span.end > start:
                    out.append(span)
        return out

    def at(self, offset: int) -> list[Span]:
        """Spans containing offset, innermost (shortest) first."""
        found = self.overlapping(offset, offset + 1)
        found.sort(key=lambda s: (s.end - s.start, s.start, s.label))
        return found

    def innermost(self, offset: int) -> Span | None:
        found = self.at(offset)
        return found[0] if found else None

    def exact(self, start: int, end: int, label: str | None = None) -> Span | None:
        for span in self.overlapping(start, end):
            if span.start == start and span.end == end and (label is None or span.label == label):
                return span
        return None

    def next_after(self, offset: int) -> Span | None:
        i = bisect_right(self._sorted, (offset, float("inf")))
        return self._by_id[self._sorted[i][3]] if i < len(self._sorted) else None

    def prev_before(self, offset: int) -> Span | None:
        i = bisect_left(self._sorted, (offset,))
        return self._by_id[self._sorted[i - 1][3]] if i > 0 else None

    def position(self, span_id: str) -> int | None:
        """Row of a span in document order."""
        span = self._by_id.get(span_id)
        if span is None:
            return None
        i = bisect_left(self._sorted, (span.start, span.end, span.label, span.id))
        return i

    def row(self, i: int) -> Span:
        return self._by_id[self._sorted[i][3]]

    def spans(self) -> list[Span]:
        return [self._by_id[t[3]] for t in self._sorted]
