"""The terminal sanitiser for CLI output: every control character visible, nothing else touched."""

from __future__ import annotations

import json

import pytest

from annotator.sanitize import escape_json_controls, placeholder, safe, safe_line


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]0;PWNED TITLE\x07", "␛]0;PWNED TITLE␇"),
    ("a\x00b\x08c\x0bd\x0ce\rf", "a␀b␈c␋d␌e␍f"),
    ("del\x7f", "del␡"),
    ("csi\x9b31m nel\x85 \x80", "csi␦31m nel␦ ␦"),
])
def test_controls_become_placeholders(raw: str, shown: str) -> None:
    assert safe(raw) == shown
    assert safe_line(raw) == shown


def test_newline_and_tab_kept_or_spaced() -> None:
    assert safe("a\nb\tc") == "a\nb\tc"
    assert safe_line("a\nb\tc") == "a b c"


@pytest.mark.parametrize("text", ["Zoë İstanbul 東洋 🙄 e\u0301 \u00a0nbsp", "", "[red]x[/]"])
def test_printable_text_is_untouched(text: str) -> None:
    assert safe(text) == text


def test_every_control_has_one_visible_placeholder() -> None:
    controls = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t"]
    assert all(len(placeholder(c)) == 1 and c not in safe(c) for c in controls)
    assert not any(c in safe("".join(controls)) for c in controls)


def test_json_escapes_are_the_same_value() -> None:
    value = {"title": "a\x1b\x7f\x9b\x85 ë"}
    encoded = escape_json_controls(json.dumps(value, ensure_ascii=False))
    assert json.loads(encoded) == value
    assert not any(c in encoded for c in "\x1b\x7f\x9b\x85")
    assert "ë" in encoded
