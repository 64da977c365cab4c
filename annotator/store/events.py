"""The one writer of `actions` and `events` rows: Store's actions, undo and redo, and
ImportSession's imports all go through these two functions, so every logged row has the same
columns filled the same way (the m003 triggers keep both tables append-only)."""

from __future__ import annotations

import sqlite3
from typing import Any

from annotator.store import rows as R


def new_action(conn: sqlite3.Connection, annotator: str, kind: str, name: str, *, actor: str,
               target: int | None = None) -> int:
    """Insert one action (kind do | undo | redo | import) and return its id. A do-action goes
    on top of the annotator's undo stack (stack_seq = its id); the others never move."""
    cur = conn.execute(
        "INSERT INTO actions (annotator, kind, name, target, state, stack_seq, created_at,"
        " actor) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        [annotator, kind, name, target, "done" if kind == "do" else "meta", R.now(), actor],
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
