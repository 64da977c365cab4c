"""The annotation screen: documents side by side, the side panel, the status bar, and every
action an annotator takes (each committed to the store before the screen shows it)."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.timer import Timer
from textual.widgets import Static

from annotator.model import Link, Span
from annotator.session import Location, Outcome, Session
from annotator.store import StoreError
from annotator.tui import long_lived
from annotator.tui.keys import label_bindings, screen_bindings
from annotator.tui.plain import toast
from annotator.tui.screens.bars import status_line, tabs_line
from annotator.tui.screens.dialog_flows import Linking, edit_attributes, form_on_label
from annotator.tui.screens.guarded import READ_ONLY, writes
from annotator.tui.screens.pane_changes import show_changes
from annotator.tui.screens.search_box import SearchBox
from annotator.tui.screens.side_feed import SideFeed
from annotator.tui.screens.speed_actions import SpeedActions
from annotator.tui.screens.suggesting import SuggestionActions
from annotator.tui.text_layout import one_line as safe
from annotator.tui.widgets.document_view import DocumentView, labelled_view
from annotator.tui.widgets.pane import Pane
from annotator.tui.widgets.side_panel import SidePanel
from annotator.tui.widgets.span_list import SpanList

__all__ = ["READ_ONLY", "AnnotateScreen"]
MAX_PANES = 4
NARROW = 100  # columns below which panes become tabs
_LAYOUT_WRITES = threading.Lock()  # one layout write at a time, the UI's or a worker's


class AnnotateScreen(SpeedActions, SuggestionActions):
    DEFAULT_CSS = """
    AnnotateScreen { layout: vertical; }
    #body { height: 1fr; }
    #pane-area { width: 1fr; }
    #tabs { height: 1; display: none; background: $panel-darken-1; }
    AnnotateScreen.-narrow #tabs { display: block; }
    AnnotateScreen.-narrow Pane { display: none; }
    AnnotateScreen.-narrow Pane.-active { display: block; border-left: none; }
    #panes { height: 1fr; }
    #search { dock: bottom; display: none; height: 3; }
    #search.-visible { display: block; }
    #status { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    #empty { width: 1fr; height: 1fr; content-align: center middle; color: $text-muted; }
    """
    BINDINGS = screen_bindings()  # type: ignore[assignment]
    _layout_seq = 0  # layouts taken from the screen, and the newest written (_write_layout)
    _layout_written = 0

    def __init__(self, session: Session, doc_ids: list[str]) -> None:
        super().__init__()
        self.session = session
        self.schema = session.schema
        self.initial_ids = doc_ids
        self.active: Pane | None = None
        self.linking = Linking(self)
        self.last_action = READ_ONLY if session.read_only else "ready"
        self.side = SidePanel(self.schema)
        self.feed = SideFeed(session, self.side)
        self.search_box = SearchBox(self._search)
        self._view_class = labelled_view(label_bindings(self.schema))
        self._save_timer: Timer | None = None
        self._progress: tuple[int, int] | None = None  # (done, total): reread on status changes
        self._settling = False  # a long_lived.settle() is due after the next refresh

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="pane-area"):
                yield Static(id="tabs")
                yield Horizontal(id="panes")
            yield self.side
        yield self.search_box
        yield Static(id="status")

    def on_mount(self) -> None:
        self._restore_or_open(self.initial_ids)
        self._narrow(self.app.size.width)
        self._schedule_settle()  # also when there was nothing to open

    def on_resize(self) -> None:
        self._narrow(self.app.size.width)

    def _narrow(self, width: int) -> None:
        narrow = width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.side.set_class(narrow, "-narrow")
            if self.active is not None:
                self.side.show_counts(dict(self.active.view.index.counts))
        self._update_tabs()

    @property
    def panes(self) -> list[Pane]:
        """The open panes; one being closed (Textual removes it later) is not one of them."""
        return [p for p in self.query(Pane) if not p.has_class("-closed")]

    def _restore_or_open(self, doc_ids: list[str]) -> None:
        saved = self.session.layout()
        cursors: dict[str, int] = saved.get("cursors", {})
        if not doc_ids:
            doc_ids = [d for d in saved.get("docs", []) if self.session.document(d)]
        if not doc_ids:
            nxt = self.session.next_document()
            doc_ids = [nxt] if nxt else []
        if not doc_ids:
            self.query_one("#panes").mount(
                Static("No documents to annotate. Import some with: annotator import PATH",
                       id="empty")
            )
            self.update_status()
            return
        for doc_id in doc_ids[:MAX_PANES]:
            self.open_pane(doc_id, cursor=cursors.get(doc_id, 0), save=False)
        if len(doc_ids) > MAX_PANES:
            left = ", ".join(safe(d) for d in doc_ids[MAX_PANES:])
            self.refuse(f"{MAX_PANES} panes at most: not opened {left} (o opens one in a pane)",
                        timeout=6)
        focus = saved.get("focus", 0) if not self.initial_ids else 0
        panes = self.panes
        if panes:
            self.activate(panes[min(focus, len(panes) - 1)])

    def open_pane(self, doc_id: str, cursor: int = 0, save: bool = True,
                  replace: Pane | None = None) -> Pane | None:
        doc = self.session.document(doc_id)
        if doc is None:
            toast(self, f"no document {doc_id}", severity="error")
            return None
        long_lived.hold()  # until it is drawn: see _settle
        self._schedule_settle()
        spans = self.session.spans(doc_id)
        self.session.load_links(doc_id)
        linked = self.session.linked()
        pane = Pane(doc, spans, self.session.colors, linked, self.session.status(doc_id),
                    self._view_class)
        container = self.query_one("#panes")
        for empty in self.query("#empty"):
            empty.remove()
        if replace is not None:
            container.mount(pane, after=replace)
            self._remove_pane(replace)
        else:
            container.mount(pane)
        pane.view.cursor = min(cursor, len(doc.text))
        self.suggest(pane)
        self.call_after_refresh(pane.view.scroll_to_cursor, True)
        self.activate(pane)
        if save:
            self._save_layout()
        return pane

    def _schedule_settle(self) -> None:
        """Once what was opened is drawn, let the garbage collector settle (see long_lived)."""
        if not self._settling:
            self._settling = True
            self.call_after_refresh(self._settle)

    def _settle(self) -> None:
        self._settling = False
        long_lived.settle()

    def _remove_pane(self, pane: Pane) -> None:
        pane.add_class("-closed")
        pane.remove()
        long_lived.release()  # its widgets are cycles: let the collector have them

    def on_unmount(self) -> None:
        long_lived.release()

    def activate(self, pane: Pane) -> None:
        for other in self.panes:
            other.set_class(other is pane, "-active")
        self.active = pane
        if pane.view.is_mounted:
            self.set_focus(pane.view)  # at once: the next key of a burst is for this pane
        else:
            pane.view.focus()
        self.side.span_list.show(pane.view.index, pane.view.text, self.session.colors,
                                pane.view.linked)
        self._refresh_side()
        self._update_tabs()
        self.update_status()

    def _update_tabs(self) -> None:
        panes = self.panes
        room = self.query_one("#tabs", Static).size.width or self.app.size.width
        active = panes.index(self.active) if self.active in panes else None
        self.query_one("#tabs", Static).update(
            tabs_line([p.document.id for p in panes], active, room))

    # -- keeping the side panel and status bar in step ----------------------------------

    @property
    def links(self) -> dict[str, Link]:
        """The links of the open documents (the session keeps them)."""
        return self.session.links

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    def _refresh_side(self, light: bool = False) -> None:
        if self.active is not None:
            self.feed.refresh(self.panes, self.active, light)

    def update_status(self) -> None:
        if self._progress is None:
            self._progress = self.session.progress()
        pending = self.linking.source_text()
        text = status_line(self.session.annotator, self.session.read_only, self._progress,
                           None if self.active is None else self.active.view, pending,
                           self.last_action, self.suggestion_hint())
        self.query_one("#status", Static).update(text, layout=False)  # one fixed line

    @on(DocumentView.CursorMoved)
    def _cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        if self.active is None or event.view is not self.active.view:
            for pane in self.panes:
                if pane.view is event.view:
                    self.activate(pane)
                    return
        self._refresh_side(light=True)
        self.update_status()
        self._schedule_save()

    @on(SpanList.Chosen)
    def _span_chosen(self, event: SpanList.Chosen) -> None:
        if self.active is not None:
            self.active.view.move_to(event.span.start, center=True)
            self.set_focus(self.active.view)

    # -- applying committed changes -------------------------------------------------------

    def show(self, outcome: Outcome) -> bool:
        """Show what an action came to: why it was refused (then False), or what the store
        committed, in every pane it touches, and the status line it leaves."""
        if outcome.refused is not None:
            self.refuse(outcome.refused, timeout=outcome.linger)
            if outcome.bell:
                self.app.bell()
        if outcome.changes and show_changes(self.panes, outcome.changes, self.session.linked()):
            self._progress = None  # a status changed: reread (done, total)
        self.resuggest(outcome.changes)
        if outcome.message or outcome.changes:
            self.last_action = outcome.message
            if outcome.changes:
                self._refresh_side()
            self.update_status()
        if outcome.notice is not None:
            n = outcome.notice
            toast(self, n.text, title=n.title, timeout=n.timeout)
        return outcome.refused is None

    # -- actions --------------------------------------------------------------------------

    @writes
    def action_label_key(self, index: int) -> None:
        """A label key of the schema (bound on each document view, in key order)."""
        if self.active is None or not isinstance(self.focused, DocumentView):
            raise SkipAction()
        view = self.active.view
        target = view.target()
        outcome = self.session.label_rule(
            view.document.id, view.text, None if target is None else (target.start, target.end),
            self.schema.labels[index], view.index, selected=view.selection() is not None,
            blank=target is None and view.blank_selection())
        if self.show(outcome):
            view.clear_selection()
            form_on_label(self, self.active, outcome)

    def _under(self) -> tuple[Pane, Span] | None:
        if self.active is None:
            return None
        span = self.active.view.span_under_cursor()
        if span is None:
            self.refuse("no span under the cursor", timeout=2)
            return None
        return self.active, span

    @writes
    def action_delete_span(self) -> None:
        if found := self._under():
            self.show(self.session.delete_rule(found[1], found[0].view.text))

    @writes
    def action_resize(self, grow: bool) -> None:
        if found := self._under():
            self.show(self.session.resize_rule(found[1], found[0].view.text, grow))

    @writes
    def action_edit_attributes(self) -> None:
        if found := self._under():
            edit_attributes(self, *found)

    @writes
    def action_link(self) -> None:
        if found := self._under():
            self.linking.press(*found)

    def action_cancel(self) -> None:
        self.linking.cancel()

    @property
    def pending(self) -> tuple[Pane, Span] | None:
        """The source of a link being made (L on a span, then L on the target)."""
        return self.linking.pending

    @writes
    def action_undo(self) -> None:
        self._land(self.session.undo_rule())

    @writes
    def action_redo(self) -> None:
        self._land(self.session.redo_rule())

    def _land(self, outcome: Outcome) -> None:
        """Undo or redo: show it, then go where it was (or say where, if no pane shows it)."""
        if not self.show(outcome) or outcome.goto is None or self.active is None:
            return
        where: Location = outcome.goto
        if self.active.document.id == where.doc_id:
            self.active.view.move_to(where.offset, center=True)
        elif not any(p.document.id == where.doc_id for p in self.panes):
            toast(self, f"{self.last_action} in {where.doc_id}", timeout=3)

    @writes
    def action_done(self) -> None:
        pane = self.active
        if pane is None:
            return
        open_ids = {p.document.id for p in self.panes}
        outcome = self.session.done_rule(pane.document.id, open_ids)
        self.show(outcome)
        nxt = outcome.open_next
        if nxt in open_ids:
            self.activate(next(p for p in self.panes if p.document.id == nxt))
        elif nxt is not None:
            self.open_pane(nxt, replace=pane)

    def action_cycle_pane(self, delta: int) -> None:
        panes = self.panes
        if not panes:
            return
        if self.active not in panes:
            self.activate(panes[0])
            return
        # the ring: each pane, then the side panel's span list (j/k and enter to jump there)
        ring: list[Pane | SpanList] = list(panes)
        if self.side.display:
            ring.append(self.side.span_list)
        here = self.side.span_list if self.focused is self.side.span_list else self.active
        nxt = ring[(ring.index(here) + delta) % len(ring)]
        if isinstance(nxt, SpanList):
            self.set_focus(nxt)
        else:
            self.activate(nxt)
            self._schedule_save()

    def action_open_document(self) -> None:
        from annotator.tui.screens.picker import DocumentPicker

        open_ids = {p.document.id for p in self.panes}

        self.app.push_screen(
            DocumentPicker(self.session.documents, self.session.annotator, open_ids),
            self.guarded(self.show_document),
        )

    def show_document(self, doc_id: str | None) -> None:
        """Move to the document's pane, or open it in a new one (replacing this one when
        MAX_PANES are open)."""
        if doc_id is None:
            return
        if doc_id in {p.document.id for p in self.panes}:
            self.activate(next(p for p in self.panes if p.document.id == doc_id))
            self.last_action = f"{safe(doc_id)} is open already: moved to its pane"
            self.update_status()
            return
        if len(self.panes) >= MAX_PANES:
            toast(self, f"{MAX_PANES} panes at most: replacing this one", timeout=3)
            self.open_pane(doc_id, replace=self.active)
        else:
            self.open_pane(doc_id)

    def action_dashboard(self) -> None:
        """The lead dashboard; on a team database only for leads."""
        from annotator.dashboard import may_see
        from annotator.tui.screens.dashboard import DashboardScreen

        if not may_see(self.session.store, self.session.annotator):
            self.refuse("the dashboard is for leads")
            return
        self.app.push_screen(DashboardScreen(self.session), self.guarded(self.show_document))

    def action_close_pane(self) -> None:
        panes = self.panes
        if self.active is None or len(panes) <= 1:
            self.refuse("the last pane stays open (q quits)", timeout=2)
            return
        i = panes.index(self.active)
        if self.pending and self.pending[0] is self.active:
            self.linking.pending = None
        closed = self.active.document.id
        self._remove_pane(self.active)
        rest = [p for p in panes if p is not self.active]
        self.active = None
        self.last_action = f"closed {safe(closed)}"
        self.activate(rest[min(i, len(rest) - 1)])
        self._save_layout()

    def action_search(self) -> None:
        self.search_box.open()

    def capture_key(self, event: Key) -> bool:
        """Keys for the open search box, taken as the app reads them (AnnotatorApp.on_event):
        a key handed to the box through its own queue could be overtaken by the next one, and
        "/Quellby⏎3" must search before it labels."""
        return self.capture_count(event) or self.search_box.capture(event)

    def _search(self, query: str) -> None:
        """The search box closed: back to the view, searching for `query` (if any)."""
        if self.active is not None:
            self.set_focus(self.active.view)
            if query:
                self.active.view.search(query)

    def action_toggle_side(self) -> None:
        self.side.display = not self.side.display

    def action_help(self) -> None:
        from annotator.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.schema))

    def action_quit(self) -> None:
        self.guarded(self._save_layout)()  # a full disk must not keep anyone in
        self.app.exit()

    # -- remembering panes and cursors --------------------------------------------------

    def _schedule_save(self) -> None:
        """Save the layout a second after the cursor settles, in a thread: the write (a
        transaction, a read of the saved cursors first) is not the UI thread's."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(1.0, self._save_layout_in_background)

    def _save_layout_in_background(self) -> None:
        if (layout := self._layout_now()) is None:
            return

        def write() -> None:
            try:
                self._write_layout(*layout)
            except (StoreError, sqlite3.Error) as err:
                self.app.call_from_thread(self._layout_not_saved, err)

        self.run_worker(write, thread=True, name="save layout", group="layout",
                        exit_on_error=False)

    def _layout_not_saved(self, err: Exception) -> None:
        with self.database_guard():  # the status bar says why, as for a refused action
            raise err

    def _save_layout(self) -> None:
        """Save the layout now, before the action that changed it is shown as done (a
        kill -9 after "marked done" keeps the panes on screen)."""
        if (layout := self._layout_now()) is not None:
            self._write_layout(*layout)

    def _layout_now(self) -> tuple[int, dict[str, Any]] | None:
        """What is on screen (read from the widgets, on the UI thread) and its number: a
        write in the background that finishes after a newer one must not undo it."""
        panes = self.panes
        if not panes or self.session.read_only:
            return None
        with _LAYOUT_WRITES:
            self._layout_seq += 1
            seq = self._layout_seq
        return seq, {
            "docs": [p.document.id for p in panes],
            "focus": panes.index(self.active) if self.active in panes else 0,
            "cursors": {p.document.id: p.view.cursor for p in panes},
        }

    def _write_layout(self, seq: int, state: dict[str, Any]) -> None:
        """Store the layout, keeping the saved cursors of documents no longer open (any
        thread; a newer layout already written wins)."""
        with _LAYOUT_WRITES:
            if seq < self._layout_written:
                return
            saved = self.session.layout()
            state["cursors"] = {**saved.get("cursors", {}), **state["cursors"]}
            self.session.save_layout(state)
            self._layout_written = seq
