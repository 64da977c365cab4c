"""The mouse on a document view: a click moves the cursor there, a drag selects."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events

if TYPE_CHECKING:
    from annotator.tui.widgets.document_view import DocumentView


class MouseSelection:
    """Mixin for DocumentView (before ScrollView): its mouse handlers."""

    _dragging: int | None = None  # where a drag began

    def _view(self) -> DocumentView:
        return cast("DocumentView", self)

    def offset_at_mouse(self, event: events.MouseEvent) -> int:
        view = self._view()
        line = view.scroll_offset.y + event.y
        layout = view.text_layout
        return layout.offset_at(min(line, len(layout) - 1), event.x + view.scroll_offset.x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        view = self._view()
        view.focus()
        offset = self.offset_at_mouse(event)
        view.set_anchor(None)
        self._dragging = offset
        view.capture_mouse()
        view.move_to(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        start = self._dragging
        if start is None or not event.button:
            return
        view = self._view()
        offset = self.offset_at_mouse(event)
        if offset != start and view.select_from is None:
            view.set_anchor(start)
        if offset != view.cursor:
            view.move_to(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._dragging = None
        self._view().release_mouse()
