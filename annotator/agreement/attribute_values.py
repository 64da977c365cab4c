"""The attribute values of a batch's shared spans as a table of numbers, one column per
(label, attribute), for `attribute_columns.py` to count (docs/agreement.md, "Attribute
agreement"). Values are compared as `attributes.comparable` makes them; an attribute set to
null is no value.

Most attribute texts repeat (the same NUMBER on every annotator's copy of a span), so a text
is parsed once per label and its values numbered as a "kind". A span-typed attribute (a
claim's speaker) names a span by id, and ids differ between sets: it is compared by the
offsets of the span it names in the span's own set, so labels with one are read span by span.
"""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any

import numpy as np

from annotator.agreement.attributes import comparable
from annotator.agreement.columns import BatchSpans, Ints
from annotator.store.agreement_reads import DocumentBatch

CACHE_SIZE = 2_000  # kinds kept between batches
Values = tuple[tuple[int, Any], ...]  # (column, comparable value)
Typed = frozenset[tuple[str, str]]  # a schema's span-typed (label, attribute) pairs


class AttributeValues:
    """Columns and the kinds of values seen so far."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, str], int] = {}
        self._kinds: list[Values] = []
        self._texts: dict[str, dict[str, int]] = {}  # label -> attribute text -> kind

    def table(self, b: BatchSpans, shared: Ints, batch: DocumentBatch, labels: list[str],
              span_typed: list[Typed]) -> tuple[Ints, list[Any]] | None:
        """(rows x columns) value numbers of the `shared` rows (-1: no value) and the values
        by number; None when none of them has an attribute."""
        if len(self._kinds) > CACHE_SIZE:
            self._kinds, self._texts = [], {}
        rows = batch.spans
        every = np.array(list(map(itemgetter(4), rows)), object)  # attributes, None for {}
        at = shared[every[b.row[shared]] != None]  # noqa: E711 (element-wise)
        if not at.size:
            return None
        texts = every[b.row[at]].tolist()
        lab = b.lab[at]
        referring = _referring(lab, b.doc[at], labels, span_typed)
        number: dict[Any, int] = {}  # each value's number (in order: list(number))
        plain = np.flatnonzero(~referring)
        kinds = self._cached_kinds(lab[plain], [texts[i] for i in plain.tolist()], labels)
        fills = self._naming(b, batch, at, lab, texts, np.flatnonzero(referring), labels,
                             span_typed, number)
        width = len(self.columns)
        table = np.full((len(b.row), width), -1, np.int64)
        if plain.size:
            used, local = np.unique(kinds, return_inverse=True)
            values = self._numbered([self._kinds[k] for k in used.tolist()], width, number)
            table[at[plain]] = values[local]
        for rows_at, c, numbers in fills:
            table[rows_at, c] = numbers
        return table, list(number)

    def _cached_kinds(self, lab: Ints, texts: list[str], labels: list[str]) -> Ints:
        kind = np.empty(len(lab), np.int64)
        for label in np.unique(lab).tolist():
            here = np.flatnonzero(lab == label)
            kind[here] = self._cached(labels[label], [texts[i] for i in here.tolist()])
        return kind

    def _naming(self, b: BatchSpans, batch: DocumentBatch, at: Ints, lab: Ints,
                texts: list[str], referrers: Ints, labels: list[str], span_typed: list[Typed],
                number: dict[Any, int]) -> list[tuple[Ints, int, Ints]]:
        """(rows, column, value numbers) of the spans whose label has a span-typed attribute,
        read column by column: every span's JSON in one json.loads, then each attribute."""
        if not referrers.size:
            return []
        parsed = json.loads(f"[{','.join([texts[i] for i in referrers.tolist()])}]")
        schema = np.array([id(t) for t in span_typed], np.int64)[b.doc[at[referrers]]]
        typed_of = {id(t): t for t in span_typed}
        where = _Named(b, batch)
        fills = []
        for label, ref in set(zip(lab[referrers].tolist(), schema.tolist(), strict=True)):
            sel = np.flatnonzero((lab[referrers] == label) & (schema == ref))
            fills += self._columns_of(labels[label], typed_of[ref],
                                      [parsed[i] for i in sel.tolist()],
                                      at[referrers[sel]], where, number)
        return fills

    def _columns_of(self, label: str, typed: Typed, parsed: list[dict[str, Any]], at: Ints,
                    where: _Named, number: dict[Any, int]) -> list[tuple[Ints, int, Ints]]:
        out = []
        for name in sorted(set().union(*parsed)):
            got = [d.get(name) for d in parsed]
            values: list[Any]
            if (label, name) in typed:  # the offsets of the span named, in the same set
                given, values = where.offsets(got, at)
            else:
                values = [None if v is None else ("text", v) if type(v) is str
                          else comparable(v) for v in got]
                given = [i for i, v in enumerate(values) if v is not None]
                values = [values[i] for i in given]
            out.append((at[given], self._column(label, name),
                        np.array([number.setdefault(v, len(number)) for v in values], np.int64)))
        return out

    def _cached(self, label: str, texts: list[str]) -> list[int]:
        known = self._texts.setdefault(label, {})
        found = [known.get(t) for t in texts]
        for i, k in enumerate(found):
            if k is None:
                k = known.get(texts[i])
                if k is None:
                    k = known[texts[i]] = len(self._kinds)
                    self._kinds.append(self._values(label, json.loads(texts[i])))
                found[i] = k
        return found  # type: ignore[return-value]

    def _numbered(self, kinds: list[Values], width: int, number: dict[Any, int]) -> Ints:
        """(kinds x columns): each kind's value numbers, -1 where it has no value."""
        cells = [-1] * (len(kinds) * width)  # a list first: numpy's item setting is slow
        for row, values in enumerate(kinds):
            for c, v in values:
                cells[row * width + c] = number.setdefault(v, len(number))
        return np.array(cells, np.int64).reshape(len(kinds), width)

    def _values(self, label: str, attrs: dict[str, Any]) -> Values:
        """The values of a span whose label has no span-typed attribute."""
        out: list[tuple[int, Any]] = []
        for name, value in attrs.items():
            if value is not None:
                out.append((self._column(label, name), comparable(value)))
        return tuple(out)

    def _column(self, label: str, name: str) -> int:
        return self.columns.setdefault((label, name), len(self.columns))


class _Named:
    """The spans a batch's span-typed attributes name, found by id."""

    def __init__(self, b: BatchSpans, batch: DocumentBatch) -> None:
        self.b, self.rows = b, batch.spans
        self._index: dict[str, int] | None = None

    def offsets(self, ids: list[Any], at: Ints) -> tuple[list[int], list[tuple[str, Any]]]:
        """Of the spans at rows `at` naming `ids`: the positions of those whose id is a
        compared span of the same set, and ("span", (start, end)) of the span each names."""
        if self._index is None:  # span id -> batch row, built in C (zip, map, dict)
            self._index = dict(zip(map(itemgetter(0), self.rows), range(len(self.rows)),
                                   strict=True))
        found = self._index
        kept = np.full(len(self.rows) + 1, -1, np.int64)  # batch row -> compared row
        kept[self.b.row] = np.arange(len(self.b.row))
        row = kept[[found.get(v, -1) if isinstance(v, str) else -1 for v in ids]]
        ok = (row >= 0) & (self.b.set[row] == self.b.set[at])
        given = np.flatnonzero(ok)
        return given.tolist(), [("span", se) for se in zip(
            self.b.start[row[given]].tolist(), self.b.end[row[given]].tolist(), strict=True)]


def _referring(lab: Ints, doc: Ints, labels: list[str], span_typed: list[Typed]) -> Ints:
    """Whether each row's label has a span-typed attribute in its document's schema."""
    schemas: dict[Typed, int] = {}
    which = np.array([schemas.setdefault(t, len(schemas)) for t in span_typed], np.int64)
    out = np.zeros(len(lab), bool)
    for typed, k in schemas.items():
        names = {x for x, _ in typed}
        ids = [i for i, name in enumerate(labels) if name in names]
        if ids:
            out |= (which[doc] == k) & np.isin(lab, ids)
    return out
