"""The compatibility of figures (docs/conflicts.md): a table of pairs as written in reports,
read by numbers.parse_number, then compared with the default tolerance (10 %)."""

from __future__ import annotations

import math

import pytest

from annotator.conflicts.compat import (
    TOLERANCE,
    Figure,
    bounds,
    compatible,
    qualifier_of,
    value_of,
)
from annotator.numbers import parse_number

# (first figure as written, second as written, compatible?)
PAIRS: list[tuple[str, str, bool]] = [
    # exact against exact: equal or not
    ("38 military staff", "35 military officers", False),
    ("38 staff", "thirty-eight officers", True),
    ("one general and 38 staff", "35 officers", False),  # a sum: 39
    ("one general and 38 staff", "39 people", True),
    ("1,960 people", "1 960 people", True),
    ("212 villages", "300 villages", False),
    ("64 metres", "71 metres", False),
    ("44 days", "a 44-day operation", True),
    ("94%", "94 per cent", True),
    ("92%", "94%", False),
    ("€1.5 million", "€1,500,000", True),
    ("€3.2m", "€2.8 million", False),
    ("half a million", "500,000", True),
    ("two-thirds of voters", "0.6666666666666666", True),
    ("three quarters of", "0.7", False),
    ("minus 5", "-5", True),
    ("٣٠٠", "300", True),
    # approximate: within 10 % of its value
    ("about 7,000 residents", "some 6,800 residents", True),
    ("about 7,000", "6,400", True),  # 7,000 - 10 % is 6,300
    ("about 7,000", "6,200", False),
    ("about 7,000", "7,700", True),  # the edge counts
    ("about 7,000", "7,701", False),
    ("roughly 100", "about 120", True),  # [90, 110] and [108, 132] meet
    ("roughly 100", "about 125", False),
    ("about £1.3m", "€1.5 million", False),  # units differ; the values are compared
    ("between 30 and 40 soldiers", "35 soldiers", True),  # a range is its midpoint
    # the bounds of a range are not kept (numbers.py): 35 + 10 % is 38.5, short of 40
    ("between 30 and 40 soldiers", "40 soldiers", False),
    ("30-40 troops", "50 troops", False),
    ("two or three", "2.7", True),
    ("two or three", "3", False),  # 2.5 + 10 % is 2.75
    ("40-odd", "44", True),
    ("40-odd", "46", False),
    # at least
    ("at least 2,000", "1,500", False),
    ("more than 9,000", "about 7,000", False),
    ("more than 9,000", "9,000", True),  # closed bounds: reporters round
    ("more than 2,400", "over 2,000, easily", True),
    ("at least three dead", "one", False),
    ("hundreds of people", "212 people", True),
    ("hundreds of people", "50 people", False),
    ("2,000 or more", "about 1,900", True),  # 1,900 + 10 % reaches 2,000
    ("more than 300 villages", "nearly 300 villages", True),  # both allow 300
    ("more than 300 villages", "212 villages", False),
    # at most
    ("nearly 300", "300", True),
    ("nearly 300 villages", "212 villages", True),
    ("nearly 300", "310", False),
    ("barely 400 soldiers", "about 1,500 troops", False),
    ("barely 400 soldiers", "a 2,000-strong force", False),
    ("up to 60 days", "44 days", True),
    ("fewer than 100", "at least 100", True),
    ("fewer than 100", "more than 150", False),
    ("no more than 5", "about 6", False),  # 6 - 10 % is 5.4, above 5
    ("no more than 5", "about 5.5", True),  # 5.5 - 10 % is 4.95
]


def _figure(text: str) -> Figure:
    parsed = parse_number(text)
    assert parsed.value is not None, text
    return Figure(float(parsed.value), parsed.qualifier)


@pytest.mark.parametrize(("first", "second", "expected"), PAIRS,
                         ids=[f"{a} | {b}" for a, b, _ in PAIRS])
def test_pair(first: str, second: str, expected: bool) -> None:
    a, b = _figure(first), _figure(second)
    assert compatible(a, b) is expected
    assert compatible(b, a) is expected  # the order of the two never matters


def test_the_table_has_at_least_40_pairs_of_each_kind_of_answer() -> None:
    assert len(PAIRS) >= 40
    assert sum(e for *_, e in PAIRS) >= 15
    assert sum(not e for *_, e in PAIRS) >= 15


@pytest.mark.parametrize(("tolerance", "expected"), [(0.0, False), (0.01, False), (0.02, True),
                                                     (0.5, True)])
def test_the_tolerance_is_a_share_of_each_approximate_value(tolerance: float,
                                                            expected: bool) -> None:
    # about 7,000 and some 6,800 meet when 7,000·(1-t) <= 6,800·(1+t): t >= 200/13,800 (1.45 %)
    a, b = Figure(7000, "approximate"), Figure(6800, "approximate")
    assert compatible(a, b, tolerance) is expected


def test_exact_against_approximate_uses_only_the_approximate_ones_slack() -> None:
    assert compatible(Figure(110, "exact"), Figure(100, "approximate"))
    assert not compatible(Figure(111, "exact"), Figure(100, "approximate"))
    assert bounds(Figure(-50, "approximate")) == (-55, -45)  # the slack is of |v|
    assert bounds(Figure(0, "approximate")) == (0, 0)


def test_float_noise_is_not_a_conflict() -> None:
    assert compatible(Figure(0.1 + 0.2), Figure(0.3))
    assert not compatible(Figure(0.3), Figure(0.30001))


def test_a_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        compatible(Figure(1), Figure(1), -0.1)


def test_stored_attributes_are_read_defensively() -> None:
    assert qualifier_of("at least") == "at least"
    assert qualifier_of("roughly") == "exact"  # not one of the four: exact
    assert qualifier_of(None) == "exact"
    assert value_of(38) == 38.0
    assert value_of(2.5) == 2.5
    assert value_of(True) is None
    assert value_of("38") is None
    assert value_of(None) is None
    assert value_of(math.inf) is None
    assert value_of(math.nan) is None
    assert TOLERANCE == 0.10
