"""The side panel's list of a document's spans, in document order (Line API, any length)."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Span
from annotator.row_text import number_lead
from annotator.tui.keys import bindings
from annotator.tui.plain import SanitisedLines
from annotator.tui.span_index import SpanIndex
from annotator.tui.text_layout import one_line
from annotator.tui.textual_compat import grow_virtual_size
from annotator.tui.widgets.direct_lines import DirectLines
from annotator.tui.widgets.quiet_scroll import QuietScroll, drawn_thumb

ROW_CACHE = 500  # drawn rows kept (a few screens' worth)
LINKED = "⇄"  # before the text of a span that has a link


VALUE_MAX = 60  # code points of one attribute value shown, at most


def describe_attrs(attrs: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    """key=value, by key (the same before and after a reopen: the store keeps keys sorted),
    each value on one line, sanitised and cut to VALUE_MAX (a 10 MB value costs nothing);
    not the speaker, nor the keys in `skip`."""
    return " ".join(f"{one_line(k, VALUE_MAX)}={one_line(str(attrs[k]), VALUE_MAX)}"
                    for k in sorted(attrs)
                    if k != "speaker" and k not in skip and attrs[k] not in ("", None))


class SpanList(SanitisedLines, QuietScroll, DirectLines, ScrollView, can_focus=True):
    """One row per span: label, text, attributes. Enter or a click jumps to the span."""

    COMPONENT_CLASSES = {"span-list--highlight"}
    DEFAULT_CSS = """
    /* rows are cut to the width: never a horizontal scrollbar */
    SpanList { background: $panel; height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    SpanList > .span-list--highlight { background: $accent 40%; text-style: bold; }
    """
    BINDINGS = bindings("span list")  # type: ignore[assignment]

    highlighted: var[int | None] = var(None)

    class Chosen(Message):
        def __init__(self, span: Span) -> None:
            super().__init__()
            self.span = span

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index: SpanIndex = SpanIndex()
        self.text = ""
        self.label_colors: dict[str, str] = {}
        self._label_styles: dict[str, Style] = {}
        self._base: Style | None = None
        self.linked: set[str] = set()  # ids of linked spans (the document view's own set)
        self._drawn: dict[int, tuple[Span, bool]] = {}  # row -> the span drawn there, linked?
        # span id -> (that span, width, linked?, its row as drawn, not highlighted): a scroll
        # reuses them
        self._rows: LRUCache[str, tuple[Span, int, bool, Strip]] = LRUCache(ROW_CACHE)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._rows.clear()

    def show(self, index: SpanIndex, text: str, colors: dict[str, str],
             linked: set[str] | None = None) -> None:
        self.index, self.text, self.label_colors = index, text, colors
        self.linked = linked if linked is not None else set()
        self._label_styles.clear()
        self._drawn.clear()
        self._rows.clear()
        self.changed()
        self.refresh()

    def changed(self) -> None:
        """The index or the links changed: repaint the visible rows not drawn as they are."""
        size = Size(self.size.width, len(self.index))
        if size != self.virtual_size:
            # Setting virtual_size reflows the whole screen (it is a layout reactive); one more
            # row only moves our scrollbar, so update that alone (textual_compat), and repaint
            # it only when its thumb moves by a visible eighth of a cell: a long list's bar is
            # drawn again whole, which costs more than the rows
            old_thumb = self._thumb(self.virtual_size.height)
            moved = old_thumb is None or old_thumb != self._thumb(size.height)
            grow_virtual_size(self, size, repaint_bar=moved)
        top = self.scroll_offset.y
        for row in range(top, top + self.scrollable_content_region.height):
            span = self.index.row(row) if row < len(self.index) else None
            drawn = self._drawn.get(row)
            if span is None:
                stale = drawn is not None
            else:
                stale = drawn is None or drawn[0] is not span or drawn[1] != (span.id in
                                                                               self.linked)
            if stale:
                self.refresh_lines(row)

    def _thumb(self, rows: int) -> tuple[int, int] | None:
        """The thumb the scrollbar draws with `rows` rows (None: no thumb, or the list may
        need to scroll back within its new length)."""
        height = self.scrollable_content_region.height
        if not self.show_vertical_scrollbar or self.scroll_y > rows - height:
            return None
        return drawn_thumb(self.vertical_scrollbar, self.scroll_y, rows)

    def follow(self, span: Span | None) -> None:
        """Highlight (and scroll to) the row of span."""
        row = self.index.position(span.id) if span is not None else None
        if row != self.highlighted:
            self.highlighted = row
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if row is not None and not top <= row < top + height:
            # off screen: centre it, so walking through a document scrolls the list every
            # half screen of rows, not on every row (a scroll repaints the whole list)
            self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True,
                                  center=True)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        # only the two rows change (a scroll, if any, repaints the rest by itself)
        for row in (old, new):
            if row is not None:
                self.refresh_lines(row)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._base or self.rich_style  # rich_style walks the DOM: once per style change
        self._base = base
        if row >= len(self.index):
            self._drawn.pop(row, None)
            return Strip.blank(width, base)
        span = self.index.row(row)
        linked = span.id in self.linked
        self._drawn[row] = (span, linked)
        if row == self.highlighted:
            return self._row(span, width, linked, base + self.get_component_rich_style(
                "span-list--highlight"))
        kept = self._rows.get(span.id)
        if kept is None or kept[0] is not span or kept[1] != width or kept[2] != linked:
            kept = (span, width, linked, self._row(span, width, linked, base))
            self._rows.set(span.id, kept)
        return kept[3]

    def _row(self, span: Span, width: int, linked: bool, style: Style) -> Strip:
        label_style = self._label_styles.get(span.label)
        if label_style is None:
            color = Color.parse(self.label_colors.get(span.label, "#888888"))
            label_style = Style(color=color.get_contrast_text().rich_color,
                                bgcolor=color.rich_color)
            self._label_styles[span.label] = label_style
        # never more of the text than the row can show (a span may be megabytes long)
        body = one_line(self.text[span.start : min(span.end, span.start + width + 1)], width)
        lead = number_lead(span.attrs)
        if lead and one_line(lead, VALUE_MAX) != body:
            body = f"{one_line(lead, VALUE_MAX)} │ {body}"  # what tells "about 7,00…" apart
        extra = describe_attrs(span.attrs, skip=("value", "unit", "qualifier") if lead else ())
        segments = [
            Segment(f"{one_line(span.label, 7):<7}",
                    label_style),
            Segment((f" {LINKED} " if linked else " ") + body + (f"  {extra}" if extra else ""),
                    style),
        ]
        return Strip(segments).crop_extend(0, width, style)

    def action_cursor(self, delta: int) -> None:
        if not len(self.index):
            return
        row = 0 if self.highlighted is None else self.highlighted + delta
        self.highlighted = max(0, min(row, len(self.index) - 1))
        self.scroll_to_region(Region(0, self.highlighted, 1, 1), animate=False, immediate=True)

    def action_choose(self) -> None:
        if self.highlighted is not None and self.highlighted < len(self.index):
            self.post_message(self.Chosen(self.index.row(self.highlighted)))

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.index):
            self.highlighted = row
            self.post_message(self.Chosen(self.index.row(row)))
