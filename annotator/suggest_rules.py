"""The `[[suggest]]` tables of a label schema (docs/labels.md): checked when the schema is
loaded, and matched against a document's text, safely. A lead's pattern is untrusted input:
it is compiled with the `regex` module and every search runs with a time limit, so a pattern
that backtracks for ever costs a bounded time and is reported, never hangs the editor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from annotator.model import SuggestRule
from annotator.sanitize import unsafe_characters

if TYPE_CHECKING:
    import regex

    from annotator.labels import _Checker

FIELDS = ("label", "terms", "pattern", "ignore_case", "description")
MAX_PATTERN = 1000  # characters of a pattern
MAX_TERMS = 100_000
SEARCH_SECONDS = 2.0  # a rule's search of one document, at most


class RuleTimeout(Exception):
    """A rule's search of a document took longer than SEARCH_SECONDS."""


def compile_rule(rule: SuggestRule) -> regex.Pattern[str]:
    """The rule as one pattern: its regular expression, or its terms as whole words (longest
    first, so "Hulusi Akar" wins over "Akar")."""
    import regex  # here, not at the top: a schema without rules starts without it

    flags = regex.V0 | (regex.IGNORECASE if rule.ignore_case else 0)
    if rule.pattern:
        return regex.compile(rule.pattern, flags)
    terms = sorted(set(rule.terms), key=lambda t: (-len(t), t))
    alternation = "|".join(regex.escape(t) for t in terms)
    return regex.compile(rf"(?<!\w)(?:{alternation})(?!\w)", flags)


def matches(rule: SuggestRule, pattern: regex.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-empty match of the rule in `text`; RuleTimeout past the limit."""
    try:
        for m in pattern.finditer(text, timeout=SEARCH_SECONDS):
            if m.end() > m.start():
                yield m.start(), m.end()
    except TimeoutError:
        raise RuleTimeout(f"suggestions for {rule.label}: the pattern took more than"
                          f" {SEARCH_SECONDS:g} s on one document and was stopped") from None


def check(checker: _Checker, data: dict[str, Any]) -> tuple[SuggestRule, ...]:
    """The schema's `[[suggest]]` tables, each problem added to `checker` with its line."""
    rules = []
    for i, table in enumerate(checker.tables(data, (), "suggest")):
        path = ("suggest", i)
        checker.where = f"suggest #{i + 1}: "
        checker.unknown(table, path, FIELDS)
        rule = _rule(checker, table, path)
        if rule is not None:
            rules.append(rule)
    checker.where = ""
    numbers = data.get("suggest_numbers", True)
    if not isinstance(numbers, bool):
        checker.add(("suggest_numbers",), "suggest_numbers must be true or false")
    return tuple(rules)


def _rule(checker: _Checker, table: dict[str, Any], path: tuple[Any, ...]) -> SuggestRule | None:
    label = checker.string(table, path, "label", required=True)
    if label and label not in checker.known:
        checker.add(path + ("label",), f'unknown label "{label}"')
    ignore_case = table.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        checker.add(path + ("ignore_case",), "ignore_case must be true or false")
    description = checker.string(table, path, "description")
    terms, pattern = table.get("terms"), table.get("pattern")
    if (terms is None) == (pattern is None):
        what = "terms or pattern is missing" if terms is None else "give terms or pattern, not both"
        checker.add(path, f"{what} (terms: a list of strings; pattern: a regular expression)")
        return None
    if terms is not None:
        good = _terms(checker, terms, path + ("terms",))
        rule = SuggestRule(label, good, "", ignore_case is True, description)
        return rule if good and label else None
    if not isinstance(pattern, str) or not pattern:
        checker.add(path + ("pattern",), "pattern must be a non-empty string")
        return None
    if len(pattern) > MAX_PATTERN:
        checker.add(path + ("pattern",), f"pattern is longer than {MAX_PATTERN} characters")
        return None
    rule = SuggestRule(label, (), pattern, ignore_case is True, description)
    import regex

    try:
        compiled = compile_rule(rule)
    except regex.error as err:
        checker.add(path + ("pattern",), f"pattern is not a valid regular expression: {err}")
        return None
    try:
        empty = compiled.fullmatch("", timeout=SEARCH_SECONDS) is not None
    except TimeoutError:
        empty = False
    if empty:
        checker.add(path + ("pattern",), "pattern matches empty text: it would suggest nothing"
                                         " useful (use + rather than *)")
        return None
    return rule if label else None


def _terms(checker: _Checker, terms: Any, path: tuple[Any, ...]) -> tuple[str, ...]:
    if not isinstance(terms, list) or not terms or not all(
            isinstance(t, str) and t.strip() for t in terms):
        checker.add(path, "terms must be a non-empty list of non-empty strings")
        return ()
    if len(terms) > MAX_TERMS:
        checker.add(path, f"terms has more than {MAX_TERMS} entries")
        return ()
    if bad := [t for t in terms if unsafe_characters(t)]:
        checker.add(path, f"term {bad[0]!r} contains control, bidi or invisible characters")
        return ()
    return tuple(t.strip() for t in terms)
