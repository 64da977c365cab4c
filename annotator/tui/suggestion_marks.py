"""The suggestions one document view shows (annotator/suggestions.py finds them): kept in text
order, found by offset in log time, so drawing a line or moving to the next one does not grow
with the document."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from annotator.model import Span
from annotator.suggestions import Found, Suggestion, at, offered, step


class SuggestionMarks:
    """What was found in the document, and what of it is offered now (not rejected, not
    overlapping a span of its label): refilter() after every change to the spans."""

    def __init__(self) -> None:
        self.found = Found(())
        self.rejected: set[tuple[int, int, str]] = set()
        self.shown: list[Suggestion] = []
        self._starts: list[int] = []
        self._longest = 0
        self.ready = False  # found for this document (a big one is searched in a thread)

    def set_found(self, found: Found, rejected: set[tuple[int, int, str]],
                  spans: Iterable[Span]) -> None:
        self.found, self.rejected, self.ready = found, rejected, True
        self.refilter(spans)

    def refilter(self, spans: Iterable[Span]) -> None:
        self.shown = offered(self.found.suggestions, spans, self.rejected)
        self._starts = [s.start for s in self.shown]
        self._longest = max((s.end - s.start for s in self.shown), default=0)

    def reject(self, suggestion: Suggestion) -> None:
        self.rejected.add(suggestion.key)
        self.shown = [s for s in self.shown if s.key != suggestion.key]
        self._starts = [s.start for s in self.shown]

    def overlapping(self, start: int, end: int) -> list[Suggestion]:
        """The suggestions that overlap [start, end) (a screen line)."""
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_right(self._starts, end)
        return [s for s in self.shown[lo:hi] if s.end > start]

    def at(self, offset: int) -> Suggestion | None:
        return at(self.overlapping(offset, offset + 1), offset)

    def step(self, offset: int, delta: int) -> Suggestion | None:
        return step(self.shown, offset, delta)

    def __len__(self) -> int:
        return len(self.shown)
