"""How a document view draws one line of text: spans in their label's colours (readable in 256
colours too), the selection, search matches, control characters and the cursor on top."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.color import Color
from textual.strip import Strip

from annotator.tui.suggestion_marks import SuggestionMarks
from annotator.tui.text_layout import glyph

if TYPE_CHECKING:
    from annotator.tui.widgets.document_view import DocumentView

LINE_CACHE = 2000
_NOT_REVERSED = Style(reverse=False)
# components drawn with their whole style (colours blended over the widget's background)
_WHOLE = {"document-view--cursor", "document-view--cursor-inactive", "document-view--selection"}

COMPONENTS = {
    "document-view--cursor",
    "document-view--cursor-inactive",
    "document-view--selection",
    "document-view--control",
    "document-view--match",
    "document-view--suggestion",
}
"""The parts of a document view its CSS styles (DocumentView.COMPONENT_CLASSES)."""

VIEW_CSS = """
/* the scrollbar always takes its column, so the text is wrapped once, at its real width */
DocumentView { background: $surface; color: $foreground; scrollbar-size-vertical: 1;
               overflow-y: scroll; }
DocumentView > .document-view--cursor { background: $foreground; color: $surface; }
DocumentView > .document-view--cursor-inactive { background: $foreground 35%; }
/* grey, not a hue: every hue is some label's colour (over a span: its colours reversed) */
DocumentView > .document-view--selection { background: $foreground 30%; text-style: underline; }
DocumentView > .document-view--control { color: $warning; text-style: bold; }
DocumentView > .document-view--match { text-style: bold underline; color: $text-warning; }
/* a suggestion: its label's colour on the text (a span has it behind), in italics and
   underlined (a search match is bold and underlined) */
DocumentView > .document-view--suggestion { text-style: italic underline; }
"""
"""DocumentView.DEFAULT_CSS."""


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(c: Color) -> float:
        def channel(v: int) -> float:
            x = v / 255
            return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def legible(color: Color, background: Color, ratio: float = 3.0) -> Color:
    """color, darkened on a light background (lightened on a dark one) until text in it
    reads at `ratio`, as the 256-colour palette will draw it (yellow on light grey was
    1.1:1)."""

    def drawn(c: Color) -> Color:
        return Color.from_rich_color(c.rich_color.downgrade(ColorSystem.EIGHT_BIT))

    out, bg = color, drawn(background)
    for _ in range(10):
        if contrast(drawn(out), bg) >= ratio:
            break
        out = out.darken(0.1) if background.brightness > 0.5 else out.lighten(0.1)
    return out


class Painter:
    """Draws `view`'s lines; keeps the styles it made until the view's styles change."""

    def __init__(self, view: DocumentView) -> None:
        self.view = view
        self._label_styles: dict[tuple[str, float, bool], Style] = {}
        self._styles: dict[str, Style] = {}
        # drawn lines (without cursor or selection), the most recent few screens' worth: a
        # long session over a 5 MB document must not keep every line it ever drew
        self.drawn: LRUCache[int, Strip] = LRUCache(LINE_CACHE)
        self.marks = SuggestionMarks()  # the suggestions shown (tui/screens/suggesting.py)

    def clear(self) -> None:
        """The view's styles changed: draw everything anew."""
        self.drawn.clear()
        self._label_styles.clear()
        self._styles.clear()

    def render(self, y: int) -> Strip:
        """Screen row `y` of the view: a drawn copy when there is one (a line under the cursor
        or the selection is drawn anew each time)."""
        view = self.view
        scroll_x, scroll_y = view.scroll_offset
        line = scroll_y + y
        layout = view.text_layout
        width = view.scrollable_content_region.width
        if line >= len(layout):
            return Strip.blank(width, self.style())
        strip = self.drawn.get(line)
        if strip is None:
            strip = self.line(line)
            if not self._has_overlay(line):
                self.drawn.set(line, strip)
        return strip.crop_extend(scroll_x, scroll_x + width, self.style())

    def _has_overlay(self, line: int) -> bool:
        view = self.view
        layout = view.text_layout
        if view.cursor_line == line:
            return True
        sel = view.selection()
        if sel is None:
            return False
        start, end = layout.starts[line], layout.line_end(line) + 1
        return sel.start < end and sel.end > start

    def style(self, component: str = "") -> Style:
        """The widget's own style, or a component's, kept until the styles change: rich_style
        walks the DOM on every call, and every drawn line asked for it.

        The cursor and the selection are whole styles: a partial component style drops the
        alpha of a background such as `$foreground 30%` (it came out as the text colour
        itself, so selected text was invisible). The others are partial: a search match or
        a control character keeps the background of the span it is on."""
        style = self._styles.get(component)
        if style is None:
            if not component:
                style = self.view.rich_style
            else:
                style = self.view.get_component_rich_style(component,
                                                           partial=component not in _WHOLE)
            self._styles[component] = style
        return style

    def span_style(self, label: str, strength: float, emphasis: bool = False) -> Style:
        key = (label, strength, emphasis)
        style = self._label_styles.get(key)
        if style is None:
            base = self.style()
            bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
            label_color = Color.parse(self.view.label_colors.get(label, "#888888"))
            if self.view.app.console.color_system != "truecolor":
                # A tint of a label colour on the background falls to one grey in 256 colours,
                # for every label: draw the label's own (xterm-exact) colour behind the text,
                # and the span under the cursor hollow (its colour on the page's background).
                if emphasis:
                    style = Style(color=legible(label_color, bg).rich_color,
                                  bgcolor=bg.rich_color, bold=True, underline=True)
                else:
                    fg = label_color.get_contrast_text(1.0)
                    style = Style(bgcolor=label_color.rich_color, color=fg.rich_color)
            else:
                tint = label_color if emphasis else bg.blend(label_color, strength)
                fg = tint.get_contrast_text(1.0)
                style = Style(bgcolor=tint.rich_color, color=fg.rich_color, bold=emphasis)
            self._label_styles[key] = style
        return style

    def suggestion_style(self, label: str) -> Style:
        """A suggestion: text in its label's colour (legible on the page, in 256 colours too)
        and the component's style (italics, underlined), never a background: a span's."""
        key = (label, -1.0, False)
        style = self._label_styles.get(key)
        if style is None:
            base = self.style()
            bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
            color = legible(Color.parse(self.view.label_colors.get(label, "#888888")), bg, 4.5)
            style = base + self.style("document-view--suggestion") + Style(
                color=color.rich_color)
            self._label_styles[key] = style
        return style

    def _suggestions(self, keys: list[Style | None], start: int, stop: int) -> None:
        """Mark the suggestions on [start, stop) where no span is drawn."""
        for s in self.marks.overlapping(start, stop):
            style = self.suggestion_style(s.label)
            for i in range(max(s.start, start) - start, min(s.end, stop) - start):
                if keys[i] is None:
                    keys[i] = style

    def line(self, line: int) -> Strip:
        view = self.view
        layout = view.text_layout
        text = view.text
        start = layout.starts[line]
        stop = layout.line_end(line) + 1  # include the newline cell, if any
        stop = min(stop, len(text) + 1)
        n = stop - start
        base = self.style()
        keys: list[Style | None] = [None] * n
        spans = view.index.overlapping(start, stop)
        spans.sort(key=lambda s: (s.start - s.end, s.start))  # outermost first, inner on top
        under = view.span_under_cursor()
        depth: list[int] = [0] * n
        for span in spans:
            lo, hi = max(span.start, start) - start, min(span.end, stop) - start
            emphasis = under is not None and span.id == under.id
            for i in range(lo, hi):
                depth[i] += 1
                style = self.span_style(span.label, 0.35 if depth[i] == 1 else 0.6, emphasis)
                if depth[i] > 1:
                    style += Style(underline=True)
                if span.id in view.linked or span.id == view.pending_link:
                    style += Style(underline=True, italic=True)
                keys[i] = style
        if self.marks.shown:
            self._suggestions(keys, start, stop)
        sel = view.selection()
        if sel is not None:
            sel_style = self.style("document-view--selection")
            over_span = Style(reverse=True, underline=True)
            for i in range(max(sel.start, start) - start, min(sel.end, stop) - start):
                key = keys[i]
                keys[i] = base + sel_style if key is None else key + over_span
        if view.search_query:
            matches = view.matches()
            match_style = self.style("document-view--match")
            i = max(0, bisect_left(view.found.starts, start) - 1)
            on_span = Style(bold=True, underline=True)  # a colour could vanish on the label's
            while i < len(matches) and matches[i][0] < stop:
                lo, hi = matches[i]
                for j in range(max(lo, start) - start, min(hi, stop) - start):
                    key = keys[j]
                    keys[j] = base + match_style if key is None else key + on_span
                i += 1
        control = self.style("document-view--control")
        if start <= view.cursor < stop:
            i = view.cursor - start
            cursor = "document-view--cursor" if view.has_focus else "document-view--cursor-inactive"
            # never reversed: inside a selection over a span (drawn reversed) a reversed
            # cursor came out in the page's own colours and looked like a gap
            keys[i] = (keys[i] or base) + self.style(cursor) + _NOT_REVERSED
        segments: list[Segment] = []
        run_text: list[str] = []
        run_style: Style | None = None
        cells = 0
        for i in range(n):
            offset = start + i
            ch = text[offset] if offset < len(text) else "\n"
            drawn, width = glyph(ch)
            style = keys[i] or base
            if drawn and width and drawn != ch and ch not in "\t\n ":
                style = style + control
            if style is not run_style and run_text:
                segments.append(Segment("".join(run_text), run_style))
                run_text = []
            run_style = style
            run_text.append(drawn)
            cells += width
        if run_text:
            segments.append(Segment("".join(run_text), run_style))
        return Strip(segments, cells)
