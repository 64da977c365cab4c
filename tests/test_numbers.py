"""Tests for annotator.numbers: number span text -> value, qualifier, unit."""

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.numbers import QUALIFIERS, ParsedNumber, parse_number

CASES = [
    # plain digits, grouping, units
    ("38", 38, "exact", None),
    ("38 staff", 38, "exact", "staff"),
    ("1,960", 1960, "exact", None),
    ("1\u202f960", 1960, "exact", None),  # narrow no-break space
    ("1\u00a0960", 1960, "exact", None),  # no-break space
    ("1\u2009960\u2009000", 1960000, "exact", None),  # thin spaces
    # plain ASCII spaces group thousands only when every later group has exactly 3 digits
    ("1 500", 1500, "exact", None),
    ("1 500 people", 1500, "exact", "people"),
    ("12 345 678", 12345678, "exact", None),
    ("about 1 500 troops", 1500, "approximate", "troops"),
    ("£1 500", 1500, "exact", "GBP"),
    ("1 500.5", 1500.5, "exact", None),
    ("the 1 500-strong force", 1500, "exact", "force"),
    ("1 500-2 000", 1750, "approximate", None),
    ("3 000 and 4 000", 7000, "exact", None),
    ("\uff11 \uff15\uff10\uff10", 1500, "exact", None),  # fullwidth digits
    ("1 2", 1, "exact", None),
    ("1 23 people", 1, "exact", None),
    ("1 5000", 1, "exact", None),
    ("1234 567", 1234, "exact", None),
    ("1 500 2", 1, "exact", None),  # not one grouping: nothing joined
    ("1  500", 1, "exact", None),  # two spaces
    ("1 500,5", 1, "exact", None),  # mixed separators: not read as a grouping
    ("2,000 500", 2000, "exact", None),
    ("1.5 000", 1.5, "exact", None),
    ("A4 500", 4, "exact", None),
    ("2,000-strong", 2000, "exact", None),
    ("a 2,000-strong force", 2000, "exact", "force"),
    ("44-day", 44, "exact", "day"),
    ("a 44-day ceasefire", 44, "exact", "day"),
    ("38 MPs", 38, "exact", "MPs"),
    ("38 Staff", 38, "exact", "staff"),
    ("the 1990s", 1990, "exact", None),
    ("38 were killed", 38, "exact", None),
    ("300 of the villages", 300, "exact", "villages"),
    ("300 more troops", 300, "exact", "troops"),
    # number words
    ("one general", 1, "exact", "general"),
    ("thirty-eight", 38, "exact", None),
    ("thirty eight", 38, "exact", None),
    ("Thirty-Eight officers", 38, "exact", "officers"),
    ("three hundred and forty-two", 342, "exact", None),
    ("one thousand and one", 1001, "exact", None),
    ("one million two thousand", 1002000, "exact", None),
    ("three hundred thousand", 300000, "exact", None),
    ("a hundred", 100, "exact", None),
    ("a dozen", 12, "exact", None),
    ("two dozen eggs", 24, "exact", "eggs"),
    ("half a million", 500000, "exact", None),
    ("a quarter of a million", 250000, "exact", None),
    ("zero", 0, "exact", None),
    ("forty-four-day", 44, "exact", "day"),
    # sums
    ("one general and 38 staff", 39, "exact", None),
    ("38 staff, 2 generals and 4 drivers", 44, "exact", None),
    ("30 troops and 40 troops", 70, "exact", "troops"),
    ("nearly 30 troops and about 40 police", 70, "approximate", None),
    # at most
    ("nearly 300", 300, "at most", None),
    ("nearly 300 villages", 300, "at most", "villages"),
    ("almost 300", 300, "at most", None),
    ("just under 300", 300, "at most", None),
    ("up to 300", 300, "at most", None),
    ("no more than 300", 300, "at most", None),
    ("fewer than 300", 300, "at most", None),
    ("less than 300", 300, "at most", None),
    ("under 300", 300, "at most", None),
    ("barely 400 soldiers", 400, "at most", "soldiers"),  # data/citizens-ledger.txt
    ("scarcely 40", 40, "at most", None),
    ("nearly a dozen", 12, "at most", None),
    ("2,000 or fewer", 2000, "at most", None),
    # at least
    ("at least 2,000", 2000, "at least", None),
    ("more than 2,000", 2000, "at least", None),
    ("over 2,000 troops", 2000, "at least", "troops"),
    ("upwards of 2,000", 2000, "at least", None),
    ("no fewer than 2,000", 2000, "at least", None),
    ("2,000 or more troops", 2000, "at least", "troops"),
    ("2,000 troops or more", 2000, "at least", "troops"),
    ("2,000-plus", 2000, "at least", None),
    ("7000+", 7000, "at least", None),
    ("hundreds of", 100, "at least", None),
    ("hundreds of villages", 100, "at least", "villages"),
    ("thousands", 1000, "at least", None),
    ("dozens of", 12, "at least", None),
    ("tens of thousands of protesters", 10000, "at least", "protesters"),
    ("killing at least 2,000", 2000, "at least", None),
    # approximate
    ("about 7,000", 7000, "approximate", None),
    ("around 7,000", 7000, "approximate", None),
    ("roughly 7,000", 7000, "approximate", None),
    ("approximately 7,000", 7000, "approximate", None),
    ("an estimated 7,000", 7000, "approximate", None),
    ("some 7,000", 7000, "approximate", None),
    ("~7000", 7000, "approximate", None),
    ("circa 7000", 7000, "approximate", None),
    ("c. 1960", 1960, "approximate", None),
    ("40-odd", 40, "approximate", None),
    ("2,000 or so", 2000, "approximate", None),
    ("about half a million", 500000, "approximate", None),
    # ranges -> midpoint, approximate
    ("30-40", 35, "approximate", None),
    ("30\u201340 people", 35, "approximate", "people"),
    ("30 to 40", 35, "approximate", None),
    ("between 30 and 40 people", 35, "approximate", "people"),
    ("two or three days", 2.5, "approximate", "days"),
    ("2-3 million", 2500000, "approximate", None),
    # scales, percent, currency
    ("1.5 million", 1500000, "exact", None),
    ("1.5m people", 1500000, "exact", "people"),
    ("2.3bn", 2300000000, "exact", None),
    ("2.3 billion", 2300000000, "exact", None),
    ("5k", 5000, "exact", None),
    ("12%", 12, "exact", "%"),
    ("12 per cent", 12, "exact", "%"),
    ("12 percent", 12, "exact", "%"),
    ("\uff11\uff12\uff05", 12, "exact", "%"),  # fullwidth "12%"
    ("£3.2m", 3200000, "exact", "GBP"),
    ("£3.2m deal", 3200000, "exact", "GBP"),
    ("$5bn", 5000000000, "exact", "USD"),
    ("US$5bn", 5000000000, "exact", "USD"),
    ("C$5m", 5000000, "exact", "CAD"),
    ("€40", 40, "exact", "EUR"),
    ("40€", 40, "exact", "EUR"),
    ("about £3.2m", 3200000, "approximate", "GBP"),
    # decimals, signs
    ("1.5", 1.5, "exact", None),
    ("38.0", 38, "exact", None),
    ("-5", -5, "exact", None),
    ("\u22125", -5, "exact", None),  # minus sign
    ("minus 5", -5, "exact", None),
    ("-5 degrees", -5, "exact", "degrees"),
    # other scripts' digits
    ("\u0663\u0668", 38, "exact", None),  # Arabic-Indic
    ("\u0663\u0668 \u0645\u0648\u0638\u0641\u0627", 38, "exact", "\u0645\u0648\u0638\u0641\u0627"),
    ("\uff13\uff18", 38, "exact", None),  # fullwidth
    ("\u0969\u096e", 38, "exact", None),  # Devanagari
    # quotes, punctuation, whitespace
    ("\u201c38 staff.\u201d", 38, "exact", "staff"),
    ("  38 staff,  ", 38, "exact", "staff"),
    ("\u2018nearly 300 villages\u2019", 300, "at most", "villages"),
    ('"about 7,000."', 7000, "approximate", None),
    ("(38)", 38, "exact", None),
    # nothing numeric
    ("", None, "exact", None),
    ("   ", None, "exact", None),
    ("garbage", None, "exact", None),
    ("nearly", None, "exact", None),
    ("a force", None, "exact", None),
    ("half", None, "exact", None),
    ("tens", None, "exact", None),
    ("9" * 500, None, "exact", None),
]


@pytest.mark.parametrize(("text", "value", "qualifier", "unit"), CASES)
def test_parse_number(text, value, qualifier, unit):
    assert parse_number(text) == ParsedNumber(value, qualifier, unit)


@pytest.mark.parametrize(("text", "kind"), [("1.5 million", int), ("38.0", int), ("1.5", float)])
def test_value_is_int_when_integral(text, kind):
    assert type(parse_number(text).value) is kind


def test_as_attrs_omits_none():
    expected = {"value": 38, "qualifier": "exact", "unit": "staff"}
    assert parse_number("38 staff").as_attrs() == expected
    assert parse_number("about 7,000").as_attrs() == {"value": 7000, "qualifier": "approximate"}
    assert parse_number("garbage").as_attrs() == {"qualifier": "exact"}
    assert parse_number("0").as_attrs() == {"value": 0, "qualifier": "exact"}


def test_parsed_number_is_frozen():
    with pytest.raises(AttributeError):
        parse_number("38").value = 39  # type: ignore[misc]


@given(st.integers(min_value=0, max_value=10**9))
def test_integers_round_trip(n):
    assert parse_number(f"{n:,}").value == n
    assert parse_number(f"{n:,} people".replace(",", " ")).value == n
    assert parse_number(str(n)).value == n


@given(st.text())
def test_never_raises(text):
    result = parse_number(text)
    assert result.qualifier in QUALIFIERS
    assert result.value is None or isinstance(result.value, int | float)
    if result.value is None:
        assert result == ParsedNumber(None, "exact", None)


_FRAGMENTS = [*"0123456789,.-%£$~+ \u202f", "and", "nearly", "a", "dozen", "hundred", "of", "m",
              "bn", "minus", "between", "or", "more", "half", "tens", "thousands", "strong",
              "9" * 120]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join))
def test_never_raises_on_number_like_text(text):
    assert parse_number(text).qualifier in QUALIFIERS


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map(" ".join))
def test_never_raises_on_number_like_words(text):
    assert parse_number(text).qualifier in QUALIFIERS


def test_import_does_not_load_textual():
    code = "import sys, annotator.numbers; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
