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
Where = tuple[int, dict[str, int], list[int], list[int], list[int]]


class AttributeValues:
    """Columns and the kinds of values seen so far."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, str], int] = {}
        self._kinds: list[Values] = []
        self._texts: dict[str, dict[str, int]] = {}  # label -> attribute text -> kind
        self._specs: dict[tuple[str, Typed], dict[str, tuple[int, bool]]] = {}

    def table(self, b: BatchSpans, shared: Ints, batch: DocumentBatch, labels: list[str],
              span_typed: list[Typed]) -> tuple[Ints, list[Any]] | None:
        """(rows x columns) value numbers of the `shared` rows (-1: no value) and the values
        by number; None when none of them has an attribute."""
        if len(self._kinds) > CACHE_SIZE:
            self._kinds, self._texts = [], {}
        rows = batch.spans
        every = np.array(list(map(itemgetter(6), rows)), object)  # attributes, None for {}
        at = shared[every[b.row[shared]] != None]  # noqa: E711 (element-wise)
        if not at.size:
            return None
        texts = every[b.row[at]].tolist()
        lab = b.lab[at]
        referring = _referring(lab, b.doc[at], labels, span_typed)
        kind = np.empty(len(at), np.int64)
        for label in np.unique(lab[~referring]).tolist():
            here = np.flatnonzero((lab == label) & ~referring)
            kind[here] = self._cached(labels[label], [texts[i] for i in here.tolist()])
        extra: list[Values] = []
        referrers = np.flatnonzero(referring)
        if referrers.size:
            # every span by id: its row here (-1: not compared) and that row's set and offsets
            # as Python ints (read span by span)
            kept = np.full(len(rows), -1, np.int64)
            kept[b.row] = np.arange(len(b.row))
            where = (dict(zip(map(itemgetter(2), rows), kept.tolist(), strict=True)),
                     [*b.set.tolist(), -1], b.start.tolist(), b.end.tolist())
            kind[referrers] = np.arange(len(referrers)) + len(self._kinds)
            order = referrers.tolist()
            parsed = json.loads(f"[{','.join([texts[i] for i in order])}]")  # one call
            for attrs, k, label in zip(parsed, at[referrers].tolist(), lab[referrers].tolist(),
                                       strict=True):
                extra.append(self._values(labels[label], attrs, span_typed[b.doc[k]],
                                          (k, *where)))
        return self._numbered(len(b.row), at, kind, self._kinds + extra)

    def _cached(self, label: str, texts: list[str]) -> list[int]:
        known = self._texts.setdefault(label, {})
        found = [known.get(t) for t in texts]
        for i, k in enumerate(found):
            if k is None:
                k = known.get(texts[i])
                if k is None:
                    k = known[texts[i]] = len(self._kinds)
                    self._kinds.append(self._values(label, json.loads(texts[i]), frozenset(),
                                                    None))
                found[i] = k
        return found  # type: ignore[return-value]

    def _numbered(self, n_rows: int, at: Ints, kind: Ints, kinds: list[Values]
                  ) -> tuple[Ints, list[Any]]:
        used, local = np.unique(kind, return_inverse=True)
        number: dict[Any, int] = {}
        known: list[Any] = []
        width = len(self.columns)
        cells = [-1] * (len(used) * width)  # a list first: numpy's item setting is slow
        for row, k in enumerate(used.tolist()):
            for c, v in kinds[k]:
                i = number.get(v)
                if i is None:
                    i = number[v] = len(known)
                    known.append(v)
                cells[row * width + c] = i
        values = np.array(cells, np.int64).reshape(len(used), width)
        table = np.full((n_rows, len(self.columns)), -1, np.int64)
        table[at] = values[local]
        return table, known

    def _values(self, label: str, attrs: dict[str, Any], typed: Typed, where: Where | None
                ) -> Values:
        """The span's values; `where`: the span's row, every row by span id, and the rows'
        sets, starts and ends, to give a span-typed attribute the offsets of the span it
        names in the span's own set."""
        spec = self._specs.get((label, typed))
        if spec is None:
            spec = self._specs[(label, typed)] = {}
        out: list[tuple[int, Any]] = []
        for name, value in attrs.items():
            if value is None:
                continue
            found = spec.get(name)
            if found is None:  # its column, and whether it names a span
                found = spec[name] = (self._column(label, name), (label, name) in typed)
            if where is not None and found[1]:
                k, ids, sets, starts, ends = where
                r = ids.get(value) if isinstance(value, str) else None
                if r is None or sets[r] != sets[k]:
                    continue  # a dangling id (or another set's span) is no value
                out.append((found[0], ("span", (starts[r], ends[r]))))
            else:
                out.append((found[0], ("text", value) if type(value) is str
                            else comparable(value)))
        return tuple(out)

    def _column(self, label: str, name: str) -> int:
        return self.columns.setdefault((label, name), len(self.columns))


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
