"""Drawing a container whose rows are all alike: one row through Textual, the rest repeated.

A container (the annotation screen, the pane area, a pane, the side panel) draws nothing of its
own but its background and a left or right border, so every row it draws is the same. Textual
builds each row anew through its styles cache whenever the container is drawn again (each
layout, a resize, the screen beneath a dialog): ~200 rows a frame at 120x40, most of a frame's
work while the screen starts.

`SameRows` has the styles cache draw one row and hands the compositor that row for each row it
asks for: the same Strip, so the same cells (a test compares every row with what the styles
cache draws, on both themes). A container with a top or bottom border or outline, top or
bottom padding or a hatch, or a screen that shows the one beneath it, has rows that differ:
the styles cache draws it as before.
"""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from annotator.tui.widgets.direct_lines import hatched


def rows_alike(widget: Widget) -> bool:
    """True when every row of the widget's drawing is the same (it draws no content)."""
    styles = widget.styles
    top, _, bottom, _ = styles.padding
    return not (
        top or bottom
        or styles.border_top[0] or styles.border_bottom[0]
        or styles.outline_top[0] or styles.outline_bottom[0]
        or hatched(styles)
        or (isinstance(widget, Screen) and styles.background.a < 1)  # shows the one beneath
    )


class SameRows:
    """Mixin (before the container class in the bases): a row drawn once, repeated."""

    _same_row: tuple[tuple[object, ...], Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        widget: Widget = self  # type: ignore[assignment]
        if crop.height < 2 or not rows_alike(widget):
            return super().render_lines(crop)  # type: ignore[misc, no-any-return]
        size: Size = widget.size
        styles = widget.styles
        # what a row is drawn from; a change of class or theme also drops it (below)
        key = (crop.x, crop.width, size, widget.background_colors, styles.color,
               styles.border_left, styles.border_right, styles.outline_left,
               styles.outline_right, styles.tint, widget.opacity, styles.text_opacity,
               tuple(id(f) for f in widget.get_line_filters()))
        kept = self._same_row
        if kept is None or kept[0] != key:
            row = super().render_lines(  # type: ignore[misc]
                Region(crop.x, crop.y, crop.width, 1))[0]
            kept = self._same_row = (key, row)
        return [kept[1]] * crop.height

    def notify_style_update(self) -> None:
        """The styles changed (a class, the theme): the kept row is drawn again."""
        self._same_row = None
        super().notify_style_update()  # type: ignore[misc]


class HBox(SameRows, Horizontal):
    """A Horizontal container drawn with SameRows."""


class VBox(SameRows, Vertical):
    """A Vertical container drawn with SameRows."""
