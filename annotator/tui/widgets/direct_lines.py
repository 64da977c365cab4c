"""Drawing a Line API widget's lines without going through Textual's styles cache.

Textual passes every line a widget draws through its StylesCache, which applies borders,
padding, tint and opacity and keeps the result by screen row. A scroll dirties every row, so
every line is rebuilt there (three new Strips a line, each with its own caches) even when the
widget had the line drawn already: in a long document that is most of the cost of a scroll.

`DirectLines` is for widgets whose styles need none of that (no border, outline, padding, tint,
hatch or opacity) and whose `render_line` returns the same Strip for a line it has drawn before:
a dirty row is their line as it is, padded to the widget's width, exactly what the styles cache
would have made (a test compares the two); rows that are not dirty are reused as the styles
cache reuses them, and every row goes through the app's line filters. A widget with any of
those styles is drawn by the styles cache as before.
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from annotator.tui.textual_compat import draw_rows


def plain_styles(widget: Widget) -> bool:
    """True when the styles cache would add nothing to the widget's own lines."""
    styles = widget.styles
    return not (
        any(styles.padding)
        or any(edge[0] for edge in styles.border)
        or any(edge[0] for edge in styles.outline)
        or styles.tint.a
        or widget.opacity != 1
        or styles.text_opacity != 1
        or hatched(styles)
    )


def hatched(styles: RenderStyles) -> bool:
    """Whether the styles draw a hatch pattern over the widget."""
    return styles.has_rule("hatch") and styles.hatch != "none"


class DirectLines:
    """Mixin (before the Widget class in the bases): render_lines without the styles cache."""

    _fill: tuple[Color, Color, Style] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        widget: Widget = self  # type: ignore[assignment]
        if widget.parent is None:
            # Removed (a pane closed), and still in the layout of a screen under a modal until
            # that screen lays out again: a modal pushed in the same moment ("ctrl+w o" in one
            # burst) draws it from there. Its component styles went with it, and asking for one
            # raised KeyError and ended the app: its place is drawn blank for that frame.
            return [Strip.blank(crop.width)] * crop.height
        if not plain_styles(widget):
            return super().render_lines(crop)  # type: ignore[misc, no-any-return]
        base_background, background = widget.background_colors
        fill = self._fill
        if fill is None or fill[0] != base_background or fill[1] != background:
            # what the styles cache pads a line with: the background over what is beneath
            fill = self._fill = (base_background, background,
                                 Style(bgcolor=(base_background + background).rich_color))
        width = widget.size.width
        pad = fill[2]
        # the styles cache's own rows and dirty marks are kept: only the making of a dirty row
        # is ours (on the pinned Textual; otherwise the styles cache draws, see textual_compat)
        lines = draw_rows(widget, crop,
                          lambda y: widget.render_line(y).adjust_cell_length(width, pad))
        if lines is None:
            return super().render_lines(crop)  # type: ignore[misc, no-any-return]
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            lines = [strip.crop(x1, x2) for strip in lines]
        return lines
