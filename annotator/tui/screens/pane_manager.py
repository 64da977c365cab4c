"""Opening and closing the annotation screen's panes: the saved layout brought back, a
document opened (or moved to, when it is open already), a pane closed, and the place an undo
or redo lands."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.widgets import Static

from annotator.session import Location
from annotator.tui import long_lived
from annotator.tui.plain import toast
from annotator.tui.span_loading import SpanLoading
from annotator.tui.text_layout import one_line as safe
from annotator.tui.widgets.pane import Pane

if TYPE_CHECKING:
    from textual.widget import Widget

    from annotator.tui.screens.annotate import AnnotateScreen

MAX_PANES = 4
EMPTY = "No documents to annotate. Import some with: annotator import PATH"


class PaneManager:
    def __init__(self, screen: AnnotateScreen) -> None:
        self.screen = screen
        self.settling = False  # a long_lived.settle() is due after the next refresh
        self.settle_after: Widget | None = None  # the widget whose first frame it waits for
        # the documents beyond MAX_PANES and the pane to focus, from first_panes to started
        self._start: tuple[list[str], int] | None = None

    def first_panes(self, doc_ids: list[str]) -> list[Widget]:
        """What the screen's panes start as, for its compose: `doc_ids`; with none, the panes
        saved last time, else the next document; with nothing to open, a line that says so.
        Composed with the screen, they are laid out and drawn with it, once: mounted after
        it (as they were), each pane cost the whole screen another layout and frame before
        the first text. `started` finishes them once the screen is mounted."""
        screen, session = self.screen, self.screen.session
        saved = session.layout()
        cursors: dict[str, int] = saved.get("cursors", {})
        if not doc_ids:
            doc_ids = [d for d in saved.get("docs", []) if session.document(d)]
        if not doc_ids:
            nxt = session.next_document()
            doc_ids = [nxt] if nxt else []
        if not doc_ids:
            return [Static(EMPTY, id="empty")]
        panes: list[Widget] = [
            pane for doc_id in doc_ids[:MAX_PANES]
            if (pane := self._new_pane(doc_id, cursors.get(doc_id, 0))) is not None]
        self._start = (doc_ids[MAX_PANES:],
                       saved.get("focus", 0) if not screen.initial_ids else 0)
        return panes

    def started(self) -> None:
        """The screen is mounted: the first panes scroll to their cursors, the saved one has
        the focus, and the documents beyond MAX_PANES are named."""
        screen = self.screen
        left, focus = self._start or ([], 0)
        self._start = None
        panes = screen.panes
        for pane in panes:
            self._shown(pane)
        if left:
            screen.refuse(f"{MAX_PANES} panes at most: not opened "
                          f"{', '.join(safe(d) for d in left)} (o opens one in a pane)",
                          timeout=6)
        if panes:
            screen.activate(panes[min(focus, len(panes) - 1)])
        else:
            screen.update_status()

    def open(self, doc_id: str, cursor: int = 0, save: bool = True,
             replace: Pane | None = None) -> Pane | None:
        screen = self.screen
        pane = self._new_pane(doc_id, cursor)
        if pane is None:
            return None
        container = screen.query_one("#panes")
        for empty in screen.query("#empty"):
            empty.remove()
        if replace is not None:
            container.mount(pane, after=replace)
            self.remove(replace)
        else:
            container.mount(pane)
        self._shown(pane)
        screen.activate(pane)
        if save:
            screen.layout_memory.save_now()
        return pane

    def _new_pane(self, doc_id: str, cursor: int) -> Pane | None:
        """A pane for the document, its cursor at `cursor`, its spans read once its text is
        drawn; None (said in a toast) when there is no such document."""
        screen, session = self.screen, self.screen.session
        doc = session.document(doc_id)
        if doc is None:
            toast(screen, f"no document {doc_id}", severity="error")
            return None
        long_lived.hold()  # until it is drawn: see settle
        spans = SpanLoading(partial(session.spans, doc_id))  # read once the text is drawn
        session.load_links(doc_id)
        pane = screen.pane_class(doc, spans, session.colors, session.linked(),
                                 session.status(doc_id), screen.view_class)
        self.schedule_settle(pane.view)
        pane.view.cursor = min(cursor, len(doc.text))
        return pane

    def _shown(self, pane: Pane) -> None:
        """A pane just mounted: its suggestions, and its cursor on screen."""
        self.screen.suggest(pane)
        self.screen.call_after_refresh(pane.view.scroll_to_cursor, True)

    def schedule_settle(self, drawn: Widget | None = None) -> None:
        """Once what was opened is drawn, let the garbage collector settle (see long_lived):
        after the refresh that follows `drawn`'s mount (a document view: after its text is on
        screen, as its spans are read), else the screen's next refresh. The screen's own
        refresh came before the document's first frame, with a full collection of all that
        start-up made (~25 ms) in front of the text."""
        if not self.settling:
            self.settling = True
            self.settle_after = drawn
            (drawn or self.screen).call_after_refresh(self.settle)

    def settle(self) -> None:
        self.settling = False
        long_lived.settle()

    def remove(self, pane: Pane) -> None:
        pane.add_class("-closed")
        pane.remove()
        if self.settling and self.settle_after is pane.view:  # gone before it was drawn
            self.settle()
        long_lived.release()  # its widgets are cycles: let the collector have them

    def show_document(self, doc_id: str | None) -> None:
        """Move to the document's pane, or open it in a new one (replacing this one when
        MAX_PANES are open)."""
        screen = self.screen
        if doc_id is None:
            return
        if doc_id in {p.document.id for p in screen.panes}:
            screen.activate(next(p for p in screen.panes if p.document.id == doc_id))
            screen.last_action = f"{safe(doc_id)} is open already: moved to its pane"
            screen.update_status()
            return
        if len(screen.panes) >= MAX_PANES:
            toast(screen, f"{MAX_PANES} panes at most: replacing this one", timeout=3)
            self.open(doc_id, replace=screen.active)
        else:
            self.open(doc_id)

    def close_active(self) -> None:
        """Close the active pane (never the last one); the next one gets the focus."""
        screen = self.screen
        panes, active = screen.panes, screen.active
        if active is None or len(panes) <= 1:
            screen.refuse("the last pane stays open (q quits)", timeout=2)
            return
        i = panes.index(active)
        if screen.linking.pending and screen.linking.pending[0] is active:
            screen.linking.pending = None
        self.remove(active)
        rest = [p for p in panes if p is not active]
        screen.active = None
        screen.last_action = f"closed {safe(active.document.id)}"
        screen.activate(rest[min(i, len(rest) - 1)])
        screen.layout_memory.save_now()

    def go_to(self, where: Location) -> None:
        """Where an undo or redo happened: there in the active pane, or said in a toast if no
        pane shows its document."""
        screen, active = self.screen, self.screen.active
        if active is None:
            return
        if active.document.id == where.doc_id:
            active.view.move_to(where.offset, center=True)
        elif not any(p.document.id == where.doc_id for p in screen.panes):
            toast(screen, f"{screen.last_action} in {where.doc_id}", timeout=3)
