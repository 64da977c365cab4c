"""The lead dashboard (issue #10): progress per annotator, the overall agreement figures, a
pair heatmap, per-label bars, each annotator against gold (once gold exists), the open flags
and the documents sorted by disagreement, worst first (enter opens one). Computed in a
worker thread through its own connection; it polls the store's change counter every POLL
seconds and recomputes only when someone committed."""

from __future__ import annotations

import sqlite3

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from annotator.conflicts.report import in_brief
from annotator.dashboard import Dashboard, gather, read, top_line
from annotator.session import Session
from annotator.tui.keys import bindings
from annotator.tui.plain import plain
from annotator.tui.widgets.dashboard_parts import LabelBars, figure, gold_table, heatmap, name

POLL = 2.0  # seconds between two reads of the change counter
WORST = 50  # documents listed
CONFLICTS = 8  # clusters in conflict listed


def overall_text(data: Dashboard) -> Text:
    r = data.report
    o = r.overall()
    lines = [f"documents compared  {r.documents} of {data.documents}",
             f"exact F1 (pooled)   {figure(o['exact_f1_pooled'])}",
             f"overlap F1 (pooled) {figure(o['overlap_f1_pooled'])}",
             f"Cohen's κ (mean)    {figure(o['cohen_kappa_mean'])}",
             f"Fleiss' κ           {figure(o['fleiss_kappa'])}",
             f"Krippendorff's α    {figure(o['krippendorff_alpha'])}"]
    return Text("\n".join(lines))


def conflicts_text(data: Dashboard) -> Text:
    """The clusters whose figures conflict (`annotator conflicts` has them in full)."""
    if not data.conflicts:
        return Text("no figures in conflict", style="dim")
    n = len(data.conflicts)
    out = Text(f"{n} cluster{'s' * (n != 1)} in conflict (annotator conflicts lists them)",
               style="bold")
    for cluster in data.conflicts[:CONFLICTS]:
        out += Text("\n") + name(in_brief(cluster), 110)
    return out


def flags_text(data: Dashboard) -> Text:
    if not data.flags:
        return Text("no open flags", style="dim")
    out = Text(f"{len(data.flags)} open flag{'s' if len(data.flags) != 1 else ''}",
               style="bold")
    for flag in data.flags[-5:]:
        out += Text("\n") + name(flag.doc_id, 20) + Text(" ") + name(flag.annotator) + \
            Text(": ") + name(flag.note, 60)
    return out


class DashboardScreen(Screen[str | None]):
    """Dismissed with the id of the document to open, or None."""

    BINDINGS = bindings("dashboard")  # type: ignore[assignment]
    DEFAULT_CSS = """
    DashboardScreen { layout: vertical; }
    DashboardScreen #dash-state { height: 1; background: $boost; padding: 0 1; }
    DashboardScreen #dash-body { height: 1fr; overflow-x: hidden; }
    DashboardScreen .dash-row { height: auto; }
    DashboardScreen .dash-box { width: 1fr; height: auto; border: round $primary-darken-2;
                                padding: 0 1; }
    DashboardScreen .dash-fit { width: auto; }
    DashboardScreen DataTable { width: 1fr; }
    DashboardScreen #dash-progress { height: auto; max-height: 12; }
    DashboardScreen #dash-worst { height: auto; max-height: 30; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.data: Dashboard | None = None
        self._asked = -1  # the change counter the last computation was started for
        self._figures_line = False  # the top line shows the figures' line, not a message

    def compose(self) -> ComposeResult:
        yield Static("computing…", id="dash-state")
        with VerticalScroll(id="dash-body"):
            with Horizontal(classes="dash-row"):
                with Vertical(classes="dash-box") as box:
                    box.border_title = "progress"
                    yield DataTable(id="dash-progress", cursor_type="none", zebra_stripes=True)
                overall = Static(id="dash-overall", classes="dash-box dash-fit")
                overall.border_title = "overall"
                yield overall
            with Horizontal(classes="dash-row"):
                pairs = Static(id="dash-heatmap", classes="dash-box dash-fit")
                pairs.border_title = "pairs"
                yield pairs
                labels = Static(id="dash-labels", classes="dash-box")
                labels.border_title = "labels (exact F1)"
                yield labels
            gold = Static(id="dash-gold", classes="dash-box")
            gold.border_title = "against gold"
            gold.display = False  # until a gold set exists
            yield gold
            flags = Static(id="dash-flags", classes="dash-box")
            flags.border_title = "flags"
            yield flags
            conflicts = Static(id="dash-conflicts", classes="dash-box")
            conflicts.border_title = "figures in conflict"
            yield conflicts
            with Vertical(classes="dash-box") as worst:
                worst.border_title = "documents, worst first (enter opens)"
                yield DataTable(id="dash-worst", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        progress = self.query_one("#dash-progress", DataTable)
        progress.add_columns("annotator", "todo", "doing", "done", "spans/h")
        worst = self.query_one("#dash-worst", DataTable)
        worst.add_columns("document", "annotators", "exact F1", "overlap F1", "α")
        self.poll()
        self.set_interval(POLL, self.poll)

    def poll(self) -> None:
        """Recompute when the change counter moved since the last computation was asked."""
        try:
            seq = self.session.store.last_event_seq()
        except sqlite3.Error as err:  # a busy or damaged database: say so, try next time
            self._state(f"cannot read the database: {err}")
            return
        if seq != self._asked:
            self._asked = seq
            self.compute()

    def action_refresh(self) -> None:
        self._asked = self.session.store.last_event_seq()
        self.compute()

    def action_close(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def compute(self) -> None:
        self.app.call_from_thread(self._state, "computing…")
        store = self.session.store
        data = read(store) if store.path == ":memory:" else gather(store.path)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, data)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "dashboard" and event.state == WorkerState.ERROR:
            self._asked = -1  # try again at the next poll
            self._state(f"could not compute the figures: {event.worker.error}")

    def _top_line(self) -> None:
        if self.data is not None:
            self._state(top_line(self.data, self.size.width - 2))  # the padding: 1 a side
            self._figures_line = True

    def on_resize(self) -> None:
        if self._figures_line:  # not over a message ("computing…", an error)
            self._top_line()

    def _state(self, text: str) -> None:
        self._figures_line = False
        self.query_one("#dash-state", Static).update(plain(text))

    def show(self, data: Dashboard) -> None:
        self.data = data
        r = data.report
        self._top_line()
        progress = self.query_one("#dash-progress", DataTable)
        progress.clear()
        for p in data.progress:
            progress.add_row(name(p.annotator), p.todo, p.in_progress, p.done,
                             p.spans_per_hour)
        self.query_one("#dash-overall", Static).update(overall_text(data))
        self.query_one("#dash-heatmap", Static).update(heatmap(r))
        self.query_one("#dash-labels", Static).update(LabelBars(r))
        self.query_one("#dash-flags", Static).update(flags_text(data))
        self.query_one("#dash-conflicts", Static).update(conflicts_text(data))
        gold = self.query_one("#dash-gold", Static)
        gold.display = data.gold is not None
        if data.gold is not None:
            gold.update(gold_table(data.gold))
        worst = self.query_one("#dash-worst", DataTable)
        cursor = worst.cursor_row
        worst.clear()
        for d in r.least_agreed(WORST):
            who = ", ".join(name(a).plain for a in d.annotators)
            worst.add_row(name(d.id, 30), name(who, 40), figure(d.exact_f1_mean),
                          figure(d.overlap_f1_mean), figure(d.krippendorff_alpha), key=d.id)
        if worst.row_count:
            worst.move_cursor(row=min(cursor, worst.row_count - 1))
            worst.focus(scroll_visible=False)

    @on(DataTable.RowSelected, "#dash-worst")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)
