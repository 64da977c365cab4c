"""One document on screen: soft-wrapped, spans in label colours, cursor and selection on top.

A ScrollView on Textual's Line API: lines are wrapped once per width, spans are found through a
block index, and a keystroke refreshes only the lines it changes, so its cost does not grow with
the length of the document or the number of spans.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Document, Span
from annotator.tui.keys import view_bindings
from annotator.tui.motions import (
    WINDOW,
    Matches,
    Target,
    selected,
    word_or_character,
)
from annotator.tui.plain import SanitisedLines, toast
from annotator.tui.span_loading import SpanLoading
from annotator.tui.text_layout import Layout, wrap
from annotator.tui.widgets.direct_lines import DirectLines
from annotator.tui.widgets.document_paint import COMPONENTS, VIEW_CSS, Painter
from annotator.tui.widgets.document_paint import contrast as contrast  # re-exported
from annotator.tui.widgets.quiet_scroll import QuietScroll
from annotator.tui.widgets.unit_motions import UnitMotions
from annotator.tui.widgets.view_motions import CursorMotions
from annotator.tui.widgets.view_mouse import MouseSelection
from annotator.tui.widgets.view_spans import ViewSpans
from annotator.words import word_at

FIRST_WRAP = 65_536  # code points of a long document wrapped before its first frame


class DocumentView(UnitMotions, CursorMotions, MouseSelection, ViewSpans, SanitisedLines,
                   QuietScroll, DirectLines, ScrollView, can_focus=True):
    """Draws one document and owns its cursor, selection and spans (of one annotator)."""

    COMPONENT_CLASSES = COMPONENTS
    DEFAULT_CSS = VIEW_CSS
    BINDINGS = view_bindings()  # type: ignore[assignment]  # priority bindings: keys act in the order they arrive

    cursor: var[int] = var(0, always_update=True)
    precise: var[bool] = var(False)

    class CursorMoved(Message):
        """The cursor or selection changed (the screen follows with the side panel)."""

        def __init__(self, view: DocumentView) -> None:
            super().__init__()
            self.view = view

        def can_replace(self, message: Message) -> bool:
            # a burst of keys moves the cursor many times: the side panel follows the last
            return isinstance(message, DocumentView.CursorMoved) and message.view is self.view

    def __init__(self, document: Document, spans: Iterable[Span] | SpanLoading,
                 colors: dict[str, str], linked: set[str] | None = None, *,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.document = document
        self.text = document.text
        self.take_spans(spans, linked or ())
        self.label_colors = colors
        self.select_from: int | None = None  # the selection's other end (not `anchor`: Widget's)
        self._exclusive = False  # the selection ends before the cursor (shift+arrows)
        self._selected: tuple[tuple[int, int, bool, bool], Target | None] | None = None
        self.search_query = ""
        self.found = Matches(self.text)
        self._layout: Layout | None = None
        self._wrapped_to = -1  # the text wrapped so far: beyond len(text) when all of it
        self._layout_for = Size(0, 0)  # the widget size the layout was checked against
        self.painter = Painter(self)
        self.cursor_line = 0

    # -- layout ---------------------------------------------------------------------------

    @property
    def text_layout(self) -> Layout:
        if (self._layout is not None and self._layout_for == self.size
                and self.cursor <= self._wrapped_to):
            return self._layout  # asked for on every drawn line: no region arithmetic then
        self._layout_for = self.size
        width = self._wrap_width()
        if self._layout is None or self._layout.width != width or self.cursor > self._wrapped_to:
            self._set_layout(self._first_layout(width))
        return self._layout  # type: ignore[return-value]  # _set_layout set it

    def _first_layout(self, width: int) -> Layout:
        """The whole text wrapped; or, for a long one with the cursor near its start, the
        paragraphs of its first screens (drawn at once) while a thread wraps the rest."""
        text = self.text
        cut = text.find("\n", FIRST_WRAP) if len(text) > 2 * FIRST_WRAP else -1
        if cut < 0 or self.cursor > cut:
            return wrap(text, width)
        self.call_after_refresh(self._wrap_rest, width)  # after the first frame is drawn
        return wrap(text[:cut], width)

    def _set_layout(self, layout: Layout) -> None:
        self._layout = layout
        self._wrapped_to = len(layout.text) if len(layout.text) < len(self.text) else len(
            self.text) + 1
        self.painter.drawn.clear()
        self.cursor_line = layout.line_of(self.cursor)  # set before the first wrap
        self.reset_under()
        self.virtual_size = Size(layout.width, len(layout))

    def _wrap_rest(self, width: int) -> None:
        def wrap_all() -> None:
            layout = wrap(self.text, width)
            self.app.call_from_thread(self._wrapped, layout)

        self.run_worker(wrap_all, thread=True, name="wrap", group="wrap", exclusive=True,
                        exit_on_error=False)  # an app closed meanwhile: nothing to show

    def _wrapped(self, layout: Layout) -> None:
        """The whole text is wrapped: take it, unless the view was wrapped anew meanwhile (a
        new width, or the cursor went past the first screens)."""
        if self._layout is not None and self._wrapped_to <= len(self.text) and (
                layout.width == self._layout.width):
            self._set_layout(layout)
            self.refresh()

    def _wrap_width(self) -> int:
        return max(8, self.scrollable_content_region.width or self.size.width or 80)

    def on_resize(self, event: events.Resize) -> None:
        _ = self.text_layout
        self.scroll_to_cursor(center=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.painter.clear()

    # -- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        return self.painter.render(y)

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        """Redraw screen lines [y_start, y_start + line_count) as they are now: their drawn
        copies are dropped too (as Textual's Log does), so no caller pairs the two."""
        for line in range(y_start, y_start + line_count):
            self.painter.drawn.discard(line)
        super().refresh_lines(y_start, line_count)

    def refresh_offsets(self, start: int, end: int) -> None:
        """Redraw the screen lines showing [start, end]."""
        if self._layout is None:
            return  # nothing drawn yet
        layout = self.text_layout
        first, last = layout.line_of(start), layout.line_of(max(start, end))
        self.refresh_lines(first, last - first + 1)

    def on_focus(self) -> None:
        self.refresh_lines(self.cursor_line)

    def on_blur(self) -> None:
        self.refresh_lines(self.cursor_line)

    # -- cursor and selection -------------------------------------------------------------

    def selection(self) -> Target | None:
        """The selected range. `v` selects from its anchor to the cursor, both included (as
        in vim, with a block cursor); shift+arrows select up to the cursor, as most editors do:
        shift+right once selects one character."""
        if self.select_from is None:
            return None
        key = (self.select_from, self.cursor, self._exclusive, self.precise)
        if self._selected is None or self._selected[0] != key:  # asked once per line drawn
            self._selected = (key, selected(self.text, *key))
        return self._selected[1]

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
        return None if self.blank_selection() else word_or_character(self.text, self.cursor)

    def watch_cursor(self, old: int, new: int) -> None:
        if self._layout is None:
            return
        old_line, self.cursor_line = self.cursor_line, self.text_layout.line_of(new)
        sel = self.selection()
        if sel is not None:
            self.refresh_offsets(min(sel.start, old, new), max(sel.end, old, new))
        self.refresh_lines(old_line)
        self.refresh_lines(self.cursor_line)
        self.update_under()
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self))

    def scroll_to_cursor(self, center: bool = False) -> None:
        """Bring the cursor's line into view; `center` centres it, but only when the view has
        to scroll anyway (a jump to a line already on screen does not move the text)."""
        if self._layout is None or not self.size.height:
            return
        line = self.cursor_line
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

    def set_anchor(self, anchor: int | None, exclusive: bool = False) -> None:
        """Start a selection at `anchor` (None ends it); see selection() for `exclusive`."""
        old = self.selection()
        self.select_from = anchor
        self._exclusive = exclusive and anchor is not None
        if old is not None:
            self.refresh_offsets(old.start, old.end)

    def action_toggle_select(self) -> None:
        self.set_anchor(None if self.select_from is not None else self.cursor)
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
        self.set_anchor(None)
        self.cursor = self.cursor

    def clear_selection(self) -> None:
        if self.select_from is not None:
            self.set_anchor(None)
            self.cursor = self.cursor

    def action_toggle_precise(self) -> None:
        self.precise = not self.precise
        sel = self.selection()
        if sel is not None:
            self.refresh_offsets(max(0, sel.start - WINDOW), sel.end + WINDOW)
        self.post_message(self.CursorMoved(self))

    # -- motions --------------------------------------------------------------------------

    def action_extend(self, motion: str, delta: int) -> None:
        if self.select_from is None:
            self.set_anchor(self.cursor, exclusive=True)  # shift+arrows: see selection()
        getattr(self, f"action_{motion}")(delta)

    def search(self, query: str, delta: int = 1) -> bool:
        """Move to the next (or previous) case-insensitive match of query; every match on
        screen is marked until the next search (or escape)."""
        self.search_query = query
        return self.action_search_next(delta)

    def matches(self) -> list[tuple[int, int]]:
        """(start, end) of every match of the search, in order (found once per query)."""
        if self.found.find(self.search_query):
            self.painter.drawn.clear()
            self.refresh()
        return self.found.spans

    def match_position(self) -> tuple[int, int] | None:
        """(1-based number of the match at the cursor, how many there are), or None."""
        self.matches()
        return self.found.position(self.cursor)

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
        self.move_to(self.found.next(self.cursor, delta), center=True)
        return True


def labelled_view(label_keys: list[Binding]) -> type[DocumentView]:
    """A DocumentView with the schema's label keys as class bindings of its own (the same CSS
    type name, so it is styled and queried as a DocumentView)."""
    return type("DocumentView", (DocumentView,), {"BINDINGS": label_keys})
