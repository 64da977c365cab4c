"""The annotation TUI driven by keys and mouse; every check reads the database back."""

from __future__ import annotations

import pytest

from annotator.model import Status
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.attributes import AttributeForm
from annotator.tui.widgets.document_view import DocumentView
from tests.tui_support import (
    app_for,
    find,
    make_store,
    open_document,
    screen,
    span_texts,
    status,
    view,
)

pytestmark = pytest.mark.documents




async def test_label_word_under_cursor(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Halina")
        assert view(app).text[view(app).cursor :].startswith("Halina")
        await pilot.press("1")
        assert span_texts(store, "alpha") == [("PERSON", "Halina")]
        span = store.spans("alpha", "alice")[0]
        assert store.get_document("alpha").text[span.start : span.end] == "Halina"
        assert store.status("alpha", "alice") == Status.IN_PROGRESS


async def test_selection_snaps_to_words_and_char_precision(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Halina")
        await pilot.press("v", "w", "1")  # word-snapped: the whole second word is included
        assert span_texts(store, "alpha") == [("PERSON", "Halina Marović")]
        await find(pilot, "Quellby")
        await pilot.press("c", "v", "l", "l", "3")  # character precision: "Que"
        assert ("LOC", "Que") in span_texts(store, "alpha")


async def test_number_span_gets_normalised_value(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "About")
        await pilot.press("v", "w", "5")
        spans = store.spans("alpha", "alice")
        assert [(s.label, s.attrs) for s in spans] == [
            ("NUMBER", {"value": 7000, "qualifier": "approximate"})
        ]
        await pilot.press("greater_than_sign")  # grow by a word: "About 7,000 residents"
        span = store.spans("alpha", "alice")[0]
        assert store.get_document("alpha").text[span.start : span.end] == "About 7,000 residents"
        assert span.attrs == {"value": 7000, "qualifier": "approximate", "unit": "resident"}
        await pilot.press("less_than_sign")
        assert span_texts(store, "alpha") == [("NUMBER", "About 7,000")]


async def test_relabel_delete_undo_redo(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Quellby")
        await pilot.press("1")
        await pilot.press("3")  # same range, other label: relabel
        assert span_texts(store, "alpha") == [("LOC", "Quellby")]
        await pilot.press("x")
        assert span_texts(store, "alpha") == []
        await pilot.press("u")
        assert span_texts(store, "alpha") == [("LOC", "Quellby")]
        await pilot.press("u")
        assert span_texts(store, "alpha") == [("PERSON", "Quellby")]
        await pilot.press("ctrl+r", "ctrl+r")
        assert span_texts(store, "alpha") == []
        assert view(app).index.counts == {}
        assert store.replay_log() == store.current_state()


async def test_next_previous_span_and_motions(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Halina")
        await pilot.press("1")
        await find(pilot, "Quellby")
        await pilot.press("3")
        await pilot.press("g")
        assert view(app).cursor == 0
        await pilot.press("right_square_bracket")
        assert view(app).text[view(app).cursor :].startswith("Halina")
        await pilot.press("right_square_bracket")
        assert view(app).text[view(app).cursor :].startswith("Quellby")
        await pilot.press("left_square_bracket")
        assert view(app).text[view(app).cursor :].startswith("Halina")
        await pilot.press("G")
        assert view(app).cursor == len(view(app).text)
        await pilot.press("g", "right_curly_bracket")
        assert view(app).text[view(app).cursor :].startswith("Minister")
        await pilot.press("w", "w")
        assert view(app).text[view(app).cursor :].startswith("Marović")
        await pilot.press("b")
        assert view(app).text[view(app).cursor :].startswith("Halina")
        await pilot.press("j", "k", "l", "h")
        assert view(app).text[view(app).cursor :].startswith("Halina")


async def test_search_next_and_previous(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "report")
        first = view(app).cursor
        await find(pilot, "o")
        positions = [view(app).cursor]
        await pilot.press("n")
        positions.append(view(app).cursor)
        await pilot.press("N")
        positions.append(view(app).cursor)
        assert positions[1] > positions[0]
        assert positions[2] == positions[0]
        assert first == view(app).text.index("report")


async def test_done_opens_next_document(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("D")
        assert store.status("alpha", "alice") == Status.DONE
        assert screen(app).active.document.id == "beta"
        assert store.progress("alice") == (1, 3)


async def test_panes_side_by_side_tab_and_close(store):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        panes = screen(app).panes
        assert [p.document.id for p in panes] == ["alpha", "beta"]
        assert panes[0].size.width == panes[1].size.width or abs(
            panes[0].size.width - panes[1].size.width) <= 1
        assert panes[0].region.x < panes[1].region.x  # side by side
        await pilot.press("tab")
        assert screen(app).active.document.id == "beta"
        await find(pilot, "Wr")
        await pilot.press("1")
        assert span_texts(store, "beta") == [("PERSON", "Wróbel")]
        await pilot.press("shift+tab")
        assert screen(app).active.document.id == "alpha"
        await pilot.press("ctrl+w")
        assert [p.document.id for p in screen(app).panes] == ["beta"]


async def test_narrow_terminal_uses_tabs(store):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert screen(app).has_class("-narrow")
        shown = [p for p in screen(app).panes if p.display and p.region.width]
        assert [p.document.id for p in shown] == ["alpha"]
        await pilot.press("tab")
        await pilot.pause()
        shown = [p for p in screen(app).panes if p.region.width]
        assert [p.document.id for p in shown] == ["beta"]


async def test_cross_document_link_and_delete_removes_it(store):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await find(pilot, "no troops")
        await pilot.press("v", "w", "w", "w", "w", "6")  # “no troops will be deployed”
        await pilot.press("escape", "L")  # escape: the CLAIM's form opened on labelling
        await pilot.press("tab")
        await find(pilot, "troops will")
        await pilot.press("v", "w", "w", "w", "w", "w", "w", "w", "6")
        await pilot.press("escape", "L")
        await pilot.pause()
        await pilot.press("d")  # CONTRADICTS in the news schema's link chooser
        await pilot.pause()
        links = store.links("alice")
        assert [(lk.type, lk.from_doc, lk.to_doc) for lk in links] == [
            ("CONTRADICTS", "alpha", "beta")
        ]
        source = store.span(links[0].from_span)
        assert source.text_in(store.get_document("alpha").text) == "no troops will be deployed"
        # deleting the target span deletes the link; undo brings both back
        await pilot.press("x")
        assert store.links("alice") == []
        await pilot.press("u")
        assert len(store.links("alice")) == 1


async def test_attribute_form_sets_claim_speaker(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Halina")
        await pilot.press("v", "w", "1")
        await find(pilot, "no troops")
        await pilot.press("v", "w", "w", "w", "w", "6")
        await pilot.pause()
        assert isinstance(app.screen, AttributeForm)  # opened on labelling, speaker first
        await pilot.press("enter", "down", "enter")  # the speaker list: its one PERSON
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        person, claim = sorted(store.spans("alpha", "alice"), key=lambda s: s.label != "PERSON")
        assert span_texts(store, "alpha")[-1] == ("CLAIM", "no troops will be deployed")
        assert claim.attrs["speaker"] == person.id


async def test_mouse_click_and_drag_select(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        v = view(app)
        line = v.text_layout.line_of(v.text.index("Minister"))
        await pilot.click(DocumentView, offset=(9, line))
        assert v.text[v.cursor :].startswith("Halina")
        await pilot.mouse_down(DocumentView, offset=(9, line))
        await pilot.hover(DocumentView, offset=(18, line))
        await pilot.mouse_up(DocumentView, offset=(18, line))
        await pilot.press("1")
        assert span_texts(store, "alpha") == [("PERSON", "Halina Marović")]


async def test_reopen_restores_panes_spans_and_cursors(store, tmp_path):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await find(pilot, "Quellby")
        await pilot.press("3", "tab")
        await find(pilot, "officers")
        cursor_beta = view(app).cursor
        await pilot.press("q")
    again = app_for(store)  # no ids: restore what I had open
    async with again.run_test(size=(160, 48)):
        s = screen(again)
        assert [p.document.id for p in s.panes] == ["alpha", "beta"]
        assert s.active.document.id == "beta"
        assert s.active.view.cursor == cursor_beta
        assert s.panes[0].view.index.counts == {"LOC": 1}


async def test_annotator_sees_only_own_spans(store):
    store.add_span("bob", "alpha", 0, 5, "ORG")
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)):
        assert len(view(app).index) == 0


async def test_control_characters_never_reach_the_terminal(store):
    app = app_for(store, "messy")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        v = view(app)
        lines = [v.render_line(y) for y in range(v.size.height)]
        drawn = "".join(seg.text for strip in lines for seg in strip)
        assert "\x1b" not in drawn
        assert "\x07" not in drawn
        assert "␛]0;pwned␇" in drawn
        assert "␛[2J" in drawn
        title = screen(app).active.title_bar.render()
        assert "\x1b" not in str(title)


async def test_shift_arrows_select_up_to_the_cursor(store):
    """QA: in character mode shift+right once selected two characters (the selection took
    the character under the cursor too, as `v` does). Shift+arrows now select up to the
    cursor: once is one character, either way; `v` keeps vim's inclusive selection."""
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        text = store.get_document("alpha").text
        await pilot.press("c", "g", "shift+right", "4")  # DATE: one character
        await pilot.press("g", *["l"] * 6, "shift+right", "shift+right", "4")
        start = text.index("Minister")
        view(app).move_to(start + 4)
        await pilot.press("shift+left", "shift+left", "shift+left", "4")
        await pilot.press("g", "v", "l", "4")  # v: both ends included
        await pilot.press("c", "g", "shift+right", "shift+right", "4")  # words: snapped
        assert sorted(span_texts(store, "alpha"), key=lambda s: text.index(s[1])) == sorted([
            ("DATE", "A"), ("DATE", "re"), ("DATE", "ini"), ("DATE", "Al"), ("DATE", "Alpha"),
        ], key=lambda s: text.index(s[1]))


async def test_an_action_that_does_nothing_says_why_in_the_status_bar(store):
    """QA: a refused action only showed a toast for a moment; the status bar kept the last
    action's text (`shrank NUMBER` after a `<` that changed nothing)."""

    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")  # the title: no span here
        assert "no span under the cursor" in status(app)
        await pilot.press("slash", *"Quellby", "enter", "3", "less_than_sign")
        assert "the span is one word already" in status(app)
        await pilot.press("e")
        assert "LOC has no attributes" in status(app)
        await pilot.press("u", "u")
        assert "nothing to undo" in status(app)
        assert span_texts(store, "alpha") == []


async def test_more_ids_than_panes_says_which_were_not_opened(tmp_path):
    docs = {f"d{i}": f"Report {i}\n\nText {i}.\n" for i in range(6)}
    s = make_store(tmp_path / "many.db", docs)
    try:
        app = app_for(s, *docs)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            assert [p.document.id for p in screen(app).panes] == ["d0", "d1", "d2", "d3"]
            assert "not opened d4, d5" in str(app.screen.query_one("#status").render())
    finally:
        s.close()


async def test_deleting_a_claims_speaker_unsets_it_on_screen_and_undo_brings_it_back(store):
    """QA: deleting the PERSON a CLAIM names as its speaker left the claim pointing at a span
    that no longer exists. The delete now unsets the reference in the same action."""
    text = store.get_document("alpha").text
    p_start = text.index("Halina")
    person = store.add_span("alice", "alpha", p_start, p_start + len("Halina Marović"), "PERSON")
    person_id = next(c.after["id"] for c in person.changes if c.entity == "span")
    c_start = text.index("“no troops")
    c_end = text.index("”", c_start) + 1
    claim = store.add_span("alice", "alpha", c_start, c_end, "CLAIM", {"speaker": person_id})
    claim_id = next(c.after["id"] for c in claim.changes if c.entity == "span")
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        v = view(app)
        v.move_to(p_start + 2)
        await pilot.press("x")
        assert store.span(person_id) is None
        assert store.span(claim_id).attrs == {}
        assert v.index.get(claim_id).attrs == {}  # the screen has the claim as stored
        await pilot.press("u")
        assert store.span(claim_id).attrs == {"speaker": person_id}
        assert v.index.get(claim_id).attrs == {"speaker": person_id}
        await pilot.press("ctrl+r")
        assert store.span(claim_id).attrs == {}
        assert v.cursor == p_start  # redo goes to the deleted span's place, not the claim


async def test_l_says_at_once_when_a_span_cannot_start_a_link_and_when_one_is_cancelled(store):
    """QA: L on a DATE started a link no type allows; only the target's L refused. And L
    twice on one span cancelled silently, leaving an older message in the status bar."""

    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Monday", "enter", "4", "L")
        assert screen(app).pending is None
        assert ("DATE spans cannot be linked (links start from CLAIM, EQUIPMENT, EVENT, LOC,"
                " NUMBER, ORG, PERSON)") in status(app)
        await pilot.press("slash", *"38", "enter", "5", "L")
        assert screen(app).pending is not None
        await pilot.press("L")
        assert screen(app).pending is None
        assert "link cancelled" in status(app)


async def test_pane_changes_say_what_happened_in_the_status_bar(store):
    """QA: ctrl+w, `o` on an open document and D onto an open document moved focus without a
    word; the status bar kept an older message."""

    app = app_for(store, "alpha", "beta", "messy")
    async with app.run_test(size=(160, 48)) as pilot:
        await open_document(pilot, "beta")
        assert screen(app).active.document.id == "beta"
        assert "beta is open already: moved to its pane" in status(app)
        await pilot.press("D")  # done; the next one (messy) is open
        assert "marked beta done; next: messy, already open" in status(app)
        assert screen(app).active.document.id == "messy"
        await pilot.press("ctrl+w")
        assert "closed messy" in status(app)
        await pilot.press("ctrl+w")
        await pilot.press("ctrl+w")
        assert "the last pane stays open" in status(app)


async def test_escape_cancels_a_pending_link_before_the_search_marks(store):
    """QA: with a link pending and search marks shown, the first escape cleared the marks while
    the status bar still said 'linking from …: esc cancels'."""
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"38", "enter", "5", "L")
        v = view(app)
        assert screen(app).pending is not None
        assert v.search_query
        await pilot.press("escape")
        assert screen(app).pending is None
        assert v.search_query  # the marks stay until the next escape
        await pilot.press("escape")
        assert not v.search_query


async def test_the_layout_saved_after_closing_a_pane_has_only_the_panes_left(store):
    """A closed pane stays in Textual's tree until it is removed, later: the layout saved at
    once had it, and a kill -9 then brought it back (the same fault as D's, issue #8 11a)."""
    app = app_for(store, "alpha", "beta", "messy")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("ctrl+w")
        assert store.get_ui_state("alice", "layout")["docs"] == ["beta", "messy"]
        assert "closed alpha" in status(app)
