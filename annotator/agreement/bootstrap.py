"""95% intervals by bootstrap over documents: resample the compared documents with
replacement (fixed seed), recompute the pooled figures from each document's sums, and take the
2.5th and 97.5th percentiles. Every figure here adds up over documents, so a resample is one
weighted sum (numpy), not a recomputation."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MIN_DOCUMENTS = 5
RESAMPLES = 1000
SEED = 0
_CHUNK = 20  # resamples weighed at once: bounds memory to 20 x documents counts


@dataclass
class DocumentSums:
    """Per document: exact tp, overlap tp and set sizes summed over its pairs; α's sums.
    Kept as columns of C doubles (8 bytes a document each): a corpus has many documents."""

    columns: list[array[float]] = field(default_factory=lambda: [array("d") for _ in range(5)])
    values: dict[object, int] = field(default_factory=dict)  # token label -> column

    @property
    def documents(self) -> int:
        return len(self.columns[0])

    def add(self, exact_tp: int, overlap_tp: int, sizes: int, n: float, diagonal: float,
            totals: Mapping[object, float]) -> None:
        d = self.documents
        for col, x in zip(self.columns, (exact_tp, overlap_tp, sizes, n, diagonal),
                          strict=False):
            col.append(x)
        for value, t in totals.items():
            k = self.values.get(value)
            if k is None:  # a label first seen now: zero for the documents before
                k = self.values[value] = len(self.columns)
                self.columns.append(array("d", bytes(8 * d)))
            self.columns[k].append(t)
        for col in self.columns[5:]:
            if len(col) == d:
                col.append(0.0)


    def extend(self, sums: list[Any], totals: Mapping[object, Any]) -> None:
        """Documents at once: `sums` the first five columns (arrays, one value a document),
        `totals` each token label's column."""
        import numpy as np

        d, k = self.documents, len(sums[0])
        for col, x in zip(self.columns, sums, strict=False):
            col.frombytes(np.asarray(x, np.float64).tobytes())
        for value, t in totals.items():
            c = self.values.get(value)
            if c is None:  # a label first seen now: zero for the documents before
                c = self.values[value] = len(self.columns)
                self.columns.append(array("d", bytes(8 * d)))
            self.columns[c].frombytes(np.asarray(t, np.float64).tobytes())
        for col in self.columns[5:]:
            if len(col) == d:
                col.frombytes(bytes(8 * k))


def intervals(sums: DocumentSums, resamples: int = RESAMPLES, seed: int = SEED
              ) -> dict[str, tuple[float, float] | None]:
    """ci95 for exact_f1_pooled, overlap_f1_pooled and krippendorff_alpha (None: fewer than
    MIN_DOCUMENTS documents, or the figure undefined in every resample)."""
    keys = ("exact_f1_pooled", "overlap_f1_pooled", "krippendorff_alpha")
    d = sums.documents
    if d < MIN_DOCUMENTS:
        return dict.fromkeys(keys)
    import numpy as np

    table = np.column_stack([np.frombuffer(col, dtype=np.float64) for col in sums.columns])
    rng = np.random.default_rng(seed)
    drawn: list[Any] = []
    for start in range(0, resamples, _CHUNK):
        k = min(_CHUNK, resamples - start)
        weights = rng.multinomial(d, np.full(d, 1 / d), size=k)  # times each document is drawn
        # as doubles (the same sums: whole numbers, far below 2**53), by einsum: a BLAS
        # matmul starts threads that spin, costing more CPU than the product itself
        drawn.append(np.einsum("ij,jk->ik", weights.astype(np.float64), table))
    t = np.vstack(drawn)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(t[:, 2] > 0, 2 * t[:, 0] / t[:, 2], np.nan)
        overlap = np.where(t[:, 2] > 0, 2 * t[:, 1] / t[:, 2], np.nan)
        n, diagonal = t[:, 3], t[:, 4]
        expected = n * n - (t[:, 5:] ** 2).sum(axis=1)
        ok = (n > 1) & (expected > 1e-9 * np.maximum(n * n, 1))
        alpha = np.where(ok, 1 - (n - 1) * (n - diagonal) / expected, np.nan)
    out: dict[str, tuple[float, float] | None] = {}
    for key, values in zip(keys, (exact, overlap, alpha), strict=True):
        defined = values[~np.isnan(values)]
        out[key] = (None if not defined.size else
                    (float(np.percentile(defined, 2.5)), float(np.percentile(defined, 97.5))))
    return out
