"""The annotation screen: documents side by side, the side panel, the status bar, and every
action an annotator takes (each committed to the store before the screen shows it)."""

from __future__ import annotations

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.events import Key
from textual.widget import Widget
from textual.widgets import Static

from annotator.model import Link, Span
from annotator.session import Outcome, Session
from annotator.tui import long_lived
from annotator.tui.keys import label_bindings, screen_bindings
from annotator.tui.plain import toast
from annotator.tui.screens.bars import status_line, tabs_line
from annotator.tui.screens.dialog_flows import Linking, edit_attributes, form_on_label
from annotator.tui.screens.figures import FiguresFlow
from annotator.tui.screens.flagging import Flagging
from annotator.tui.screens.guarded import READ_ONLY, writes
from annotator.tui.screens.layout_memory import LayoutMemory
from annotator.tui.screens.pane_changes import show_changes
from annotator.tui.screens.pane_manager import PaneManager
from annotator.tui.screens.search_box import SearchBox
from annotator.tui.screens.side_feed import SideFeed
from annotator.tui.screens.speed_actions import SpeedActions
from annotator.tui.screens.suggesting import SuggestionActions
from annotator.tui.text_layout import one_line as safe
from annotator.tui.widgets.document_view import DocumentView, labelled_view
from annotator.tui.widgets.pane import Pane
from annotator.tui.widgets.same_rows import HBox, SameRows, VBox
from annotator.tui.widgets.side_panel import SidePanel
from annotator.tui.widgets.span_list import SpanList

__all__ = ["READ_ONLY", "AnnotateScreen"]
NARROW = 100  # columns below which panes become tabs


class AnnotateScreen(Flagging, SpeedActions, SameRows, SuggestionActions):
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
    pane_class = Pane  # the review's gold pane says it is gold
    keeps_layout = True  # the review keeps none of its own: the lead's is the annotate one

    def __init__(self, session: Session, doc_ids: list[str]) -> None:
        super().__init__()
        self.session = session
        self.schema = session.schema
        self.initial_ids = doc_ids
        self.active: Pane | None = None
        self._pane_box: Widget | None = None
        self.linking = Linking(self)
        self.figures = FiguresFlow(self)
        self.last_action = READ_ONLY if session.read_only else "ready"
        self.side = SidePanel(self.schema)
        self.feed = SideFeed(session, self.side)
        self.search_box = SearchBox(self._search)
        self.view_class = labelled_view(label_bindings(self.schema))  # for each pane
        self.layout_memory = LayoutMemory(self)
        self.pane_manager = PaneManager(self)
        self._progress: tuple[int, int] | None = None  # (done, total): reread on status changes

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with HBox(id="body"):
            with VBox(id="pane-area"):
                yield Static(id="tabs")
                yield HBox(*self.pane_manager.first_panes(self.initial_ids), id="panes")
            yield self.side
        yield self.search_box
        yield Static(id="status")

    def on_mount(self) -> None:
        self.pane_manager.started()
        self._narrow(self.app.size.width)
        self.pane_manager.schedule_settle()  # also when there was nothing to open

    def on_resize(self) -> None:
        self._narrow(self.app.size.width)

    def _narrow(self, width: int) -> None:
        narrow = width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.side.set_class(narrow, "-narrow")
            if self.active is not None:
                self.side.show_counts(dict(self.active.view.shown_index.counts))
        self.update_tabs()

    @property
    def panes(self) -> list[Pane]:
        """The open panes; one being closed (Textual removes it later) is not one of them."""
        box = self._pane_box  # the panes' container: a DOM query per call cost ~0.1 ms a key
        if box is None or not box.is_attached:
            box = self._pane_box = self.query_one("#panes")
        return [p for p in box.children if isinstance(p, Pane) and not p.has_class("-closed")]

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
        self._show_side(pane)
        self.update_tabs()
        self.update_status()

    def update_tabs(self) -> None:
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
                           self.last_action, self.figures.note(), self.suggestion_hint())
        self.query_one("#status", Static).update(text, layout=False)  # one fixed line

    @on(DocumentView.CursorMoved)
    def _cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        if (self.active is None or event.view is not self.active.view) and (
                pane := self.pane_of(event.view)) is not None:
            self.activate(pane)
            return
        self._refresh_side(light=True)
        self.update_status()
        self.layout_memory.schedule()

    def pane_of(self, view: DocumentView) -> Pane | None:
        """The open pane showing `view` (None: closed since the message was sent)."""
        return next((p for p in self.panes if p.view is view), None)

    def _show_side(self, pane: Pane, wait: bool = False) -> None:
        """The side panel for `pane`: with the spans read so far, or (`wait`) all of them."""
        index = pane.view.index if wait else pane.view.shown_index
        self.side.span_list.show(index, pane.view.text, self.session.colors, pane.view.linked)
        self._refresh_side()

    @on(DocumentView.SpansLoaded)
    def _spans_loaded(self, event: DocumentView.SpansLoaded) -> None:
        """A pane's spans are there (read by a worker after its text was drawn)."""
        self.pane_manager.schedule_settle()  # keep them out of the collector's full passes
        if event.error is not None:
            self.refuse(f"could not read the spans of {safe(event.view.document.id)}: "
                        f"{safe(str(event.error))} (a span key tries again)", timeout=6)
        else:
            if (pane := self.pane_of(event.view)) is not None:
                self.suggest(pane)
            if self.active is not None and event.view is self.active.view:
                self._show_side(self.active)

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
        self.figures.changed(outcome.changes)
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

    def action_figures(self) -> None:
        if found := self._under():
            self.figures.open(found)

    def action_cancel(self) -> None:
        self.linking.cancel()

    @property
    def pending(self) -> tuple[Pane, Span] | None:
        """The source of a link being made (L on a span, then L on the target)."""
        return self.linking.pending

    @writes
    def action_undo(self) -> None:
        self.land(self.session.undo_rule())

    @writes
    def action_redo(self) -> None:
        self.land(self.session.redo_rule())

    def land(self, outcome: Outcome) -> None:
        """Undo or redo: show it, then go where it was (or say where, if no pane shows it)."""
        if self.show(outcome) and outcome.goto is not None:
            self.pane_manager.go_to(outcome.goto)

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
            self.pane_manager.open(nxt, replace=pane)

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
            self._show_side(self.active, wait=True)  # its keys act on every span
            self.set_focus(nxt)
        else:
            self.activate(nxt)
            self.layout_memory.schedule()

    def action_open_document(self) -> None:
        from annotator.tui.screens.picker import DocumentPicker

        open_ids = {p.document.id for p in self.panes}

        self.app.push_screen(
            DocumentPicker(self.session.documents, self.session.annotator, open_ids,
                           self.session.assigned),
            self.guarded(self.pane_manager.show_document),
        )

    def action_dashboard(self) -> None:
        """The lead dashboard; on a team database only for leads."""
        from annotator.dashboard import may_see
        from annotator.tui.screens.dashboard import DashboardScreen

        if not may_see(self.session.store, self.session.acting):
            self.refuse("the dashboard is for leads")
            return
        self.app.push_screen(DashboardScreen(self.session), self.guarded(self.action_review))

    def action_review(self, doc_id: str | None = "") -> None:
        """R: the review of this pane's document; the dashboard's enter: of the document
        chosen (None: closed without one)."""
        from annotator.tui.screens.review import open_review

        open_review(self, self.active.document.id if doc_id == "" and self.active else doc_id)

    def action_close_pane(self) -> None:
        self.pane_manager.close_active()

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
        self.guarded(self.layout_memory.save_now)()  # a full disk must not keep anyone in
        self.app.exit()
