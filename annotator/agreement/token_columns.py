"""Tokens of a batch of documents and each annotator's label on each (docs/agreement.md,
"Token agreement"), column-wise: the batch's texts are scanned once as code points, tokens
being the runs of characters `str.isspace()` (what `\\s` and `str.split()` use) says are not
space. A token's label is that of the shortest span touching it, then the earliest, then
the smallest label: rows come sorted by start, end and label, so (length, row) orders them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotator.agreement.columns import BatchSpans, Ints, expand

LAST_SPACE = 0x3000  # no code point above it is a space (tests/test_agreement_columns.py)
_SPACE = np.array([chr(c).isspace() for c in range(LAST_SPACE + 1)])


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
    word = ~(_SPACE[np.minimum(code, LAST_SPACE)] & (code <= LAST_SPACE))
    edges = np.diff(word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
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
    score = (b.end - b.start)[row] * len(b.row) + row  # the smaller, the better the claim
    best = np.lexsort((score, cell))
    cell = cell[best]
    first = np.ones(len(cell), bool)
    first[1:] = cell[1:] != cell[:-1]
    labels = np.zeros(len(starts) * ways, np.int64)
    labels[cell[first]] = b.lab[row[best[first]]] + 1
    return BatchTokens(doc, count, labels.reshape(-1, ways),
                       _touched(token, b.lab[row], b.slot[row], b.n_labels, ways))


def _touched(token: Ints, lab: Ints, slot: Ints, n_labels: int, ways: int
             ) -> tuple[Ints, Ints, Ints]:
    """Per (token, label) that some span touches: how many annotators' spans of it do."""
    n_labels = max(n_labels, 1)
    held = np.unique((token * n_labels + lab) * ways + slot) // ways
    where, annotators = np.unique(held, return_counts=True)
    return where // n_labels, where % n_labels, annotators
