"""Attribute agreement of a batch, column-wise (docs/agreement.md, "Attribute agreement"): each
span that another annotator marked identically gets a row of value numbers, one column per
(label, attribute), -1 where it has no value; pairs and α are then counted over those rows.
The values themselves come from `attribute_values.py`."""

from __future__ import annotations

from typing import Any

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
        holds = (table >= 0).any(axis=1)
        group = np.empty(len(b.row), np.int64)
        group[matches.order] = matches.group
        held = np.zeros(len(matches.group_size), bool)
        held[group[shared[holds[shared]]]] = True
        shared = shared[held[group[shared]]]  # groups where someone gave an attribute
        useful = held[group[left]]
        left, right = left[useful], right[useful]
        pair = pair_of[b.doc_pair(left, right)]
        columns: dict[str, list[tuple[int, str]]] = {}
        for (label, name), c in self.values.columns.items():
            columns.setdefault(label, []).append((c, name))
        for lab in np.unique(b.lab[shared]).tolist():
            cols, names = zip(*columns[labels[lab]], strict=True)
            at = np.flatnonzero(b.lab[left] == lab)
            x = table[np.ix_(left[at], cols)]
            y = table[np.ix_(right[at], cols)]
            either = (x >= 0) | (y >= 0)
            self._pairs(pair[at], either, either & (x == y), labels[lab], names, pair_names)
            rows = shared[b.lab[shared] == lab]
            self._alpha(labels[lab], names, table[np.ix_(rows, cols)], group[rows],
                        group[left[at]], x == y, matches.group_size, known)

    def _alpha(self, label: str, names: tuple[str, ...], table: Ints, group: Ints,
               pair_group: Ints, same: Ints, size: Ints, known: list[Any]) -> None:
        """α's sums: a unit per group of identical spans and attribute someone in it gave;
        `table` the value numbers of the groups' rows, `same` whether each pair's agree."""
        ids, local = np.unique(group, return_inverse=True)
        given = _per_group(local, table >= 0, len(ids)) > 0
        agree = _per_group(np.searchsorted(ids, pair_group), same, len(ids))
        size = size[ids]
        for c in np.flatnonzero(given.any(axis=0)).tolist():
            units = np.flatnonzero(given[:, c])
            tally = self.tally.alpha.setdefault((label, names[c]), Coincidence())
            tally.n += int(size[units].sum())
            tally.diagonal += float((2 * agree[units, c] / (size[units] - 1)).sum())
            said, times = np.unique(table[given[local, c], c], return_counts=True)
            for v, t in zip(said.tolist(), times.tolist(), strict=True):
                tally.totals[MISSING if v < 0 else known[v]] += t

    def _pairs(self, pair: Ints, either: Ints, agree: Ints, label: str, names: tuple[str, ...],
               pair_names: list[tuple[str, str]]) -> None:
        width = either.shape[1]
        where = (pair[:, None] * width + np.arange(width)).ravel()
        size = len(pair_names) * width
        units = np.bincount(where, weights=either.ravel(), minlength=size).astype(np.int64)
        agreed = np.bincount(where, weights=agree.ravel(), minlength=size).astype(np.int64)
        for k in np.flatnonzero(units).tolist():
            a, b = pair_names[k // width]
            figures = self.tally.pair(label, names[k % width], a, b)
            figures.units += int(units[k])
            figures.agree += int(agreed[k])


def _per_group(group: Ints, flags: Ints, n_groups: int) -> Ints:
    """(groups x columns): how many of each group's rows have each flag."""
    width = flags.shape[1]
    where = (group[:, None] * width + np.arange(width)).ravel()
    return np.bincount(where, weights=flags.ravel(), minlength=n_groups * width
                       ).reshape(n_groups, width)
