"""The one writer of `actions` and `events` rows: Store's actions, undo and redo, and
ImportSession's imports all go through these two functions, so every logged row has the same
columns filled the same way (the m003 triggers keep both tables append-only)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from annotator.store import rows as R
from annotator.store.connection import Connection


def new_action(conn: sqlite3.Connection, annotator: str, kind: str, name: str, *, actor: str,
               target: int | None = None, session: str | None = None) -> int:
    """Insert one action (kind do | undo | redo | import) and return its id. A do-action goes
    on top of its session's undo stack of the annotator (stack_seq = its id); the others never
    move."""
    cur = conn.execute(
        "INSERT INTO actions (annotator, kind, name, target, state, stack_seq, created_at,"
        " actor, session) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
        [annotator, kind, name, target, "done" if kind == "do" else "meta", R.now(), actor,
         session],
    )
    action_id = int(cur.lastrowid or 0)
    if kind == "do":
        conn.execute("UPDATE actions SET stack_seq = id WHERE id = ?", [action_id])
    return action_id


def append_event(conn: sqlite3.Connection, action_id: int, annotator: str, action: str,
                 entity: str, entity_id: str, doc_id: str | None, before: Any,
                 after: Any) -> None:
    """Append one change to the log: the row before and after (None: absent), as JSON."""
    conn.execute(
        "INSERT INTO events (ts, annotator, action_id, action, entity, entity_id, doc_id,"
        " before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [R.now(), annotator, action_id, action, entity, entity_id, doc_id,
         None if before is None else R.dumps(before),
         None if after is None else R.dumps(after)],
    )


class EventLog(Connection):
    """Reading the log back: every event in order, and the state it rebuilds."""

    # -- the event log --------------------------------------------------------------------

    def events(self, since: int = 0) -> Iterator[dict[str, Any]]:
        """Every event after seq `since`, oldest first, streamed (from one snapshot)."""
        with self.snapshot():
            yield from self._events(since)

    def _events(self, since: int) -> Iterator[dict[str, Any]]:
        last = since
        while True:
            batch = self.query(
                "SELECT e.seq, e.ts, e.annotator, e.action_id, e.action, e.entity, e.entity_id,"
                " e.doc_id, e.before, e.after, coalesce(a.actor, a.annotator, e.annotator)"
                " FROM events e LEFT JOIN actions a ON a.id = e.action_id"
                f" WHERE e.seq > ? AND e.action_id NOT IN {R.UNFINISHED}"
                " ORDER BY e.seq LIMIT 1000", [last]
            )
            if not batch:
                return
            for seq, ts, who, action_id, action, entity, eid, doc_id, before, after, actor \
                    in batch:
                yield {
                    "seq": seq, "ts": ts, "annotator": who, "actor": actor,
                    "action_id": action_id,
                    "action": action, "entity": entity, "entity_id": eid, "doc_id": doc_id,
                    "before": json.loads(before) if before else None,
                    "after": json.loads(after) if after else None,
                }
                last = seq

    def replay_log(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Rebuild span, link, status and review decision state from the event log alone."""
        state: dict[str, dict[str, dict[str, Any]]] = {"span": {}, "link": {}, "status": {},
                                                       "decision": {}}
        for ev in self.events():
            entity = ev["entity"]
            if entity in R.BULK:  # bulk import: after is a list of rows
                single = R.BULK[entity]
                for row in ev["after"] or []:
                    state[single][R.entity_key(single, row)] = row
                continue
            if entity not in state:
                continue
            if ev["after"] is None:
                state[entity].pop(ev["entity_id"], None)
            else:
                state[entity][ev["entity_id"]] = ev["after"]
        return state

    def current_state(self) -> dict[str, dict[str, dict[str, Any]]]:
        spans = {
            r[0]: R.span_to_row(R.span_from_row(r))
            for r in self.query(f"SELECT {R.SPAN_COLS} FROM spans WHERE {R.VISIBLE}")
        }
        links = {
            r[0]: R.link_to_row(R.link_from_row(r))
            for r in self.query(f"SELECT {R.LINK_COLS} FROM links WHERE {R.VISIBLE}")
        }
        statuses = {}
        for r in self.query(
            f"SELECT doc_id, annotator, status, updated_at FROM statuses WHERE {R.VISIBLE}"
        ):
            row = dict(zip(R.TABLES["status"][2], r, strict=True))
            statuses[R.entity_key("status", row)] = row
        decisions = {
            r[0]: R.decision_to_row(R.decision_from_row(r))
            for r in self.query(f"SELECT {R.DECISION_COLS} FROM review_decisions"
                                f" WHERE {R.VISIBLE}")
        }
        return {"span": spans, "link": links, "status": statuses, "decision": decisions}
