"""Tests for annotator.numbers: number span text -> value, qualifier, unit."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from annotator.cli import main
from annotator.numbers import QUALIFIERS, ParsedNumber, after_edit, parse_number
from annotator.session import Session
from annotator.store import Store

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
    ("about 1 500 troops", 1500, "approximate", "troop"),
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
    ("38 MPs", 38, "exact", "MP"),
    ("38 Staff", 38, "exact", "staff"),
    ("the 1990s", 1990, "exact", None),
    ("38 were killed", 38, "exact", None),
    ("300 of the villages", 300, "exact", "village"),
    ("300 more troops", 300, "exact", "troop"),
    # number words
    ("one general", 1, "exact", "general"),
    ("thirty-eight", 38, "exact", None),
    ("thirty eight", 38, "exact", None),
    ("Thirty-Eight officers", 38, "exact", "officer"),
    ("three hundred and forty-two", 342, "exact", None),
    ("one thousand and one", 1001, "exact", None),
    ("one million two thousand", 1002000, "exact", None),
    ("three hundred thousand", 300000, "exact", None),
    ("a hundred", 100, "exact", None),
    ("a dozen", 12, "exact", None),
    ("two dozen eggs", 24, "exact", "egg"),
    ("half a million", 500000, "exact", None),
    ("a quarter of a million", 250000, "exact", None),
    ("zero", 0, "exact", None),
    ("forty-four-day", 44, "exact", "day"),
    # sums
    ("one general and 38 staff", 39, "exact", None),
    ("38 staff, 2 generals and 4 drivers", 44, "exact", None),
    ("30 troops and 40 troops", 70, "exact", "troop"),
    ("nearly 30 troops and about 40 police", 70, "approximate", None),
    # at most
    ("nearly 300", 300, "at most", None),
    ("nearly 300 villages", 300, "at most", "village"),
    ("almost 300", 300, "at most", None),
    ("just under 300", 300, "at most", None),
    ("up to 300", 300, "at most", None),
    ("no more than 300", 300, "at most", None),
    ("fewer than 300", 300, "at most", None),
    ("less than 300", 300, "at most", None),
    ("under 300", 300, "at most", None),
    ("barely 400 soldiers", 400, "at most", "soldier"),  # data/citizens-ledger.txt
    ("scarcely 40", 40, "at most", None),
    ("nearly a dozen", 12, "at most", None),
    ("2,000 or fewer", 2000, "at most", None),
    # at least
    ("at least 2,000", 2000, "at least", None),
    ("more than 2,000", 2000, "at least", None),
    ("over 2,000 troops", 2000, "at least", "troop"),
    ("upwards of 2,000", 2000, "at least", None),
    ("no fewer than 2,000", 2000, "at least", None),
    ("2,000 or more troops", 2000, "at least", "troop"),
    ("2,000 troops or more", 2000, "at least", "troop"),
    ("2,000-plus", 2000, "at least", None),
    ("7000+", 7000, "at least", None),
    ("hundreds of", 100, "at least", None),
    ("hundreds of villages", 100, "at least", "village"),
    ("thousands", 1000, "at least", None),
    ("dozens of", 12, "at least", None),
    ("tens of thousands of protesters", 10000, "at least", "protester"),
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
    ("two or three days", 2.5, "approximate", "day"),
    ("2-3 million", 2500000, "approximate", None),
    # scales, percent, currency
    ("1.5 million", 1500000, "exact", None),
    ("1.5m people", 1500000, "exact", "people"),
    ("2.3bn", 2300000000, "exact", None),
    ("2.3 billion", 2300000000, "exact", None),
    ("5k", 5000, "exact", None),
    ("12%", 12, "exact", "percent"),
    ("12 per cent", 12, "exact", "percent"),
    ("12 percent", 12, "exact", "percent"),
    ("\uff11\uff12\uff05", 12, "exact", "percent"),  # fullwidth "12%"
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
    ("-5 degrees", -5, "exact", "degree"),
    # other scripts' digits
    ("\u0663\u0668", 38, "exact", None),  # Arabic-Indic
    ("\u0663\u0668 \u0645\u0648\u0638\u0641\u0627", 38, "exact", "\u0645\u0648\u0638\u0641\u0627"),
    ("\uff13\uff18", 38, "exact", None),  # fullwidth
    ("\u0969\u096e", 38, "exact", None),  # Devanagari
    # quotes, punctuation, whitespace
    ("\u201c38 staff.\u201d", 38, "exact", "staff"),
    ("  38 staff,  ", 38, "exact", "staff"),
    ("\u2018nearly 300 villages\u2019", 300, "at most", "village"),
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


# The unit is what is counted: the head noun after the number, in one singular lower-case form
# (annotator/units.py says why for each rule). Phrases as news reports write them (issue #8.2).
UNITS = [
    # the issue's cases: adjectives, nationalities and noun modifiers are not the unit
    ("38 military staff", 38, "exact", "staff"),
    ("2,000 Syrian mercenaries", 2000, "exact", "mercenary"),
    ("a 2,000-strong peace force", 2000, "exact", "force"),  # decided: the force, not "peace"
    ("a 20-member delegation", 20, "exact", "delegation"),  # decided: "member" is a modifier
    ("23 security posts", 23, "exact", "post"),
    ("44-day", 44, "exact", "day"),  # a measure joined by a hyphen is the unit
    ("a 44-day war", 44, "exact", "day"),
    ("44 days", 44, "exact", "day"),  # same unit as "44-day"
    ("35 military officers", 35, "exact", "officer"),
    # casualties
    ("at least 38 people were killed", 38, "at least", "people"),
    ("one person", 1, "exact", "people"),  # decided: person / persons / people -> people
    ("1.5 million people", 1500000, "exact", "people"),
    ("the bodies of 12 children", 12, "exact", "child"),
    ("an estimated 1,500 casualties", 1500, "approximate", "casualty"),
    ("nine civilians, including four women", 9, "exact", "civilian"),  # stops at the comma
    ("at least 1,200 civilians", 1200, "at least", "civilian"),
    ("more than 200 wounded", 200, "at least", None),  # a participle is not what is counted
    ("38 killed", 38, "exact", None),
    ("38 wounded soldiers", 38, "exact", "soldier"),
    ("38 staff killed", 38, "exact", "staff"),  # a verb after the noun ends the phrase
    ("nearly 300 villages destroyed", 300, "at most", "village"),
    ("7,000 displaced families", 7000, "exact", "family"),
    ("more than 4,000 Palestinians", 4000, "at least", "palestinian"),  # a demonym alone is
    ("two Israelis", 2, "exact", "israeli"),  # the head, lower-case and singular
    ("three Britons", 3, "exact", "briton"),
    # troops and equipment
    ("about 10,000 Russian troops", 10000, "approximate", "troop"),
    ("3 US soldiers", 3, "exact", "soldier"),  # "US" is an acronym, not the pronoun "us"
    ("some 3,000 NATO soldiers", 3000, "approximate", "soldier"),
    ("a 300-strong battalion", 300, "exact", "battalion"),
    ("roughly 40 armoured vehicles", 40, "approximate", "vehicle"),
    ("two Russian-made jets", 2, "exact", "jet"),  # a hyphenated modifier
    ("2,000 Turkish-backed fighters", 2000, "exact", "fighter"),
    ("five Apache helicopters", 5, "exact", "helicopter"),  # a proper-noun modifier
    ("12 Grad rockets", 12, "exact", "rocket"),
    ("3 weapons systems", 3, "exact", "system"),  # a plural modifier
    ("4 IEDs", 4, "exact", "IED"),  # acronyms keep their capitals, lose the plural s
    ("all 650 MPs", 650, "exact", "MP"),
    ("two senior elected officials", 2, "exact", "official"),
    ("two police officers", 2, "exact", "officer"),
    ("38 MILITARY STAFF KILLED", 38, "exact", "staff"),  # a headline: capitals are no acronym
    ("a 500-bed hospital", 500, "exact", "hospital"),
    # money: symbols and words give ISO codes; values are scaled
    ("$2.5 billion", 2500000000, "exact", "USD"),
    ("2.5 billion dollars", 2500000000, "exact", "USD"),
    ("20,000 Canadian dollars", 20000, "exact", "CAD"),
    ("5 million euros", 5000000, "exact", "EUR"),
    ("1.3 trillion yuan", 1300000000000, "exact", "CNY"),
    ("€1.2bn in loans", 1200000000, "exact", "EUR"),
    ("US$2 billion aid package", 2000000000, "exact", "USD"),
    ("£300 million", 300000000, "exact", "GBP"),
    ("USD 2.5bn", 2500000000, "exact", "USD"),
    ("Rs 500 crore", 5000000000, "exact", "INR"),
    ("5 million USD", 5000000, "exact", "USD"),
    # percentages and shares
    ("3.5 per cent", 3.5, "exact", "percent"),
    ("40 percent of the vote", 40, "exact", "percent"),
    ("a 2.5% rise", 2.5, "exact", "percent"),
    ("2 percentage points", 2, "exact", "percentage point"),  # not percent
    ("two-thirds of voters", 2 / 3, "exact", None),  # a share: the value, no unit
    ("three quarters of the city", 0.75, "exact", None),
    # ranges: the midpoint, approximate (decided: one figure to compare, the bounds in the text)
    ("between 30 and 40 soldiers", 35, "approximate", "soldier"),
    ("30-40 fighters", 35, "approximate", "fighter"),
    ("2,000 to 3,000 migrants", 2500, "approximate", "migrant"),
    ("up to 5,000 refugees", 5000, "at most", "refugee"),
    ("dozens of homes", 12, "at least", "home"),
    ("hundreds of thousands of people", 100000, "at least", "people"),
    # measures
    ("a three-day ceasefire", 3, "exact", "day"),
    ("a 48-hour truce", 48, "exact", "hour"),
    ("a 3-year-old boy", 3, "exact", "year"),
    ("six months", 6, "exact", "month"),
    ("a 40-kilometre front", 40, "exact", "km"),  # one spelling per measure
    ("150 kilometers", 150, "exact", "km"),
    ("120 miles north", 120, "exact", "mile"),
    ("2,000 tonnes of grain", 2000, "exact", "tonne"),  # the measure, not what is measured
    ("1.2 million barrels per day", 1200000, "exact", "barrel"),
    ("a 7.8-magnitude earthquake", 7.8, "exact", "magnitude"),
    # several numbers in one span: decided, a total when they count things ("one general and
    # 38 military staff" is 39 people to compare with another outlet's "35 military officers";
    # the unit only when every part has the same one); only the first number when a part is a
    # state ("dead", "injured") or the parts measure different things (days and hours, $ and £)
    ("one general and 38 staff", 39, "exact", None),
    ("one general and 38 military staff", 39, "exact", None),
    ("30 troops and 40 troops", 70, "exact", "troop"),
    ("38 dead and 100 injured", 38, "exact", None),
    ("2 days and 3 hours", 2, "exact", "day"),
    ("$5m and £3m", 5000000, "exact", "USD"),
    # words that are never units: function words, possessives, pronouns, time words, nothing
    ("38 people's homes", 38, "exact", "people"),  # the possessor is what is counted
    ("the party's 120 seats", 120, "exact", "seat"),
    ("38 more", 38, "exact", None),
    ("300 more troops", 300, "exact", "troop"),
    ("38 others", 38, "exact", None),
    ("38 of them", 38, "exact", None),
    ("38 of whom were children", 38, "exact", None),
    ("38 each", 38, "exact", None),
    ("38 yesterday", 38, "exact", None),
    ("38 in total", 38, "exact", None),
    ("just 12", 12, "exact", None),
    ("the 38", 38, "exact", None),
    ("four times", 4, "exact", None),
    ("38.", 38, "exact", None),
    ("38, staff", 38, "exact", None),  # punctuation ends the phrase
    ("11 March 2026", 11, "exact", None),  # a date: a capitalised month is no unit
    ("a 2,000-strong march", 2000, "exact", "march"),
    # from the sample corpus (data/*.txt)
    ("a 2,000-strong force moves in", 2000, "exact", "force"),  # "moves" is the verb here
    ("barely 400 soldiers on the ground", 400, "at most", "soldier"),
    ("roughly €165 per displaced person", 165, "approximate", "EUR"),
    ("140 or 180 millimetres", 160, "approximate", "mm"),
    ("a 64-metre dam", 64, "exact", "metre"),
    ("4 amphibious trucks", 4, "exact", "truck"),
    ("1,960 people spent the night", 1960, "exact", "people"),
    ("at least 300 of us", 300, "at least", None),
    # a verb's past form that is a noun only in the singular says what the number did
    ("about 7,000 left", 7000, "approximate", None),  # leave, not a count of "left"s
    ("7,000 LEFT QUELLBY", 7000, "exact", None),
    ("500 rose", 500, "exact", None),
    ("12 shot dead", 12, "exact", None),
    ("12 spoke to reporters", 12, "exact", None),
    ("300 more left", 300, "exact", None),
    ("40 hits", 40, "exact", "hit"),  # a plural, and a base form, stay what is counted
    ("10,000 troops", 10000, "exact", "troop"),
]


@pytest.mark.parametrize(("text", "value", "qualifier", "unit"), UNITS)
def test_unit_is_what_is_counted(text, value, qualifier, unit):
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


# -- NUMBER spans imported from doccano and Prodigy files get the reading, marked -------------

REPORT = ("General Akar said one general and 38 military staff left; another outlet put it at"
          " about 40 troops, and a 2,000-strong peace force waits near Quellby.")
SPANS = {"one general and 38 military staff": "NUMBER", "about 40 troops": "NUMBER",
         "a 2,000-strong peace force": "NUMBER", "Quellby": "LOC", "Akar": "PERSON"}
MARK = ["value", "qualifier", "unit"]


def _at(phrase: str) -> tuple[int, int]:
    start = REPORT.index(phrase)
    return start, start + len(phrase)


def _write(path, *records) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _doccano(path) -> str:
    return _write(path, {"id": "d1", "text": REPORT,
                         "label": [[*_at(p), label] for p, label in SPANS.items()]})


def _prodigy(path) -> str:
    return _write(path, {"text": REPORT, "meta": {"id": "d1"}, "answer": "accept",
                         "spans": [{"start": _at(p)[0], "end": _at(p)[1], "label": label}
                                   for p, label in SPANS.items()]})


def _cli(db, *args: str):
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False,
                                env={"ANNOTATOR_DEBUG": "1"})
    return result


def _exported(db) -> list[dict]:
    result = _cli(db, "export", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _attrs_by_text(row: dict) -> dict[str, dict]:
    return {s["text"]: s["attrs"] for s in row["spans"]}


@pytest.mark.parametrize("shape", [_doccano, _prodigy])
def test_imported_number_spans_get_the_reading_marked_and_round_trip(tmp_path, shape):
    source = shape(tmp_path / "in.jsonl")
    assert _cli(tmp_path / "a.db", "import", source, "--as", "alice").exit_code == 0
    [row] = _exported(tmp_path / "a.db")
    assert _attrs_by_text(row) == {
        "Akar": {}, "Quellby": {},  # not NUMBER labels: nothing filled in
        "one general and 38 military staff": {"value": 39, "qualifier": "exact",
                                              "machine_filled": ["value", "qualifier"]},
        "about 40 troops": {"value": 40, "qualifier": "approximate", "unit": "troop",
                            "machine_filled": MARK},
        "a 2,000-strong peace force": {"value": 2000, "qualifier": "exact", "unit": "force",
                                       "machine_filled": MARK},
    }
    # export -> import into an empty database -> export gives the same lines, mark included
    first = _cli(tmp_path / "a.db", "export", "--format", "jsonl").stdout
    native = tmp_path / "native.jsonl"
    native.write_text(first, encoding="utf-8")
    assert _cli(tmp_path / "b.db", "import", str(native)).exit_code == 0
    assert _cli(tmp_path / "b.db", "export", "--format", "jsonl").stdout == first


def test_native_spans_keep_their_own_attributes(tmp_path):
    start, end = _at("about 40 troops")
    line = {"id": "d1", "text": REPORT, "annotator": "alice", "status": "done",
            "spans": [{"id": "s1", "start": start, "end": end, "label": "NUMBER",
                       "attrs": {"value": 41}},
                      {"id": "s2", "start": _at("Akar")[0], "end": _at("Akar")[1],
                       "label": "NUMBER", "attrs": {}}]}
    source = _write(tmp_path / "ours.jsonl", line)
    assert _cli(tmp_path / "a.db", "import", source).exit_code == 0
    [row] = _exported(tmp_path / "a.db")
    assert [s["attrs"] for s in row["spans"]] == [{}, {"value": 41}]


@pytest.mark.parametrize(("mark", "why"), [
    ("value", "must be a list of attribute names"),
    (["value", "value"], "names an attribute twice"),
    (["value", "unit"], "names 'unit', which the span does not have"),
])
def test_a_bad_mark_in_a_native_file_is_refused(tmp_path, mark, why):
    start, end = _at("about 40 troops")
    line = {"id": "d1", "text": REPORT, "annotator": "alice",
            "spans": [{"id": "s1", "start": start, "end": end, "label": "NUMBER",
                       "attrs": {"value": 40, "machine_filled": mark}}]}
    source = _write(tmp_path / "ours.jsonl", line)
    result = _cli(tmp_path / "a.db", "import", source)
    assert result.exit_code == 1
    assert f"{source}:1: span s1: attribute 'machine_filled' {why}" in result.stderr
    with Store(tmp_path / "a.db") as store:
        assert store.spans("d1", "alice") == []


def test_an_edited_attribute_leaves_the_mark_and_a_reimport_keeps_the_edit(tmp_path, schema):
    source = _doccano(tmp_path / "in.jsonl")
    db = tmp_path / "a.db"
    assert _cli(db, "import", source, "--as", "alice").exit_code == 0
    with Store(db) as store:
        span = next(s for s in store.spans("d1", "alice") if s.attrs.get("value") == 40)
        edited = {**span.attrs, "unit": "soldier"}  # what the attribute form saves
        Session(store, "alice", schema).set_attrs(span, edited)
    again = _cli(db, "import", source, "--as", "alice")  # the same file: nothing new
    assert again.exit_code == 0, again.output
    assert "Unchanged (already there): 1 document, 5 spans" in again.output
    [row] = _exported(db)
    assert _attrs_by_text(row)["about 40 troops"] == {
        "value": 40, "qualifier": "approximate", "unit": "soldier",
        "machine_filled": ["value", "qualifier"]}


def test_after_edit_drops_the_mark_when_nothing_is_machine_filled():
    before = {"value": 40, "unit": "troop", "machine_filled": ["value", "unit"]}
    assert after_edit(before, {"value": 41, "unit": "x", "machine_filled": ["value", "unit"]}) \
        == {"value": 41, "unit": "x"}
    assert after_edit({"value": 4}, {"value": 5}) == {"value": 5}


def test_a_resized_imported_span_names_only_the_fresh_reading(tmp_path, schema):
    source = _doccano(tmp_path / "in.jsonl")
    db = tmp_path / "a.db"
    assert _cli(db, "import", source, "--as", "alice").exit_code == 0
    with Store(db) as store:
        session = Session(store, "alice", schema)

        def troops():
            return next(s for s in store.spans("d1", "alice") if s.attrs.get("value") == 40)

        session.resize(troops(), REPORT, grow=False)  # "about 40": no unit any more
        assert troops().attrs == {"value": 40, "qualifier": "approximate",
                                  "machine_filled": ["value", "qualifier"]}
        session.set_attrs(troops(), {**troops().attrs, "qualifier": "exact"})
        session.resize(troops(), REPORT, grow=True)  # "about 40 troops" again
        assert troops().attrs == {"value": 40, "qualifier": "exact", "unit": "troop",
                                  "machine_filled": ["value", "unit"]}
    # the native export of it imports back (the mark names only attributes the span has)
    native = tmp_path / "native.jsonl"
    native.write_text(_cli(db, "export", "--format", "jsonl").stdout, encoding="utf-8")
    assert _cli(tmp_path / "b.db", "import", str(native)).exit_code == 0


def test_the_docs_examples_name_the_unit_parse_number_reads():
    """docs/numbers.md's example table, unit column included ("—" is no unit)."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "numbers.md").read_text("utf-8")
    table = text[text.index("| span text |"):].split("\n\n")[0]
    rows = [[cell.strip() for cell in row.strip("|").split("|")] for row in table.splitlines()[2:]]
    assert len(rows) > 30
    wrong = [f"{text!r}: docs say {unit}, code reads {parse_number(text).unit}"
             for text, _value, _qualifier, unit in rows
             if (parse_number(text).unit or "—") != unit]
    assert not wrong, "\n".join(wrong)
