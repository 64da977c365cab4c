"""Whether two figures of one cluster can both be true (docs/conflicts.md).

A figure is a NUMBER span's value and qualifier (annotator/numbers.py fills them in; a person
may edit them). Each reads as a closed interval of the values it allows:

- exact v:        [v, v]
- approximate v:  [v - t·|v|, v + t·|v|], t the tolerance (10 % unless told otherwise)
- at least v:     [v, +∞)
- at most v:      (-∞, v]

Two figures are compatible when their intervals meet. Bounds are closed: "more than 9,000"
and "9,000" are compatible (reporters round), "at least 2,000" and "1,500" are not. Ranges are
already their midpoint, approximate, and sums one total (numbers.py), so "between 30 and 40"
is 35 ± 10 % and "one general and 38 staff" is 39, exact. Units are not compared: an
annotator who linked the two said they count the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from annotator.numbers import APPROXIMATE, AT_LEAST, AT_MOST, EXACT, QUALIFIERS

TOLERANCE = 0.10
"""How far an approximate figure may be from what it approximates, as a share of it."""
_EPSILON = 1e-9  # float noise: 0.1 + 0.2 is 0.3


@dataclass(frozen=True, slots=True)
class Figure:
    """A value and how precise the text says it is (one of numbers.QUALIFIERS)."""

    value: float
    qualifier: str = EXACT


def qualifier_of(value: object) -> str:
    """A stored qualifier, or exact for anything else (a hand-edited or imported attribute
    may hold anything)."""
    return value if isinstance(value, str) and value in QUALIFIERS else EXACT


def value_of(value: object) -> float | None:
    """A stored value as a finite number, or None (missing, text, a bool, inf, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def bounds(figure: Figure, tolerance: float = TOLERANCE) -> tuple[float, float]:
    """The closed interval of values the figure allows."""
    v = figure.value
    if figure.qualifier == APPROXIMATE:
        slack = tolerance * abs(v)
        return v - slack, v + slack
    if figure.qualifier == AT_LEAST:
        return v, math.inf
    if figure.qualifier == AT_MOST:
        return -math.inf, v
    return v, v


def compatible(a: Figure, b: Figure, tolerance: float = TOLERANCE) -> bool:
    """Whether both figures can be true: their intervals meet (within float noise)."""
    if tolerance < 0:
        raise ValueError("the tolerance is a share and cannot be negative")
    a_lo, a_hi = bounds(a, tolerance)
    b_lo, b_hi = bounds(b, tolerance)
    noise = _EPSILON * max(1.0, abs(a.value), abs(b.value))
    return a_lo <= b_hi + noise and b_lo <= a_hi + noise
