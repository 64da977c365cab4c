"""The annotation screen: documents side by side, the side panel, the status bar, and every
action an annotator takes (each committed to the store before the screen shows it)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from functools import wraps
from typing import Any, TypeVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from annotator.model import Link, Span, Status
from annotator.sanitize import safe_line
from annotator.store import ActionResult, StoreError, cannot_write
from annotator.tui import long_lived
from annotator.tui.keys import SEARCH_EDITING, label_bindings, screen_bindings
from annotator.tui.plain import toast
from annotator.tui.session import Session
from annotator.tui.text_layout import one_line as safe
from annotator.tui.text_layout import one_line as short  # the one truncation (text_layout)
from annotator.tui.widgets.document_view import DocumentView, labelled_view
from annotator.tui.widgets.pane import Pane
from annotator.tui.widgets.side_panel import SidePanel
from annotator.tui.widgets.span_list import SpanList

LINK_FIELDS = [f.name for f in fields(Link)]
MAX_PANES = 4
NARROW = 100  # columns below which panes become tabs
_LAYOUT_WRITES = threading.Lock()  # one layout write at a time, the UI's or a worker's
READ_ONLY = "read-only database: viewing only (labels, links, undo and D are off)"
A = TypeVar("A", bound=Callable[..., Any])


def writes(action: A) -> A:
    """An action that changes the database: refused, with the reason, when it is read-only."""

    @wraps(action)
    def run(self: AnnotateScreen, *args: Any) -> Any:
        if self.store.read_only:
            self.refuse(READ_ONLY)
            return None
        return action(self, *args)

    return run  # type: ignore[return-value]


class AnnotateScreen(Screen[None]):
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
        self.store = session.store
        self.schema = session.schema
        self.initial_ids = doc_ids
        self.links: dict[str, Link] = {}
        self.active: Pane | None = None
        self.pending: tuple[Pane, Span] | None = None
        self.last_action = READ_ONLY if self.store.read_only else "ready"
        self.side = SidePanel(self.schema)
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
        yield Input(placeholder="search (enter: find, esc: close)", id="search")
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
        saved = self.store.get_ui_state(self.session.annotator, "layout") or {}
        cursors: dict[str, int] = saved.get("cursors", {})
        if not doc_ids:
            doc_ids = [d for d in saved.get("docs", []) if self.store.get_document(d)]
        if not doc_ids:
            nxt = self.store.next_document(self.session.annotator)
            doc_ids = [nxt] if nxt else []
        if not doc_ids:
            self.query_one("#panes").mount(
                Static("No documents to annotate. Import some with: annotator import PATH",
                       id="empty")
            )
            self._update_status()
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
        doc = self.store.get_document(doc_id)
        if doc is None:
            toast(self, f"no document {doc_id}", severity="error")
            return None
        who = self.session.annotator
        long_lived.hold()  # until it is drawn: see _settle
        self._schedule_settle()
        spans = self.store.spans(doc_id, who)
        for link in self.store.links(who, [doc_id]):
            self.links[link.id] = link
        linked = {s for lk in self.links.values() for s in (lk.from_span, lk.to_span)}
        pane = Pane(doc, spans, self.session.colors, linked, self.store.status(doc_id, who),
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
        self._update_status()

    def _update_tabs(self) -> None:
        """One tab a pane (by id: short and unique), each cut to fit, so all of them show."""
        panes = self.panes
        text = Text(no_wrap=True, overflow="ellipsis")
        if panes:
            room = self.query_one("#tabs", Static).size.width or self.app.size.width
            each = max(6, room // len(panes) - 1)
            for i, pane in enumerate(panes, 1):
                label = f" {i} {safe(pane.document.id)}"
                label = (label if len(label) <= each - 1 else label[: each - 2] + "…") + " "
                text.append(label, "reverse bold" if pane is self.active else "dim")
                text.append(" ")
        self.query_one("#tabs", Static).update(text)

    # -- keeping the side panel and status bar in step ----------------------------------

    def _describe(self) -> dict[str, str]:
        """span id -> short description, for every span of the open panes' links."""
        out: dict[str, str] = {}
        want = {s for lk in self.links.values() for s in (lk.from_span, lk.to_span)}
        for sid, (pane, span) in self._open_spans(want).items():
            out[sid] = f"{short(pane.view.text[span.start:span.end], 24)}"
            if pane is not self.active:
                out[sid] += f" ({short(pane.document.title or pane.document.id, 18)})"
        for sid in want - out.keys():
            stored = self.store.span(sid)
            if stored is not None:
                doc = self.store.get_document(stored.doc_id)
                if doc is not None:
                    out[sid] = f"{short(stored.text_in(doc.text), 24)} ({short(doc.title, 18)})"
        return out

    def _open_spans(self, ids: set[str]) -> dict[str, tuple[Pane, Span]]:
        """The spans of `ids` that an open pane shows, with that pane."""
        found: dict[str, tuple[Pane, Span]] = {}
        for pane in self.panes:
            for sid in ids:
                span = pane.view.index.get(sid)
                if span is not None:
                    found[sid] = (pane, span)
        return found

    def _doc_links(self, doc_id: str) -> list[Link]:
        """This document's links, by type, then where their ends are (not by random ids)."""
        mine = [lk for lk in self.links.values() if doc_id in (lk.from_doc, lk.to_doc)]
        shown = self._open_spans({s for lk in mine for s in (lk.from_span, lk.to_span)})

        def start(sid: str) -> int:
            return shown[sid][1].start if sid in shown else -1

        return sorted(mine, key=lambda lk: (lk.type, lk.from_doc, start(lk.from_span),
                                            lk.to_doc, start(lk.to_span), lk.id))

    def _refresh_side(self) -> None:
        pane = self.active
        if pane is None:
            return
        view = pane.view
        self.side.show_counts(dict(view.index.counts))
        links = self._doc_links(pane.document.id)
        describe = self._describe() if links else {}
        under = view.span_under_cursor()
        if under is not None and "speaker" in under.attrs:
            speaker = view.index.get(under.attrs["speaker"])
            if speaker is not None:
                describe[speaker.id] = short(view.text[speaker.start:speaker.end], 24)
        self.side.show_detail(under, view.text, links, describe)
        self.side.show_links(links, describe)
        self.side.span_list.changed()
        self.side.span_list.follow(under)

    def _update_status(self) -> None:
        if self._progress is None:
            self._progress = self.store.progress(self.session.annotator)
        done, total = self._progress
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(safe(self.session.annotator), "bold")
        if self.store.read_only:
            text.append("  read-only", "bold reverse")
        text.append(f"  {done}/{total} done  ")
        if self.active is not None:
            view = self.active.view
            text.append("char " if view.precise else "word ", "dim")
            text.append(f"@{view.cursor}  ", "dim")
            found = view.match_position() if view.search_query else None
            if found:
                text.append(f"/{short(view.search_query, 20)} {found[0]}/{found[1]}  ", "bold")
        if self.pending is not None:
            text.append(f"linking from “{short(self._span_text(*self.pending), 20)}”: L on the "
                        "target, esc cancels  ", "bold reverse")
        text.append(safe(self.last_action))  # names, ids, errors: all untrusted
        self.query_one("#status", Static).update(text, layout=False)  # one fixed line

    def _span_text(self, pane: Pane, span: Span) -> str:
        return pane.view.text[span.start:span.end]

    @on(DocumentView.CursorMoved)
    def _cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        if self.active is None or event.view is not self.active.view:
            for pane in self.panes:
                if pane.view is event.view:
                    self.activate(pane)
                    return
        self._refresh_side_light()
        self._update_status()
        self._schedule_save()

    def _refresh_side_light(self) -> None:
        """On a cursor move only the detail box and the list highlight change."""
        pane = self.active
        if pane is None:
            return
        under = pane.view.span_under_cursor()
        links = self._doc_links(pane.document.id) if under and under.id in pane.view.linked else []
        describe = self._describe() if links else {}
        if under is not None and "speaker" in under.attrs:
            speaker = pane.view.index.get(under.attrs["speaker"])
            if speaker is not None:
                describe[speaker.id] = short(pane.view.text[speaker.start:speaker.end], 24)
        self.side.show_detail(under, pane.view.text, links, describe)
        self.side.span_list.follow(under)

    @on(SpanList.Chosen)
    def _span_chosen(self, event: SpanList.Chosen) -> None:
        if self.active is not None:
            self.active.view.move_to(event.span.start, center=True)
            self.set_focus(self.active.view)

    # -- applying committed changes -------------------------------------------------------

    def apply(self, result: ActionResult, message: str) -> None:
        """Show what the store has committed, in every pane it touches."""
        views: dict[str, list[Pane]] = {}
        for pane in self.panes:
            views.setdefault(pane.document.id, []).append(pane)
        for change in result.changes:
            row = change.after or change.before
            assert row is not None
            if change.entity == "span":
                for pane in views.get(row["doc_id"], []):
                    if change.after is None:
                        pane.view.remove_span(row["id"])
                    else:
                        a = change.after
                        pane.view.add_span(Span(a["id"], a["doc_id"], a["annotator"], a["start"],
                                                a["end"], a["label"], a["attrs"], a["origin"],
                                                a["created_at"], a["updated_at"]))
            elif change.entity == "link":
                if change.after is None:
                    self.links.pop(row["id"], None)
                else:
                    self.links[row["id"]] = Link(**{f: row[f] for f in LINK_FIELDS})
                linked = {s for lk in self.links.values() for s in (lk.from_span, lk.to_span)}
                for key_doc, key_span in (("from_doc", "from_span"), ("to_doc", "to_span")):
                    for pane in views.get(row[key_doc], []):
                        pane.view.set_linked(row[key_span], row[key_span] in linked)
            elif change.entity == "status":
                self._progress = None
                for pane in views.get(row["doc_id"], []):
                    pane.set_status(Status(change.after["status"]) if change.after else Status.TODO)
        self.last_action = message
        self._refresh_side()
        self._update_status()

    def refuse(self, why: str, timeout: float = 3) -> None:
        """An action did nothing: say why, in a toast and in the status bar (which stays)."""
        toast(self, why, severity="warning", timeout=timeout)
        self.last_action = why
        self._update_status()

    @contextmanager
    def database_guard(self) -> Iterator[None]:
        """The one place a database error in an action ends (a read-only or full disk, a
        damaged file): the action is refused in the status bar, and as every action is one
        transaction, what was committed stays and the screen still shows it. Every key
        action runs inside it (AnnotatorApp.run_action), and so do dialog answers and timers
        (see guarded)."""
        try:
            yield
        except sqlite3.Error as err:
            why = "it cannot be written here" if cannot_write(err) else "the database refused it"
            self.refuse(f"nothing changed: {why} ({safe_line(str(err))})", timeout=6)
            self.app.bell()

    def guarded(self, fn: Callable[..., Any]) -> Callable[..., None]:
        """fn, run inside database_guard: for what runs outside a key action."""

        def run(*args: Any) -> None:
            with self.database_guard():
                fn(*args)

        return run

    def _run(self, fn, *args, message: str = "") -> ActionResult | None:  # type: ignore[no-untyped-def]
        try:
            result = fn(*args)
        except StoreError as err:
            self.refuse(str(err))
            self.app.bell()
            return None
        if result is not None and result.changes:
            self.apply(result, message)
        return result

    # -- actions --------------------------------------------------------------------------

    @writes
    def action_label_key(self, index: int) -> None:
        """A label key of the schema (bound on each document view, in key order)."""
        if self.active is None or not isinstance(self.focused, DocumentView):
            raise SkipAction()
        label = self.schema.labels[index]
        view = self.active.view
        target = view.target()
        if target is None:
            self.refuse("the selection is only whitespace: nothing labelled"
                        if view.blank_selection() else
                        "nothing to label here: select text or put the cursor on a word")
            return
        text = short(view.text[target.start:target.end], 30)
        same = view.index.exact(target.start, target.end, label.name)
        if same is None and view.selection() is None:
            # the word under the cursor, inside a span of this label already: not a duplicate
            same = next((s for s in view.index.overlapping(target.start, target.end)
                         if s.label == label.name and s.start <= target.start
                         and target.end <= s.end), None)
        if same is not None:
            view.clear_selection()
            shown = short(view.text[same.start:same.end], 30)
            self.last_action = f"already {label.name}: “{shown}”"
            self._update_status()
            return
        existing = view.index.exact(target.start, target.end)
        verb = f"relabelled “{text}” {label.name}" if existing else f"{label.name} “{text}”"
        if self._run(self.session.label, view.document.id, view.text, target.start,
                     target.end, label.name, existing, message=verb):
            view.clear_selection()

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
        found = self._under()
        if found:
            pane, span = found
            self._run(self.session.delete, span,
                      message=f"deleted {span.label} “{short(self._span_text(pane, span), 24)}”")

    @writes
    def action_resize(self, grow: bool) -> None:
        found = self._under()
        if found:
            pane, span = found
            self._run(self.session.resize, span, pane.view.text, grow,
                      message=f"{'grew' if grow else 'shrank'} {span.label}")

    @writes
    def action_edit_attributes(self) -> None:
        found = self._under()
        if not found:
            return
        pane, span = found
        label = self.schema.label(span.label)
        if label is None or not label.attributes:
            self.refuse(f"{span.label} has no attributes", timeout=2)
            return
        from annotator.tui.screens.attributes import AttributeForm

        candidates = [(s, pane.view.text[s.start:s.end]) for s in pane.view.index.spans()
                      if s.id != span.id]

        def saved(attrs: dict | None) -> None:
            if attrs is not None and attrs != span.attrs:
                self._run(self.session.set_attrs, span, attrs,
                          message=f"set attributes of {span.label}")

        self.app.push_screen(
            AttributeForm(span, label, self._span_text(pane, span), candidates),
            self.guarded(saved),
        )

    @writes
    def action_link(self) -> None:
        found = self._under()
        if not found:
            return
        pane, span = found
        if self.pending is None or self.pending[1].id == span.id:
            if self.pending is not None:
                self.action_cancel()
                return
            if not any(self.schema.link_types_between(span.label, lab.name)
                       for lab in self.schema.labels):
                starts = sorted({lab.name for lab in self.schema.labels if any(
                    self.schema.link_types_between(lab.name, other.name)
                    for other in self.schema.labels)})
                self.refuse(f"{span.label} spans cannot be linked (links start from "
                            f"{', '.join(starts) or 'no label'})")
                return
            self.pending = found
            pane.view.set_pending_link(span.id)
            self._update_status()
            return
        source_pane, source = self.pending
        types = self.schema.link_types_between(source.label, span.label)
        if not types:
            self.refuse(f"no link type goes from {source.label} to {span.label}")
            return
        from annotator.tui.screens.link_type import LinkTypeChooser

        symmetric = {t.name for t in self.schema.links if t.symmetric}
        between = {lk.type: lk for lk in self.links.values()
                   if (lk.from_span, lk.to_span) == (source.id, span.id)
                   or (lk.type in symmetric and (lk.to_span, lk.from_span) == (source.id, span.id))}

        def chosen(type_name: str | None) -> None:
            if type_name is None:
                return
            if type_name in between:
                self._run(self.session.unlink, between[type_name].id,
                          message=f"removed the {type_name} link")
            else:
                self._run(self.session.link, type_name, source, span,
                          message=f"linked {source.label} {type_name} {span.label}")
            if self.pending is not None:
                self._end_link()  # done, or refused with a message: no longer linking

        self.app.push_screen(
            # the dialog cuts the two texts to its own width
            LinkTypeChooser(types, short(self._span_text(source_pane, source), 200),
                            short(self._span_text(pane, span), 200), frozenset(between)),
            self.guarded(chosen),
        )

    def action_cancel(self) -> None:
        if self.pending is None:
            raise SkipAction()
        self._end_link()
        self.last_action = "link cancelled"
        self._update_status()

    def _end_link(self) -> None:
        assert self.pending is not None
        pane, _ = self.pending
        self.pending = None
        if pane in self.panes:
            pane.view.set_pending_link(None)
        self._update_status()

    @writes
    def action_undo(self) -> None:
        self._history(self.session.undo, "undid")

    @writes
    def action_redo(self) -> None:
        self._history(self.session.redo, "redid")

    def _history(self, fn, verb: str) -> None:  # type: ignore[no-untyped-def]
        try:
            result = fn()
        except StoreError as err:
            self.refuse(str(err))
            self.app.bell()
            return
        if result is None:
            self.refuse("nothing to undo" if verb == "undid" else "nothing to redo", timeout=2)
            return
        if result.changes:
            self.apply(result, "")
        self.last_action = f"{verb} {result.name.replace('_', ' ')}"
        self._update_status()
        # go to the span the action was about: one that came or went (a delete also unsets
        # other spans' references to it), else the first one changed
        spans = [c for c in result.changes if c.entity == "span"]
        spans.sort(key=lambda c: c.before is not None and c.after is not None)
        for change in spans[:1]:
            row = change.after or change.before
            if row is not None and self.active is not None:
                if self.active.document.id == row["doc_id"]:
                    self.active.view.move_to(row["start"], center=True)
                elif not any(p.document.id == row["doc_id"] for p in self.panes):
                    toast(self, f"{self.last_action} in {row['doc_id']}", timeout=3)

    @writes
    def action_done(self) -> None:
        pane = self.active
        if pane is None:
            return
        doc_id = pane.document.id
        self._run(self.session.done, doc_id, message=f"marked {doc_id} done")
        nxt = self.store.next_document(self.session.annotator, after=doc_id)
        open_ids = {p.document.id for p in self.panes}
        if nxt is None:
            toast(self, "every document is done", title="All done", timeout=4)
            self.last_action = f"marked {safe(doc_id)} done; every document is done"
            self._update_status()
            return
        if nxt in open_ids:
            self.activate(next(p for p in self.panes if p.document.id == nxt))
            self.last_action = f"marked {safe(doc_id)} done; next: {safe(nxt)}, already open"
            self._update_status()
            return
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

        def picked(doc_id: str | None) -> None:
            if doc_id is None:
                return
            if doc_id in open_ids:
                self.activate(next(p for p in self.panes if p.document.id == doc_id))
                self.last_action = f"{safe(doc_id)} is open already: moved to its pane"
                self._update_status()
                return
            if len(self.panes) >= MAX_PANES:
                toast(self, f"{MAX_PANES} panes at most: replacing this one", timeout=3)
                self.open_pane(doc_id, replace=self.active)
            else:
                self.open_pane(doc_id)

        self.app.push_screen(
            DocumentPicker(self.store.documents, self.session.annotator, open_ids),
            self.guarded(picked),
        )

    def action_close_pane(self) -> None:
        panes = self.panes
        if self.active is None or len(panes) <= 1:
            self.refuse("the last pane stays open (q quits)", timeout=2)
            return
        i = panes.index(self.active)
        if self.pending and self.pending[0] is self.active:
            self.pending = None
        closed = self.active.document.id
        self._remove_pane(self.active)
        rest = [p for p in panes if p is not self.active]
        self.active = None
        self.last_action = f"closed {safe(closed)}"
        self.activate(rest[min(i, len(rest) - 1)])
        self._save_layout()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.add_class("-visible")
        self.set_focus(search)  # for the cursor; the keys come through capture_key

    def capture_key(self, event: Key) -> bool:
        """Keys for the open search box, taken as the app reads them (AnnotatorApp.on_event):
        a key handed to the box through its own queue could be overtaken by the next one, and
        "/Quellby⏎3" must search before it labels."""
        search = self.query_one("#search", Input)
        if not search.has_class("-visible"):
            return False
        if self.focused is not search:  # clicked away: the box closes, the key is the view's
            search.remove_class("-visible")
            return False
        if event.key == "enter":
            self._close_search()
            if search.value and self.active is not None:
                self.active.view.search(search.value)
        elif event.key == "escape":
            self._close_search()
        elif event.key in SEARCH_EDITING:
            getattr(search, f"action_{SEARCH_EDITING[event.key]}")()
        elif event.is_printable and event.character:
            search.insert_text_at_cursor(event.character)
        else:
            return event.key not in ("tab", "shift+tab")  # other keys do nothing here
        return True

    def _close_search(self) -> None:
        self.query_one("#search", Input).remove_class("-visible")
        if self.active is not None:
            self.set_focus(self.active.view)

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
        if not panes or self.store.read_only:
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
        who = self.session.annotator
        with _LAYOUT_WRITES:
            if seq < self._layout_written:
                return
            saved = self.store.get_ui_state(who, "layout") or {}
            state["cursors"] = {**saved.get("cursors", {}), **state["cursors"]}
            self.store.set_ui_state(who, "layout", state)
            self._layout_written = seq
