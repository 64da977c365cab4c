"""`=` on a NUMBER or CLAIM span: its cluster's figures side by side, conflicts marked (the
report's own table, docs/conflicts.md), and the candidates: NUMBER spans of the other open
documents with the same unit, each with the link that would join it (enter makes it; nothing
is linked without that key). FiguresFlow is the annotation screen's side of it: the clusters
of the annotator's set (conflicts.live.ConflictWatch), recomputed after a committed change,
and the status bar's note on the span under the cursor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.conflicts.clusters import Cluster
from annotator.conflicts.live import Candidate, Computed, ConflictWatch
from annotator.conflicts.report import cluster_table
from annotator.model import Span
from annotator.session import Outcome, refusal
from annotator.store import Change, Store
from annotator.tui.keys import bindings
from annotator.tui.text_layout import one_line

QUIET = 0.4  # seconds without a change before the clusters are recomputed

if TYPE_CHECKING:
    from textual.timer import Timer

    from annotator.tui.screens.annotate import AnnotateScreen


class FiguresScreen(ModalScreen[Candidate | None]):
    """Dismissed with the candidate to link (enter), or None."""

    DEFAULT_CSS = """
    FiguresScreen { align: center middle; }
    FiguresScreen > #figures-dialog {
        width: 96%; max-width: 120; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
        border-title-style: bold; border-title-color: $text;
    }
    FiguresScreen #figures-table { height: auto; max-height: 20; }
    FiguresScreen #candidates { height: auto; max-height: 10; border: none; padding: 0; }
    FiguresScreen .figures-hint { color: $text-muted; height: auto; margin-top: 1; }
    """
    BINDINGS = bindings("figures")  # type: ignore[assignment]

    def __init__(self, cluster: Cluster | None, candidates: list[Candidate],
                 texts: dict[str, str]) -> None:
        super().__init__()
        self.cluster = cluster
        self.candidates = candidates
        self.texts = texts  # doc id -> text, for the candidates' words

    def compose(self) -> ComposeResult:
        with Vertical(id="figures-dialog") as dialog:
            dialog.border_title = "Figures"
            with VerticalScroll(id="figures-table"):
                if self.cluster is None:
                    yield Static(Content("This span is in no cluster yet: link it (L) to a"
                                         " claim or number of another document."))
                else:
                    yield Static(cluster_table(self.cluster))
            if self.candidates:
                yield Static(Content("Possible same figure in the other open documents"
                                     " (enter links it):"), classes="figures-hint")
                yield OptionList(*[Option(self._row(c)) for c in self.candidates],
                                 id="candidates")
            yield Static(Content("esc or = closes"), classes="figures-hint")

    def _row(self, c: Candidate) -> Text:
        n = c.number
        words = self.texts.get(n.doc_id, "")[n.start:n.end]
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append(one_line(n.doc_id, 24), "bold")
        row.append(f"  “{one_line(words, 40)}”  ")
        value = n.attrs.get("value")
        if value is not None:
            row.append(one_line(f"{value} {n.attrs.get('qualifier', '')}", 30),
                       "bold red" if c.conflicts else "")
        if c.link is not None:
            kind, a, b = c.link
            row.append(f"  → {one_line(kind, 20)} {one_line(a.label, 12)}–"
                       f"{one_line(b.label, 12)}", "green")
        else:
            row.append(f"  ({one_line(c.why, 80)})", "dim")
        return row

    def on_mount(self) -> None:
        if self.candidates:
            self.query_one("#candidates", OptionList).focus()

    @on(OptionList.OptionSelected, "#candidates")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        candidate = self.candidates[event.option_index]
        if candidate.link is None:
            self.notify(one_line(candidate.why), markup=False, timeout=3)
            return
        self.dismiss(candidate)

    def action_close(self) -> None:
        self.dismiss(None)


class FiguresFlow:
    """The annotation screen's clusters: after a committed change that can move them, a
    worker recomputes them through its own connection and the status bar follows when it is
    done; no key waits for it (`=` computes at once if they are stale)."""

    def __init__(self, screen: AnnotateScreen) -> None:
        self.screen = screen
        session = screen.session
        self.watch = ConflictWatch(session.store, session.annotator, session.schema)
        self._asked = -1  # the version a worker was last started for
        self._running = False  # a worker is computing (at most one at a time)
        self._timer: Timer | None = None  # waiting for the keys to be quiet

    def changed(self, changes: Iterable[Change]) -> None:
        """After a change that can move the clusters: recompute once the keys have been
        quiet for QUIET seconds (a burst of labels is one computation, not one each)."""
        if self.watch.changed(changes):
            if self._timer is not None:
                self._timer.stop()
            self._timer = self.screen.set_timer(QUIET, self.flush, name="conflicts")

    def flush(self) -> None:
        """Start the recomputation now if one is waiting for quiet keys."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
            if self.watch.dirty:  # `=` may have computed them meanwhile
                self._recompute()

    def _recompute(self) -> None:
        """Recompute in a worker, one at a time: changes made while one runs are taken up by
        one more run when it ends (a thread cannot be cancelled, and on a big document
        several running at once took the CPU the keys needed)."""
        version, path = self.watch.version, self.watch.store.path
        self._asked = version
        if path == ":memory:":  # no second connection to read through: now, on this one
            self.watch.install(self.watch.compute(plan=self.watch.plan()), version)
            return
        if self._running:
            return  # _done starts the next run when this one ends, if still stale
        self._running = True
        plan = self.watch.plan()  # the set as kept, copied here: the worker reads no more

        def compute() -> None:
            computed: Computed | None = None
            try:
                with Store(path, read_only_ok=True) as store:
                    computed = self.watch.compute(store, plan)
            finally:
                self.screen.app.call_from_thread(self._done, computed, version)

        self.screen.run_worker(compute, thread=True, group="conflicts", name="conflicts",
                               exit_on_error=False)

    def _done(self, computed: Computed | None, version: int) -> None:
        self._running = False
        if not self.screen.is_attached:
            return
        if computed is not None and self.watch.install(computed, version):
            self.screen.update_status()
        elif computed is not None and self._timer is None and self.watch.dirty:
            self._recompute()  # a change came meanwhile: once more, for the newest

    def note(self) -> str | None:
        active = self.screen.active
        if active is None:
            return None
        if self.watch.latest is None and self._asked != self.watch.version:
            self._recompute()  # the first time: in the background too
        return self.watch.note(active.view.shown_under_cursor())

    def open(self, pane_span: tuple[object, Span]) -> None:
        screen = self.screen
        span = pane_span[1]
        kind = screen.schema.label(span.label)
        if kind is None or kind.kind not in ("number", "claim"):
            screen.refuse(f"= shows the figures of a NUMBER or CLAIM span, not {span.label}",
                          timeout=2)
            return
        self.watch.reread()  # as the database has it: another terminal's changes too
        panes = screen.panes
        spans = [s for p in panes for s in p.view.index.spans()]
        texts = {p.document.id: p.view.text for p in panes}
        cluster = self.watch.cluster_of(span.id)
        candidates = self.watch.candidates(span, spans)
        screen.app.push_screen(FiguresScreen(cluster, candidates, texts),
                               screen.guarded(self._link))

    def _link(self, candidate: Candidate | None) -> None:
        """Make the candidate's link through the session's link rules (as L … L does)."""
        if candidate is None or candidate.link is None:
            return
        kind, a, b = candidate.link
        session = self.screen.session
        choice = session.link_choice(a, b)
        if isinstance(choice, Outcome):
            self.screen.show(choice)
        elif kind in choice.existing:  # choosing it again would remove it
            self.screen.show(refusal(f"{a.label} and {b.label} are linked {kind} already"))
        else:
            self.screen.show(session.link_rule(choice, kind))
