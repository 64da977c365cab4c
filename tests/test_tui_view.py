"""What the document view draws and where its cursor stands, after the fixes QA asked for."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem

from annotator.tui.screens.annotate import AnnotateScreen
from tests.tui_support import DOCS, app_for, resize, span_texts, until, view

LONG = "Long report\n\n" + " ".join(f"word{i}" for i in range(3000)) + "\n"


DIGITS_AS_LETTERS = str.maketrans("0123456789", "abcdefghij")


def huge_word(paragraph: int, i: int) -> str:
    """The i-th word of a paragraph of HUGE: "wbcxd" for (12, 3). Letters, not digits: the
    suggestions' search of "w12x3" found two figures in every word, 25 s of CPU in a thread
    that ran on through the test and the next ones."""
    return f"w{paragraph}x{i}".translate(DIGITS_AS_LETTERS)


# long enough that a scroll of a few lines leaves the scrollbar's thumb where it was drawn
# (made with one translate: a call of huge_word per word took 0.4 s of each test process)
HUGE = "Huge report\n\n" + "\n\n".join(
    " ".join(f"w{p}x{i}" for i in range(60)) for p in range(3000)).translate(
    DIGITS_AS_LETTERS) + "\n"
DECOMPOSED = "Accents\n\nJose\u0301 Nu\u0303n\u0303ez met Zoe\u0308 in Quellby.\n"


pytestmark = pytest.mark.documents({**DOCS, "long": LONG, "accents": DECOMPOSED, "huge": HUGE})


async def test_a_decomposed_accent_stays_with_its_word(store):
    app = app_for(store, "accents")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Jose", "enter", "1")
        await pilot.press("slash", *"Nu", "enter", "1")
        await pilot.press("slash", *"Zoe", "enter", "1")
        assert span_texts(store, "accents") == [
            ("PERSON", "Jose\u0301"), ("PERSON", "Nu\u0303n\u0303ez"), ("PERSON", "Zoe\u0308"),
        ]


async def test_reopening_scrolls_to_the_remembered_cursor(store):
    app = app_for(store, "long")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("G")
        end = view(app).cursor
        await pilot.press("q")
    again = app_for(store)
    async with again.run_test(size=(100, 30)) as pilot:
        v = view(again)

        def cursor_on_screen() -> bool:
            line, top = v.text_layout.line_of(v.cursor), v.scroll_offset.y
            return top <= line < top + v.scrollable_content_region.height

        # scrolled once the view has its size and its text is wrapped (a worker)
        await until(pilot, cursor_on_screen, "the remembered cursor on screen")
        assert v.cursor == end


async def test_the_span_under_the_cursor_is_emphasised_on_every_line(store):
    app = app_for(store, "long")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j", "v", *"w" * 60, "6", "escape")  # a CLAIM over several lines
        v = view(app)
        (claim,) = v.index.spans()
        layout = v.text_layout
        first, last = layout.line_of(claim.start), layout.line_of(claim.end - 1)
        assert last > first + 2

        def emphasised(line: int) -> bool:
            strip = v.painter.line(line)
            return any(seg.style and seg.style.bold for seg in strip if seg.text.strip())

        await pilot.press("left_square_bracket")  # onto the claim's first word
        assert v.span_under_cursor() == claim
        assert emphasised(last)
        await pilot.press("G")  # off the claim: no emphasis left on its lines
        assert not emphasised(last)
        assert not emphasised(first)


async def test_labels_stay_apart_in_256_colours(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.console._color_system = ColorSystem.EIGHT_BIT
        v = view(app)
        v.painter.clear()
        backgrounds = {
            v.painter.span_style(lab, 0.35).bgcolor.downgrade(ColorSystem.EIGHT_BIT).number
            for lab in ("PERSON", "ORG", "LOC", "DATE", "NUMBER", "CLAIM", "EQUIPMENT", "EVENT")
        }
        assert len(backgrounds) == 8


async def link_38_staff_to_35_officers(pilot) -> None:
    """NUMBER "38" in alpha, NUMBER "35" in beta, linked CONTRADICTS (key d) across panes."""
    await pilot.press("slash", *"38", "enter", "5", "L", "tab")
    await pilot.press("slash", *"35", "enter", "5", "L")
    await pilot.pause()
    await pilot.press("d")
    await pilot.pause()


async def test_undo_of_a_deleted_linked_span_restores_the_link_in_the_panel(store):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await link_38_staff_to_35_officers(pilot)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        (link,) = screen.links.values()
        await pilot.press("x", "u")
        (restored,) = screen.links.values()
        assert restored == link
        assert "?" not in str(screen.side.link_box.render())


async def test_link_chooser_marks_an_existing_link_and_picking_it_removes_it(store):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await link_38_staff_to_35_officers(pilot)
        assert [lk.type for lk in store.links("alice")] == ["CONTRADICTS"]
        await pilot.press("tab", "L", "tab", "L")  # the same two spans again
        await pilot.pause()
        assert "linked: pick to remove" in str(app.screen.query_one("#types").render_line(0))
        await pilot.press("d")
        await pilot.pause()
        assert store.links("alice") == []
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert screen.pending is None
        await pilot.press("u")
        assert [lk.type for lk in store.links("alice")] == ["CONTRADICTS"]


async def test_tab_reaches_the_span_list_and_enter_jumps_back(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Quellby", "enter", "3", "g")
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.press("tab")
        assert app.focused is screen.side.span_list
        await pilot.press("j", "enter")
        v = view(app)
        assert app.focused is v
        assert v.text[v.cursor:].startswith("Quellby")


async def test_search_marks_every_match_and_counts_them(store):
    app = app_for(store, "long")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"word1", "enter")  # word1, word10..word19, word100..
        v = view(app)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        total = len(v.matches())
        assert total == LONG.count("word1")
        assert v.match_position() == (1, total)
        status = str(screen.query_one("#status").render())
        assert f"/word1 1/{total}" in status
        await pilot.press("N")  # wraps to the last match
        assert v.match_position() == (total, total)
        line = v.text_layout.line_of(v.matches()[0][0])
        marked = v.painter.line(line)
        assert any(seg.style and seg.style.underline for seg in marked if "word1" in seg.text)
        await pilot.press("escape")  # the marks go
        assert v.matches() == []


async def test_the_cursor_steps_over_combining_marks(store):
    app = app_for(store, "accents")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Jose", "enter")
        v = view(app)
        start = v.cursor
        await pilot.press("l", "l", "l", "l")  # J o s e+◌́ → the space after
        assert v.cursor == start + 5
        await pilot.press("h")
        assert v.cursor == start + 3  # on the e, not on its accent


async def test_a_theme_change_redraws_with_the_new_colours(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        v = view(app)
        dark = v.render_line(0).crop_extend(0, 1, None)
        app.theme = "textual-light"
        await pilot.pause()
        light = v.render_line(0)
        assert v.painter.style().bgcolor == v.rich_style.bgcolor
        assert [seg.style.bgcolor for seg in light if seg.style] != [
            seg.style.bgcolor for seg in dark if seg.style]


async def test_undo_with_nothing_to_undo_says_so(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("u", "ctrl+r")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert said == ["nothing to undo", "nothing to redo"]


async def test_every_scroll_draws_the_lines_and_scrollbar_it_scrolled_to(store):
    """What Textual's caches hand the screen after a scroll is what a fresh draw would be: the
    text at the new offset, and a scrollbar that is repainted when (and only when) its thumb
    moves. Motions that scroll a quarter screen, a paragraph, a page, and to either end."""
    from textual.geometry import Region

    from annotator.tui.widgets.quiet_scroll import drawn_thumb

    app = app_for(store, "huge")
    async with app.run_test(size=(100, 30)) as pilot:
        v = view(app)
        await pilot.pause()
        bar = v.vertical_scrollbar
        quiet = moved = 0
        for keys in (["pagedown"] * 3, ["}"] * 8, ["j"] * 30, ["k"] * 8, ["G"], ["{"] * 3,
                     ["pageup"], ["g"], ["pagedown"] * 12):
            for key in keys:
                before = v.scroll_offset.y, drawn_thumb(bar, v.scroll_offset.y)
                await pilot.press(key)
                after = v.scroll_offset.y, drawn_thumb(bar, v.scroll_offset.y)
                if before[0] != after[0]:
                    quiet += before[1] == after[1]
                    moved += before[1] != after[1]
                height = v.scrollable_content_region.height
                drawn = v.render_lines(Region(0, 0, v.scrollable_content_region.width, height))
                fresh = [v.render_line(y) for y in range(height)]
                assert [s.text for s in drawn] == [s.text for s in fresh], key
                bar_drawn = [list(s) for s in bar.render_lines(bar.size.region)]
                bar._styles_cache.clear()
                assert [list(s) for s in bar.render_lines(bar.size.region)] == bar_drawn, key
        # both kinds of scroll happened
        assert quiet > 10
        assert moved >= 3


async def test_the_span_list_and_its_scrollbar_stay_true_as_spans_come_and_go(store):
    """A label or an undo changes the list's length by one row; the list's scrollbar is then
    repainted only if its thumb moves. After labels, undos and scrolls, what is drawn (rows and
    bar) is what a fresh draw would be."""
    from textual.geometry import Region

    starts = [HUGE.index(huge_word(p, 0) + " ") for p in range(400)]
    for start in starts:
        store.add_span("alice", "huge", start, HUGE.index(" ", start), "PERSON")
    app = app_for(store, "huge")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        panel = app.screen.side.span_list
        for key in ["}", "w", "1", "}", "2", "pagedown", "u", "}", "3", "pagedown", "u", "u",
                    "G", "5", "pageup", "g", "4", "}"]:
            await pilot.press(key)
            assert len(panel.index) == len(store.spans("huge", "alice"))
            height = panel.scrollable_content_region.height
            drawn = panel.render_lines(Region(0, 0, panel.scrollable_content_region.width,
                                              height))
            assert [s.text for s in drawn] == [panel.render_line(y).text for y in range(height)]
            bar = panel.vertical_scrollbar
            bar_drawn = [list(s) for s in bar.render_lines(bar.size.region)]
            bar._styles_cache.clear()
            assert [list(s) for s in bar.render_lines(bar.size.region)] == bar_drawn, key


async def test_the_span_list_never_grows_a_horizontal_scrollbar(store):
    """After a resize the list's rows filled the width plus the scrollbar's column, and a
    horizontal scrollbar took the list's last row."""
    for i in range(60):
        start = HUGE.index(huge_word(i, 0) + " ")
        store.add_span("alice", "huge", start, start + len(huge_word(i, 0)), "PERSON")
    app = app_for(store, "huge")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.screen.side.span_list
        for size in ((121, 40), (120, 40), (160, 48), (120, 40)):
            await resize(pilot, *size)
            await pilot.press("1")  # the list changes after the resize
            await pilot.pause()
            assert panel.show_vertical_scrollbar
            assert not panel.show_horizontal_scrollbar


async def test_the_span_list_marks_linked_spans_and_unmarks_them_on_undo(store):
    from textual.geometry import Region

    from annotator.tui.widgets.span_list import LINKED

    def rows(app) -> list[str]:
        panel = app.screen.side.span_list
        height = panel.scrollable_content_region.height
        crop = Region(0, 0, panel.scrollable_content_region.width, height)
        return [s.text.rstrip() for s in panel.render_lines(crop) if s.text.strip()]

    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await link_38_staff_to_35_officers(pilot)  # the beta pane is active
        assert rows(app) == [f"NUMBER  {LINKED} 35"]  # its value is its text: said once
        await pilot.press("u")  # the link goes; the span stays
        await pilot.pause()
        assert store.links("alice") == []
        assert rows(app) == ["NUMBER  35"]
        await pilot.press("ctrl+r")  # linked again; alpha's list shows it too
        app.screen.activate(app.screen.panes[0])
        await pilot.pause()
        assert rows(app) == [f"NUMBER  {LINKED} 38"]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("colors", [ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT])
async def test_selection_cursor_and_the_span_under_the_cursor_are_legible(store, theme, colors):
    """QA: selected text was drawn in its own background colour (a partial component style
    drops the alpha of `$foreground 30%`), so was the letter under an inactive cursor, and a
    NUMBER under the cursor was yellow on light grey (1.1:1) in 256 colours."""
    from textual.color import Color

    from annotator.tui.widgets.document_view import contrast

    def drawn(c) -> Color:
        if colors is ColorSystem.EIGHT_BIT:
            c = c.downgrade(ColorSystem.EIGHT_BIT)
        return Color.from_rich_color(c)

    def cells(v, start: int, end: int) -> list[float]:
        """Contrast of the text in each drawn cell of [start, end) (one line)."""
        line = v.text_layout.line_of(start)
        out, pos = [], v.text_layout.starts[line]
        for seg in v.painter.line(line):
            for _ in seg.text:
                if start <= pos < end and seg.text.strip():
                    fg, bg = drawn(seg.style.color), drawn(seg.style.bgcolor)
                    out.append(contrast(fg, bg))
                pos += 1
        return out

    app = app_for(store, "alpha", "long")
    async with app.run_test(size=(120, 40)) as pilot:
        app.console._color_system = colors
        app.theme = theme
        await pilot.press("slash", *"7,000", "enter", "5")  # a NUMBER, under the cursor
        v = view(app)
        (number,) = v.index.spans()
        assert min(cells(v, number.start + 1, number.end)) >= 3
        start = v.text.index("left")
        v.move_to(start)
        await pilot.press("v", "w")  # "left Quellby": plain text, selected
        await pilot.pause()
        assert min(cells(v, start, start + len("left Quellby") - 1)) >= 3
        await pilot.press("tab")  # the other pane has the focus: this cursor is inactive
        await pilot.pause()
        assert min(cells(v, v.cursor, v.cursor + 1)) >= 3


async def test_search_finds_a_letter_written_either_unicode_way(store):
    """QA: /café (é typed as one character) did not find "cafe\\u0301" in the text."""
    app = app_for(store, "accents")
    async with app.run_test(size=(120, 40)) as pilot:
        v = view(app)
        await pilot.press("slash", *"José", "enter")  # the text has "Jose\u0301"
        assert v.text[v.cursor:v.cursor + 5] == "Jose\u0301"
        await pilot.press("slash", *"ZOË", "enter")  # the text has "Zoe\u0308"; any case
        assert v.text[v.cursor:v.cursor + 4] == "Zoe\u0308"
        assert v.match_position() == (1, 1)


async def test_the_cursor_inside_a_selection_over_a_span_is_not_reversed(store):
    """QA: inside a selection over a span (drawn reversed) the cursor was reversed too and
    came out in the page's colours, like a gap in the selection."""
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Halina", "enter", "v", "w", "1", "b", "v", "w")
        v = view(app)
        assert v.span_under_cursor() is not None  # the cursor is on the span, selected
        line = v.text_layout.line_of(v.cursor)
        pos, cursor_style = v.text_layout.starts[line], None
        for seg in v.painter.line(line):
            if pos <= v.cursor < pos + len(seg.text):
                cursor_style = seg.style
            pos += len(seg.text)
        assert cursor_style is not None
        assert not cursor_style.reverse
        assert cursor_style.bgcolor == v.painter.style("document-view--cursor").bgcolor
