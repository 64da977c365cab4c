"""Token figures of a batch's documents, column-wise (docs/agreement.md, "Token agreement"):
per doc pair the confusion table, Cohen's κ (all tokens, annotated tokens) and percent
agreement; per document Krippendorff's α and Fleiss' κ. Each is computed with the same
arithmetic as `tokens.py` does for one table (counts are exact integers, so the floats are
the same), for every document at once. None is NaN here."""

from __future__ import annotations

import numpy as np

from annotator.agreement.columns import Ints

_EXACT = 1 << 26  # below this many tokens a document's n² is exact as a double


def pair_cells(doc: Ints, labels: Ints, i: int, j: int, docs: int, values: int) -> Ints:
    """(documents x values x values): tokens by (label of slot i, label of slot j)."""
    key = (doc * values + labels[:, i]) * values + labels[:, j]
    return np.bincount(key, minlength=docs * values * values).reshape(docs, values, values)


def kappas(cells: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """Per table: κ, κ on annotated tokens, percent agreement, agreeing tokens."""
    n = cells.sum(axis=(1, 2))
    agree = np.trace(cells, axis1=1, axis2=2)
    rows, cols = cells.sum(axis=2), cells.sum(axis=1)
    kappa = _kappa(n, agree, (rows * cols).sum(axis=1))
    quiet = cells[:, 0, 0]  # both O
    rows[:, 0] -= quiet
    cols[:, 0] -= quiet
    annotated = _kappa(n - quiet, agree - quiet, (rows * cols).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(n > 0, agree / np.maximum(n, 1), np.nan)
    return kappa, annotated, percent, agree


def _kappa(n: Ints, agree: Ints, products: Ints) -> Ints:
    if n.size and int(n.max()) >= _EXACT:  # exact integers in Python, as tokens._kappa
        return np.array([_kappa_one(int(a), int(b), int(c)) for a, b, c in
                         zip(n, agree, products, strict=True)], np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = products / (n * n)
        out = (agree / n - expected) / (1 - expected)
    return np.where((n > 0) & (expected < 1), out, np.nan)


def _kappa_one(n: int, agree: int, products: int) -> float:
    if not n:
        return np.nan
    expected = products / (n * n)
    return np.nan if expected >= 1 else (agree / n - expected) / (1 - expected)


def alphas(m: Ints, tokens: Ints, agree: Ints, totals: Ints) -> tuple[Ints, Ints]:
    """Per document: α's pairable values n and coincidences on the diagonal (`agree`: the
    annotator pairs agreeing on a token, summed over tokens), and α itself."""
    n = (m * tokens).astype(np.float64)
    diagonal = 2 * agree / np.maximum(m - 1, 1)
    expected = n * n - (totals * totals).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * (n - diagonal) / expected
    return diagonal, np.where((n > 1) & (expected > 0), alpha, np.nan)


def fleiss_kappas(m: Ints, tokens: Ints, agree: Ints, totals: Ints) -> Ints:
    """Per document: Fleiss' κ over its tokens, its annotators the raters."""
    units = tokens * m
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = 2 * agree / (units * (m - 1))
        p_e = np.zeros(len(m))
        for v in range(totals.shape[1]):  # one value after another, as a Python sum
            p_e = p_e + (totals[:, v] / units) ** 2
        kappa = (p_bar - p_e) / (1 - p_e)
    return np.where((m >= 2) & (tokens > 0) & (p_e < 1), kappa, np.nan)
