"""Keys that arrive in one burst (a paste, a slow SSH link, a fast typist) act in order."""

from __future__ import annotations

import pytest
from textual import events

from annotator.tui.screens.annotate import AnnotateScreen
from tests.tui_support import app_for, span_texts

NAMES = {"\x1b": "escape", "/": "slash", "?": "question_mark", "{": "left_curly_bracket",
         "}": "right_curly_bracket", "\r": "enter", " ": "space", ",": "comma",
         "’": "right_single_quotation_mark"}


pytestmark = pytest.mark.documents


async def burst(pilot, keys: str) -> None:
    """Post every key before the app handles any of them, as a terminal read would."""
    for ch in keys:
        key = NAMES.get(ch, ch)
        pilot.app.post_message(events.Key(key, None if key == "enter" else ch))
    await pilot.pause()
    await pilot.pause()


async def test_a_label_after_a_motion_in_one_burst_lands_where_the_cursor_went(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await burst(pilot, "Gb7")  # end, back one word, EQUIPMENT
        assert span_texts(store, "alpha") == [("EQUIPMENT", "behind")]
        await burst(pilot, "gjj1")  # start, down two lines, PERSON on that word
        assert ("PERSON", "Minister") in span_texts(store, "alpha")


async def test_text_typed_straight_after_slash_goes_to_the_search(store):
    store.add_span("alice", "alpha", 0, 5, "ORG")  # `u` in the burst must not undo anything
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await burst(pilot, "/Quellby\r3")
        assert span_texts(store, "alpha") == [("ORG", "Alpha"), ("LOC", "Quellby")]
        assert isinstance(app.screen, AnnotateScreen)


async def test_text_typed_straight_after_o_goes_to_the_picker(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await burst(pilot, "obeta\r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert [p.document.id for p in screen.panes] == ["alpha", "beta"]


async def test_a_burst_of_j_scrolls_the_help_screen_a_line_a_key(store):
    """QA: ten `j` in one read scrolled the help one line (each animated scroll started from
    where the text was)."""
    from textual.containers import VerticalScroll

    from annotator.tui.screens.help import HelpScreen

    app = app_for(store, "alpha")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#body", VerticalScroll)
        assert body.max_scroll_y >= 10
        await burst(pilot, "jjjjjjjjjj")
        await pilot.pause()
        assert body.scroll_y == 10
        await burst(pilot, "kkkk")
        await pilot.pause()
        assert body.scroll_y == 6
        for key in ["down"] * 5 + ["up"] * 2:  # the arrows too
            app.post_message(events.Key(key, None))
        await pilot.pause()
        assert body.scroll_y == 9


async def test_escape_then_a_key_in_one_read_is_both_keys(store):
    """QA: `tmux send-keys Escape j` (one read) arrives as alt+j, and both keys were lost:
    the selection stayed and the cursor did not move. No binding uses alt: it is escape, j."""
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.active.view
        await pilot.press("j", "j", "v", "w")
        assert view.selection() is not None
        line = view.text_layout.line_of(view.cursor)
        app.post_message(events.Key("alt+j", "j"))  # what the parser makes of ESC j
        app.post_message(events.Key("alt+shift+l", "L"))  # ESC L: escape, then L (link)
        await pilot.pause()
        assert view.selection() is None
        assert view.text_layout.line_of(view.cursor) == line + 1
        status = str(screen.query_one("#status").render())
        assert "linking from" in status or "no span under the cursor" in status  # L was taken


@pytest.mark.parametrize("opener", ["e", "?", "o"])
async def test_keys_after_escape_from_a_dialog_in_one_burst_act_on_the_document(store, opener):
    """`Escape w 2` in one read: the dialog closes, then the cursor moves and labels (the two
    keys after Escape went to the closing dialog and were lost)."""
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("5")  # NUMBER on the first word: it has attributes to edit
        await pilot.press(opener)
        await pilot.pause()
        assert not isinstance(app.screen, AnnotateScreen)
        await burst(pilot, "\x1bw2")
        assert isinstance(app.screen, AnnotateScreen)
        assert [label for label, _ in span_texts(store, "alpha")] == ["NUMBER", "ORG"]
