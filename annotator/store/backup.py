"""Reads and writes for the full backup (`export --all`) and its restore into an empty database.

The backup carries the rows that the JSONL lines do not: schemas, annotators, each document's
import order and time, the actions (undo stacks, who acted) and the event log, and every row of
every other table (people and roles, assignments, settings, flags, and whatever a later
migration adds), column by column. Spans, links and statuses are restored from the event log,
which holds every row whole (the log and the tables agree: tests/test_store.py checks it), so
their times and origins come back exactly."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from annotator.model import Document
from annotator.store import rows as R

if TYPE_CHECKING:
    from annotator.store import Store

BATCH = 256
SCHEMA_COLS = ("ref", "name", "version", "source", "created_at")
ANNOTATOR_COLS = ("name", "created_at")
DOCUMENT_COLS = ("id", "seq", "created_at")
EVENT_COLS = ("seq", "ts", "annotator", "action_id", "action", "entity", "entity_id", "doc_id",
              "before", "after")


class RestoreError(Exception):
    """The database is not empty, or the backup does not fit together."""


def _rows(store: Store, table: str, cols: tuple[str, ...], order: str) -> list[dict[str, Any]]:
    names = ", ".join(f'"{c}"' for c in cols)
    return [dict(zip(cols, r, strict=True))
            for r in store.query(f"SELECT {names} FROM {table} ORDER BY {order}")]


def schemas(store: Store) -> list[dict[str, Any]]:
    return _rows(store, "schemas", SCHEMA_COLS, "ref")


def annotators(store: Store) -> list[dict[str, Any]]:
    return _rows(store, "annotators", ANNOTATOR_COLS, "name")


# Tables that are not backed up row by row: their own lines (schemas, annotators, documents,
# actions, events), rebuilt from the event log (spans, links, statuses, the review's
# decisions), an import's staging
# (imports: restored rows are visible), each person's open panes and cursors (ui_state), and
# sqlite-utils' record of migrations.
NOT_ROWS = frozenset({"schemas", "annotators", "documents", "actions", "events", "spans",
                      "links", "statuses", "review_decisions", "imports", "ui_state",
                      "_sqlite_migrations"})


def columns(store: Store, table: str) -> tuple[str, ...]:
    return tuple(r[1] for r in store.query(f'PRAGMA table_info("{table}")'))


def row_tables(store: Store) -> list[str]:
    """The tables backed up row by row, in name order."""
    return [t for (t,) in store.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite_%' ORDER BY name")
            if t not in NOT_ROWS]


def _batches(store: Store, table: str, key: str) -> Iterator[dict[str, Any]]:
    """Every row of `table` with every column, by `key`, a batch at a time."""
    cols = columns(store, table)
    names = ", ".join(f'"{c}"' for c in cols)
    last: Any = None
    while batch := store.query(
            f'SELECT {key}, {names} FROM "{table}"' + ("" if last is None else f" WHERE {key} > ?")
            + f" ORDER BY {key} LIMIT ?", ([] if last is None else [last]) + [BATCH]):
        for r in batch:
            yield dict(zip(cols, r[1:], strict=True))
        last = batch[-1][0]


def actions(store: Store) -> Iterator[dict[str, Any]]:
    return _batches(store, "actions", "id")


def table_rows(store: Store) -> Iterator[tuple[str, dict[str, Any]]]:
    for table in row_tables(store):
        for row in _batches(store, table, "rowid"):
            yield table, row


def documents(store: Store) -> Iterator[tuple[Document, int, str]]:
    """Every document with its import order and time, by id (the export's order)."""
    last: str | None = None
    while batch := store.query(
            "SELECT id, seq, created_at FROM documents"
            + ("" if last is None else " WHERE id > ?") + " ORDER BY id LIMIT ?",
            ([] if last is None else [last]) + [BATCH]):
        for doc_id, seq, created in batch:
            doc = store.get_document(doc_id)
            assert doc is not None
            yield doc, seq, created
        last = batch[-1][0]


def is_empty(store: Store) -> bool:
    return not any(store.query(f"SELECT 1 FROM {t} LIMIT 1")
                   for t in ("documents", "events", "actions", "annotators"))


def restore(store: Store, rows: Iterable[tuple[str, Any]],
            check: Callable[[dict[str, dict[str, dict[str, Any]]]], None]) -> dict[str, int]:
    """Put everything back, in one transaction, into an empty database; counts by table.

    rows: ("schema" | "annotator" | "action" | "event", row) and ("document", (Document,
    seq, created_at)), written in the order they come (foreign keys are checked at the end),
    so a backup of any size streams through. check(state) sees the span, link and status rows
    the log gives before they are written, and raises to undo it all."""
    if not is_empty(store):
        raise RestoreError("a backup is restored into an empty database only (this one has"
                           " documents or history); create a new one with --db NEW.db")
    try:
        return _restore(store, rows, check)
    except (KeyError, TypeError) as exc:
        raise RestoreError(f"a backup line lacks a field or has the wrong type ({exc})") from None
    except sqlite3.Error as exc:
        raise RestoreError(f"the backup's rows do not fit together: {exc}") from None


def _restore(store: Store, rows: Iterable[tuple[str, Any]],
             check: Callable[[dict[str, dict[str, dict[str, Any]]]], None]) -> dict[str, int]:
    counts = {"documents": 0, "events": 0, "spans": 0, "links": 0, "statuses": 0}
    state: dict[str, dict[str, dict[str, Any]]] = {"span": {}, "link": {}, "status": {},
                                                   "decision": {}}
    rows_of = set(row_tables(store))
    known: dict[str, tuple[str, ...]] = {}
    with store.write() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for kind, row in rows:
            if kind == "schema":
                conn.execute(f"INSERT INTO schemas ({', '.join(SCHEMA_COLS)}) VALUES"
                             " (?, ?, ?, ?, ?)", [row[c] for c in SCHEMA_COLS])
            elif kind == "annotator":
                conn.execute("INSERT INTO annotators (name, created_at) VALUES (?, ?)",
                             [row["name"], row["created_at"]])
            elif kind == "document":
                doc, seq, created = row
                conn.execute(
                    "INSERT INTO documents (id, seq, title, text, sha256, length, meta,"
                    " schema_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [doc.id, seq, doc.title, doc.text, doc.sha256, len(doc.text),
                     R.dumps(doc.meta), doc.schema or None, created])
                counts["documents"] += 1
            elif kind == "action":
                _insert(conn, "actions", row, known)
            elif kind == "row":
                table, values = row
                if table not in rows_of:
                    raise RestoreError(f"the backup has rows for a table {table!r} that this"
                                       " database does not back up")
                _insert(conn, table, values, known)
            else:  # an event
                conn.execute(
                    f"INSERT INTO events ({', '.join(EVENT_COLS)}) VALUES"
                    f" ({', '.join('?' * len(EVENT_COLS))})",
                    [R.dumps(row[c]) if c in ("before", "after") and row[c] is not None
                     else row[c] for c in EVENT_COLS])
                counts["events"] += 1
                _replay(state, row)
        check(state)
        for entity in ("span", "link", "status"):
            R.insert_many(conn, entity, list(state[entity].values()))
            counts[entity + ("es" if entity == "status" else "s")] = len(state[entity])
        R.insert_many(conn, "decision", list(state["decision"].values()))  # review (m005)
    return counts


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any],
            known: dict[str, tuple[str, ...]]) -> None:
    """One row, by its column names, which must all be the table's (a backup made before a
    migration added a column has fewer: the column's default fills it)."""
    if table not in known:
        known[table] = tuple(r[1] for r in conn.execute(f'PRAGMA table_info("{table}")'))
    if not isinstance(row, dict) or not row:
        raise TypeError(f"a {table} row must be an object")
    if unknown := sorted(set(row) - set(known[table])):
        raise RestoreError(f"the backup's {table} rows have a column {unknown[0]!r} that this"
                           " database does not (a backup from a newer annotator?)")
    names = list(row)
    quoted = ", ".join(f'"{c}"' for c in names)  # each checked against PRAGMA table_info
    conn.execute(f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(names))})',
                 [row[c] for c in names])


def _replay(state: dict[str, dict[str, dict[str, Any]]], ev: dict[str, Any]) -> None:
    """Store.replay_log's step, on one event of the backup."""
    entity = ev["entity"]
    if entity in R.BULK:
        single = R.BULK[entity]
        for row in ev["after"] or []:
            state[single][R.entity_key(single, row)] = row
    elif entity in state:
        if ev["after"] is None:
            state[entity].pop(ev["entity_id"], None)
        else:
            state[entity][ev["entity_id"]] = ev["after"]
