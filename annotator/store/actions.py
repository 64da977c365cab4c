"""The store's actions: each one short transaction, logged (events.py) and undoable; undo
and redo are new actions whose events invert or repeat an earlier one."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.model import GOLD, Link, Span, Status
from annotator.store import events as E
from annotator.store import rows as R
from annotator.store.changes import Changed, Entity, typed
from annotator.store.connection import Connection


class StoreError(Exception):
    """An action the store refused (a user-facing message)."""


# A running import's link or attribute points to the span: it would point nowhere once the
# import is done.
IMPORT_REFERS = ("an import that is still running refers to this span; delete it when the"
                 " import has finished")


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A span to add (Actions.add_new_spans): where, with which label and attributes."""

    doc_id: str
    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    origin: str = "manual"


@dataclass(frozen=True, slots=True)
class Change:
    """One row change made by an action, for callers that keep views in step."""

    entity: Entity
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def old(self) -> Changed | None:
        """`before` as a Span, Link or StatusChange (None: the row did not exist)."""
        return typed(self.entity, self.before)

    @property
    def new(self) -> Changed | None:
        """`after` as a Span, Link or StatusChange (None: the row is gone)."""
        return typed(self.entity, self.after)


@dataclass(slots=True)
class ActionResult:
    """What an action (or its undo/redo) changed; committed when returned."""

    action_id: int
    name: str
    changes: list[Change] = field(default_factory=list)

    @property
    def doc_ids(self) -> set[str]:
        out: set[str] = set()
        for c in self.changes:
            for row in (c.before, c.after):
                if row:
                    out.update(v for k, v in row.items() if k in ("doc_id", "from_doc", "to_doc"))
        return out


def new_id() -> str:
    return uuid.uuid4().hex


class _ChangedElsewhere(Exception):
    """Undo or redo found a row changed since by something else (another session, a lead)."""

    def __init__(self, target: int, state: str, name: str, entity: str) -> None:
        super().__init__(target, state, name, entity)
        self.target, self.state, self.name, self.entity = target, state, name, entity


class Actions(Connection):
    """Every change an annotator makes: one write() each, logged through events.py."""

    # -- actions: each one transaction, logged, undoable ----------------------------------

    def _ensure_annotator(self, conn: sqlite3.Connection, name: str) -> None:
        # a name an unfinished import brought is this annotator's now: it stays if the
        # import is abandoned
        conn.execute(
            "INSERT INTO annotators (name, created_at) VALUES (?, ?) ON CONFLICT (name)"
            " DO UPDATE SET import_id = 0 WHERE import_id != 0", [name, R.now()]
        )

    def _begin_action(self, conn: sqlite3.Connection, annotator: str, kind: str, name: str,
                      target: int | None = None) -> int:
        self._ensure_annotator(conn, annotator)
        if kind == "do":  # a new action ends this session's redo branch
            conn.execute(
                "UPDATE actions SET state = 'dead' WHERE annotator = ? AND session IS ?"
                " AND state = 'undone'", [annotator, self.session],
            )
        return E.new_action(conn, annotator, kind, name, actor=self.actor or annotator,
                            target=target, session=self.session)

    def _log(self, conn: sqlite3.Connection, result: ActionResult, annotator: str, entity: Entity,
             before: dict[str, Any] | None, after: dict[str, Any] | None,
             action: str | None = None) -> None:
        row = after or before
        assert row is not None
        R.put_row(conn, entity, before, after)
        E.append_event(conn, result.action_id, annotator, action or result.name, entity,
                       R.entity_key(entity, row), row.get("doc_id") or row.get("from_doc"),
                       before, after)
        result.changes.append(Change(entity, before, after))

    def _touch_status(self, conn: sqlite3.Connection, result: ActionResult, doc_id: str,
                      annotator: str) -> None:
        """The first action on a document puts it in progress. (Every span and link action
        comes here: an annotator's work on a document not assigned to them is refused here when
        the project allows no unassigned work.)"""
        from annotator.store import team

        team.refuse_unassigned(conn, annotator, doc_id)
        before = R.status_of(conn, doc_id, annotator)
        if before is None or before["status"] == Status.TODO:
            after = R.status_row(doc_id, annotator, Status.IN_PROGRESS, R.now())
            self._log(conn, result, annotator, "status", before, after)

    def _gold_edit(self, conn: sqlite3.Connection, result: ActionResult, entity: Entity,
                   row: dict[str, Any], gone: bool = False) -> None:
        """A hand edit of the gold set records its provenance ("edited", docs/review.md)."""
        if row["annotator"] != GOLD:
            return
        from annotator.store.review import edit_row

        change = edit_row(conn, entity, row, gone)
        if change is not None:
            self._log(conn, result, GOLD, "decision", *change)

    def _span_row(self, conn: sqlite3.Connection, span_id: str) -> dict[str, Any] | None:
        r = conn.execute(f"SELECT {R.SPAN_COLS} FROM spans WHERE id = ? AND {R.VISIBLE}",
                         [span_id]).fetchone()
        return R.span_to_row(R.span_from_row(r)) if r else None

    def _check_range(self, conn: sqlite3.Connection, doc_id: str, start: int, end: int) -> None:
        r = conn.execute(f"SELECT length FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}",
                         [doc_id]).fetchone()
        if r is None:
            raise StoreError(f"no document {doc_id!r}")
        if not (0 <= start < end <= r[0]):
            raise StoreError(f"span {start}-{end} is outside the document (length {r[0]})")

    def add_span(self, annotator: str, doc_id: str, start: int, end: int, label: str,
                 attrs: dict[str, Any] | None = None, origin: str = "manual") -> ActionResult:
        return self.add_spans(annotator, doc_id, [(start, end, label, attrs or {})], origin)

    def add_spans(self, annotator: str, doc_id: str,
                  new: list[tuple[int, int, str, dict[str, Any]]], origin: str = "manual",
                  name: str = "add_span") -> ActionResult:
        """Add (start, end, label, attrs) spans to one document as one action (one undo)."""
        with self.write() as conn:
            if not new:
                raise StoreError("nothing to add")
            for start, end, _, _ in new:
                self._check_range(conn, doc_id, start, end)
            result = ActionResult(self._begin_action(conn, annotator, "do", name), name)
            ts = R.now()
            for start, end, label, attrs in new:
                span = Span(new_id(), doc_id, annotator, start, end, label, dict(attrs), origin,
                            ts, ts)
                self._log(conn, result, annotator, "span", None, R.span_to_row(span))
                self._gold_edit(conn, result, "span", R.span_to_row(span))
            self._touch_status(conn, result, doc_id, annotator)
            return result

    def add_referred_span(self, annotator: str, start: int, end: int, label: str, span_id: str,
                          attrs: dict[str, Any], refer: str) -> ActionResult:
        """Add a span to span_id's document and set span_id's attrs, its `refer` attribute
        naming the new span (a claim's new speaker), as one action."""
        with self.write() as conn:
            before = self._span_row(conn, span_id)
            if before is None or before["annotator"] != annotator:
                raise StoreError("that span no longer exists")
            self._check_range(conn, before["doc_id"], start, end)
            name = "add_referred_span"
            result = ActionResult(self._begin_action(conn, annotator, "do", name), name)
            ts = R.now()
            span = Span(new_id(), before["doc_id"], annotator, start, end, label, {}, "manual",
                        ts, ts)
            self._log(conn, result, annotator, "span", None, R.span_to_row(span))
            self._gold_edit(conn, result, "span", R.span_to_row(span))
            after = {**before, "attrs": {**attrs, refer: span.id}, "updated_at": ts}
            self._log(conn, result, annotator, "span", before, after)
            self._gold_edit(conn, result, "span", after)
            self._touch_status(conn, result, before["doc_id"], annotator)
            return result

    def update_span(self, annotator: str, span_id: str, *, start: int | None = None,
                    end: int | None = None, label: str | None = None,
                    attrs: dict[str, Any] | None = None, name: str = "update_span") -> ActionResult:
        with self.write() as conn:
            before = self._span_row(conn, span_id)
            if before is None or before["annotator"] != annotator:
                raise StoreError("that span no longer exists")
            after = dict(before)
            for key, value in (("start", start), ("end", end), ("label", label), ("attrs", attrs)):
                if value is not None:
                    after[key] = value
            if after == before:
                raise StoreError("nothing to change")
            self._check_range(conn, before["doc_id"], after["start"], after["end"])
            after["updated_at"] = R.now()
            result = ActionResult(self._begin_action(conn, annotator, "do", name), name)
            self._log(conn, result, annotator, "span", before, after)
            self._gold_edit(conn, result, "span", after)
            self._touch_status(conn, result, before["doc_id"], annotator)
            return result

    def delete_span(self, annotator: str, span_id: str) -> ActionResult:
        """Delete a span, every link that touches it and every attribute of another span that
        refers to it (a `span` attribute, docs/labels.md), as one action."""
        with self.write() as conn:
            before = self._span_row(conn, span_id)
            if before is None or before["annotator"] != annotator:
                raise StoreError("that span no longer exists")
            hidden = f"import_id IN {R.UNFINISHED}"
            if conn.execute(f"SELECT 1 FROM links WHERE (from_span = ? OR to_span = ?)"
                            f" AND {hidden} LIMIT 1", [span_id, span_id]).fetchone():
                raise StoreError(IMPORT_REFERS)
            result = ActionResult(
                self._begin_action(conn, annotator, "do", "delete_span"), "delete_span"
            )
            self._remove_span(conn, result, annotator, before)
            for change in list(result.changes):  # the span and its links
                if change.entity in ("span", "link") and change.before and not change.after:
                    self._gold_edit(conn, result, change.entity, change.before, gone=True)
            self._touch_status(conn, result, before["doc_id"], annotator)
            return result

    def _remove_span(self, conn: sqlite3.Connection, result: ActionResult, annotator: str,
                     before: dict[str, Any]) -> None:
        """Inside an action: the span, its links and the attributes referring to it go."""
        span_id = before["id"]
        for r in conn.execute(
            f"SELECT {R.LINK_COLS} FROM links WHERE (from_span = ? OR to_span = ?)"
            f" AND {R.VISIBLE} ORDER BY id", [span_id, span_id]
        ).fetchall():
            self._log(conn, result, annotator, "link", R.link_to_row(R.link_from_row(r)), None)
        self._unset_references(conn, result, annotator, before)
        self._log(conn, result, annotator, "span", before, None)

    def _unset_references(self, conn: sqlite3.Connection, result: ActionResult, annotator: str,
                          target: dict[str, Any]) -> None:
        """Remove every attribute whose value is target's id from the other spans of its
        annotation set (a reference is to a span of the same document and annotator), each as
        a logged span update, so that undo puts the references back with the span."""
        span_id = target["id"]
        # attrs are always written by R.dumps, which writes the id as R.dumps(span_id): a text
        # match among the set's spans (index spans_set) finds the few candidates without
        # decoding every span's attrs; only a value equal to the id counts.
        found = conn.execute(
            f"SELECT {R.SPAN_COLS}, import_id IN {R.UNFINISHED} FROM spans"
            " WHERE doc_id = ? AND annotator = ? AND id != ? AND instr(attrs, ?) > 0"
            ' ORDER BY start, "end", label, id',
            [target["doc_id"], annotator, span_id, R.dumps(span_id)],
        ).fetchall()
        ts = R.now()
        for *r, hidden in found:
            before = R.span_to_row(R.span_from_row(r))
            if hidden and span_id in before["attrs"].values():
                raise StoreError(IMPORT_REFERS)
            attrs = {k: v for k, v in before["attrs"].items() if v != span_id}
            if attrs != before["attrs"]:
                after = {**before, "attrs": attrs, "updated_at": ts}
                self._log(conn, result, annotator, "span", before, after)

    def add_link(self, annotator: str, type_: str, from_span: str, to_span: str) -> ActionResult:
        with self.write() as conn:
            a, b = self._span_row(conn, from_span), self._span_row(conn, to_span)
            if a is None or b is None or a["annotator"] != annotator or b["annotator"] != annotator:
                raise StoreError("a linked span no longer exists")
            if from_span == to_span:
                raise StoreError("a span cannot be linked to itself")
            dup = conn.execute(
                "SELECT 1 FROM links WHERE annotator = ? AND type = ? AND ((from_span = ? AND"
                " to_span = ?) OR (from_span = ? AND to_span = ?))",
                [annotator, type_, from_span, to_span, to_span, from_span],
            ).fetchone()
            if dup:
                raise StoreError(f"those spans are already linked as {type_}")
            result = ActionResult(self._begin_action(conn, annotator, "do", "add_link"), "add_link")
            link = Link(new_id(), annotator, type_, from_span, to_span, a["doc_id"], b["doc_id"],
                        R.now())
            self._log(conn, result, annotator, "link", None, R.link_to_row(link))
            self._gold_edit(conn, result, "link", R.link_to_row(link))
            self._touch_status(conn, result, a["doc_id"], annotator)
            return result

    def delete_link(self, annotator: str, link_id: str) -> ActionResult:
        with self.write() as conn:
            r = conn.execute(f"SELECT {R.LINK_COLS} FROM links WHERE id = ?", [link_id])
            row = r.fetchone()
            if row is None or row[1] != annotator:
                raise StoreError("that link no longer exists")
            result = ActionResult(
                self._begin_action(conn, annotator, "do", "delete_link"), "delete_link"
            )
            gone = R.link_to_row(R.link_from_row(row))
            self._log(conn, result, annotator, "link", gone, None)
            self._gold_edit(conn, result, "link", gone, gone=True)
            return result

    def set_status(self, annotator: str, doc_id: str, status: Status) -> ActionResult:
        with self.write() as conn:
            if conn.execute(f"SELECT 1 FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}",
                            [doc_id]).fetchone() is None:
                raise StoreError(f"no document {doc_id!r}")
            from annotator.store import team

            team.refuse_unassigned(conn, annotator, doc_id)
            before = R.status_of(conn, doc_id, annotator)
            if before is not None and before["status"] == status:
                return ActionResult(0, "set_status")
            result = ActionResult(
                self._begin_action(conn, annotator, "do", "set_status"), "set_status"
            )
            self._log(conn, result, annotator, "status", before,
                      R.status_row(doc_id, annotator, status, R.now()))
            return result

    def add_new_spans(self, annotator: str, spans: Sequence[NewSpan],
                      name: str = "label_all") -> ActionResult:
        """Add many spans, in any documents, as ONE action (one undo): every range is checked
        first, so a bad one adds none. Each document touched is put in progress."""
        if not spans:
            raise StoreError("no spans to add")
        with self.write() as conn:
            for new in spans:
                self._check_range(conn, new.doc_id, new.start, new.end)
            result = ActionResult(self._begin_action(conn, annotator, "do", name), name)
            ts = R.now()
            for new in spans:
                span = Span(new_id(), new.doc_id, annotator, new.start, new.end, new.label,
                            dict(new.attrs), new.origin, ts, ts)
                self._log(conn, result, annotator, "span", None, R.span_to_row(span))
            for doc_id in dict.fromkeys(new.doc_id for new in spans):
                self._touch_status(conn, result, doc_id, annotator)
            return result

    # -- undo / redo: new events that invert or repeat an earlier action ------------------

    def _stack_top(self, conn: sqlite3.Connection, annotator: str, state: str) -> int | None:
        """The top of this session's undo (state done) or redo (undone) stack: another
        session's actions (a second terminal under the same name) are not on it."""
        r = conn.execute(
            "SELECT id FROM actions WHERE annotator = ? AND session IS ? AND state = ?"
            " AND kind = 'do' ORDER BY stack_seq DESC LIMIT 1", [annotator, self.session, state]
        ).fetchone()
        return r[0] if r else None

    def _replay_action(self, annotator: str, kind: str) -> ActionResult | None:
        try:
            return self._replay(annotator, kind)
        except _ChangedElsewhere as conflict:
            # the action cannot be undone (redone) any more: it leaves the stack, so that the
            # next u (ctrl+r) reaches the one below it instead of failing here for good
            with self.write() as conn:
                conn.execute("UPDATE actions SET state = 'dead' WHERE id = ? AND state = ?",
                             [conflict.target, conflict.state])
            raise StoreError(
                f"cannot {kind} {conflict.name.replace('_', ' ')}: the {conflict.entity} was"
                f" changed elsewhere since; dropped from the {kind} stack"
            ) from None

    def _replay(self, annotator: str, kind: str) -> ActionResult | None:
        undo = kind == "undo"
        with self.write() as conn:
            target = self._stack_top(conn, annotator, "done" if undo else "undone")
            if target is None:
                return None
            events = conn.execute(
                "SELECT entity, before, after, action FROM events WHERE action_id = ? ORDER BY seq",
                [target],
            ).fetchall()
            name = events[0][3] if events else "action"
            result = ActionResult(self._begin_action(conn, annotator, kind, name, target), name)
            for entity, before_s, after_s, _ in reversed(events) if undo else events:
                before = json.loads(before_s) if before_s else None
                after = json.loads(after_s) if after_s else None
                old, new = (after, before) if undo else (before, after)
                row = old or new
                assert row is not None, "an event has a row before or after"
                current = self._current(conn, entity, row)
                if not self._same(current, old):
                    if entity == "status":
                        # set since by an import (a lead): that status stands. Refusing would
                        # block this annotator's undo stack for good at this action.
                        continue
                    raise _ChangedElsewhere(target, "done" if undo else "undone", name, entity)
                self._log(conn, result, annotator, entity, current, new, action=f"{kind}:{name}")
            seq = conn.execute("SELECT max(id) FROM actions").fetchone()[0]
            conn.execute(
                "UPDATE actions SET state = ?, stack_seq = ? WHERE id = ?",
                ["undone" if undo else "done", seq, target],
            )
            return result

    def _current(self, conn: sqlite3.Connection, entity: str, row: dict[str, Any]) -> dict[str,
                 Any] | None:
        if entity == "span":
            return self._span_row(conn, row["id"])
        if entity == "status":
            return R.status_of(conn, row["doc_id"], row["annotator"])
        if entity == "decision":
            found = conn.execute(f"SELECT {R.DECISION_COLS} FROM review_decisions WHERE id = ?",
                                 [row["id"]]).fetchone()
            return R.decision_to_row(R.decision_from_row(found)) if found else None
        r = conn.execute(f"SELECT {R.LINK_COLS} FROM links WHERE id = ?", [row["id"]])
        found = r.fetchone()
        return R.link_to_row(R.link_from_row(found)) if found else None

    @staticmethod
    def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
        if a is None or b is None:
            return a is b
        skip = {"updated_at"}
        return {k: v for k, v in a.items() if k not in skip} == {
            k: v for k, v in b.items() if k not in skip
        }

    def undo(self, annotator: str) -> ActionResult | None:
        """Undo the annotator's most recent action (None when there is nothing to undo)."""
        return self._replay_action(annotator, "undo")

    def redo(self, annotator: str) -> ActionResult | None:
        return self._replay_action(annotator, "redo")

    def set_ui_state(self, annotator: str, key: str, value: Any) -> None:
        """Remember a piece of UI state (panes, cursors): not annotation data, not logged."""
        with self.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO ui_state (annotator, key, value) VALUES (?, ?, ?)",
                [annotator, key, R.dumps(value)],
            )
