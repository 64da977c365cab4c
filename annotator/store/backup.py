"""Reads and writes for the full backup (`export --all`) and its restore into an empty database.

The backup carries the rows that the JSONL lines do not: schemas, annotators, each document's
import order and time, the actions (undo stacks) and the event log. Spans, links and statuses
are restored from the event log, which holds every row whole (the log and the tables agree:
tests/test_store.py checks it), so their times and origins come back exactly."""

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
ACTION_COLS = ("id", "annotator", "kind", "name", "target", "state", "stack_seq", "created_at")
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


def actions(store: Store) -> Iterator[dict[str, Any]]:
    last = 0
    while batch := store.query(f"SELECT {', '.join(ACTION_COLS)} FROM actions WHERE id > ?"
                                " ORDER BY id LIMIT ?", [last, BATCH]):
        for r in batch:
            yield dict(zip(ACTION_COLS, r, strict=True))
        last = batch[-1][0]


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


def restore(store: Store, schema_rows: list[dict[str, Any]],
            annotator_rows: list[dict[str, Any]],
            docs: Iterable[tuple[Document, int, str]], action_rows: Iterable[dict[str, Any]],
            event_rows: Iterable[dict[str, Any]],
            check: Callable[[dict[str, dict[str, dict[str, Any]]]], None]) -> dict[str, int]:
    """Put everything back, in one transaction, into an empty database; counts by table.

    check(state) sees the span, link and status rows the log gives before they are written,
    and raises to undo it all."""
    if not is_empty(store):
        raise RestoreError("a backup is restored into an empty database only (this one has"
                           " documents or history); create a new one with --db NEW.db")
    try:
        return _restore(store, schema_rows, annotator_rows, docs, action_rows, event_rows, check)
    except (KeyError, TypeError) as exc:
        raise RestoreError(f"a backup line lacks a field or has the wrong type ({exc})") from None
    except sqlite3.Error as exc:
        raise RestoreError(f"the backup's rows do not fit together: {exc}") from None


def _restore(store: Store, schema_rows: list[dict[str, Any]],
             annotator_rows: list[dict[str, Any]],
             docs: Iterable[tuple[Document, int, str]], action_rows: Iterable[dict[str, Any]],
             event_rows: Iterable[dict[str, Any]],
             check: Callable[[dict[str, dict[str, dict[str, Any]]]], None]) -> dict[str, int]:
    counts = {"documents": 0, "events": 0, "spans": 0, "links": 0, "statuses": 0}
    with store.write() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for row in schema_rows:
            conn.execute(f"INSERT INTO schemas ({', '.join(SCHEMA_COLS)}) VALUES (?, ?, ?, ?, ?)",
                         [row[c] for c in SCHEMA_COLS])
        for row in annotator_rows:
            conn.execute("INSERT INTO annotators (name, created_at) VALUES (?, ?)",
                         [row["name"], row["created_at"]])
        for doc, seq, created in docs:
            conn.execute(
                "INSERT INTO documents (id, seq, title, text, sha256, length, meta, schema_ref,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc.id, seq, doc.title, doc.text, doc.sha256, len(doc.text),
                 R.dumps(doc.meta), doc.schema or None, created])
            counts["documents"] += 1
        conn.executemany(
            f"INSERT INTO actions ({', '.join(ACTION_COLS)}) VALUES ({', '.join('?' * 8)})",
            ([row[c] for c in ACTION_COLS] for row in action_rows))
        state: dict[str, dict[str, dict[str, Any]]] = {"span": {}, "link": {}, "status": {},
                                                       "decision": {}}
        for ev in event_rows:
            conn.execute(
                f"INSERT INTO events ({', '.join(EVENT_COLS)}) VALUES ({', '.join('?' * 10)})",
                [R.dumps(ev[c]) if c in ("before", "after")
                 and ev[c] is not None else ev[c] for c in EVENT_COLS])
            counts["events"] += 1
            _replay(state, ev)
        check(state)
        for entity in ("span", "link", "status"):
            R.insert_many(conn, entity, list(state[entity].values()))
            counts[entity + ("es" if entity == "status" else "s")] = len(state[entity])
        R.insert_many(conn, "decision", list(state["decision"].values()))  # review (m005)
    return counts


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
