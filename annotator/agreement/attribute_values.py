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
        texts = [rows[r][6] for r in b.row[shared].tolist()]
        has = np.flatnonzero(np.fromiter((t is not None for t in texts), bool, len(texts)))
        if not has.size:
            return None
        at = shared[has]
        texts = [texts[i] for i in has.tolist()]
        lab = b.lab[at]
        referring = _referring(lab, b.doc[at], labels, span_typed)
        kind = np.empty(len(at), np.int64)
        for label in np.unique(lab[~referring]).tolist():
            here = np.flatnonzero((lab == label) & ~referring)
            kind[here] = self._cached(labels[label], [texts[i] for i in here.tolist()])
        extra: list[Values] = []
        ids: dict[str, int] | None = None  # span id -> row
        for i in np.flatnonzero(referring).tolist():
            if ids is None:
                ids = dict(zip([rows[r][2] for r in b.row.tolist()], range(len(b.row)),
                               strict=True))
            k = int(at[i])
            kind[i] = len(self._kinds) + len(extra)
            extra.append(self._values(labels[lab[i]], texts[i], span_typed[b.doc[k]],
                                      (b, k, ids)))
        return self._numbered(len(b.row), at, kind, self._kinds + extra)

    def _cached(self, label: str, texts: list[str]) -> list[int]:
        known = self._texts.setdefault(label, {})
        found = [known.get(t) for t in texts]
        for i, k in enumerate(found):
            if k is None:
                k = known.get(texts[i])
                if k is None:
                    k = known[texts[i]] = len(self._kinds)
                    self._kinds.append(self._values(label, texts[i], frozenset(), None))
                found[i] = k
        return found  # type: ignore[return-value]

    def _numbered(self, n_rows: int, at: Ints, kind: Ints, kinds: list[Values]
                  ) -> tuple[Ints, list[Any]]:
        used, local = np.unique(kind, return_inverse=True)
        number: dict[Any, int] = {}
        known: list[Any] = []
        values = np.full((len(used), len(self.columns)), -1, np.int64)
        for row, k in enumerate(used.tolist()):
            for c, v in kinds[k]:
                i = number.get(v)
                if i is None:
                    i = number[v] = len(known)
                    known.append(v)
                values[row, c] = i
        table = np.full((n_rows, len(self.columns)), -1, np.int64)
        table[at] = values[local]
        return table, known

    def _values(self, label: str, text: str, typed: Typed,
                where: tuple[BatchSpans, int, dict[str, int]] | None) -> Values:
        """The span's values; `where`: the batch, the span's row and every row by span id,
        to give a span-typed attribute the offsets of the span it names in the same set."""
        out = []
        for name, value in json.loads(text).items():
            if value is None:
                continue
            if where is not None and (label, name) in typed:
                b, k, ids = where
                r = ids.get(value) if isinstance(value, str) else None
                if r is None or b.set[r] != b.set[k]:
                    continue  # a dangling id (or another set's span) is no value
                out.append((self._column(label, name),
                            ("span", (int(b.start[r]), int(b.end[r])))))
            else:
                out.append((self._column(label, name), comparable(value)))
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
