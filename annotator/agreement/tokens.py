"""Tokens and their labels, and the token-level chance-corrected figures: Cohen's κ, Fleiss' κ,
Krippendorff's α (nominal).

Tokens are the runs of `re.finditer(r"\\S+", text)`. A token takes the label of a span that
shares a character with it; of several, the shortest span, then the earliest, then the smallest
label; of none, `O` (here: None). `token_columns.py` finds them for many documents at once and
`token_figures.py` computes these figures per document, column-wise; the sums below pool them.

Every figure is kept as sums that add up over documents (a confusion table, a coincidence
table, Fleiss' row sums), so the corpus figure is pooled, not averaged, and a bootstrap can
resample documents without recomputing anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Label = str | None  # None is O


# -- sums that add up over documents -------------------------------------------------------

@dataclass(slots=True)
class Confusion:
    """Two annotators' labels on the same tokens: (label A, label B) -> tokens."""

    cells: Counter[tuple[Label, Label]] = field(default_factory=Counter)

    def add(self, other: Confusion) -> None:
        self.cells.update(other.cells)

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    def kappa(self, annotated_only: bool = False) -> float | None:
        """Cohen's κ (as sklearn's cohen_kappa_score); annotated_only: the tokens where at
        least one of the two is not O. None when undefined (no tokens, one category)."""
        return self.figures()[1 if annotated_only else 0]

    def figures(self) -> tuple[float | None, float | None, float | None, int]:
        """κ, κ on annotated tokens, percent agreement and tokens, in one pass."""
        rows: dict[Label, int] = {}
        cols: dict[Label, int] = {}
        agree = n = 0
        for (a, b), v in self.cells.items():
            n += v
            rows[a] = rows.get(a, 0) + v
            cols[b] = cols.get(b, 0) + v
            if a == b:
                agree += v
        kappa = _kappa(n, agree, rows, cols)
        quiet = self.cells.get((None, None), 0)  # both O
        if quiet:
            rows[None] -= quiet
            cols[None] -= quiet
        annotated = _kappa(n - quiet, agree - quiet, rows, cols)
        return kappa, annotated, agree / n if n else None, n

    def percent(self) -> float | None:
        return self.figures()[2]


def _kappa(n: int, agree: int, rows: dict[Label, int], cols: dict[Label, int]
           ) -> float | None:
    if not n:
        return None
    expected = sum(r * cols.get(k, 0) for k, r in rows.items()) / (n * n)
    if expected >= 1:
        return None
    return (agree / n - expected) / (1 - expected)


@dataclass(slots=True)
class Coincidence:
    """Krippendorff's nominal α from its coincidence table, kept as the pairable values n,
    the coincidences on the diagonal and each value's total (all that nominal α needs)."""

    n: float = 0.0
    diagonal: float = 0.0
    totals: Counter[object] = field(default_factory=Counter)

    def unit(self, values: Mapping[Any, int], m: int, times: int = 1) -> None:
        """One unit (token, span) with m values, `times` times over; units with fewer than
        two values are not pairable and add nothing."""
        if m < 2:
            return
        self.n += m * times
        self.diagonal += times * sum(c * (c - 1) for c in values.values()) / (m - 1)
        for value, c in values.items():
            self.totals[value] += c * times

    def add(self, other: Coincidence) -> None:
        self.n += other.n
        self.diagonal += other.diagonal
        self.totals.update(other.totals)

    def alpha(self) -> float | None:
        return nominal_alpha(self.n, self.diagonal, self.totals.values())


def nominal_alpha(n: float, diagonal: float, totals: Iterable[float]) -> float | None:
    """α = 1 - (n - 1)·(observed disagreement) / (expected disagreement); None if undefined."""
    expected = n * n - sum(t * t for t in totals)
    if n <= 1 or expected <= 0:
        return None
    return 1 - (n - 1) * (n - diagonal) / expected


@dataclass(slots=True)
class Fleiss:
    """Fleiss' κ (as statsmodels' fleiss_kappa) over units that each have `raters` values."""

    raters: int
    units: int = 0
    squares: int = 0  # sum over units and categories of count²
    totals: Counter[Label] = field(default_factory=Counter)

    def unit(self, values: Counter[Label], times: int = 1) -> None:
        self.units += times
        self.squares += times * sum(c * c for c in values.values())
        for value, c in values.items():
            self.totals[value] += c * times

    def add(self, other: Fleiss) -> None:
        self.units += other.units
        self.squares += other.squares
        self.totals.update(other.totals)

    def kappa(self) -> float | None:
        r, n = self.raters, self.units
        if r < 2 or not n:
            return None
        p_bar = (self.squares - n * r) / (n * r * (r - 1))
        p_e = sum((t / (n * r)) ** 2 for t in self.totals.values())
        if p_e >= 1:
            return None
        return (p_bar - p_e) / (1 - p_e)
