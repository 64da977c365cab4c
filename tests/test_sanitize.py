"""The one terminal sanitiser (CLI and TUI): controls, bidi and invisible characters visible."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.sanitize import (
    LINE_MAX,
    UNSAFE,
    escape_json_controls,
    placeholder,
    safe,
    safe_line,
    unsafe_characters,
)
from annotator.tui.text_layout import glyph, one_line


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


# -- bidi controls and invisible characters (issue #8, point 6) --------------------------------

SPOOFS = {
    "\u202e": "right-to-left override", "\u202a": "left-to-right embedding",
    "\u2066": "left-to-right isolate", "\u2069": "pop directional isolate",
    "\u200e": "left-to-right mark", "\u200f": "right-to-left mark", "\u061c": "Arabic letter mark",
    "\u200b": "zero width space", "\u2060": "word joiner", "\ufeff": "byte order mark",
    "\u00ad": "soft hyphen", "\U000e0041": "tag latin capital A", "\u3164": "Hangul filler",
}


@pytest.mark.parametrize("ch", list(SPOOFS), ids=list(SPOOFS.values()))
def test_bidi_controls_and_invisible_characters_become_placeholders(ch: str) -> None:
    assert safe(f"evil{ch}txt.exe") == "evil·txt.exe"
    assert safe_line(f"evil{ch}txt.exe") == "evil·txt.exe"
    assert unsafe_characters(f"a{ch}b") == [f"U+{ord(ch):04X}"]


def test_line_separators_and_lone_surrogates_are_placeholders() -> None:
    assert safe("a\u2028b\u2029c") == "a␣b␣c"
    assert safe("a\ud800b") == "a·b"
    safe("a\ud800b").encode("utf-8")  # a terminal can be sent it


@pytest.mark.parametrize("text", [
    "👨\u200d👩\u200d👧 family", "❤\ufe0f", "می\u200cخواهم",  # ZWJ, VS16, ZWNJ: kept
    "e\u0301 combining", "👍🏽 skin tone", "🇫🇷 flag",
])
def test_joiners_selectors_and_marks_are_kept(text: str) -> None:
    assert safe(text) == text
    assert safe_line(text) == text


def test_the_tui_draws_the_same_placeholders() -> None:
    """One sanitiser: the document view's glyphs and every other string on screen use it."""
    for ch in [*SPOOFS, "\x1b", "\x9b", "\x7f", "\u2028"]:
        assert glyph(ch) == (placeholder(ch), 1)
        assert one_line(f"a{ch}b") == safe_line(f"a{ch}b")


def test_a_line_is_cut_before_it_is_sanitised() -> None:
    assert safe_line("x" * 10_000_000, limit=10) == "x" * 9 + "…"
    assert one_line("x" * 10_000_000) == "x" * (LINE_MAX - 1) + "…"
    assert safe_line("ab\x1bcd", limit=4) == "ab␛…"


def test_json_escapes_bidi_and_invisible_characters_too() -> None:
    value = {"title": "evil\u202etxt\u200b\U000e0041\ud800"}
    encoded = escape_json_controls(json.dumps(value, ensure_ascii=False))
    assert not UNSAFE.search(encoded)
    assert json.loads(encoded) == value


def test_docs_shows_bidi_overrides_and_c1_as_placeholders(tmp_path) -> None:
    """The CLI's `docs` table draws what the TUI draws; its JSON keeps the value, escaped."""
    path = tmp_path / "in.jsonl"
    title = "Report \u202egnp.exe\u2066 and\x85 next"
    path.write_text(json.dumps({"id": "d\u202e1", "text": "Some text.", "title": title}) + "\n",
                    encoding="utf-8")
    runner = CliRunner()
    env = {"ANNOTATOR_DB": str(tmp_path / "a.db"), "COLUMNS": "160"}
    assert runner.invoke(main, ["import", str(path)], env=env).exit_code == 0
    shown = runner.invoke(main, ["docs"], env=env)
    assert shown.exit_code == 0
    assert "Report ·gnp.exe· and␦ next" in shown.output
    assert "d·1" in shown.output
    assert not UNSAFE.search(shown.output)
    as_json = runner.invoke(main, ["docs", "--format", "json"], env=env)
    assert not UNSAFE.search(as_json.output)
    assert json.loads(as_json.output)[0]["title"] == title


def test_cli_errors_show_bidi_overrides_and_c1_as_placeholders(tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "d", "text": "text", "annotator": "alice", "spans": [
        {"id": "s\u202eexe.txt\x85", "start": 3, "end": 99, "label": "PERSON"}]}) + "\n",
        encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(path)],
                                env={"ANNOTATOR_DB": str(tmp_path / "a.db")})
    assert result.exit_code == 1
    assert "span s·exe.txt␦: offsets 3-99" in result.output
    assert not UNSAFE.search(result.output)
