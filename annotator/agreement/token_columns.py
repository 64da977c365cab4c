"""Tokens of a batch of documents and each annotator's label on each (docs/agreement.md,
"Token agreement"), column-wise: the batch's texts are scanned once as code points, tokens
being the runs of characters `str.isspace()` (what `\\s` and `str.split()` use) says are not
space. A token's label is that of the shortest span touching it, then the earliest, then
the smallest label: rows come sorted by start, end and label, so (length, row) orders them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotator.agreement.columns import BatchSpans, Ints, expand, sorted_by

LAST_SPACE = 0x3000  # no code point above it is a space (tests/test_agreement_columns.py)
# not a space, per code point up to LAST_SPACE + 1 (np.take clips every code point above to it)
_WORD = np.array([not chr(c).isspace() for c in range(LAST_SPACE + 2)])

_ONES = np.array([bin(b).count("1") for b in range(256)], np.int64)  # bits set in a byte


@dataclass(slots=True)
class BatchTokens:
    """Every token of the batch's documents."""

    doc: Ints  # each token's document
    count: Ints  # tokens per document
    labels: Ints  # (tokens x annotator slot): label number + 1, 0 for O (and absent slots)
    touched: tuple[Ints, Ints, Ints]  # (token, label, annotators) for each label on a token


def batch_tokens(b: BatchSpans) -> BatchTokens:
    texts = [d.text for d in b.docs]
    code = np.frombuffer(" ".join(texts).encode("utf-32-le", "surrogatepass"), np.uint32)
    word = np.zeros(len(code) + 2, bool)  # a space before and after
    np.take(_WORD, code, out=word[1:-1], mode="clip")
    edges = np.flatnonzero(word[1:] != word[:-1])  # alternately a token's start and end
    starts, ends = edges[0::2], edges[1::2]
    lengths = np.array([len(t) for t in texts], np.int64)
    offset = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    first_token = np.searchsorted(starts, offset)
    count = np.searchsorted(starts, offset + lengths) - first_token
    doc = np.repeat(np.arange(len(texts)), count)
    shift = offset[b.doc]
    first = np.searchsorted(ends, shift + b.start, "right")
    last = np.searchsorted(starts, shift + b.end, "left")
    row, token = expand(first, np.maximum(last - first, 0))
    ways = int(b.m.max()) if len(b.m) else 1
    cell = token * ways + b.slot[row]
    labels = np.zeros(len(starts) * ways, np.int64)
    claims = np.bincount(cell, minlength=len(labels))[cell]
    alone = claims == 1  # most tokens: one span of the annotator's touches them
    labels[cell[alone]] = b.lab[row[alone]] + 1
    contested = np.flatnonzero(~alone)
    if contested.size:
        row_c, cell_c = row[contested], cell[contested]
        score = (b.end - b.start)[row_c] * len(b.row) + row_c  # the smaller, the better
        best = sorted_by((cell_c, score))
        cell_c = cell_c[best]
        first = np.ones(len(cell_c), bool)
        first[1:] = cell_c[1:] != cell_c[:-1]
        labels[cell_c[first]] = b.lab[row_c[best[first]]] + 1
    return BatchTokens(doc, count, labels.reshape(-1, ways),
                       _touched(token, b.lab[row], b.slot[row], b.n_labels, ways))


def _touched(token: Ints, lab: Ints, slot: Ints, n_labels: int, ways: int
             ) -> tuple[Ints, Ints, Ints]:
    """Per (token, label) that some span touches: how many annotators' spans of it do."""
    n_labels = max(n_labels, 1)
    cell = token * n_labels + lab
    size = (int(token.max()) + 1) * n_labels if len(token) else 0
    if ways <= 8 and size <= 1 << 24:  # a bit per annotator and (token, label): no sort
        bits = np.zeros(size, np.uint8)
        for k in range(ways):
            bits[cell[slot == k]] |= 1 << k  # repeats (spans of one set) set the same bit
        where = np.flatnonzero(bits)
        return where // n_labels, where % n_labels, _ONES[bits[where]]
    key = np.sort(cell * ways + slot)
    distinct = np.ones(len(key), bool)
    distinct[1:] = key[1:] != key[:-1]
    cell = key[distinct] // ways
    new = np.ones(len(cell), bool)
    new[1:] = cell[1:] != cell[:-1]
    where = cell[new]
    annotators = np.diff(np.append(np.flatnonzero(new), len(cell)))
    return where // n_labels, where % n_labels, annotators
