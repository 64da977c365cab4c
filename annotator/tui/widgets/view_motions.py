"""The cursor motions of a document view: by character, line, page, word, paragraph, to the
edges of a line or of the document, and from span to span."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from annotator.tui.motions import next_paragraph, next_word, previous_paragraph, previous_word
from annotator.tui.text_layout import glyph

if TYPE_CHECKING:
    from annotator.tui.widgets.document_view import DocumentView


class CursorMotions:
    """Mixin for DocumentView (before ScrollView): the motion actions its keys are bound to.
    Up and down keep the column the cursor had when they began (the goal column)."""

    _goal_column: int | None = None

    def _view(self) -> DocumentView:
        return cast("DocumentView", self)

    def move_to(self, offset: int, *, keep_goal: bool = False, center: bool = False) -> None:
        view = self._view()
        offset = max(0, min(offset, len(view.text)))
        if not keep_goal:
            self._goal_column = None
        view.cursor = offset
        if center:
            view.scroll_to_cursor(center=True)

    def action_move(self, delta: int) -> None:
        # step over code points drawn in no cell (combining marks, joiners): the cursor could
        # not be seen on them, and they belong to the character before
        view = self._view()
        text, offset = view.text, view.cursor + delta
        while 0 < offset < len(text) and glyph(text[offset])[1] == 0:
            offset += delta
        self.move_to(offset)

    def _to_line(self, target: int) -> None:
        """To screen line `target`, at the goal column."""
        view = self._view()
        layout = view.text_layout
        if self._goal_column is None:
            self._goal_column = layout.column_of(view.cursor)
        self.move_to(layout.offset_at(target, self._goal_column), keep_goal=True)

    def action_line(self, delta: int) -> None:
        view = self._view()
        layout = view.text_layout
        target = layout.line_of(view.cursor) + delta
        if 0 <= target < len(layout):
            self._to_line(target)

    def action_page(self, delta: int) -> None:
        view = self._view()
        lines = max(1, view.scrollable_content_region.height - 1)
        layout = view.text_layout
        self._to_line(min(max(0, layout.line_of(view.cursor) + delta * lines), len(layout) - 1))

    def action_word(self, delta: int) -> None:
        view = self._view()
        self.move_to((next_word if delta > 0 else previous_word)(view.text, view.cursor))

    def action_paragraph(self, delta: int) -> None:
        view = self._view()
        step = next_paragraph if delta > 0 else previous_paragraph
        self.move_to(step(view.text, view.cursor))

    def action_edge(self, delta: int) -> None:
        self.move_to(0 if delta < 0 else len(self._view().text), center=True)

    def action_line_edge(self, delta: int) -> None:
        view = self._view()
        layout = view.text_layout
        line = layout.line_of(view.cursor)
        self.move_to(layout.starts[line] if delta < 0 else layout.line_end(line))

    def action_span(self, delta: int) -> None:
        view = self._view()
        here = view.span_under_cursor()
        at = here.start if here else view.cursor
        span = view.index.next_after(at) if delta > 0 else view.index.prev_before(at)
        if span is not None:
            self.move_to(span.start)
        else:
            view.app.bell()
