"""Review decisions on the gold set (docs/review.md): the reads the review session asks, and
`adjudicate`, which writes a whole decision (gold spans, gold links, their provenance rows,
what they replace) as ONE logged, undoable action of the gold set, done by the store's actor.

Edits made on the gold set through the ordinary annotation actions get their provenance
here too (`edit_row`): Actions calls it in the same transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.model import EDITED, GOLD, REASONS, Decision, Link, Span
from annotator.store import rows as R
from annotator.store.actions import ActionResult, Actions, StoreError, new_id

Ref = str | int  # a gold span's id, or the index of the verdict (in this action) that adds it


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A gold span a verdict adds; `refs`: its `span` attributes (name -> gold span)."""

    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewLink:
    """A gold link a verdict adds, between two gold spans."""

    type: str
    from_span: Ref
    to_span: Ref


@dataclass(frozen=True, slots=True)
class Verdict:
    """One decision of an action: accept (adds `span` or `link`) or reject (adds nothing), on
    the cluster `key` of `doc_id`; `remove`: gold spans and links it replaces, `replaces`:
    earlier decisions (ids) it supersedes."""

    doc_id: str
    key: str
    entity: str  # span | link
    kind: str  # accept | reject
    start: int
    end: int
    provenance: tuple[str, ...] = ()
    reason: str | None = None
    span: NewSpan | None = None
    link: NewLink | None = None
    remove_spans: tuple[str, ...] = ()
    remove_links: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()


def span_key(doc_id: str, start: int, end: int) -> str:
    """The key of a span cluster (its extent), as Cluster.key."""
    return f"{doc_id}:{start}:{end}"


def decision_of(conn: sqlite3.Connection, target: str) -> dict[str, Any] | None:
    """The decision row of a gold span or link (None: it has none)."""
    found = conn.execute(f"SELECT {R.DECISION_COLS} FROM review_decisions WHERE target = ?"
                         f" AND {R.VISIBLE}", [target]).fetchone()
    return R.decision_to_row(R.decision_from_row(found)) if found else None


def edit_row(conn: sqlite3.Connection, entity: str, row: dict[str, Any], gone: bool = False
             ) -> tuple[dict[str, Any] | None, dict[str, Any]] | None:
    """The decision row (before, after) that records a hand edit of the gold span or link
    `row`: its decision, if it has one, becomes an edit (provenance ["edited"], same cluster,
    same reason; no target once `gone`); else a new edit decision (None when it is `gone`:
    nothing was decided there)."""
    before = decision_of(conn, row["id"])
    if before is not None:
        return before, {**before, "kind": "edit", "provenance": [EDITED],
                        "target": None if gone else row["id"]}
    if gone:
        return None
    if entity == "span":
        doc_id, start, end = row["doc_id"], row["start"], row["end"]
        key = span_key(doc_id, start, end)
    else:
        span = conn.execute('SELECT start, "end" FROM spans WHERE id = ?',
                            [row["from_span"]]).fetchone()
        doc_id, (start, end) = row["from_doc"], span
        key = f"link:{row['id']}"
    return None, R.decision_to_row(Decision(new_id(), doc_id, key, entity, "edit", row["id"],
                                            start, end, (EDITED,), None, R.now()))


class ReviewActions(Actions):
    """The review's reads and its one action."""

    # -- reads ----------------------------------------------------------------------------

    def review_decisions(self, doc_id: str) -> list[Decision]:
        return [R.decision_from_row(r) for r in self.query(
            f"SELECT {R.DECISION_COLS} FROM review_decisions WHERE doc_id = ? AND {R.VISIBLE}"
            " ORDER BY start, \"end\", created_at, id", [doc_id])]

    def decisions_for(self, targets: Iterable[str]) -> dict[str, Decision]:
        """The decision of each gold span or link id that has one."""
        ids = list(targets)
        out: dict[str, Decision] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ", ".join("?" for _ in part)
            for r in self.query(f"SELECT {R.DECISION_COLS} FROM review_decisions WHERE target"
                                f" IN ({marks}) AND {R.VISIBLE}", part):
                d = R.decision_from_row(r)
                out[d.target or ""] = d
        return out

    def review_sets(self, doc_id: str) -> list[str]:
        """The annotators (not @gold) with a version of doc_id: a span, or a status past
        todo (an empty set they worked on or marked done says "nothing here"; a set still
        todo without spans is no version yet)."""
        return [r[0] for r in self.query(
            f"SELECT annotator FROM statuses WHERE doc_id = ? AND status != 'todo'"
            f" AND {R.VISIBLE}"
            " UNION SELECT DISTINCT annotator FROM spans WHERE doc_id = ?"
            f" AND {R.VISIBLE} ORDER BY 1", [doc_id, doc_id]) if not r[0].startswith("@")]

    def review_documents(self) -> list[tuple[str, str, int]]:
        """(doc id, title, number of annotators' sets) of every document with a set, by
        import order."""
        return [(r[0], r[1], r[2]) for r in self.query(
            "SELECT d.id, d.title, count(DISTINCT s.annotator) FROM documents d"
            " JOIN statuses s ON s.doc_id = d.id"
            f" WHERE d.{R.DOC_VISIBLE} AND s.{R.VISIBLE} AND s.annotator NOT LIKE '@%'"
            " GROUP BY d.id ORDER BY d.seq")]

    # -- the action -----------------------------------------------------------------------

    def adjudicate(self, name: str, verdicts: Sequence[Verdict]) -> ActionResult:
        """Write every verdict as one action of the gold set (actor: the store's actor)."""
        if not verdicts:
            raise StoreError("nothing to decide")
        with self.write() as conn:
            result = ActionResult(self._begin_action(conn, GOLD, "do", name), name)
            made: dict[int, str] = {}
            for i, v in enumerate(verdicts):
                if v.reason is not None and v.reason not in REASONS:
                    raise StoreError(f"unknown reason {v.reason!r}")
                self._remove(conn, result, v)
                target = None
                if v.span is not None:
                    target = self._add_gold_span(conn, result, v.doc_id, v.span, made)
                    made[i] = target
                elif v.link is not None:
                    target = self._add_gold_link(conn, result, v.link, made)
                decision = Decision(new_id(), v.doc_id, v.key, v.entity, v.kind, target,
                                    v.start, v.end, v.provenance, v.reason, R.now())
                self._log(conn, result, GOLD, "decision", None, R.decision_to_row(decision))
            for doc_id in sorted({v.doc_id for v in verdicts}):
                self._touch_status(conn, result, doc_id, GOLD)
            return result

    def _remove(self, conn: sqlite3.Connection, result: ActionResult, v: Verdict) -> None:
        for decision_id in v.replaces:
            found = self._current(conn, "decision", {"id": decision_id})
            if found is not None:
                self._log(conn, result, GOLD, "decision", found, None)
        first = len(result.changes)
        for link_id in v.remove_links:
            found = self._current(conn, "link", {"id": link_id})
            if found is not None:
                self._log(conn, result, GOLD, "link", found, None)
        for span_id in v.remove_spans:
            before = self._span_row(conn, span_id)
            if before is not None and before["annotator"] == GOLD:
                self._remove_span(conn, result, GOLD, before)
        # what the removed spans and links were decided by goes with them
        for change in result.changes[first:]:
            if change.entity in ("span", "link") and change.after is None and change.before:
                found = decision_of(conn, change.before["id"])
                if found is not None:
                    self._log(conn, result, GOLD, "decision", found, None)

    def _add_gold_span(self, conn: sqlite3.Connection, result: ActionResult, doc_id: str,
                       new: NewSpan, made: dict[int, str]) -> str:
        self._check_range(conn, doc_id, new.start, new.end)
        attrs = dict(new.attrs)
        for attr, ref in new.refs.items():
            attrs[attr] = self._resolve(conn, ref, made)
        ts = R.now()
        span = Span(new_id(), doc_id, GOLD, new.start, new.end, new.label, attrs, "gold", ts, ts)
        self._log(conn, result, GOLD, "span", None, R.span_to_row(span))
        return span.id

    def _add_gold_link(self, conn: sqlite3.Connection, result: ActionResult, new: NewLink,
                       made: dict[int, str]) -> str:
        a = self._span_row(conn, self._resolve(conn, new.from_span, made))
        b = self._span_row(conn, self._resolve(conn, new.to_span, made))
        assert a is not None
        assert b is not None
        if conn.execute(
            "SELECT 1 FROM links WHERE annotator = ? AND type = ? AND ((from_span = ? AND"
            " to_span = ?) OR (from_span = ? AND to_span = ?))",
            [GOLD, new.type, a["id"], b["id"], b["id"], a["id"]],
        ).fetchone():
            raise StoreError(f"gold already links those spans as {new.type}")
        link = Link(new_id(), GOLD, new.type, a["id"], b["id"], a["doc_id"], b["doc_id"],
                    R.now())
        self._log(conn, result, GOLD, "link", None, R.link_to_row(link))
        return link.id

    def _resolve(self, conn: sqlite3.Connection, ref: Ref, made: dict[int, str]) -> str:
        if isinstance(ref, int):
            if ref not in made:
                raise StoreError("a link end is not in gold")
            return made[ref]
        row = self._span_row(conn, ref)
        if row is None or row["annotator"] != GOLD:
            raise StoreError("a link end is no longer in gold")
        return ref
