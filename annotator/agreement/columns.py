"""A batch of documents' spans as numpy columns (docs/agreement.md, "What is compared"): each
kept span's document, annotator slot, offsets and label, duplicates in a set dropped, and the
spans two annotators share exactly. Work is done for all documents of the batch at once."""

from __future__ import annotations

from itertools import combinations
from operator import itemgetter
from typing import Any

import numpy as np

from annotator.store.agreement_reads import DocumentBatch

Ints = Any  # a numpy array of int64


class Labels:
    """Label names seen so far, each numbered in the order it was first seen."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def ids(self, labels: list[str]) -> Ints:
        for name in sorted(set(labels) - self.index.keys()):
            self.index[name] = len(self.names)
            self.names.append(name)
        return np.fromiter(map(self.index.__getitem__, labels), np.int64, len(labels))


def expand(first: Ints, count: Ints) -> tuple[Ints, Ints]:
    """(owner, value) for each owner k and value in first[k] .. first[k] + count[k] - 1."""
    owner = np.repeat(np.arange(len(count)), count)
    ends = np.cumsum(count)
    return owner, first[owner] + np.arange(ends[-1] if len(ends) else 0) - (ends - count)[owner]


def forward_pairs(stop: Ints) -> tuple[Ints, Ints]:
    """Every (p, r) with p < r < stop[p]: the pairs of positions within sorted runs."""
    here = np.arange(len(stop))
    return expand(here + 1, np.maximum(stop - here - 1, 0))


def pair_index(i: Ints, j: Ints, m: Ints) -> Ints:
    """The position of annotator pair (i, j), i < j, in combinations(range(m), 2)."""
    return i * (2 * m - i - 1) // 2 + (j - i - 1)


class BatchSpans:
    """The compared spans of a batch, in set order (document, annotator, start, end, label),
    and the annotator pairs of each document ("doc pairs", numbered from 0 in the batch)."""

    def __init__(self, batch: DocumentBatch, labels: Labels, label: str | None) -> None:
        docs = batch.documents
        self.docs = docs
        self.m = np.array([len(d.annotators) for d in docs], np.int64)
        set_of: dict[tuple[str, str], int] = {}
        for doc in docs:
            for who in doc.annotators:
                set_of[(doc.id, who)] = len(set_of)
        self.set_base = np.concatenate(([0], np.cumsum(self.m)))
        self.pair_base = np.concatenate(([0], np.cumsum(self.m * (self.m - 1) // 2)))
        pairs = np.array([(d, i, j) for d, doc in enumerate(docs)
                          for i, j in combinations(range(len(doc.annotators)), 2)],
                         np.int64).reshape(-1, 3)
        self.pair_doc, self.pair_i, self.pair_j = pairs[:, 0], pairs[:, 1], pairs[:, 2]
        rows = batch.spans
        n = len(rows)
        # column by column (itemgetter: C speed), not zip(*rows): half the time
        sets = np.repeat(np.array([set_of.get((d, who), -1) for d, who, _ in batch.runs],
                                  np.int64), [c for _, _, c in batch.runs])
        lab = labels.ids(list(map(itemgetter(3), rows)))
        keep = sets >= 0
        if label is not None:
            keep &= lab == labels.index.get(label, -1)
        kept = np.flatnonzero(keep)
        start = np.fromiter(map(itemgetter(1), rows), np.int64, n)[kept]
        end = np.fromiter(map(itemgetter(2), rows), np.int64, n)[kept]
        lab, sets = lab[kept], sets[kept]
        same = ((sets[1:] == sets[:-1]) & (start[1:] == start[:-1]) & (end[1:] == end[:-1])
                & (lab[1:] == lab[:-1]))
        if same.any():  # a set's duplicates: the one with the smallest id is kept
            drop = _duplicates(np.flatnonzero(same) + 1, [rows[k][0] for k in kept])
            alive = np.ones(len(kept), bool)
            alive[drop] = False
            kept, start, end, lab, sets = (a[alive] for a in (kept, start, end, lab, sets))
        self.row = kept  # index into batch.spans
        self.start, self.end, self.lab, self.set = start, end, lab, sets
        self.doc = np.repeat(np.arange(len(docs)), self.m)[sets]
        self.slot = sets - self.set_base[self.doc]
        self.n_labels = len(labels.names)

    def exact_groups(self) -> tuple[Ints, Ints, Ints]:
        """(order, group, size): rows by (document, start, end, label, annotator), each one's
        group of identical spans (numbered in that order) and the group's size."""
        order = sorted_by((self.doc, self.start, self.end, self.lab, self.slot))
        d, s, e, b = (a[order] for a in (self.doc, self.start, self.end, self.lab))
        new = np.ones(len(order), bool)
        new[1:] = (d[1:] != d[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1]) | (b[1:] != b[:-1])
        group = np.cumsum(new) - 1
        firsts = np.flatnonzero(new)
        size = np.diff(np.append(firsts, len(order)))
        return order, group, size

    def doc_pair(self, left: Ints, right: Ints) -> Ints:
        """The doc pair of rows `left` and `right` (same document, left's annotator first)."""
        d = self.doc[left]
        return self.pair_base[d] + pair_index(self.slot[left], self.slot[right], self.m[d])


def sorted_by(keys: tuple[Ints, ...]) -> Ints:
    """The order that sorts rows by `keys` (non-negative; the first the most significant):
    one argsort of the keys packed into an int64 when they fit, else np.lexsort."""
    packed = np.zeros(len(keys[0]), np.int64)
    room = 1
    for key in keys:
        span = int(key.max()) + 1 if len(key) else 1
        room *= span
        if room >= 1 << 62:
            return np.lexsort(keys[::-1])
        packed = packed * span + key
    return np.argsort(packed, kind="stable")


def _duplicates(repeats: Ints, ids: list[str]) -> list[int]:
    """Positions to drop: in each run of equal spans (`repeats`: the positions equal to the
    one before), all but the one with the smallest id."""
    drop: list[int] = []
    best = prev = -2
    for p in repeats.tolist():
        if p != prev + 1:
            best = p - 1
        if ids[p] < ids[best]:
            drop.append(best)
            best = p
        else:
            drop.append(p)
        prev = p
    return drop
