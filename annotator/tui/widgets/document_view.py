"""One document on screen: soft-wrapped, spans in label colours, cursor and selection on top.

A ScrollView on Textual's Line API: lines are wrapped once per width, spans are found through a
block index, and a keystroke refreshes only the lines it changes, so its cost does not grow with
the length of the document or the number of spans.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Document, Span
from annotator.tui.keys import view_bindings
from annotator.tui.plain import SanitisedLines, toast
from annotator.tui.span_index import SpanIndex
from annotator.tui.text_layout import Layout, glyph, wrap
from annotator.tui.widgets.direct_lines import DirectLines
from annotator.tui.widgets.quiet_scroll import QuietScroll
from annotator.words import WORD, snap, word_at

_WINDOW = 256
_NOT_REVERSED = Style(reverse=False)
# components drawn with their whole style (colours blended over the widget's background)
_WHOLE = {"document-view--cursor", "document-view--cursor-inactive", "document-view--selection"}
LINE_CACHE = 2000


def search_pattern(query: str) -> str:
    """A regex for query that also finds its letters written the other Unicode way: "café"
    typed with é finds "cafe\u0301" in the text, and the other way round (offsets stay the
    text's own; nothing is normalised in place)."""
    parts = []
    for ch in unicodedata.normalize("NFC", query):
        forms = {ch, unicodedata.normalize("NFD", ch)}
        parts.append(re.escape(ch) if len(forms) == 1 else
                     "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len)[::-1]) + ")")
    return "".join(parts)


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


@dataclass(frozen=True, slots=True)
class Target:
    """A range the next action applies to: the selection, or the word under the cursor."""

    start: int
    end: int


class DocumentView(SanitisedLines, QuietScroll, DirectLines, ScrollView, can_focus=True):
    """Draws one document and owns its cursor, selection and spans (of one annotator)."""

    COMPONENT_CLASSES = {
        "document-view--cursor",
        "document-view--cursor-inactive",
        "document-view--selection",
        "document-view--control",
        "document-view--match",
    }
    DEFAULT_CSS = """
    /* the scrollbar always takes its column, so the text is wrapped once, at its real width */
    DocumentView { background: $surface; color: $foreground; scrollbar-size-vertical: 1;
                   overflow-y: scroll; }
    DocumentView > .document-view--cursor { background: $foreground; color: $surface; }
    DocumentView > .document-view--cursor-inactive { background: $foreground 35%; }
    /* grey, not a hue: every hue is some label's colour (over a span: its colours reversed) */
    DocumentView > .document-view--selection { background: $foreground 30%; text-style: underline; }
    DocumentView > .document-view--control { color: $warning; text-style: bold; }
    DocumentView > .document-view--match { text-style: bold underline; color: $text-warning; }
    """
    BINDINGS = view_bindings()  # type: ignore[assignment]  # priority bindings: keys act in the order they arrive

    cursor: var[int] = var(0, always_update=True)
    precise: var[bool] = var(False)

    class CursorMoved(Message):
        """The cursor or selection changed (the screen follows with the side panel)."""

        def __init__(self, view: DocumentView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, document: Document, spans: list[Span], colors: dict[str, str],
                 linked: set[str] | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.document = document
        self.text = document.text
        self.index = SpanIndex(spans)
        self.label_colors = colors
        self.linked: set[str] = set(linked or ())
        self.pending_link: str | None = None
        self.select_from: int | None = None  # the selection's other end (not `anchor`: Widget's)
        self._exclusive = False  # the selection ends before the cursor (shift+arrows)
        self.search_query = ""
        self._match_query = ""
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._layout: Layout | None = None
        self._layout_for = Size(0, 0)  # the widget size the layout was checked against
        # drawn lines (without cursor or selection), the most recent few screens' worth: a
        # long session over a 5 MB document must not keep every line it ever drew
        self._cache: LRUCache[int, Strip] = LRUCache(LINE_CACHE)
        self._label_styles: dict[tuple, Style] = {}
        self._styles: dict[str, Style] = {}
        self._cursor_line = 0
        self._under: Span | None = None  # the span under the cursor, drawn emphasised
        self._goal_column: int | None = None
        self._dragging: int | None = None  # where a mouse drag began

    # -- layout ---------------------------------------------------------------------------

    @property
    def text_layout(self) -> Layout:
        if self._layout is not None and self._layout_for == self.size:
            return self._layout  # asked for on every drawn line: no region arithmetic then
        self._layout_for = self.size
        if self._layout is None or self._layout.width != self._wrap_width():
            self._layout = wrap(self.text, self._wrap_width())
            self._cache.clear()
            self._cursor_line = self._layout.line_of(self.cursor)  # set before the first wrap
            self._under = self.index.innermost(self.cursor)
            self.virtual_size = Size(self._wrap_width(), len(self._layout))
        return self._layout

    def _wrap_width(self) -> int:
        return max(8, self.scrollable_content_region.width or self.size.width or 80)

    def on_resize(self, event: events.Resize) -> None:
        _ = self.text_layout
        self.scroll_to_cursor(center=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._label_styles.clear()
        self._styles.clear()

    def _style(self, component: str = "") -> Style:
        """The widget's own style, or a component's, kept until the styles change: rich_style
        walks the DOM on every call, and every drawn line asked for it.

        The cursor and the selection are whole styles: a partial component style drops the
        alpha of a background such as `$foreground 30%` (it came out as the text colour
        itself, so selected text was invisible). The others are partial: a search match or
        a control character keeps the background of the span it is on."""
        style = self._styles.get(component)
        if style is None:
            if not component:
                style = self.rich_style
            else:
                style = self.get_component_rich_style(component,
                                                      partial=component not in _WHOLE)
            self._styles[component] = style
        return style

    # -- drawing --------------------------------------------------------------------------

    def _span_style(self, label: str, strength: float, emphasis: bool = False) -> Style:
        key = (label, strength, emphasis)
        style = self._label_styles.get(key)
        if style is None:
            base = self._style()
            bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
            label_color = Color.parse(self.label_colors.get(label, "#888888"))
            if self.app.console.color_system != "truecolor":
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

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        layout = self.text_layout
        width = self.scrollable_content_region.width
        if line >= len(layout):
            return Strip.blank(width, self._style())
        strip = self._cache.get(line)
        if strip is None:
            strip = self._render_text_line(line)
            if not self._has_overlay(line):
                self._cache.set(line, strip)
        return strip.crop_extend(scroll_x, scroll_x + width, self._style())

    def _has_overlay(self, line: int) -> bool:
        layout = self.text_layout
        if self._cursor_line == line:
            return True
        sel = self.selection()
        if sel is None:
            return False
        start, end = layout.starts[line], layout.line_end(line) + 1
        return sel.start < end and sel.end > start

    def _render_text_line(self, line: int) -> Strip:
        layout = self.text_layout
        text = self.text
        start = layout.starts[line]
        stop = layout.line_end(line) + 1  # include the newline cell, if any
        stop = min(stop, len(text) + 1)
        n = stop - start
        base = self._style()
        keys: list[Style | None] = [None] * n
        spans = self.index.overlapping(start, stop)
        spans.sort(key=lambda s: (s.start - s.end, s.start))  # outermost first, inner on top
        under = self._under
        depth: list[int] = [0] * n
        for span in spans:
            lo, hi = max(span.start, start) - start, min(span.end, stop) - start
            emphasis = under is not None and span.id == under.id
            for i in range(lo, hi):
                depth[i] += 1
                style = self._span_style(span.label, 0.35 if depth[i] == 1 else 0.6, emphasis)
                if depth[i] > 1:
                    style += Style(underline=True)
                if span.id in self.linked or span.id == self.pending_link:
                    style += Style(underline=True, italic=True)
                keys[i] = style
        sel = self.selection()
        if sel is not None:
            sel_style = self._style("document-view--selection")
            over_span = Style(reverse=True, underline=True)
            for i in range(max(sel.start, start) - start, min(sel.end, stop) - start):
                key = keys[i]
                keys[i] = base + sel_style if key is None else key + over_span
        if self.search_query:
            matches = self.matches()
            match_style = self._style("document-view--match")
            i = max(0, bisect_left(self._match_starts, start) - 1)
            on_span = Style(bold=True, underline=True)  # a colour could vanish on the label's
            while i < len(matches) and matches[i][0] < stop:
                lo, hi = matches[i]
                for j in range(max(lo, start) - start, min(hi, stop) - start):
                    key = keys[j]
                    keys[j] = base + match_style if key is None else key + on_span
                i += 1
        control = self._style("document-view--control")
        if start <= self.cursor < stop:
            i = self.cursor - start
            cursor = "document-view--cursor" if self.has_focus else "document-view--cursor-inactive"
            # never reversed: inside a selection over a span (drawn reversed) a reversed
            # cursor came out in the page's own colours and looked like a gap
            keys[i] = (keys[i] or base) + self._style(cursor) + _NOT_REVERSED
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

    def refresh_offsets(self, start: int, end: int) -> None:
        """Redraw the screen lines showing [start, end]."""
        layout = self.text_layout
        first, last = layout.line_of(start), layout.line_of(max(start, end))
        for line in range(first, last + 1):
            self._cache.discard(line)
        self.refresh_lines(first, last - first + 1)

    def on_focus(self) -> None:
        self.refresh_lines(self._cursor_line)

    def on_blur(self) -> None:
        self.refresh_lines(self._cursor_line)

    # -- cursor and selection -------------------------------------------------------------

    def selection(self) -> Target | None:
        """The selected range. `v` selects from its anchor to the cursor, both included (as
        in vim, with a block cursor); shift+arrows select up to the cursor, as most editors do:
        shift+right once selects one character."""
        if self.select_from is None:
            return None
        lo, hi = sorted((self.select_from, self.cursor))
        if self._exclusive:
            if hi == lo:
                return None
            hi -= 1  # both ends are caret positions, before a character: [lo, hi)
        if not self.precise:
            snapped = snap(self.text, lo, hi)  # whole words, no whitespace at either end
            return Target(*snapped) if snapped else None
        hi = min(hi + 1, len(self.text))
        return Target(lo, hi) if hi > lo else None

    def blank_selection(self) -> bool:
        """A word-snapped selection is under way but covers only whitespace: nothing to label."""
        if self.select_from is None or self.precise or self.selection() is not None:
            return False
        return not (self._exclusive and self.select_from == self.cursor)

    def word_at(self, offset: int) -> Target | None:
        """The word containing offset (None on space or punctuation between words)."""
        found = word_at(self.text, offset)
        return Target(*found) if found else None

    def target(self) -> Target | None:
        """What a label key applies to: the selection, else the word under the cursor (None
        for a selection of whitespace only)."""
        sel = self.selection()
        if sel is not None:
            return sel
        if self.blank_selection():
            return None
        word = self.word_at(self.cursor)
        if word is None and self.cursor < len(self.text) and not self.text[self.cursor].isspace():
            return Target(self.cursor, self.cursor + 1)
        return word

    def span_under_cursor(self) -> Span | None:
        return self.index.innermost(self.cursor)

    def _update_under(self) -> None:
        """Emphasise the span under the cursor on every line it covers, not just the cursor's."""
        new = self.index.innermost(self.cursor)
        old, self._under = self._under, new
        if old is not new and self._layout is not None:
            for span in (old, new):
                if span is not None:
                    self.refresh_offsets(span.start, span.end)

    def watch_cursor(self, old: int, new: int) -> None:
        if self._layout is None:
            return
        old_line, self._cursor_line = self._cursor_line, self.text_layout.line_of(new)
        sel = self.selection()
        if sel is not None:
            self.refresh_offsets(min(sel.start, old, new), max(sel.end, old, new))
        self.refresh_lines(old_line)
        self._cache.discard(old_line)
        self.refresh_lines(self._cursor_line)
        self._update_under()
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self))

    def move_to(self, offset: int, *, keep_goal: bool = False, center: bool = False) -> None:
        offset = max(0, min(offset, len(self.text)))
        if not keep_goal:
            self._goal_column = None
        self.cursor = offset
        if center:
            self.scroll_to_cursor(center=True)

    def scroll_to_cursor(self, center: bool = False) -> None:
        """Bring the cursor's line into view; `center` centres it, but only when the view has
        to scroll anyway (a jump to a line already on screen does not move the text)."""
        if self._layout is None or not self.size.height:
            return
        line = self._cursor_line
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if top <= line < top + height:
            return
        # Stepping past an edge scrolls a quarter screen, not one line: walking down with j
        # scrolls every few lines instead of on every key (each scroll repaints the view).
        jump = max(1, height // 4)
        if center or line < top - jump or line >= top + height + jump:
            self.scroll_to_region(
                Region(0, line, 1, 1), animate=False, center=True, spacing=None,
                immediate=True, x_axis=False,
            )
        elif line < top:
            self.scroll_to(y=max(0, line - jump + 1), animate=False, immediate=True)
        else:
            self.scroll_to(y=line - height + jump, animate=False, immediate=True)

    def _set_anchor(self, anchor: int | None, exclusive: bool = False) -> None:
        old = self.selection()
        self.select_from = anchor
        self._exclusive = exclusive and anchor is not None
        if old is not None:
            self.refresh_offsets(old.start, old.end)

    def action_toggle_select(self) -> None:
        self._set_anchor(None if self.select_from is not None else self.cursor)
        self.cursor = self.cursor

    def action_clear_selection(self) -> None:
        if self.select_from is None:
            if getattr(self.screen, "pending", None) is not None:
                raise SkipAction()  # a pending link first: the status bar says esc cancels it
            if self.search_query:
                self.clear_search()  # escape also takes the search marks away
                self.post_message(self.CursorMoved(self))
                return
            raise SkipAction()  # let the screen cancel a pending link
        self._set_anchor(None)
        self.cursor = self.cursor

    def clear_selection(self) -> None:
        if self.select_from is not None:
            self._set_anchor(None)
            self.cursor = self.cursor

    def action_toggle_precise(self) -> None:
        self.precise = not self.precise
        sel = self.selection()
        if sel is not None:
            self.refresh_offsets(max(0, sel.start - _WINDOW), sel.end + _WINDOW)
        self.post_message(self.CursorMoved(self))

    # -- motions --------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        # step over code points drawn in no cell (combining marks, joiners): the cursor could
        # not be seen on them, and they belong to the character before
        text, offset = self.text, self.cursor + delta
        while 0 < offset < len(text) and glyph(text[offset])[1] == 0:
            offset += delta
        self.move_to(offset)

    def action_line(self, delta: int) -> None:
        layout = self.text_layout
        line = layout.line_of(self.cursor)
        if self._goal_column is None:
            self._goal_column = layout.column_of(self.cursor)
        target = line + delta
        if target < 0 or target >= len(layout):
            return
        self.move_to(layout.offset_at(target, self._goal_column), keep_goal=True)

    def action_page(self, delta: int) -> None:
        lines = max(1, self.scrollable_content_region.height - 1)
        layout = self.text_layout
        if self._goal_column is None:
            self._goal_column = layout.column_of(self.cursor)
        target = min(max(0, layout.line_of(self.cursor) + delta * lines), len(layout) - 1)
        self.move_to(layout.offset_at(target, self._goal_column), keep_goal=True)

    def action_word(self, delta: int) -> None:
        if delta > 0:
            here = self.word_at(self.cursor)
            m = WORD.search(self.text, here.end if here else self.cursor + 1)
            self.move_to(m.start() if m else len(self.text))
            return
        lo = self.cursor
        while lo > 0:
            lo = max(0, lo - _WINDOW)
            starts = [m.start() for m in WORD.finditer(self.text, lo, self.cursor)]
            starts = [s for s in starts if s < self.cursor]
            if starts:
                self.move_to(starts[-1])
                return
        self.move_to(0)

    def action_paragraph(self, delta: int) -> None:
        text = self.text
        if delta > 0:
            i = text.find("\n\n", self.cursor)
            if i < 0:
                self.move_to(len(text))
                return
            while i < len(text) and text[i] == "\n":
                i += 1
            self.move_to(i)
            return
        i = text.rfind("\n\n", 0, max(0, self.cursor - 1))
        while i >= 0 and i + 2 < len(text) and text[i + 2] == "\n":
            i += 1
        self.move_to(0 if i < 0 else i + 2)

    def action_edge(self, delta: int) -> None:
        self.move_to(0 if delta < 0 else len(self.text), center=True)

    def action_line_edge(self, delta: int) -> None:
        layout = self.text_layout
        line = layout.line_of(self.cursor)
        self.move_to(layout.starts[line] if delta < 0 else layout.line_end(line))

    def action_extend(self, motion: str, delta: int) -> None:
        if self.select_from is None:
            self._set_anchor(self.cursor, exclusive=True)  # shift+arrows: see selection()
        getattr(self, f"action_{motion}")(delta)

    def action_span(self, delta: int) -> None:
        here = self.span_under_cursor()
        if delta > 0:
            span = self.index.next_after(here.start if here else self.cursor)
        else:
            span = self.index.prev_before(here.start if here else self.cursor)
        if span is not None:
            self.move_to(span.start)
        else:
            self.app.bell()

    def search(self, query: str, delta: int = 1) -> bool:
        """Move to the next (or previous) case-insensitive match of query; every match on
        screen is marked until the next search (or escape)."""
        self.search_query = query
        return self.action_search_next(delta)

    def matches(self) -> list[tuple[int, int]]:
        """(start, end) of every match of the search, in order (found once per query)."""
        if self._match_query != self.search_query:
            self._match_query = self.search_query
            self._matches = []
            if self.search_query:
                pattern = re.compile(search_pattern(self.search_query), re.IGNORECASE)
                self._matches = [m.span() for m in pattern.finditer(self.text)]
            self._match_starts = [m[0] for m in self._matches]
            self._cache.clear()
            self.refresh()
        return self._matches

    def match_position(self) -> tuple[int, int] | None:
        """(1-based number of the match at the cursor, how many there are), or None."""
        matches = self.matches()
        i = bisect_left(self._match_starts, self.cursor)
        if i < len(matches) and matches[i][0] == self.cursor:
            return i + 1, len(matches)
        return None

    def clear_search(self) -> None:
        self.search_query = ""
        self.matches()

    def action_search_next(self, delta: int) -> bool:
        if not self.search_query:
            return False
        matches = self.matches()
        if not matches:
            toast(self, f"not found: {self.search_query}", severity="warning", timeout=2)
            return False
        starts = self._match_starts
        if delta > 0:
            i = bisect_right(starts, self.cursor)
            i = 0 if i >= len(starts) else i  # wrap around
        else:
            i = bisect_left(starts, self.cursor) - 1  # -1 wraps to the last
        self.move_to(starts[i], center=True)
        return True

    # -- mouse ----------------------------------------------------------------------------

    def _offset_at_mouse(self, event: events.MouseEvent) -> int:
        line = self.scroll_offset.y + event.y
        layout = self.text_layout
        return layout.offset_at(min(line, len(layout) - 1), event.x + self.scroll_offset.x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self.focus()
        offset = self._offset_at_mouse(event)
        self._set_anchor(None)
        self._dragging = offset
        self.capture_mouse()
        self.move_to(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        start = self._dragging
        if start is None or not event.button:
            return
        offset = self._offset_at_mouse(event)
        if offset != start and self.select_from is None:
            self._set_anchor(start)
        if offset != self.cursor:
            self.move_to(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._dragging = None
        self.release_mouse()

    # -- keeping in step with the store ---------------------------------------------------

    def add_span(self, span: Span) -> None:
        old = self.index.get(span.id)
        self.index.add(span)
        if old is not None:
            self.refresh_offsets(old.start, old.end)
        self.refresh_offsets(span.start, span.end)
        self._update_under()

    def remove_span(self, span_id: str) -> None:
        span = self.index.remove(span_id)
        self.linked.discard(span_id)
        if span is not None:
            self.refresh_offsets(span.start, span.end)
        self._update_under()

    def set_linked(self, span_id: str, linked: bool) -> None:
        (self.linked.add if linked else self.linked.discard)(span_id)
        span = self.index.get(span_id)
        if span is not None:
            self.refresh_offsets(span.start, span.end)

    def set_pending_link(self, span_id: str | None) -> None:
        old, self.pending_link = self.pending_link, span_id
        for sid in (old, span_id):
            span = self.index.get(sid) if sid else None
            if span is not None:
                self.refresh_offsets(span.start, span.end)


def labelled_view(label_keys: list[Binding]) -> type[DocumentView]:
    """A DocumentView with the schema's label keys as class bindings of its own (the same CSS
    type name, so it is styled and queried as a DocumentView)."""
    return type("DocumentView", (DocumentView,), {"BINDINGS": label_keys})
