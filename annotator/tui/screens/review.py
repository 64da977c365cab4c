"""The review screen (issue #12): a document's versions, one read-only pane per annotator drawn
by disagreement kind and scrolled with the gold pane, and the gold pane, the `@gold` set edited
with the annotation keys. With more annotators than fit side by side (review_view.side_by_side)
the gold pane and a table of who marked what. The review keys (keymap "review") jump between
disagreements and decide them through annotator.review.session; the rules live there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.events import Key
from textual.widgets import Static

from annotator.model import GOLD, LabelSchema
from annotator.review.clusters import Cluster
from annotator.review.session import Reason, ReviewSession
from annotator.review_view import (
    Clusters,
    Row,
    side_by_side,
    table_rows,
    version_kinds,
)
from annotator.session import SHORT, Outcome, Session, refusal
from annotator.store import Store
from annotator.tui.keys import bindings, label_bindings, review_view_bindings, screen_bindings
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.bars import status_line
from annotator.tui.screens.guarded import writes
from annotator.tui.screens.review_reason import REASON_WORDS, ReasonChooser
from annotator.tui.text_layout import one_line as safe
from annotator.tui.widgets.document_view import labelled_view
from annotator.tui.widgets.same_rows import HBox, VBox
from annotator.tui.widgets.versions import (
    GoldPane,
    VersionPane,
    VersionView,
    WhoTable,
    legend,
)

MAX_VERSIONS = 9  # y takes one digit


class ReviewScreen(AnnotateScreen):
    DEFAULT_CSS = """
    ReviewScreen #review-head { height: 1; background: $panel-darken-1; padding: 0 1; }
    ReviewScreen #versions { height: 1fr; }
    ReviewScreen #who { display: none; }
    ReviewScreen.-table #versions { display: none; }
    ReviewScreen.-table #who { display: block; }
    ReviewScreen #pane-area { width: 1fr; }
    /* every pane with its border, so all are as wide and wrap the text alike */
    ReviewScreen #panes Pane { border-left: vkey $foreground 25%; }
    ReviewScreen.-table #panes Pane:first-of-type { border-left: none; }
    """
    BINDINGS = [*screen_bindings(), *bindings("review")]
    pane_class = GoldPane
    keeps_layout = False  # the lead's layout is the annotation screen's

    def __init__(self, store: Store, actor: str, schema: LabelSchema, doc_id: str,
                 queue: Sequence[str] = ()) -> None:
        if store.actor is None:
            store.actor = actor  # gold is written as @gold, by the lead (actions.actor)
        super().__init__(Session(store, GOLD, schema), [doc_id])
        self.actor = actor
        self.doc_id = doc_id
        self.queue = [d for d in queue if d != doc_id]  # what D opens next
        self.review = ReviewSession(store, actor, doc_id)
        self.annotators: list[str] = list(self.review.annotators)
        self.view_class = labelled_view([*label_bindings(self.schema),
                                          *review_view_bindings()])
        self.reason: Reason | None = None  # recorded by the next decision (W)
        self.choosing = False  # y pressed: the next key is a version's number
        self.link_cluster: Any = None  # the link being decided (ctrl+l), else the span's
        self.clusters = Clusters()
        self._rows: list[Row] | None = None  # the table's, made when it shows
        self._versions: list[VersionPane] = []

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="review-head")
        with HBox(id="body"):
            yield HBox(id="versions")
            with VBox(id="pane-area"):
                yield Static(id="tabs")
                yield HBox(*self.pane_manager.first_panes(self.initial_ids), id="panes")
            yield self.side
        yield WhoTable(id="who")
        yield self.search_box
        yield Static(id="status")

    def on_mount(self) -> None:
        """The versions; then AnnotateScreen.on_mount (Textual runs it next) opens gold."""
        self.side.display = False
        document = self.session.document(self.doc_id)
        self.clusters = Clusters(self.review.clusters())
        shown = self.annotators[:MAX_VERSIONS]
        versions = self.query_one("#versions")
        versions.styles.width = f"{len(shown)}fr"  # as wide as the gold pane, each
        if document is not None:
            self._versions = [VersionPane(n, who, document,
                                          version_kinds(who, self.clusters.all))
                              for n, who in enumerate(shown, 1)]
            versions.mount_all(self._versions)
        self.call_after_refresh(self.refresh_review)

    def _narrow(self, width: int) -> None:
        """Versions side by side when they fit, else the gold pane and the table."""
        self.set_class(not side_by_side(width, len(self.annotators)), "-table")
        self.update_tabs()
        self.update_status()  # the table, if it shows now

    @property
    def versions(self) -> list[VersionPane]:
        return self._versions

    def gold_view(self) -> Any:
        """The gold pane's view (the active pane's, unless o opened another document's)."""
        if self.active is not None and self.active.document.id == self.doc_id:
            return self.active.view
        pane = next((p for p in self.panes if p.document.id == self.doc_id), None)
        return None if pane is None else pane.view

    # -- keeping the versions, the table and the bars in step ------------------------------

    def refresh_review(self) -> None:
        """Read the clusters anew (after a decision or an edit) and redraw by kind."""
        self.review.refresh()
        self.clusters = Clusters(self.review.clusters())
        self._rows = None
        for pane in self.versions:
            pane.view.show_kinds(version_kinds(pane.annotator, self.clusters.all))
        self.update_status()

    def show(self, outcome: Outcome) -> bool:
        shown = super().show(outcome)
        if outcome.changes and self.is_mounted:
            self.session.links.clear()  # a decision brings links the session did not make
            for pane in self.panes:
                self.session.load_links(pane.document.id)
            self.refresh_review()
        return shown

    def current(self) -> Cluster | None:
        view = self.gold_view()
        return None if view is None else self.clusters.at(view.cursor)

    def update_status(self) -> None:
        if not self.is_mounted:
            return
        view = self.gold_view()
        if view is not None:
            self._follow(view)
        cluster = self.current()
        decided = self.clusters.decided
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append("review ", "bold")
        head.append(safe(self.doc_id), "bold")
        head.append(f"  {decided}/{len(self.clusters)} decided  ")
        if self.reason:
            head.append(f"reason: {REASON_WORDS[self.reason]}  ", "bold reverse")
        head.append_text(legend())
        self.get_child_by_id("review-head", Static).update(head, layout=False)
        about = Text(no_wrap=True, overflow="ellipsis")
        if self.choosing:
            who = ", ".join(f"{n} {safe(a, 12)}" for n, a in enumerate(self.annotators, 1))
            about.append(f"accept whose version? {who} (esc cancels)  ", "bold reverse")
        elif self.link_cluster is not None:
            about.append(safe(self.link_cluster.describe(), 80) + "  ", "bold")
        elif cluster is not None:
            about.append(safe(cluster.describe(), 80) + "  ", "bold")
        text = status_line(self.actor, self.read_only, (decided, len(self.clusters)), view,
                           self.linking.source_text(), self.last_action)
        about.append_text(text)
        self.get_child_by_id("status", Static).update(about, layout=False)
        table = self.get_child_by_id("who", WhoTable)
        if table.display and view is not None:
            if self._rows is None:
                self._rows = table_rows(self.clusters.all, self.annotators, view.text)
            table.show(self._rows, self.annotators, None if cluster is None else cluster.key)

    def _follow(self, gold: Any) -> None:
        """The versions show the gold pane's cursor, and the same text at the top."""
        layout = gold.text_layout
        top = layout.starts[min(gold.scroll_offset.y, len(layout) - 1)] if len(layout) else 0
        for pane in self.versions:
            view = pane.view
            if view.cursor != gold.cursor:
                view.move_to(gold.cursor)
            if view.size.height:
                y = view.text_layout.line_of(top)
                if view.scroll_offset.y != y:
                    view.scroll_to(y=y, animate=False, immediate=True)

    @on(VersionView.Clicked)
    def _clicked(self, event: VersionView.Clicked) -> None:
        if (view := self.gold_view()) is not None:
            view.move_to(event.offset)
            self.set_focus(view)

    # -- navigation -----------------------------------------------------------------------

    def action_disagreement(self, direction: int) -> None:
        view = self.gold_view()
        if view is None:
            return
        self.link_cluster = None
        here = self.current()
        offset = view.cursor if here is None else here.start
        found = self.review.next(offset, direction, undecided=True)
        if found is None:
            self.refuse(f"no {'next' if direction > 0 else 'previous'} disagreement left to"
                        " decide", timeout=2)
            return
        view.move_to(found.start, center=True)
        self.set_focus(view)

    def action_link_cluster(self, direction: int) -> None:
        """The next link (by where it starts) not yet decided, or the first again."""
        pending = [lc for lc in self.review.links() if not lc.decided]
        if not pending:
            self.link_cluster = None
            self.refuse("no link left to decide in this document", timeout=2)
            return
        at = pending.index(self.link_cluster) if self.link_cluster in pending else -1
        self.link_cluster = pending[(at + direction) % len(pending)]
        view = self.gold_view()
        lc = self.link_cluster
        end = lc.source if lc.source[0] == self.doc_id else lc.target
        if view is not None:
            view.move_to(end[1], center=True)
        self.update_status()

    def action_cancel(self) -> None:
        if self.link_cluster is not None:
            self.link_cluster = None
            self.update_status()
            return
        super().action_cancel()

    # -- decisions --------------------------------------------------------------------------

    def _decide(self, span: Callable[[Any], Outcome], link: Callable[[Any], Outcome]) -> None:
        """A decision on the link being decided, else on the cluster at the cursor."""
        if self.link_cluster is not None:
            outcome = link(self.link_cluster)
            if self.show(outcome):
                self.link_cluster = None
        else:
            cluster = self.current()
            if cluster is None:
                self.refuse("no span of any version here: ctrl+n goes to the next"
                            " disagreement", timeout=2)
                return
            outcome = span(cluster)
            self.show(outcome)
        if outcome.refused is None:
            self.reason = None
            self.update_status()

    @writes
    def action_accept_version(self) -> None:
        if self.link_cluster is None and self.current() is None:
            self.refuse("no span of any version here: ctrl+n goes to the next disagreement",
                        timeout=2)
            return
        self.choosing = True
        self.update_status()

    def capture_key(self, event: Key) -> bool:
        """After y, the key that says whose version (taken as the app reads it, before a
        label key could take the digit)."""
        if not self.choosing:
            return super().capture_key(event)
        self.choosing = False
        event.stop()
        event.prevent_default()
        char = event.character or ""
        if not (char.isdigit() and 1 <= int(char) <= len(self.annotators[:MAX_VERSIONS])):
            self.refuse("accepted nothing" if event.key == "escape" else
                        f"no version {safe(char or event.key, 10)}: accepted nothing",
                        timeout=2)
            return True
        who = self.annotators[int(char) - 1]
        with self.database_guard():
            self._decide(lambda c: self.review.accept(c, who, self.reason),
                         lambda lc: self.review.accept_link(lc, who, self.reason))
        return True

    @writes
    def action_union(self) -> None:
        self._decide(lambda c: self.review.accept_union(c, self.reason), _spans_only)

    @writes
    def action_intersection(self) -> None:
        self._decide(lambda c: self.review.accept_intersection(c, self.reason), _spans_only)

    @writes
    def action_reject(self) -> None:
        self._decide(lambda c: self.review.reject(c, self.reason),
                     lambda lc: self.review.reject_link(lc, self.reason))

    @writes
    def action_accept_agreed(self) -> None:
        self.show(self.review.accept_agreed())

    def action_reason(self) -> None:
        def chosen(reason: Reason | Literal[""] | None) -> None:
            if reason is not None:
                self.reason = reason or None
                self.last_action = (f"the next decision records {REASON_WORDS[reason]}"
                                    if reason else "no reason code")
                self.update_status()

        self.app.push_screen(ReasonChooser(self.reason), chosen)

    @writes
    def action_undo(self) -> None:
        self.land(self.review.undo())

    @writes
    def action_redo(self) -> None:
        self.land(self.review.redo())

    # -- what the annotation screen does otherwise ------------------------------------------

    def suggest(self, pane: Any) -> None:
        """No suggestions in gold: the lead decides between the annotators' versions, and
        the figures the normaliser finds are not one of them."""
        return None

    def action_review(self, doc_id: str | None = "") -> None:
        if doc_id is None:
            return  # the dashboard closed without one
        if doc_id in ("", self.doc_id):
            self.refuse("this is the review of " + safe(self.doc_id), timeout=2)
        else:
            super().action_review(doc_id)

    @writes
    def action_done(self) -> None:
        """The next document of the queue (decisions are saved as they are made)."""
        if not self.queue:
            self.refuse("no other document in the queue: q closes the review", timeout=2)
            return
        nxt, rest = self.queue[0], self.queue[1:]
        self.app.switch_screen(ReviewScreen(self.session.store, self.actor, self.schema, nxt,
                                            rest))

    def action_quit(self) -> None:
        """Back to the annotation screen it was opened from, or out."""
        below = [s for s in self.app.screen_stack if isinstance(s, AnnotateScreen)
                 and s is not self]
        if below:
            self.dismiss()
        else:
            self.app.exit()


def _spans_only(_link: object) -> Outcome:
    return refusal("a link is accepted (y) or rejected (X): U and I are for spans", SHORT)


def open_review(screen: AnnotateScreen, doc_id: str | None) -> None:
    """The review of `doc_id` over the annotation screen (R, the dashboard): leads only."""
    from annotator.dashboard import may_see

    if doc_id is None:
        return
    store, who = screen.session.store, screen.session.acting  # the lead, also --as bob
    if not may_see(store, who):
        screen.refuse("the review is for leads")
        return
    screen.app.push_screen(ReviewScreen(store, who, screen.schema, doc_id))
