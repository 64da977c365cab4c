"""95% intervals by bootstrap over documents: resample the compared documents with
replacement (fixed seed), recompute the pooled figures from each document's sums, and take the
2.5th and 97.5th percentiles. Every figure here adds up over documents, so a resample is one
weighted sum (numpy), not a recomputation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MIN_DOCUMENTS = 5
RESAMPLES = 1000
SEED = 0
_CHUNK = 100  # resamples weighed at once: bounds memory to 100 x documents counts


@dataclass
class DocumentSums:
    """Per document: exact tp, overlap tp and set sizes summed over its pairs; α's sums."""

    rows: list[tuple[float, ...]] = field(default_factory=list)
    values: dict[object, int] = field(default_factory=dict)  # token label -> column

    def add(self, exact_tp: int, overlap_tp: int, sizes: int, n: float, diagonal: float,
            totals: Mapping[object, float]) -> None:
        row = [float(exact_tp), float(overlap_tp), float(sizes), n, diagonal]
        for value, t in totals.items():
            col = self.values.setdefault(value, len(self.values))
            row += [0.0] * (6 + col - len(row))
            row[5 + col] = t
        self.rows.append(tuple(row))


def intervals(sums: DocumentSums, resamples: int = RESAMPLES, seed: int = SEED
              ) -> dict[str, tuple[float, float] | None]:
    """ci95 for exact_f1_pooled, overlap_f1_pooled and krippendorff_alpha (None: fewer than
    MIN_DOCUMENTS documents, or the figure undefined in every resample)."""
    keys = ("exact_f1_pooled", "overlap_f1_pooled", "krippendorff_alpha")
    if len(sums.rows) < MIN_DOCUMENTS:
        return dict.fromkeys(keys)
    import numpy as np

    width = 5 + len(sums.values)
    table = np.zeros((len(sums.rows), width))
    for i, row in enumerate(sums.rows):
        table[i, : len(row)] = row
    rng = np.random.default_rng(seed)
    d = len(sums.rows)
    drawn: list[Any] = []
    for start in range(0, resamples, _CHUNK):
        k = min(_CHUNK, resamples - start)
        weights = rng.multinomial(d, np.full(d, 1 / d), size=k)  # times each document is drawn
        drawn.append(weights @ table)
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
