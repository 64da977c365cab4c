"""The document view and the span list draw their lines without Textual's styles cache
(annotator/tui/widgets/direct_lines.py). What they hand the screen must be, cell for cell, what
the styles cache would have made: same characters, same styles, same width."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.tui.widgets.direct_lines import plain_styles
from tests.tui_support import app_for

pytestmark = pytest.mark.documents


def cells(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(ch, seg.style) for seg in strip for ch in seg.text] for strip in strips]


def through_styles_cache(widget, crop: Region) -> list[Strip]:
    widget._styles_cache.clear()
    return ScrollView.render_lines(widget, crop)  # Widget.render_lines: the styles cache


def assert_same_as_styles_cache(widget) -> None:
    assert plain_styles(widget)
    width, height = widget.size
    for crop in (Region(0, 0, width, height), Region(3, 1, width - 5, height - 2)):
        widget._styles_cache.clear()
        ours = widget.render_lines(crop)  # every row made by us
        again = widget.render_lines(crop)  # rows kept, as the styles cache keeps them
        assert [s.cell_length for s in ours] == [crop.width] * crop.height
        assert cells(ours) == cells(again) == cells(through_styles_cache(widget, crop))


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_lines_are_what_the_styles_cache_would_draw(store, theme):
    app = app_for(store, "messy", "alpha")
    async with app.run_test(size=(120, 30)) as pilot:
        app.theme = theme
        # spans (nested), a selection, a search match, the cursor, a pending link
        await pilot.press("w", "w", "1", "w", "v", "w", "w", "6", "escape", "slash", *"Zo",
                          "enter")  # escape: the CLAIM's form opened on labelling
        await pilot.press("L", "w", "v", "w")
        screen = app.screen
        for pane in screen.panes:
            assert_same_as_styles_cache(pane.view)
        assert len(screen.side.span_list.index) >= 2
        assert_same_as_styles_cache(screen.side.span_list)
        await pilot.press("tab")  # the other pane has the focus: an inactive cursor
        for pane in screen.panes:
            assert_same_as_styles_cache(pane.view)


async def test_a_styled_widget_is_drawn_by_the_styles_cache(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.active.view
        view.styles.padding = (0, 2)
        view.styles.tint = "red 20%"
        await pilot.pause()
        assert not plain_styles(view)
        crop = Region(0, 0, *view.size)
        assert cells(view.render_lines(crop)) == cells(through_styles_cache(view, crop))
        assert any(ch != " " for row in cells(view.render_lines(crop)) for ch, _ in row)


async def test_a_closed_panes_view_drawn_from_an_old_layout_is_blank(store):
    """ctrl+w then o in one burst: the pane is gone, but the screen under the picker has not
    laid out again, and the picker draws that screen behind itself, the closed view with it.
    Its component styles went with it: asking for one raised KeyError and ended the app."""
    app = app_for(store, "messy", "alpha")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        pane = app.screen.panes[0]
        view = pane.view
        width, height = view.size
        await pane.remove()
        view.painter.clear()  # nothing kept: every line asks for its styles again
        lines = view.render_lines(Region(0, 0, width, height))
        assert [s.cell_length for s in lines] == [width] * height
        assert all(ch == " " for row in cells(lines) for ch, _ in row)


def _same_rows_widgets(screen) -> list:  # type: ignore[no-untyped-def]
    from annotator.tui.widgets.same_rows import SameRows

    return [w for w in [screen, *screen.walk_children()] if isinstance(w, SameRows)]


def assert_rows_as_styles_cache(widget) -> None:  # type: ignore[no-untyped-def]
    """Every row SameRows hands out is, cell for cell, the row the styles cache draws."""
    from textual.widget import Widget

    width, height = widget.size
    for crop in (Region(0, 0, width, height), Region(1, 2, width - 1, height - 3)):
        ours = widget.render_lines(crop)
        assert len(ours) == crop.height
        widget._styles_cache.clear()
        assert cells(ours) == cells(Widget.render_lines(widget, crop)), widget


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("size", [(120, 30), (70, 20)], ids=["wide", "narrow"])
async def test_containers_hand_out_the_rows_the_styles_cache_draws(store, theme, size):
    """The screen, the pane area, the panes (a left border) and the side panel draw one row
    and repeat it (annotator/tui/widgets/same_rows.py): the same cells as every row drawn by
    the styles cache, after a theme change, a resize and a pane closed."""
    from annotator.tui.widgets.same_rows import SameRows, rows_alike

    app = app_for(store, "messy", "alpha", "beta")
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await pilot.pause()
        screen = app.screen
        drawn = _same_rows_widgets(screen)
        assert {type(w).__name__ for w in drawn} >= {"AnnotateScreen", "HBox", "VBox", "Pane"}
        for widget in drawn:
            if widget.display and widget.size.height > 2:
                assert rows_alike(widget)
                assert_rows_as_styles_cache(widget)
        await pilot.press("ctrl+w")  # a pane fewer: the others widen, their row is drawn anew
        await pilot.pause()
        for widget in _same_rows_widgets(screen):
            if isinstance(widget, SameRows) and widget.display and widget.size.height > 2:
                assert_rows_as_styles_cache(widget)


async def test_a_container_whose_rows_differ_is_drawn_by_the_styles_cache(store):
    """A top border (or padding, an outline, a hatch) makes the first row differ: no row is
    repeated then."""
    from textual.widget import Widget

    from annotator.tui.widgets.same_rows import rows_alike

    app = app_for(store, "alpha")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pane = app.screen.panes[0]
        pane.styles.border_top = ("solid", "red")
        await pilot.pause()
        assert not rows_alike(pane)
        crop = Region(0, 0, *pane.size)
        ours = pane.render_lines(crop)
        assert cells(ours[:1]) != cells(ours[1:2])  # the border, then the rest
        pane._styles_cache.clear()
        assert cells(ours) == cells(Widget.render_lines(pane, crop))
