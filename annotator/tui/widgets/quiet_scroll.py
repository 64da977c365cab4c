"""Scrolling that redraws the scrollbar only when its picture changes.

Textual redraws a vertical scrollbar whole whenever its position changes, and in a long document
that is every scroll: the bar of a 5 MB document costs more to draw than the lines scrolled into
view, while its thumb, an eighth of a cell in 78,000 lines, has not moved. `QuietScroll` keeps
the bar's position exact but repaints the bar only when the thumb it would draw moves.
"""

from __future__ import annotations

from math import ceil

from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar

from annotator.tui.textual_compat import quiet_scroll_y

EIGHTHS = 8  # ScrollBarRender draws the ends of a thumb in eighths of a cell


def thumb(size: int, virtual: float, window: float, position: float) -> tuple[int, int] | None:
    """Where ScrollBarRender.render_bar draws the thumb: (start, end) in eighths of a cell, or
    None when it draws no thumb."""
    virtual, window = ceil(virtual), ceil(window if window < virtual else 0)
    if not (window and size and virtual and size != virtual):
        return None
    thumb_size = max(1, window / (virtual / size))
    start = int((size - thumb_size) * (position / (virtual - window)) * EIGHTHS)
    return start, start + ceil(thumb_size * EIGHTHS)


def drawn_thumb(bar: ScrollBar, position: float, virtual: float | None = None
                ) -> tuple[int, int] | None:
    """The thumb `bar` would draw at `position` (and `virtual` rows, if given)."""
    size = bar.size.height if bar.vertical else bar.size.width
    return thumb(size, bar.window_virtual_size if virtual is None else virtual,
                 bar.window_size, position)


class QuietScroll:
    """Mixin for a ScrollView: a vertical scroll repaints the scrollbar only if its thumb moves.

    This replaces ScrollView.watch_scroll_y on the pinned Textual (textual_compat) and does
    what it does, except that an unchanged thumb gets the new position without a repaint."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        view: ScrollView = self  # type: ignore[assignment]  # the mixin goes before ScrollView
        if not quiet_scroll_y(view, old_value, new_value, drawn_thumb):
            ScrollView.watch_scroll_y(view, old_value, new_value)
