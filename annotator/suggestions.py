"""Suggestions (docs/suggestions.md): spans offered to the annotator, never annotations until
accepted. Found from the figures numbers.py reads, the schema's `[[suggest]]` terms and
patterns, and pre-annotations imported as suggestions; those rejected by this annotator on
this document, and those overlapping a span of the same label, are left out.

The rules behind `a`, `r`, `A` (accept one, reject one, accept all) answer with a session
Outcome, as session.py's do; the screen only shows it."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from annotator import suggest_rules
from annotator.model import LabelSchema, Span
from annotator.numbers import find_numbers
from annotator.session import Outcome, Session, clip, refusal

ORIGIN = "suggested"
"""The origin of a span made by accepting a suggestion (model.Span.origin)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A span offered to the annotator: [start, end) with `label`; `attrs` are what an
    imported pre-annotation carried (a number's are read from its text when accepted);
    `source` says where it came from: "numbers", "schema" or "import"."""

    start: int
    end: int
    label: str
    source: str
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Found:
    """Every suggestion of a document (in order), and the problems met finding them."""

    suggestions: tuple[Suggestion, ...]
    problems: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def _numbers(text: str) -> tuple[tuple[int, int], ...]:
    """The figures of a text, remembered for the last few texts: a document opened again, or
    in a second pane, is not searched again (a 5 MB one took seconds; the text of a document
    never changes). Keyed by the text itself: the same document read anew is an equal
    string."""
    return tuple(find_numbers(text))


def find(text: str, schema: LabelSchema, imported: Iterable[Suggestion] = ()) -> Found:
    """Every candidate in `text`, before rejections and existing spans are taken out (the slow
    part: run it off the UI thread for a big document)."""
    found: list[Suggestion] = list(imported)
    problems: list[str] = []
    number = next((lab for lab in schema.labels if lab.kind == "number"), None)
    if schema.suggest_numbers and number is not None:
        found.extend(Suggestion(s, e, number.name, "numbers") for s, e in _numbers(text))
    for rule in schema.suggest:
        if schema.label(rule.label) is None:
            continue
        try:
            pattern = suggest_rules.compile_rule(rule)
            found.extend(Suggestion(s, e, rule.label, "schema")
                         for s, e in suggest_rules.matches(rule, pattern, text))
        except suggest_rules.RuleTimeout as err:
            problems.append(str(err))
    return Found(tuple(_ordered(found, len(text))), tuple(problems))


def _ordered(found: list[Suggestion], length: int) -> list[Suggestion]:
    """In text order; one per range and label (the first source wins), none overlapping an
    earlier one of the same label, none outside the text."""
    out: list[Suggestion] = []
    last_end: dict[str, int] = {}
    seen: set[tuple[int, int, str]] = set()
    for s in sorted(found, key=lambda s: (s.start, -s.end, s.label)):
        if s.key in seen or not 0 <= s.start < s.end <= length:
            continue
        if s.start < last_end.get(s.label, -1):
            continue
        seen.add(s.key)
        last_end[s.label] = s.end
        out.append(s)
    return out


def offered(found: Sequence[Suggestion], spans: Iterable[Span],
            rejected: set[tuple[int, int, str]]) -> list[Suggestion]:
    """The suggestions to show: not rejected, not on a range a span already has, not
    overlapping a span of their label."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    taken: set[tuple[int, int]] = set()
    for span in spans:
        ranges.setdefault(span.label, []).append((span.start, span.end))
        taken.add((span.start, span.end))
    reach = {label: _Reach(r) for label, r in ranges.items()}
    return [s for s in found if s.key not in rejected and (s.start, s.end) not in taken
            and not (s.label in reach and reach[s.label].overlaps(s.start, s.end))]


class _Reach:
    """Ranges of one label, to ask whether [start, end) overlaps any (log time each)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        ranges.sort()
        self.starts = [s for s, _ in ranges]
        self.furthest: list[int] = []  # the furthest end among ranges[: i + 1]
        for _, e in ranges:
            self.furthest.append(max(e, self.furthest[-1] if self.furthest else e))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)  # ranges[:i] start before `end`
        return i > 0 and self.furthest[i - 1] > start


def at(suggestions: Sequence[Suggestion], offset: int) -> Suggestion | None:
    """The suggestion under `offset` (the shortest, when two of different labels overlap)."""
    under = [s for s in suggestions if s.start <= offset < s.end]
    return min(under, key=lambda s: (s.end - s.start, s.label), default=None)


def step(suggestions: Sequence[Suggestion], offset: int, delta: int) -> Suggestion | None:
    """The next suggestion starting after `offset` (delta 1) or the previous one starting
    before it (delta -1)."""
    starts = [s.start for s in suggestions]
    if delta > 0:
        i = bisect_right(starts, offset)
        return suggestions[i] if i < len(suggestions) else None
    i = bisect_right(starts, offset - 1) - 1
    while i >= 0 and suggestions[i].start >= offset:
        i -= 1
    return suggestions[i] if i >= 0 else None


def _attrs(session: Session, text: str, s: Suggestion) -> dict[str, Any]:
    """What the accepted span carries: the import's attributes, or a number's reading."""
    return session.prefill(s.label, text[s.start : s.end], s.attrs)


def accept_rule(session: Session, doc_id: str, text: str, s: Suggestion | None) -> Outcome:
    if s is None:
        return refusal("no suggestion under the cursor (f / F go to the next / previous)", 2)
    return session.do(f"accepted {s.label} “{clip(text[s.start : s.end], 30)}”",
                      session.store.add_spans, session.annotator, doc_id,
                      [(s.start, s.end, s.label, _attrs(session, text, s))], ORIGIN,
                      "accept_suggestion")


def accept_all_rule(session: Session, doc_id: str, text: str,
                    suggestions: Sequence[Suggestion]) -> Outcome:
    """Accept every suggestion shown in the document, as one action (one undo). Of two that
    overlap with different labels, both are taken: they are different readings."""
    if not suggestions:
        return refusal("no suggestions in this document", 2)
    n = len(suggestions)
    return session.do(f"accepted {n} suggestion{'s' if n != 1 else ''} (u undoes them all)",
                      session.store.add_spans, session.annotator, doc_id,
                      [(s.start, s.end, s.label, _attrs(session, text, s)) for s in suggestions],
                      ORIGIN, "accept_all_suggestions")


def reject_rule(session: Session, doc_id: str, text: str, s: Suggestion | None) -> Outcome:
    if s is None:
        return refusal("no suggestion under the cursor (f / F go to the next / previous)", 2)
    if session.read_only:
        return refusal("read-only: nothing is saved", bell=True)
    session.store.reject_suggestion(session.annotator, doc_id, s.start, s.end, s.label)
    return Outcome(f"rejected {s.label} “{clip(text[s.start : s.end], 30)}” (not offered again)")
