"""The modal screens: help, document picker, attribute form, link type chooser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, Input, OptionList, Select, Static

from annotator.labels import load_default_schema
from annotator.model import (
    AttributeDef,
    DocumentSummary,
    LabelDef,
    LinkTypeDef,
    Span,
    Status,
)
from annotator.tui.screens.attributes import AttributeForm, read_number
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.link_type import LinkTypeChooser
from annotator.tui.screens.picker import DocumentPicker, fuzzy_score
from annotator.tui.text_layout import one_line
from tests.tui_support import THEME

SCHEMA = load_default_schema()
SIZE = (100, 30)
NOTHING = object()

# A document with an escape sequence and something that looks like markup in it.
TEXT = (
    "Minister Halina Marović said about 7,000 residents of Quellby were evacuated, "
    "the Civil Protection Agency reported. [bold]Radio Lusk\x1b[2J quoted her."
)


def _span(sid: str, needle: str, label: str, **attrs: Any) -> Span:
    start = TEXT.index(needle)
    return Span(sid, "wire", "alice", start, start + len(needle), label, attrs)


PERSON = _span("p1", "Halina Marović", "PERSON")
NUMBER = _span(
    "n1", "about 7,000 residents", "NUMBER", value=7000, qualifier="approximate", unit="residents"
)
LOC = _span("l1", "Quellby", "LOC")
ORG = _span("o1", "Civil Protection Agency", "ORG")
ORG2 = _span("o2", "[bold]Radio Lusk\x1b[2J", "ORG")
CLAIM = _span(
    "c1",
    "Minister Halina Marović said about 7,000 residents of Quellby were evacuated",
    "CLAIM",
    speaker="p1",
    stance="asserts",
    note="kept",
)
SPANS = [CLAIM, PERSON, NUMBER, LOC, ORG, ORG2]
CANDIDATES = [(s, TEXT[s.start : s.end]) for s in SPANS]

DOCUMENTS = [
    DocumentSummary(
        "meridian-wire",
        "Dam breach forces thousands from homes in Orvenia’s Lusk valley; army called in",
        3000,
        {"alice": Status.DONE},
        {"alice": 42},
    ),
    DocumentSummary(
        "national-courier",
        "Swift government action keeps Lusk valley safe as 2,000-strong force moves in",
        3000,
        {"alice": Status.IN_PROGRESS},
        {"alice": 7, "bob": 3},
    ),
    DocumentSummary(
        "citizens-ledger", "‘No troops,’ she said — then the water came", 3000, {"bob": Status.DONE}
    ),
    DocumentSummary("sokai-explainer", "Explainer: Orvenia’s Tervane Dam breach (蒼海放送)", 3000),
    DocumentSummary(
        "quellby-notes", "Three [bold]nights\x1b[2J in the school gym: the Tervane evacuation", 3000
    ),
]


class Host(App[None]):
    """Shows some text and pushes one modal screen over it, keeping what it dismisses with."""

    CSS = "#backdrop { color: $text-muted; }"

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.theme = THEME
        self.make = make
        self.result: Any = NOTHING

    def compose(self) -> ComposeResult:
        yield Static(Content((one_line(TEXT, len(TEXT)) + " ") * 30), id="backdrop")

    def on_mount(self) -> None:
        self.push_screen(self.make(), callback=self._done)

    def _done(self, result: Any) -> None:
        self.result = result


async def _steady(pilot: Pilot) -> None:
    """No blinking cursor in screenshots."""
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _plain(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Content) else str(content)


def _prompts(options: OptionList) -> list[str]:
    return [
        p.plain if isinstance(p := options.get_option_at_index(i).prompt, Content) else str(p)
        for i in range(options.option_count)
    ]


# -- fuzzy_score ----------------------------------------------------------------------------


def test_fuzzy_score_tiers() -> None:
    prefix = fuzzy_score("quel", "quellby-notes")
    word_start = fuzzy_score("notes", "quellby-notes")
    initials = fuzzy_score("qn", "quellby-notes")
    subsequence = fuzzy_score("ellby", "quellby-notes")
    assert prefix is not None
    assert word_start is not None
    assert initials is not None
    assert subsequence is not None
    assert prefix > word_start > subsequence
    assert prefix > initials > subsequence


def test_fuzzy_score_no_match_empty_query_case_and_spaces() -> None:
    assert fuzzy_score("xyz", "quellby-notes") is None
    assert fuzzy_score("seton", "quellby-notes") is None  # order matters
    assert fuzzy_score("", "anything") == 0
    assert fuzzy_score("QUEL", "Quellby Notes") == fuzzy_score("quel", "quellby notes")
    assert fuzzy_score("quellby notes", "quellby-notes") is not None


def test_fuzzy_score_prefers_shorter_prefix_fewer_runs_and_compact_matches() -> None:
    assert fuzzy_score("dam", "dam") > fuzzy_score("dam", "dam breach forces")  # type: ignore[operator]
    # one run at a word start beats two runs at word starts
    assert fuzzy_score("tervane", "the tervane dam") > fuzzy_score("terdam", "the tervane dam")  # type: ignore[operator]
    assert fuzzy_score("lb", "xxlbxx") > fuzzy_score("lb", "xxlxxxxxbx")  # type: ignore[operator]


def test_fuzzy_score_word_starts_need_backtracking() -> None:
    # "ab" then "c": greedy continuation fails, "a" + word "bc" succeeds
    assert fuzzy_score("abc", "ab-bc") == fuzzy_score("abc", "a-bc")
    assert fuzzy_score("abc", "ab-bc") > 1_999_000 - 1000  # type: ignore[operator]


def test_fuzzy_score_regex_characters_and_pathological_input() -> None:
    assert fuzzy_score(".*", "a.b*") is not None
    assert fuzzy_score("[x]", "a[b]x]") is not None
    assert fuzzy_score("a" * 30 + "b", "a" * 200) is None  # linear, not exponential


# -- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["escape", "question_mark", "q"])
async def test_help_opens_and_closes(key: str) -> None:
    app = Host(lambda: HelpScreen(SCHEMA))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(_plain(s) for s in app.screen.query(Static))
        for expected in (
            "ctrl+b",
            "escape",
            "mouse drag",
            "enter",
            "1–8",
            "PERSON",
            "A named person",
            "CONTRADICTS",
            "CLAIM, NUMBER ⇄ CLAIM, NUMBER",
            "SUPPORTS",
            "CLAIM → CLAIM",
            "undo",
            "ctrl+r",
        ):
            assert expected in text, expected
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.result is None


async def test_help_close_button_and_scrolling() -> None:
    app = Host(lambda: HelpScreen(SCHEMA))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = app.screen.query_one("#body")
        assert body.max_scroll_y > 0  # does not fit at 80x24: it scrolls
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.click("#close")
        await pilot.pause()
        assert app.result is None
        assert not isinstance(app.screen, HelpScreen)


# -- picker ---------------------------------------------------------------------------------


def _picker() -> DocumentPicker:
    return DocumentPicker(DOCUMENTS, "alice", {"meridian-wire"})


async def test_picker_lists_status_spans_and_open_mark() -> None:
    app = Host(_picker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = _prompts(app.screen.query_one("#documents", OptionList))
        assert len(rows) == 5
        assert rows[0].startswith("● done")
        assert "42" in rows[0]
        assert rows[0].rstrip().endswith("open")
        assert rows[1].startswith("◐ in progress")
        assert " 7 " in rows[1]
        assert rows[2].startswith("○ todo")  # bob's status is not mine
        assert "open" not in rows[1]
        assert "\x1b" not in rows[4]
        assert "␛" in rows[4]
        assert "[bold]" in rows[4]


async def test_picker_filters_and_enter_picks() -> None:
    app = Host(_picker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"quel")
        await pilot.pause()
        options = app.screen.query_one("#documents", OptionList)
        rows = _prompts(options)
        assert "quellby-notes" in rows[0]
        assert options.highlighted == 0
        assert "of 5 documents" in _plain(app.screen.query_one("#status", Static))
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "quellby-notes"


async def test_picker_ranks_title_matches_and_handles_no_match() -> None:
    app = Host(_picker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"lusk")
        await pilot.pause()
        rows = _prompts(app.screen.query_one("#documents", OptionList))
        assert len(rows) == 2
        assert "national-courier" in rows[0]
        assert "meridian-wire" in rows[1]
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"zzz")
        await pilot.pause()
        assert _prompts(app.screen.query_one("#documents", OptionList)) == []
        await pilot.press("enter")  # nothing to pick: stays open
        await pilot.pause()
        assert app.result is NOTHING
        assert isinstance(app.screen, DocumentPicker)


async def test_picker_arrows_then_enter() -> None:
    app = Host(_picker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "up")
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "citizens-ledger"


async def test_picker_escape_cancels() -> None:
    app = Host(_picker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q", "escape")
        await pilot.pause()
        assert app.result is None


async def test_picker_click_picks() -> None:
    app = Host(_picker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#documents", offset=(5, 3))
        await pilot.pause()
        assert app.result == "sokai-explainer"


async def test_picker_with_ten_thousand_documents_shows_a_bounded_list() -> None:
    docs = [
        DocumentSummary(f"doc-{i:05d}", f"Report {i} on the dam breach", 100) for i in range(10_000)
    ]
    app = Host(lambda: DocumentPicker(docs, "alice", set()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#documents", OptionList)
        assert options.option_count == DocumentPicker.LIMIT
        assert "10,000 of 10,000" in _plain(app.screen.query_one("#status", Static))
        await pilot.press(*"9999")
        await pilot.pause()
        rows = _prompts(options)
        assert "doc-09999" in rows[0]  # "Report 9999 …": a word-start match
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "doc-09999"


# -- attribute form -------------------------------------------------------------------------


def _form(span: Span = NUMBER, label: str = "NUMBER") -> AttributeForm:
    definition = SCHEMA.label(label)
    assert definition is not None
    return AttributeForm(span, definition, TEXT[span.start : span.end], CANDIDATES)


async def test_attribute_form_prefills_edits_and_saves_an_int() -> None:
    app = Host(_form)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        value, unit = screen.query_one("#attr-0", Input), screen.query_one("#attr-1", Input)
        qualifier = screen.query_one("#attr-2", Select)
        assert (value.value, unit.value, qualifier.value) == ("7000", "residents", "approximate")
        assert value.has_focus
        # the qualifier: tab to it, open it, one down from "approximate", choose
        await pilot.press("tab", "tab", "enter", "down", "enter")
        await pilot.pause()
        assert qualifier.value == "at least"
        await pilot.press("shift+tab", "shift+tab")
        assert value.has_focus
        await pilot.press(*"38")  # the whole value was selected on focus: typing replaces it
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == {"value": 38, "unit": "residents", "qualifier": "at least"}
        assert type(app.result["value"]) is int


async def test_attribute_form_rejects_a_bad_number_then_saves_a_float() -> None:
    app = Host(_form)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1e")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result is NOTHING
        error = app.screen.query_one("#attr-0-error", Static)
        assert error.display
        assert "Not a number" in _plain(error)
        await pilot.press("backspace", *".5")
        await pilot.pause()
        assert not error.display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == {"value": 1.5, "unit": "residents", "qualifier": "approximate"}


async def test_attribute_form_leaves_blank_fields_out_and_enter_in_last_input_saves() -> None:
    app = Host(_form)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("backspace")  # clears the selected "7000"
        await pilot.press("enter")  # not the last input: next field
        assert app.screen.query_one("#attr-1", Input).has_focus
        await pilot.press("backspace")  # clears "residents"
        await pilot.press("enter")  # the last input: saves
        await pilot.pause()
        assert app.result == {"qualifier": "approximate"}


async def test_attribute_form_escape_cancels() -> None:
    app = Host(_form)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"99", "escape")
        await pilot.pause()
        assert app.result is None


async def test_attribute_form_title_is_sanitised_and_not_markup() -> None:
    app = Host(lambda: _form(ORG2, "ORG"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title = _plain(app.screen.query_one("#span", Static))
        assert "ORG" in title
        assert "[bold]Radio Lusk␛[2J" in title
        assert "\x1b" not in title
        await pilot.click("#save")  # no attributes: saves what there was
        await pilot.pause()
        assert app.result == {}


async def test_attribute_form_span_reference_lists_only_allowed_labels() -> None:
    app = Host(lambda: _form(CLAIM, "CLAIM"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        speaker = app.screen.query_one("#attr-0", Select)
        assert speaker.value == "p1"
        values = [v for _, v in speaker._options if v is not Select.NULL]
        assert values == ["p1", "o1", "o2"]  # PERSON and ORG only, nearest first; not LOC/NUMBER
        prompts = [str(p) for p, v in speaker._options if v is not Select.NULL]
        assert prompts[0] == "1 PERSON Halina Marović"  # the digit that picks it, the name
        assert "\x1b" not in prompts[2]
        assert "␛" in prompts[2]
        await pilot.press("enter", "escape")  # escape closes the open list, not the form
        await pilot.pause()
        assert isinstance(app.screen, AttributeForm)
        assert app.result is NOTHING
        # choose the Civil Protection Agency, keep the stance, leave certainty unset
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert speaker.value == "o1"
        await pilot.click("#save")
        await pilot.pause()
        assert app.result == {"note": "kept", "speaker": "o1", "stance": "asserts"}


async def test_attribute_form_bool_and_unknown_values() -> None:
    label = LabelDef(
        "FLAGGED",
        "entity",
        "9",
        "#ff8787",
        attributes=(
            AttributeDef("checked", "bool"),
            AttributeDef("mood", "choice", choices=("calm", "angry")),
            AttributeDef("source", "span"),
        ),
    )
    span = Span("f1", "wire", "alice", 0, 8, "FLAGGED", {"mood": "sad", "source": "gone"})
    app = Host(lambda: AttributeForm(span, label, "Minister", CANDIDATES))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        mood = app.screen.query_one("#attr-1", Select)
        source = app.screen.query_one("#attr-2", Select)
        assert mood.value == "sad"  # kept, shown as not in the schema
        assert source.value == "gone"
        assert len([v for _, v in source._options if v is not Select.NULL]) == len(SPANS) + 1
        assert isinstance(app.screen.query_one("#attr-0"), Checkbox)
        await pilot.press("space")  # tick the checkbox (it has focus)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == {"checked": True, "mood": "sad", "source": "gone"}


def test_parse_number() -> None:
    assert read_number("") is None
    assert read_number("  ") is None
    assert read_number("38") == 38
    assert type(read_number("38")) is int
    assert read_number("38.0") == 38
    assert type(read_number("38.0")) is int
    assert read_number("-2.5") == -2.5
    assert read_number("1e3") == 1000
    assert type(read_number("1e3")) is int
    assert read_number("12345678901234567890") == 12345678901234567890
    for bad in ("1e", "abc", "inf", "nan", "1e400"):
        with pytest.raises(ValueError, match=r"float|finite"):
            read_number(bad)


# -- link type chooser ----------------------------------------------------------------------


def _chooser(types: list[LinkTypeDef] | None = None) -> LinkTypeChooser:
    return LinkTypeChooser(
        list(SCHEMA.links) if types is None else types,
        "CLAIM “No troops will be deployed”",
        "CLAIM “Troops will be deployed\x1b[2J as soon as possible”",
    )


async def test_link_chooser_key_picks() -> None:
    app = Host(_chooser)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ends = _plain(app.screen.query_one("#ends", Static))
        assert "No troops" in ends
        assert "\x1b" not in ends
        assert "␛" in ends
        await pilot.press("d")
        await pilot.pause()
        assert app.result == "CONTRADICTS"


async def test_link_chooser_arrows_enter_click_and_escape() -> None:
    app = Host(_chooser)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.result == "SUPPORTS"
    app = Host(_chooser)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#types", offset=(4, 1))
        await pilot.pause()
        assert app.result == "CONTRADICTS"
    app = Host(_chooser)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "escape")  # a key no type has does nothing
        await pilot.pause()
        assert app.result is None


async def test_link_chooser_without_types() -> None:
    app = Host(lambda: _chooser([]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "No link type" in _plain(app.screen.query_one("#none", Static))
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is None


# -- snapshots ------------------------------------------------------------------------------


def test_snapshot_help(snap_compare) -> None:
    assert snap_compare(Host(lambda: HelpScreen(SCHEMA)), terminal_size=SIZE, run_before=_steady)


def test_snapshot_help_80x24(snap_compare) -> None:
    """At 80 columns the help is one column: no key runs into its description."""
    assert snap_compare(Host(lambda: HelpScreen(SCHEMA)), terminal_size=(80, 24),
                        run_before=_steady)


def test_snapshot_help_wide_light(snap_compare) -> None:
    async def light(pilot: Pilot) -> None:
        pilot.app.theme = "textual-light"
        await _steady(pilot)

    assert snap_compare(Host(lambda: HelpScreen(SCHEMA)), terminal_size=(160, 48), run_before=light)


def test_snapshot_attribute_form(snap_compare) -> None:
    assert snap_compare(Host(_form), terminal_size=SIZE, run_before=_steady)


def test_snapshot_attribute_form_claim_80x24(snap_compare) -> None:
    assert snap_compare(
        Host(lambda: _form(CLAIM, "CLAIM")), terminal_size=(80, 24), run_before=_steady
    )


def test_snapshot_picker(snap_compare) -> None:
    assert snap_compare(Host(_picker), terminal_size=SIZE, run_before=_steady)


def test_snapshot_link_chooser(snap_compare) -> None:
    assert snap_compare(Host(_chooser), terminal_size=SIZE, run_before=_steady)
