"""Span matches of a batch, per doc pair and label (docs/agreement.md, "Span agreement"):
exact tp, overlap tp and each side's spans, counted column-wise for every document at once.

Overlap: a maximum matching per pair, one to one. Most overlaps are one span against one:
those edges are counted as they are; only the spans that overlap more than one span of the
other annotator go through `max_matching` (the Hungarian algorithm), a component at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotator.agreement.columns import BatchSpans, Ints, forward_pairs
from annotator.agreement.matching import max_matching


@dataclass(slots=True)
class SpanMatches:
    """(doc pairs x labels) counts, and the exactly shared spans."""

    exact: Ints
    overlap: Ints
    size_a: Ints
    size_b: Ints
    order: Ints  # rows by (document, start, end, label, annotator)
    group: Ints  # each sorted row's group of identical spans
    group_size: Ints
    shared: tuple[Ints, Ints]  # each exact match: (row of A, row of B)


def span_matches(b: BatchSpans) -> SpanMatches:
    n_labels = b.n_labels
    n_sets = int(b.set_base[-1])
    sizes = np.bincount(b.set * n_labels + b.lab, minlength=n_sets * n_labels)
    sizes = sizes.reshape(n_sets, n_labels)
    first_set = b.set_base[b.pair_doc]
    order, group, group_size = b.exact_groups()
    left, right = (order[k] for k in forward_pairs(np.cumsum(group_size)[group]))
    exact = _per_pair(b, b.doc_pair(left, right), b.lab[left])
    overlap = _overlap(b)
    return SpanMatches(exact, overlap, sizes[first_set + b.pair_i], sizes[first_set + b.pair_j],
                       order, group, group_size, (left, right))


def _per_pair(b: BatchSpans, pair: Ints, lab: Ints) -> Ints:
    n_labels = b.n_labels
    return np.bincount(pair * n_labels + lab, minlength=len(b.pair_doc) * n_labels
                       ).reshape(len(b.pair_doc), n_labels)


def _overlap(b: BatchSpans) -> Ints:
    """Overlap tp per doc pair and label."""
    group = b.doc * b.n_labels + b.lab
    big = int(b.end.max()) + 1 if len(b.end) else 1
    key = group * big + b.start
    order = np.argsort(key, kind="stable")
    # a span after x (by start, same document and label) overlaps x iff it starts before x ends
    stop = np.searchsorted(key[order], (group * big + b.end)[order], "left")
    x, y = (order[k] for k in forward_pairs(stop))
    cross = b.slot[x] != b.slot[y]
    x, y = x[cross], y[cross]
    first = b.slot[x] < b.slot[y]
    left, right = np.where(first, x, y), np.where(first, y, x)
    ways = int(b.m.max()) if len(b.m) else 1
    at_left = left * ways + b.slot[right]  # a span and the annotator on the other side
    at_right = right * ways + b.slot[left]
    size = len(b.row) * ways
    simple = ((np.bincount(at_left, minlength=size)[at_left] == 1)
              & (np.bincount(at_right, minlength=size)[at_right] == 1))
    pair = b.doc_pair(left, right)
    out = _per_pair(b, pair[simple], b.lab[left[simple]])
    if not simple.all():
        _match_ambiguous(b, left[~simple], right[~simple], pair[~simple], out)
    return out


def _match_ambiguous(b: BatchSpans, left: Ints, right: Ints, pair: Ints, out: Ints) -> None:
    """Adds to `out` the maximum matchings of the edges of spans with several partners."""
    order = np.argsort(pair, kind="stable")
    left, right, pair = left[order].tolist(), right[order].tolist(), pair[order].tolist()
    shared = (np.minimum(b.end[left], b.end[right])
              - np.maximum(b.start[left], b.start[right])).tolist()
    k = 0
    while k < len(pair):
        here = k
        while k < len(pair) and pair[k] == pair[here]:
            k += 1
        lefts = sorted(set(left[here:k]))
        rights = sorted(set(right[here:k]))
        at_l = {x: i for i, x in enumerate(lefts)}
        at_r = {x: i for i, x in enumerate(rights)}
        edges = [(at_l[left[e]], at_r[right[e]], shared[e]) for e in range(here, k)]
        for i, _ in max_matching(len(lefts), len(rights), edges):
            out[pair[here], b.lab[lefts[i]]] += 1
