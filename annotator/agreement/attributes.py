"""Attribute agreement: on spans two annotators marked identically (same start, end, label),
do they agree on what the span says (a NUMBER's value, unit and qualifier; a CLAIM's speaker,
stance and certainty)? A span-typed attribute (a claim's speaker) is compared by the offsets of
the span it points to: span ids differ between annotators."""

from __future__ import annotations

import json
from collections import Counter
from itertools import chain, combinations
from typing import Any

from annotator.agreement.figures import AttributeFigures, AttributePair
from annotator.agreement.sets import DocumentSets, SetSpan, span_key
from annotator.agreement.tokens import Coincidence

MISSING = ("missing",)  # the annotator has the span but not this attribute: a value of its own
CACHE_SIZE = 2_000
Parsed = dict[tuple[str, str, frozenset[tuple[str, str]]], dict[str, Any] | None]
SpanKey = tuple[int, int, str]
_NONE: dict[str, Any] = {}  # a span with no attributes (shared, never written to)


def comparable(value: Any) -> Any:
    """A hashable form in which equal values are equal (38 == 38.0) and others are not."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, str):
        return ("text", value)
    return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False))


class AttributeTally:
    """Sums over documents, per (label, attribute): per pair units/agreements, and α."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str, str, str], AttributePair] = {}
        self.alpha: dict[tuple[str, str], Coincidence] = {}
        self._parsed: Parsed = {}  # most attribute sets repeat: parse each JSON text once

    def add(self, doc: DocumentSets, span_typed: frozenset[tuple[str, str]]) -> None:
        counts = Counter(map(span_key, chain.from_iterable(doc.sets.values())))
        shared = {key for key, m in counts.items() if m > 1}
        if not shared:
            return
        names = doc.annotators
        values = {who: _values(doc.sets[who], shared, span_typed, self._parsed)
                  for who in names}
        pairs = self.pairs
        for key, m in counts.items():
            if m < 2:
                continue
            label = key[2]
            holders = [(who, values[who][key]) for who in names if key in values[who]]
            for (a, xa), (b, xb) in combinations(holders, 2):
                same = xa is xb  # one parsed dict: the same attribute text on both sides
                for name in xa if same else xa.keys() | xb.keys():
                    pair = pairs.get((label, name, a, b))
                    if pair is None:
                        pair = pairs[(label, name, a, b)] = AttributePair(a, b)
                    pair.units += 1
                    pair.agree += same or xa.get(name, MISSING) == xb.get(name, MISSING)
            given = {n for _, h in holders for n in h}
            for name in given:
                tally = self.alpha.get((label, name))
                if tally is None:
                    tally = self.alpha[(label, name)] = Coincidence()
                said = [h.get(name, MISSING) for _, h in holders]
                if said.count(said[0]) == m:  # all the same: m coincidences of one value
                    tally.n += m
                    tally.diagonal += m
                    tally.totals[said[0]] += m
                else:
                    tally.unit(Counter(said), m)

    def pair(self, label: str, name: str, a: str, b: str) -> AttributePair:
        found = self.pairs.get((label, name, a, b))
        if found is None:
            found = self.pairs[(label, name, a, b)] = AttributePair(a, b)
        return found

    def figures(self, pairs: list[tuple[str, str]]) -> dict[str, AttributeFigures]:
        out = {}
        for label, name in sorted(self.alpha):
            out[f"{label}.{name}"] = AttributeFigures(
                label, name,
                [self.pairs.get((label, name, a, b)) or AttributePair(a, b) for a, b in pairs],
                self.alpha[(label, name)].alpha())
        return out


def _values(spans: list[SetSpan], shared: set[SpanKey],
            span_typed: frozenset[tuple[str, str]], parsed: Parsed
            ) -> dict[SpanKey, dict[str, Any]]:
    """The attributes with a value of each span another set has too, comparable between
    annotators (JSON is parsed only for those)."""
    where = {s.id: (s.start, s.end) for s in spans} if span_typed else {}
    out: dict[SpanKey, dict[str, Any]] = {}
    for s in spans:
        if (s.start, s.end, s.label) not in shared:
            continue
        if s.attrs == "{}":
            out[(s.start, s.end, s.label)] = _NONE
            continue
        cache_key = (s.label, s.attrs, span_typed)
        if cache_key in parsed:
            kept = parsed[cache_key]
            if kept is not None:
                out[(s.start, s.end, s.label)] = kept
                continue
        kept = {}
        span_valued = False
        for name, value in json.loads(s.attrs).items():
            if value is None:
                continue
            if (s.label, name) in span_typed:
                # the offsets of the span it points to; a dangling id is no value
                span_valued = True
                if value not in where:
                    continue
                kept[name] = ("span", where[value])
            else:
                kept[name] = comparable(value)
        out[(s.start, s.end, s.label)] = kept
        if len(parsed) > CACHE_SIZE:
            parsed.clear()
        parsed[cache_key] = None if span_valued else kept  # a span reference is per set
    return out
