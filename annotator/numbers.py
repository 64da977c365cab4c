"""Number normalisation: turn a NUMBER span's text into a value, a qualifier and a unit."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Collection
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from annotator import units
from annotator.words import CJK_CHAR

EXACT, APPROXIMATE, AT_LEAST, AT_MOST = "exact", "approximate", "at least", "at most"
QUALIFIERS = (EXACT, APPROXIMATE, AT_LEAST, AT_MOST)


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """The normalised reading of a number span; ``value`` is None when nothing numeric was found."""

    value: int | float | None
    qualifier: str = EXACT
    unit: str | None = None

    def as_attrs(self) -> dict[str, Any]:
        """The span attributes to store: value, qualifier and unit, leaving out None."""
        attrs = {"value": self.value, "qualifier": self.qualifier, "unit": self.unit}
        return {name: value for name, value in attrs.items() if value is not None}


def _phrases(table: dict[str, list[str]]) -> dict[tuple[str, ...], str]:
    return {tuple(p.split()): qualifier for qualifier, phrases in table.items() for p in phrases}


_PREFIXES = _phrases({
    APPROXIMATE: ["about", "around", "roughly", "approximately", "approx", "an estimated",
                  "estimated", "some", "circa", "ca", "c", "~", "≈", "more or less",
                  "in the region of", "something like", "between"],
    AT_MOST: ["nearly", "almost", "just under", "up to", "no more than", "not more than",
              "fewer than", "less than", "under", "below", "at most", "a maximum of",
              "as many as", "close to", "just shy of", "well under", "barely", "scarcely",
              "hardly", "<", "≤"],
    AT_LEAST: ["at least", "more than", "over", "upwards of", "in excess of", "no fewer than",
               "no less than", "not less than", "a minimum of", "above", "just over",
               "well over", "as few as", ">", "≥"],
})
# "2,000 or more", "40-odd", "2,000-plus"; "strong" ("2,000-strong") is skipped, no qualifier.
_SUFFIXES: dict[tuple[str, ...], str | None] = {
    **_phrases({AT_LEAST: ["or more", "plus", "+"], AT_MOST: ["or fewer", "or less"],
                APPROXIMATE: ["or so", "odd", "ish"]}),
    ("strong",): None,
}

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_CLASSES: dict[str, tuple[str, int]] = {
    **{word: ("unit", n) for n, word in enumerate(_ONES)},
    **{word: ("teen", n + 10) for n, word in enumerate(_TEENS)},
    **{word: ("tens", (n + 2) * 10) for n, word in enumerate(_TENS)},
    "hundred": ("hundred", 100), "dozen": ("dozen", 12),
    "thousand": ("scale", 10**3), "million": ("scale", 10**6),
    "billion": ("scale", 10**9), "trillion": ("scale", 10**12),
}
# Which word class may come right after which ("thirty" then "eight", "hundred" then "and" ...).
_MAY_FOLLOW: dict[str, set[str | None]] = {
    "unit": {None, "tens", "hundred", "scale", "and"},
    "teen": {None, "hundred", "scale", "and"},
    "tens": {None, "hundred", "scale", "and"},
    "hundred": {"article", "unit", "teen", "tens"},
    "dozen": {"article", "unit", "teen", "tens"},
    "scale": {"article", "unit", "teen", "tens", "hundred"},
}
_AFTER_AND = {"unit", "teen", "tens"}  # "hundred and one", "thousand and twelve"
_MULTIPLIERS = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9,
                "trillion": 10**12, "dozen": 12, "mn": 10**6, "mln": 10**6, "bn": 10**9,
                "bln": 10**9, "tn": 10**12, "lakh": 10**5, "lakhs": 10**5, "crore": 10**7,
                "crores": 10**7}
_ATTACHED_MULTIPLIERS = {"k": 10**3, "m": 10**6, "b": 10**9}  # only written straight after digits
_PLURAL_SCALES = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 10**3,
                  "millions": 10**6, "billions": 10**9}
_LARGE_PLURALS = {"hundreds", "thousands", "millions", "billions"}  # "tens of thousands of"
_FRACTIONS = {"half": Fraction(1, 2), "quarter": Fraction(1, 4)}
# "two-thirds", "three quarters of", "one fifth": a fraction, never a unit
_DENOMINATORS = {word: n for n, words in (
    (2, ("half", "halves")), (3, ("third", "thirds")), (4, ("quarter", "quarters")),
    (5, ("fifth", "fifths")), (6, ("sixth", "sixths")), (7, ("seventh", "sevenths")),
    (8, ("eighth", "eighths")), (9, ("ninth", "ninths")), (10, ("tenth", "tenths")),
) for word in words}
_NUMERAL_SUFFIXES = {"s", "th", "st", "nd", "rd"}  # "1990s", "5th": not units
_CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR"}
# Written before the number: "USD 2.5bn", "Rs 500 crore"
_CURRENCY_CODES = {"usd": "USD", "eur": "EUR", "gbp": "GBP", "jpy": "JPY", "cny": "CNY",
                   "inr": "INR", "rs": "INR", "rub": "RUB", "chf": "CHF", "cad": "CAD",
                   "aud": "AUD"}
_DOLLAR_PREFIXES = {"us": "USD", "c": "CAD", "a": "AUD", "nz": "NZD", "hk": "HKD", "s": "SGD"}
# Words that start another number, so they end the words a unit is looked for in
_NUMBER_WORDS = (_WORD_CLASSES.keys() | _PLURAL_SCALES.keys() | _MULTIPLIERS.keys()
                 | _FRACTIONS.keys() | _DENOMINATORS.keys())
_MAX_UNIT_WORDS = 8  # words after a number looked at for its unit
# Units that measure rather than count: parts with different ones are never summed
_MEASURE_UNITS = (units.MEASURES.keys() | set(units.CURRENCY_WORDS.values())
                  | set(units.CURRENCY_QUALIFIERS.values()) | set(_CURRENCY_SYMBOLS.values())
                  | set(_DOLLAR_PREFIXES.values()))

_MAX_DIGITS = 100  # longer digit runs are not read as numbers (and never reach int())
_CHAR_MAP = str.maketrans({"\u066b": ".", "\u066c": ",", "\u066a": "%",
                           **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63", "-")})
_GROUP_SPACE = re.compile(r"(?<=[0-9])[\u00a0\u2007\u2009\u202f](?=[0-9]{3}(?![0-9]))")
# Digit groups joined by single ASCII spaces ("1 500 people"); see _join_space_groups
_SPACED_DIGITS = re.compile(r"(?<![\w.,])[0-9]++(?: [0-9]++)++(?!,[0-9])")
_SPACE_GROUPED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+")
_TOKEN = re.compile(r"""
    (?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)
  | (?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)
  | (?P<sym>[-%£$€¥₹~≈<>≤≥+,])
""", re.VERBOSE)


class _Token(NamedTuple):
    kind: str  # "num", "word" or "sym"
    text: str
    low: str
    start: int
    end: int


class _Quantity(NamedTuple):
    value: Fraction
    end: int  # index of the first token after the quantity
    qualifier: str | None = None  # what the wording itself implies ("hundreds" -> at least)
    multiplier: int = 1  # "million" in "2-3 million" applies to both ends of the range


class _Part(NamedTuple):
    value: Fraction
    qualifier: str
    unit: str | None
    end: int
    state: bool = False  # only adjectives or participles after it: "38 dead", "12 wounded"


def _normalise_char(char: str) -> str:
    if char.isascii():
        return char
    digit = unicodedata.decimal(char, None)  # any script's digits: "٣" -> "3", "３" -> "3"
    if digit is not None:
        return str(digit)
    if "\uff01" <= char <= "\uff5e":  # fullwidth ASCII forms
        return chr(ord(char) - 0xFEE0)
    return char.translate(_CHAR_MAP)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _normalised(text: str) -> str:
    """`text` with each character normalised (_normalise_char; one character for one, so
    offsets stay): only its non-ASCII characters are looked at (a whole 5 MB document was
    2.5 s of CPU when every character went through _normalise_char, twice)."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda m: _normalise_char(m.group()), text)


def _join_space_groups(match: re.Match[str]) -> str:
    """ "1 500" and "12 345 678" are one number; "1 2", "1 5000", "1234 567" and "1 500 2" are
    not a thousands grouping (every group after the first has exactly 3 digits), so they stay
    apart. An ASCII space is also a word break, hence the whole run must fit, not just a pair."""
    run = match.group()
    return run.replace(" ", "") if _SPACE_GROUPED.fullmatch(run) else run


def _tokenize(chars: str) -> tuple[str, list[_Token]]:
    """The text read (`chars`, a text _normalised, without the spaces inside digit groups)
    and its tokens (offsets into that text)."""
    text = _GROUP_SPACE.sub("", chars)
    text = _SPACED_DIGITS.sub(_join_space_groups, text)
    return text, [_Token(m.lastgroup or "", m.group(), m.group().lower(), m.start(), m.end())
                  for m in _TOKEN.finditer(text)]


def _original_offsets(chars: str) -> Callable[[int], int]:
    """Where each character of `_tokenize(chars)[0]` is in the text `chars` normalised:
    normalising only drops the spaces inside digit groups, so an offset moves by the number
    dropped before it."""
    first = [m.start() for m in _GROUP_SPACE.finditer(chars)]  # one character each
    joined = _GROUP_SPACE.sub("", chars)
    second = [m.start() + k for m in _SPACED_DIGITS.finditer(joined)
              if _SPACE_GROUPED.fullmatch(m.group()) for k, c in enumerate(m.group()) if c == " "]

    def back(dropped: list[int]) -> Callable[[int], int]:
        at = [r - i for i, r in enumerate(dropped)]  # where each would be, once dropped
        return lambda d: d + bisect_right(at, d)

    undo_first, undo_second = back(first), back(second)
    return lambda offset: undo_first(undo_second(offset))


def _to_python(value: Fraction) -> int | float | None:
    if value.denominator == 1:
        return int(value)
    try:
        return float(value)
    except OverflowError:
        return None


class _Parser:
    def __init__(self, text: str, chars: str | None = None) -> None:
        self.text, self.tokens = _tokenize(_normalised(text) if chars is None else chars)
        self.all_caps = not any(c.islower() for c in self.text)  # a headline: no acronyms

    def low(self, i: int) -> str:
        return self.tokens[i].low if 0 <= i < len(self.tokens) else ""

    def kind(self, i: int) -> str:
        return self.tokens[i].kind if 0 <= i < len(self.tokens) else ""

    def attached(self, i: int) -> bool:
        """Whether token i is written straight after token i-1, with no space between."""
        return 0 < i < len(self.tokens) and self.tokens[i].start == self.tokens[i - 1].end

    def apart(self, i: int) -> bool:
        """Whether punctuation (not only spaces) stands between token i-1 and token i."""
        return 0 < i < len(self.tokens) and bool(
            self.text[self.tokens[i - 1].end : self.tokens[i].start].strip())

    def part(self, i: int) -> _Part | None:
        """One number with its prefix qualifier, range, suffixes and unit, starting at token i."""
        for length in (4, 3, 2, 1):
            phrase = tuple(self.low(k) for k in range(i, i + length))
            prefix = _PREFIXES.get(phrase)
            # A word prefix must stand apart: "c" in "C$5m" is a currency, not "circa".
            if prefix and (self.kind(i + length - 1) == "sym" or not self.attached(i + length)):
                found = self._body(i + length, prefix)
                if found:
                    return found
        return self._body(i, None)

    def _body(self, i: int, prefix: str | None) -> _Part | None:
        between = prefix is not None and self.low(i - 1) == "between"
        negative = self.low(i) == "minus" or (
            self.low(i) == "-" and self.kind(i + 1) in ("num", "sym") and self.attached(i + 1))
        i += negative
        currency, i = self._currency(i)
        first = self._quantity(i)
        if first is None:
            return None
        value = -first.value if negative else first.value
        end, qualifier = first.end, first.qualifier
        if self.low(end) in ("-", "to", "or") or (between and self.low(end) == "and"):
            start = end + 1 + (currency is not None and self.low(end + 1) in _CURRENCY_SYMBOLS)
            second = self._quantity(start)
            if second:  # a range: "30-40", "two or three", "between 30 and 40" -> midpoint
                if first.multiplier == 1:
                    value *= second.multiplier
                value, end, qualifier = (value + second.value) / 2, second.end, APPROXIMATE
        value, share_end = self._fraction(value, i, end)
        if share_end > end:  # a share ("two-thirds of voters") has no unit: it counts nothing
            return _Part(value, prefix or qualifier or EXACT, None, share_end)
        suffix, end = self._suffixes(end, after_unit=False)
        unit, state = currency, False
        if unit is None:
            unit, end = self._symbol_unit(end)
        if unit is None:
            unit, end, state = self._word_unit(end)
        late_suffix, end = self._suffixes(end, after_unit=True)
        return _Part(value, prefix or suffix or late_suffix or qualifier or EXACT, unit, end,
                     state)

    def _fraction(self, value: Fraction, start: int, end: int) -> tuple[Fraction, int]:
        """ "two-thirds", "two thirds of", "three quarters" (a numerator in words smaller than
        the denominator): the value divided, the denominator read."""
        at = end + (self.low(end) == "-" and self.attached(end))
        denominator = _DENOMINATORS.get(self.low(at))
        if denominator and (at > end or self.low(at + 1) == "of" or (
                self.kind(start) == "word" and 0 < value < denominator)):
            return value / denominator, at + 1
        return value, end

    def _currency(self, i: int) -> tuple[str | None, int]:
        if self.low(i) in _DOLLAR_PREFIXES and self.low(i + 1) == "$" and self.attached(i + 1):
            return _DOLLAR_PREFIXES[self.low(i)], i + 2
        if self.low(i) in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[self.low(i)], i + 1
        if self.low(i) in _CURRENCY_CODES and self.kind(i + 1) == "num":
            return _CURRENCY_CODES[self.low(i)], i + 1
        return None, i

    def _quantity(self, i: int) -> _Quantity | None:
        word = self.low(i)
        if self.kind(i) == "num":
            return self._numeral(i)
        if word in _PLURAL_SCALES:  # "hundreds of", "tens of thousands of"
            value, end = _PLURAL_SCALES[word], i + 1
            while self.low(end) == "of" and self.low(end + 1) in _LARGE_PLURALS:
                value, end = value * _PLURAL_SCALES[self.low(end + 1)], end + 2
            if word == "tens" and end == i + 1:
                return None
            return _Quantity(Fraction(value), end, AT_LEAST, value)
        if word in ("a", "an") and self.low(i + 1) in _FRACTIONS:
            i, word = i + 1, self.low(i + 1)
        if word in _FRACTIONS:  # "half a million", "a quarter of a million"
            end = i + 1 + (self.low(i + 1) == "of")
            end += self.low(end) in ("a", "an")
            scale = _WORD_CLASSES.get(self.low(end), ("", 0))
            if scale[0] in ("hundred", "dozen", "scale"):
                return _Quantity(_FRACTIONS[word] * scale[1], end + 1, None, scale[1])
            return None
        return self._number_words(i)

    def _numeral(self, i: int) -> _Quantity | None:
        digits = self.tokens[i].text.replace(",", "")
        if len(digits) > _MAX_DIGITS:
            return None
        multiplier, end = 1, i + 1
        if self.low(end) in _ATTACHED_MULTIPLIERS and self.attached(end):  # "£3.2m", "5k"
            multiplier, end = _ATTACHED_MULTIPLIERS[self.low(end)], end + 1
        elif self.low(end) in _NUMERAL_SUFFIXES and self.attached(end):
            end += 1
        while self.low(end) in _MULTIPLIERS:  # "1.5 million", "2.3bn", "3 hundred thousand"
            multiplier, end = multiplier * _MULTIPLIERS[self.low(end)], end + 1
        return _Quantity(Fraction(digits) * multiplier, end, None, multiplier)

    def _number_words(self, i: int) -> _Quantity | None:
        """English number words: "thirty-eight", "a dozen", "three hundred and forty-two"."""
        total = current = 0
        last: str | None = None
        last_scale = 0
        end = i
        while end < len(self.tokens):
            word, following = self.low(end), _WORD_CLASSES.get(self.low(end + 1), ("", 0))[0]
            cls, number = _WORD_CLASSES.get(word, ("", 0))
            if word in ("a", "an") and last is None and following in ("hundred", "dozen", "scale"):
                current, last = 1, "article"
            elif word == "-" and last == "tens" and following == "unit":
                pass
            elif word == "and" and last in ("hundred", "scale") and following in _AFTER_AND:
                last = "and"
            elif cls and last in _MAY_FOLLOW[cls]:
                if cls in ("hundred", "dozen"):
                    if not 0 < current < 100:
                        break
                    current *= number
                elif cls == "scale":
                    if current == 0 or (last_scale and number >= last_scale):
                        break
                    total, current, last_scale = total + current * number, 0, number
                else:
                    current += number
                last = cls
            else:
                break
            end += 1
        if last in (None, "article", "and"):
            return None
        return _Quantity(Fraction(total + current), end)

    def _suffixes(self, i: int, after_unit: bool) -> tuple[str | None, int]:
        qualifier = None
        while True:
            while not after_unit and self.low(i) == "-":
                i += 1
            for phrase, meaning in _SUFFIXES.items():
                if (not after_unit or phrase[0] == "or") and all(
                        self.low(i + k) == w for k, w in enumerate(phrase)):
                    qualifier, i = qualifier or meaning, i + len(phrase)
                    break
            else:
                return qualifier, i

    def _symbol_unit(self, i: int) -> tuple[str | None, int]:
        if self.low(i) == "%":
            return "percent", i + 1
        if (self.low(i), self.low(i + 1)) == ("per", "cent"):
            return "percent", i + 2
        if self.low(i) in _CURRENCY_SYMBOLS:  # "5€"
            return _CURRENCY_SYMBOLS[self.low(i)], i + 1
        return None, i

    def _word_unit(self, i: int) -> tuple[str | None, int, bool]:
        """The unit in the words from token i (units.head_unit), the token after it, and
        whether those words were only adjectives or participles."""
        words: list[units.Word] = []
        ends: list[int] = []
        k = i
        while (len(words) < _MAX_UNIT_WORDS and self.kind(k) == "word" and not self.apart(k)
               and self.low(k) not in _NUMBER_WORDS):
            text, k = self.tokens[k].text, k + 1
            while (self.low(k) == "-" and self.attached(k) and self.kind(k + 1) == "word"
                   and self.attached(k + 1) and self.low(k + 1) not in _NUMBER_WORDS):
                text, k = f"{text}-{self.tokens[k + 1].text}", k + 2  # "Russian-made"
            joined = not words and self.low(i - 1) == "-" and self.attached(i)
            words.append(units.Word(text, joined))
            ends.append(k)
        found = units.head_unit(words, self.all_caps, attributive=self.low(i - 1) == "strong")
        return found.name, ends[found.used - 1] if found.used else i, found.state


MACHINE_FILLED = "machine_filled"
"""The attribute that marks a span's attributes numbers.py filled in, not a person.

Spans imported from doccano or Prodigy files carry no attributes; a NUMBER span gets the
reading of its text (`fill_attrs`) and `"machine_filled": ["value", "qualifier", "unit"]`, the
names it filled. It is an attribute so it travels with the span: the native JSONL export carries
it and imports it back unchanged (our own JSONL is never filled in: its spans carry their own
attributes). When a person edits one of those attributes its name leaves the list, and the list
leaves the span when it is empty (`after_edit`)."""


def fill_attrs(text: str, names: Collection[str]) -> dict[str, Any]:
    """The reading of `text` for the attributes in `names` (a NUMBER label's), marked as
    machine-filled; {} when the text holds no number or the label has none of them."""
    parsed = parse_number(text)
    if parsed.value is None:
        return {}
    attrs: dict[str, Any] = {k: v for k, v in parsed.as_attrs().items() if k in names}
    if attrs and MACHINE_FILLED not in names:
        attrs[MACHINE_FILLED] = list(attrs)
    return attrs


def mark_problem(value: object, attrs: dict[str, Any]) -> str | None:
    """Why `value` cannot be the machine_filled mark of a span with `attrs`, or None."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of attribute names"
    if len(set(value)) < len(value):
        return "names an attribute twice"
    missing = [v for v in value if v not in attrs or v == MACHINE_FILLED]
    if missing:
        return f"names {', '.join(map(repr, missing))}, which the span does not have"
    return None


def after_edit(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`after` with the attributes a person changed since `before` taken out of the mark."""
    mark = after.get(MACHINE_FILLED)
    if not isinstance(mark, list):
        return after
    kept = [name for name in mark if name in after and after[name] == before.get(name)]
    out = {k: v for k, v in after.items() if k != MACHINE_FILLED}
    if kept:
        out[MACHINE_FILLED] = kept
    return out


def after_reread(before: dict[str, Any], kept: dict[str, Any],
                 now: dict[str, Any]) -> dict[str, Any]:
    """After a span's text changed (resize): `now` is `kept` (what a person set) plus a fresh
    reading. A span that had the mark gets one naming the fresh attributes, or none."""
    if MACHINE_FILLED not in before:
        return now
    out = {k: v for k, v in now.items() if k != MACHINE_FILLED}
    fresh = [k for k in out if k not in kept]
    if fresh:
        out[MACHINE_FILLED] = fresh
    return out


def parse_number(text: str) -> ParsedNumber:
    """Read the value, qualifier and unit of a number span; never raises.

    Digits in any script, thousands commas, thin/no-break-space groups ("1 960") and plain
    space groups when every group after the first has 3 digits ("1 500 people"), decimals,
    signs ("-5", "minus 5"), multipliers ("1.5 million", "2.3bn", "£3.2m": "m"/"k"/"b" only
    when written straight after the digits) and English number words ("thirty-eight",
    "three hundred and forty-two", "a dozen", "half a million") are read; the value is an int
    whenever it is integral. Choices made:

    - The unit is what is counted: the head noun of the words after the number, lower-case
      and singular, found by units.head_unit (see annotator/units.py for the rules and why):
      "38 military staff" -> "staff", "2,000 Syrian mercenaries" -> "mercenary", "a 2,000-strong
      peace force" -> "force", "a 20-member delegation" -> "delegation", "a 44-day war" and
      "44 days" -> "day", "38 MPs" -> "MP", "one person" / "38 people" -> "people". "%", "per
      cent" and "percent" -> "percent"; money -> an ISO code, for a symbol (£ GBP, $ USD, € EUR,
      ¥ JPY, ₹ INR, US$, C$ ...) or a word ("dollars" USD, "euros" EUR ...). None when nothing
      is counted: "38", "38 more", "38 of them", "38 dead", "11 March".
    - The qualifier comes from the wording before the number ("nearly", "at least", "about"),
      else after it ("or more", "-plus", "-odd", "or so"), else "exact".
    - "hundreds of" / "thousands of" / "dozens of" -> 100 / 1000 / 12, "at least".
    - Ranges ("30-40", "30 to 40", "two or three", "between 30 and 40") -> the midpoint,
      "approximate": one figure to compare across reports; the bounds stay in the text.
    - Fractions ("two-thirds", "three quarters of") -> the value (0.666..., 0.75), no unit.
    - Several numbers joined by "and" (or listed with commas after a unit) are one total when
      they count things: "one general and 38 staff" -> 39, "exact", unit None, because the
      span is one figure a later report is checked against ("35 military officers"; mark two
      spans for two figures). The unit and qualifier are kept only if every part has the same
      one; differing qualifiers give "approximate". Not summed, only the first number read:
      when a part is a state ("38 dead and 100 injured") or the parts measure different things
      ("2 days and 3 hours", "$5m and £3m").
    - Text with no number gives ParsedNumber(None, "exact", None).
    """
    parser = _Parser(text if isinstance(text, str) else "")
    first = next(filter(None, map(parser.part, range(len(parser.tokens)))), None)
    if first is None:
        return ParsedNumber(None)
    parts = [first]
    while True:
        start = parts[-1].end
        start += parser.low(start) == "," and parts[-1].unit is not None
        start += parser.low(start) == "and"
        following = parser.part(start) if start > parts[-1].end else None
        if following is None:
            break
        parts.append(following)
    if not _summable(parts):
        parts = parts[:1]
    qualifiers, found = {p.qualifier for p in parts}, {p.unit for p in parts}
    value = _to_python(sum((p.value for p in parts), Fraction(0)))
    if value is None:
        return ParsedNumber(None)
    return ParsedNumber(value, qualifiers.pop() if len(qualifiers) == 1 else APPROXIMATE,
                        found.pop() if len(found) == 1 else None)


def _summable(parts: list[_Part]) -> bool:
    """Parts count one total ("one general and 38 staff") unless one is a state ("38 dead and
    12 wounded") or they measure different things ("2 days and 3 hours", "$5m and £3m")."""
    if len(parts) == 1:
        return True
    if any(p.state for p in parts):
        return False
    found = {p.unit for p in parts}
    return len(found) == 1 or not found & _MEASURE_UNITS


def find_numbers(text: str) -> list[tuple[int, int]]:
    """(start, end) in `text` of every figure the normaliser reads: a qualifier before it, the
    number (a range is one) and what it counts ("about 1,500 soldiers"). Dates and years are
    left out: a figure before or after a month or weekday ("11 March"), a bare four-digit
    number from 1800 to 2100 ("in 2021"), a numeral with a suffix ("1990s", "5th")."""
    chars = _normalised(text)
    parser = _Parser(text, chars)
    offset = _original_offsets(chars)
    tokens = parser.tokens
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        part = parser.part(i) if _may_start(tokens[i]) else None
        if part is None or part.end <= i or not _a_figure(parser, i, part):
            i += 1
            continue
        start, end = offset(tokens[i].start), offset(tokens[part.end - 1].end - 1) + 1
        end = _figure_end(text, start, end)
        if end > start:
            found.append((start, end))
        i = part.end
    return found


def _figure_end(text: str, start: int, end: int) -> int:
    """A figure ends at a line break ("1.5 MILLION EUROS" is not read on into the next
    paragraph's "IN İZMIR"), and its unit is one CJK character at most: text written without
    spaces would otherwise give the rest of the sentence as the unit ("2,000人規模の…": 人)."""
    cut = text.find("\n", start, end)
    if cut != -1:
        end = start + len(text[start:cut].rstrip())
    for found in CJK_CHAR.finditer(text, start, end):
        k = found.start()
        if not text[k].isdigit():
            return k + 1 if text[start:k].strip() else end
    return end


_STARTS = ({p[0] for p in _PREFIXES} | _NUMBER_WORDS | _DOLLAR_PREFIXES.keys()
           | _CURRENCY_SYMBOLS.keys() | _CURRENCY_CODES.keys() | {"a", "an", "minus", "-"})


def _may_start(token: _Token) -> bool:
    """Whether a number may be read from this token (most words of a text are passed over
    without trying: reading the figures of 5 MB took 13 s of CPU before)."""
    return token.kind == "num" or token.low in _STARTS


_YEAR = re.compile(r"1[89][0-9]{2}|20[0-9]{2}")
_BEFORE_YEARS = frozenset({"in", "since", "by", "until", "till", "from", "of", "early", "late",
                           "mid", "before", "after", "during"})


def _a_figure(parser: _Parser, i: int, part: _Part) -> bool:
    """Whether the number read at token i is a figure, not a date, a year, an ordinal or a
    bare "one" ("one of them")."""
    if any(parser.low(k) in _NUMERAL_SUFFIXES and parser.attached(k)
           for k in range(i + 1, part.end)):
        return False
    first, last = parser.tokens[i], parser.tokens[part.end - 1]
    if parser.text[first.start - 1 : first.start] == ":" or parser.text[
            last.end : last.end + 1] == ":" or parser.low(part.end) in ("a", "p"):
        return False  # a time: "01:00", "2 a.m."
    if any(c < " " and c not in "\n\t" for c in parser.text[max(0, first.start - 3) : first.start]):
        return False  # inside an escape sequence ("\x1b[2J")
    model = parser.low(i - 1) == "-" and parser.attached(i) and parser.attached(i - 1)
    if model or (parser.low(i) == "-" and parser.attached(i)) or (
            parser.low(i) == "one" and parser.low(i + 1) == "of"):
        return False  # a model ("KT-12"), "one of the ..."
    year = parser.kind(i) == "num" and _YEAR.fullmatch(parser.low(i))
    if year and (part.end - i == 1 or parser.low(i - 1) in _BEFORE_YEARS):
        return False  # "in 2021", "since 1998 troops have ..."
    if part.unit is not None:
        return True
    if parser.low(i) in ("a", "an", "one") and part.end - i == 1:
        return False
    return not {parser.low(i - 1), parser.low(part.end)} & units.CALENDAR_WORDS
