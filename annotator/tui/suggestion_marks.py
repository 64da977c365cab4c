"""The suggestions one document view shows (annotator/suggestions.py finds them): kept in text
order, found by offset in log time, so drawing a line or moving to the next one does not grow
with the document."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from annotator.model import Span
from annotator.session import Spans
from annotator.suggestions import Found, Suggestion, at, offered, step


class SuggestionMarks:
    """What was found in the document, and what of it is offered now (not rejected, not
    overlapping a span of its label). A change to the spans re-decides only the suggestions
    around the ranges it touched (update), so an action costs the same on a 5 MB document."""

    def __init__(self) -> None:
        self.found = Found(())
        self.rejected: set[tuple[int, int, str]] = set()
        self.shown: list[Suggestion] = []
        self._hidden: set[tuple[int, int, str]] = set()  # found, not offered now
        self._found_starts: list[int] = []
        self._found_longest = 0
        self._starts: list[int] = []
        self._shown_ids: list[int] = []  # the index in found of each one shown
        self._longest = 0
        self.ready = False  # found for this document (a big one is searched in a thread)

    def set_found(self, found: Found, rejected: set[tuple[int, int, str]],
                  spans: Iterable[Span]) -> None:
        self.found, self.rejected, self.ready = found, rejected, True
        self._found_starts = [s.start for s in found.suggestions]
        self._found_longest = max((s.end - s.start for s in found.suggestions), default=0)
        offered_now = {s.key for s in offered(found.suggestions, spans, rejected)}
        self._hidden = {s.key for s in found.suggestions if s.key not in offered_now}
        self._show()

    def update(self, index: Spans, ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Spans changed on `ranges`: offer again, or no longer, the suggestions there (each
        put in or taken out of the list in place: no pass over the whole document). The
        ranges of the suggestions that came or went: what needs drawing again."""
        moved: list[tuple[int, int]] = []
        for start, end in ranges:
            lo = bisect_left(self._found_starts, start - self._found_longest)
            hi = bisect_right(self._found_starts, end)
            for n in range(lo, hi):
                s = self.found.suggestions[n]
                if s.end <= start:
                    continue
                covered = s.key in self.rejected or index.exact(s.start, s.end) is not None or any(
                    other.label == s.label for other in index.overlapping(s.start, s.end))
                if self._set_hidden(n, covered):
                    moved.append((s.start, s.end))
        return moved

    def reject(self, suggestion: Suggestion) -> None:
        self.rejected.add(suggestion.key)
        n = bisect_left(self._found_starts, suggestion.start)
        while n < len(self.found.suggestions) and self.found.suggestions[n].key != suggestion.key:
            n += 1
        if n < len(self.found.suggestions):
            self._set_hidden(n, True)

    def _set_hidden(self, n: int, hidden: bool) -> bool:
        """Take the n-th suggestion found out of the list shown, or put it back in its place;
        whether that changed anything."""
        s = self.found.suggestions[n]
        if (s.key in self._hidden) == hidden:
            return False
        i = bisect_left(self._shown_ids, n)
        if hidden:
            self._hidden.add(s.key)
            del self._shown_ids[i], self.shown[i], self._starts[i]
        else:
            self._hidden.discard(s.key)
            self._shown_ids.insert(i, n)
            self.shown.insert(i, s)
            self._starts.insert(i, s.start)
        return True

    def _show(self) -> None:
        hidden = self._hidden
        self._shown_ids = [n for n, s in enumerate(self.found.suggestions) if s.key not in hidden]
        self.shown = [self.found.suggestions[n] for n in self._shown_ids]
        self._starts = [s.start for s in self.shown]
        self._longest = self._found_longest  # an upper bound: enough to find a line's

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
