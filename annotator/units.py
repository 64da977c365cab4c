"""What a number counts: the head noun of the words after it, as one comparable form.

"38 military staff" counts staff, "2,000 Syrian mercenaries" mercenaries, "a 2,000-strong peace
force" a force and "a 44-day war" days, so two reports' figures can be compared. numbers.py
hands over the words that follow a number (up to punctuation, a digit or a number word);
`head_unit` picks the unit with the rules below. The word lists are data, kept in this file.

1. The phrase ends at a function word (preposition, verb "to be", pronoun, conjunction,
   clause word: "38 were killed", "38 of them", "30 troops and 40 police"), at a time or
   distributive word ("38 yesterday", "38 each"), after a possessive ("38 people's homes":
   people), after a plural noun unless that plural is a compound's modifier ("3 weapons
   systems"), at a verb form once a noun was seen ("38 staff killed"), and at a verb's past
   form right after the number that is a noun only in the singular ("7,000 left Quellby").
2. A measure word right after the number is the unit, also when joined by a hyphen:
   "44 days" and "a 44-day war" -> day, "a 10-km stretch" -> km, "12 percent" -> percent.
   Any other word joined by a hyphen is a modifier: "a 20-member delegation" -> delegation
   ("member" only when nothing follows: "the 20-member"). "strong" never reaches here.
3. Adjectives, adverbs and participles (the lemminflect dictionary knows "military" may be an
   adjective but "strong" or "unarmed" only one), leading "more"/"other"/"additional" and
   hyphenated modifiers ("Russian-made") are skipped; the unit is the last remaining noun:
   nationalities and proper nouns before it are modifiers ("2,000 Syrian mercenaries").
   With only adjectives or participles ("38 dead", "38 wounded") there is no unit, and the
   part is a *state* (see numbers.py: such parts are not summed).
4. The form: lower-case singular ("mercenaries" -> mercenary, "troops" -> troop), except
   - acronyms keep their capitals, without a plural "s": "MPs" -> MP, "IEDs" -> IED;
   - person / persons / people -> "people" (what reporters write and compare: "one person"
     and "38 people" then have the same unit);
   - measures have one spelling each (kilometres, kilometers, kms -> km; per cent -> percent);
   - money words become ISO codes like the symbols: dollars -> USD ("Canadian dollars" CAD),
     euros -> EUR, sterling -> GBP, yen -> JPY, yuan -> CNY, rupees -> INR, roubles -> RUB.
     "pounds" stays "pound" (weight or money: the annotator decides).

Singular forms come from lemminflect's dictionary (loaded on first use, ~0.3 s; about 10 µs a
word after that; no model, no download); words it does not know (names, demonyms, foreign
words) lose a plural "s" by rule ("Syrians" -> syrian, "Hamas" stays).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from annotator.optional_imports import without

FUNCTION_WORDS = frozenset({
    "a", "an", "and", "or", "but", "nor", "to", "in", "on", "at", "by", "for", "from", "with",
    "without", "into", "onto", "as", "than", "per", "via", "against", "across", "along", "among",
    "amid", "around", "near", "inside", "outside", "during", "over", "under", "between",
    "behind", "beyond", "through", "toward", "towards", "off", "of", "about", "like", "is", "are",
    "was", "were", "be", "been", "being", "has", "have", "had", "will", "would", "shall",
    "should", "can", "could", "may", "might", "must", "do", "does", "did", "it", "its", "they",
    "them", "their", "he", "him", "his", "she", "her", "we", "us", "our", "you", "your", "i",
    "me", "my", "this", "that", "these", "those", "who", "whom", "whose", "which", "what", "when",
    "where", "why", "how", "not", "no", "so", "if", "then", "there", "here", "all", "each",
    "every", "both", "either", "neither", "such", "said", "says", "say", "ago", "while", "after",
    "before", "since", "until", "up", "out", "s", "the", "according", "including", "plus",
    "minus", "times", "apiece", "altogether", "respectively", "overall", "total", "today",
    "yesterday", "tonight", "tomorrow", "overnight", "now", "last", "next", "earlier", "later",
    "already", "still", "only", "just", "also", "too", "again", "yet", "ever", "far", "others",
})
# Capitalised, these make the number a date: "11 March 2026", "3 Sept" (no unit)
CALENDAR_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
})
# Words that may stand between a number and what it counts: "300 more troops", "300 of the
# villages" ("of" and "the" only before the first word: "tonnes of grain" counts tonnes).
LEADING_FILLERS = frozenset({"of", "the", "more", "additional", "extra", "further", "other",
                             "another", "fewer", "less", "new", "some", "odd"})
# Plural nouns that modify a following noun: "3 weapons systems", "2 arms dealers".
PLURAL_MODIFIERS = frozenset({"arms", "weapons", "sports", "goods", "savings", "customs", "sales",
                              "news", "parts", "services", "operations", "communications",
                              "special"})
MEASURES: dict[str, tuple[str, ...]] = {  # the unit -> how it is written (any case, + plurals)
    "percent": ("percent", "pct", "%"),
    "percentage point": ("percentage point", "percentage points", "pp", "ppt"),
    "second": ("second", "sec", "secs"), "minute": ("minute", "min", "mins"),
    "hour": ("hour", "hr", "hrs", "h"), "day": ("day",), "night": ("night",), "week": ("week",),
    "month": ("month",), "year": ("year", "yr", "yrs"), "decade": ("decade",),
    "century": ("century",),
    "km": ("km", "kms", "kilometre", "kilometer"), "metre": ("metre", "meter"),
    "cm": ("cm", "centimetre", "centimeter"), "mm": ("mm", "millimetre", "millimeter"),
    "mile": ("mile",), "foot": ("foot", "feet", "ft"), "inch": ("inch", "inches"),
    "yard": ("yard",), "nautical mile": ("nautical mile",),
    "square km": ("sq km", "square km", "square kilometre", "square kilometer", "km2", "km²"),
    "square mile": ("sq mile", "square mile"), "hectare": ("hectare", "ha"), "acre": ("acre",),
    "kg": ("kg", "kgs", "kilo", "kilogram", "kilogramme"), "gram": ("gram", "g", "gramme"),
    "tonne": ("tonne", "metric ton", "metric tonne"), "ton": ("ton",), "lb": ("lb", "lbs"),
    "litre": ("litre", "liter", "l"), "gallon": ("gallon",), "barrel": ("barrel", "bbl"),
    "km/h": ("km/h", "kph", "kmh"), "mph": ("mph",), "knot": ("knot",),
    "degree": ("degree",), "magnitude": ("magnitude",), "mw": ("mw", "megawatt"),
    "kw": ("kw", "kilowatt"),
}
CURRENCY_WORDS = {"dollar": "USD", "buck": "USD", "euro": "EUR", "sterling": "GBP",
                  "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "rupee": "INR",
                  "rouble": "RUB", "ruble": "RUB", "franc": "CHF", "shekel": "ILS",
                  "euros": "EUR", "lira": "TRY", "hryvnia": "UAH", "rand": "ZAR"}
CURRENCY_QUALIFIERS = {("us", "dollar"): "USD", ("american", "dollar"): "USD",
                       ("canadian", "dollar"): "CAD", ("australian", "dollar"): "AUD",
                       ("zealand", "dollar"): "NZD", ("kong", "dollar"): "HKD",
                       ("singapore", "dollar"): "SGD", ("swiss", "franc"): "CHF",
                       ("pounds", "sterling"): "GBP", ("pound", "sterling"): "GBP",
                       ("turkish", "lira"): "TRY", ("indian", "rupee"): "INR",
                       ("pakistani", "rupee"): "PKR", ("russian", "rouble"): "RUB"}
SAME_UNIT = {"person": "people", "persons": "people", "people": "people", "peoples": "people"}

_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "as")
_MEASURE_FORMS = {form: unit for unit, forms in MEASURES.items() for form in forms}
_TWO_WORD_MEASURES = {tuple(f.split()): u for f, u in _MEASURE_FORMS.items() if " " in f}


class Word(NamedTuple):
    """A word after the number, as written ("Russian-made" for a hyphenated compound), and
    whether a hyphen joins it to the number ("day" in "44-day")."""

    text: str
    joined: bool = False


class Unit(NamedTuple):
    """The unit (None if none), how many of the words it used, and whether the words were
    only adjectives or participles ("38 dead")."""

    name: str | None
    used: int
    state: bool = False


@lru_cache(maxsize=1)
def _dictionary() -> Callable[[str], dict[str, tuple[str, ...]]]:
    # ~0.1 s import + ~0.25 s for its dictionary on the first look-up; without the spaCy
    # lemminflect would load for nothing (0.9 s more, in the TUI's preload thread)
    with without("spacy"):
        import lemminflect

    lemmas: Callable[[str], dict[str, tuple[str, ...]]] = lemminflect.getAllLemmas
    return lemmas


def preload() -> None:
    """Load the word dictionary now (the TUI does it in a thread after its first frame)."""
    _pos("day")


def ready() -> bool:
    """Whether the word dictionary is loaded: a look-up costs microseconds, not the ~0.35 s
    of the first one (which a caller on the UI thread should leave to a worker)."""
    return _pos.cache_info().currsize > 0


@lru_cache(maxsize=4096)
def _pos(low: str) -> dict[str, tuple[str, ...]]:
    """The parts of speech lemminflect knows for a lower-case word, with their lemmas."""
    try:
        return dict(_dictionary()(low))
    except Exception:  # lemminflect missing, or an odd string: rules alone, never an error
        return {}


def _is_acronym(text: str) -> bool:
    """ "MPs", "UN", "IEDs": capitals inside the word (a leading capital alone is a name)."""
    core = text[:-1] if text.endswith("s") and len(text) > 2 else text
    return len(core) >= 2 and core.isupper()


def singular(word: str) -> str:
    """The one form a unit word is stored in (see the module docstring, rule 4)."""
    if _is_acronym(word):
        return word[:-1] if word.endswith("s") and word[:-1].isupper() else word
    low = word.lower()
    if low in SAME_UNIT:
        return SAME_UNIT[low]
    nouns = _pos(low).get("NOUN")
    if nouns:
        return nouns[0]
    if _pos(low):  # known, but not as a noun
        return low
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("ses", "xes", "ches", "shes")):
        return low[:-2]
    if low.endswith("s") and len(low) > 2 and (
            not low.endswith(_NOT_PLURAL_ENDINGS) or (low.endswith("is") and len(low) > 5)):
        return low[:-1]  # "syrians", "euros", "israelis"; not "hamas", "paris", "swiss"
    return low


def _measure(words: list[Word], k: int) -> tuple[str | None, int]:
    """The measure written at words[k] (one or two words), and the index after it."""
    if k + 1 < len(words):
        pair = (words[k].text.lower(), words[k + 1].text.lower())
        if pair in _TWO_WORD_MEASURES:
            return _TWO_WORD_MEASURES[pair], k + 2
    text = words[k].text
    if words[k].joined:  # "a 3-year-old boy": the measure is the first part
        text = text.split("-", 1)[0]
    low = text.lower()
    if low in _MEASURE_FORMS:
        return _MEASURE_FORMS[low], k + 1
    if "-" not in low and not _is_acronym(text):
        form = singular(text)
        if form in _MEASURE_FORMS and len(low) > 2:  # "days", "tonnes"; never "hs" or "ls"
            return _MEASURE_FORMS[form], k + 1
    return None, k


def _currency(words: list[Word], k: int, lemma: str) -> str:
    before = words[k - 1].text.lower() if k > 0 else ""
    return CURRENCY_QUALIFIERS.get((before, lemma)) or CURRENCY_WORDS.get(lemma, lemma)


class _Kind(NamedTuple):
    noun: bool  # may be a noun (or unknown: names, demonyms, acronyms)
    plural: bool  # a plural noun ("mercenaries"), not a compound's modifier
    weak: bool  # may also be an adjective ("military", "senior"): a verb after it may modify
    verb: bool  # a verb form and nothing else the phrase could use ("killed", "fighting")
    may_verb: bool = False  # may also be a verb ("moves", "posts")


def _kind(word: Word, all_caps: bool) -> _Kind:
    text = word.text.rsplit("-", 1)[-1]  # a compound's head: "Russian-made" -> "made"
    if not all_caps and _is_acronym(text):
        return _Kind(True, text.endswith("s") and text[:-1].isupper(), False, False)
    low = text.lower()
    pos = _pos(low)
    if not pos:
        plural = low.endswith("s") and not low.endswith(_NOT_PLURAL_ENDINGS)
        verb = low.endswith(("ed", "ing")) and len(low) > 4
        return _Kind(not verb, plural and not verb, False, verb)
    nouns = pos.get("NOUN", ())
    plural = bool(nouns) and low not in nouns and low not in PLURAL_MODIFIERS
    verb = "VERB" in pos and "ADJ" not in pos and not nouns
    return _Kind(bool(nouns), plural or low in SAME_UNIT, "ADJ" in pos, verb, "VERB" in pos)


def _done_by_the_number(low: str) -> bool:
    """A noun only in the singular that is also a verb's past form ("left" of leave, "rose" of
    rise, "shot" of shoot, "spoke" of speak): right after a number it is what the number did,
    as a count of a noun is written in the plural ("7,000 lefts" is no English). A form that
    is a verb's base too ("hit", "cut", "wound") and a plural ("troops") stay nouns."""
    pos = _pos(low)
    verbs = pos.get("VERB", ())
    return (bool(verbs) and low not in verbs and low in pos.get("NOUN", ())
            and not low.endswith("s"))


def head_unit(words: list[Word], all_caps: bool = False, attributive: bool = False) -> Unit:
    """The unit of the number the words follow; `all_caps`: the whole span is written in
    capitals, so a capital word is no acronym; `attributive`: the number is used like an
    adjective ("a 2,000-strong force"), so its noun is singular and "moves" after it a verb."""
    k = 0
    while k < len(words) and words[k].text.lower() in LEADING_FILLERS and not words[k].joined:
        if words[k].text.lower() in ("more", "other") and k + 1 == len(words):
            return Unit(None, 0)  # "38 more": no unit
        k += 1
    if k < len(words):
        measure, after = _measure(words, k)
        if measure is not None:
            return Unit(_currency(words, k, measure), after)
    attributive = attributive or (k < len(words) and words[k].joined)
    fallback: int | None = None  # "the 20-member": nothing follows, member it is
    head: int | None = None
    strong_noun = seen_words = False
    for i in range(k, len(words)):
        word, low = words[i], words[i].text.lower()
        if low in FUNCTION_WORDS and not (_is_acronym(word.text) and not all_caps):
            break
        if low in CALENDAR_WORDS and word.text[:1].isupper():
            break
        if i == k and not word.joined and _done_by_the_number(low):
            break  # "about 7,000 left Quellby": what the 7,000 did, not what they are
        possessive = low.endswith(("'s", "’s"))
        if possessive:
            word = Word(word.text[:-2], word.joined)
        if word.joined and i == k:
            fallback = i
            continue
        seen_words = True
        kind = _kind(word, all_caps)
        if (kind.verb and strong_noun) or (  # "38 staff killed"
                attributive and head is not None and kind.plural and kind.may_verb):
            break  # "a 2,000-strong force moves in"
        is_compound = "-" in word.text and i + 1 < len(words)  # "Russian-made jets"
        if kind.noun and not is_compound:
            head = i
            strong_noun = strong_noun or not kind.weak
            if kind.plural or possessive:
                break
        elif possessive:
            break
    if head is None and fallback is not None:
        head = fallback
    if head is None:
        return Unit(None, 0, seen_words)
    text = words[head].text
    if text.endswith(("'s", "’s")):
        text = text[:-2]
    lemma = singular(text.lower() if all_caps else text)
    return Unit(_currency(words, head, lemma), head + 1)
