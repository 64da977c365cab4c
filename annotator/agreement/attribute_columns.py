"""Attribute agreement of a batch, column-wise (docs/agreement.md, "Attribute agreement"): each
span that another annotator marked identically gets a row of value numbers, one column per
(label, attribute), -1 where it has no value; pairs and α are then counted over those rows.
The values themselves come from `attribute_values.py`."""

from __future__ import annotations

import numpy as np

from annotator.agreement.attribute_values import AttributeValues
from annotator.agreement.attributes import MISSING, AttributeTally
from annotator.agreement.columns import BatchSpans, Ints
from annotator.agreement.span_matches import SpanMatches
from annotator.agreement.tokens import Coincidence
from annotator.store.agreement_reads import DocumentBatch


class AttributeColumns:
    """Adds batches to an AttributeTally."""

    def __init__(self, tally: AttributeTally) -> None:
        self.tally = tally
        self.values = AttributeValues()

    def add(self, b: BatchSpans, matches: SpanMatches, batch: DocumentBatch, labels: list[str],
            span_typed: list[frozenset[tuple[str, str]]], pair_names: list[tuple[str, str]],
            pair_of: Ints) -> None:
        """pair_of: each doc pair's number in pair_names."""
        left, right = matches.shared
        if not len(left):
            return
        shared = matches.order[matches.group_size[matches.group] >= 2]
        values = self.values.table(b, shared, batch, labels, span_typed)
        if values is None:
            return
        table, known = values
        x, y = table[left], table[right]
        either = (x >= 0) | (y >= 0)
        pair = pair_of[b.doc_pair(left, right)]
        self._pairs(pair, either, either & (x == y), pair_names)
        # α: a unit per group of identical spans and attribute someone in it gave
        group = np.empty(len(b.row), np.int64)
        group[matches.order] = matches.group
        size = matches.group_size
        n_groups = len(size)
        given = _per_group(group[shared], table[shared] >= 0, n_groups) > 0
        same = _per_group(group[left], x == y, n_groups)
        units = np.flatnonzero(given.any(axis=1))
        names = {c: key for key, c in self.values.columns.items()}
        holders = shared[given[group[shared]].any(axis=1)]
        for c in np.flatnonzero(given.any(axis=0)).tolist():
            at = units[given[units, c]]
            tally = self.tally.alpha.setdefault(names[c], Coincidence())
            tally.n += int(size[at].sum())
            tally.diagonal += float((2 * same[at, c] / (size[at] - 1)).sum())
            rows = holders[given[group[holders], c]]
            said, times = np.unique(table[rows, c], return_counts=True)
            for v, t in zip(said.tolist(), times.tolist(), strict=True):
                tally.totals[MISSING if v < 0 else known[v]] += t

    def _pairs(self, pair: Ints, either: Ints, agree: Ints, pair_names: list[tuple[str, str]]
               ) -> None:
        width = either.shape[1]
        where = (pair[:, None] * width + np.arange(width)).ravel()
        size = len(pair_names) * width
        units = np.bincount(where, weights=either.ravel(), minlength=size).astype(np.int64)
        agreed = np.bincount(where, weights=agree.ravel(), minlength=size).astype(np.int64)
        names = {c: key for key, c in self.values.columns.items()}
        for k in np.flatnonzero(units).tolist():
            (label, name), (a, b) = names[k % width], pair_names[k // width]
            figures = self.tally.pair(label, name, a, b)
            figures.units += int(units[k])
            figures.agree += int(agreed[k])


def _per_group(group: Ints, flags: Ints, n_groups: int) -> Ints:
    """(groups x columns): how many of each group's rows have each flag."""
    width = flags.shape[1]
    where = (group[:, None] * width + np.arange(width)).ravel()
    return np.bincount(where, weights=flags.ravel(), minlength=n_groups * width
                       ).reshape(n_groups, width)
