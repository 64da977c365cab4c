"""Row <-> dataclass conversion and the generic row writes the event log replays."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from annotator.model import Decision, Link, Span, Status

# entity -> (table, primary key columns, columns)
TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "span": (
        "spans",
        ("id",),
        ("id", "doc_id", "annotator", "start", "end", "label", "attrs", "origin",
         "created_at", "updated_at"),
    ),
    "link": (
        "links",
        ("id",),
        ("id", "annotator", "type", "from_span", "to_span", "from_doc", "to_doc", "created_at"),
    ),
    "status": (
        "statuses", ("doc_id", "annotator"), ("doc_id", "annotator", "status", "updated_at")
    ),
    "decision": (
        "review_decisions",
        ("id",),
        ("id", "doc_id", "key", "entity", "kind", "target", "start", "end", "provenance",
         "reason", "created_at"),
    ),
}


SPAN_COLS = 'id, doc_id, annotator, start, "end", label, attrs, origin, created_at, updated_at'
LINK_COLS = "id, annotator, type, from_span, to_span, from_doc, to_doc, created_at"
DECISION_COLS = ('id, doc_id, key, entity, kind, target, start, "end", provenance, reason,'
                 " created_at")
JSON_COLS = ("attrs", "provenance")  # kept as JSON text in their column
# An import logs each set's new rows in one event: its entity -> the entity of each row
BULK = {"spans": "span", "links": "link", "decisions": "decision"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Small lookups by document id read this covering index, never the row: a document's `text`
# comes before its other columns, so reading the row reads the whole text (migration m002).
DOC_CARD = "documents INDEXED BY documents_card"

# Rows an import writes carry its id (import_id) and stay out of every read until the import
# is 'done' (store/importer.py): its last short transaction shows all of them at once.
# A document's import_id sits behind its text, so documents are told apart by seq instead
# (covered by the documents_card and documents_order indexes): an unfinished import's
# documents are the ones at or above its first_seq.
UNFINISHED = "(SELECT id FROM imports WHERE state != 'done')"
VISIBLE = f"import_id NOT IN {UNFINISHED}"
HORIZON = ("(SELECT coalesce(min(first_seq), 9223372036854775807) FROM imports"
           " WHERE state != 'done')")
DOC_VISIBLE = f"seq < {HORIZON}"

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def dumps(value: Any) -> str:
    if value == {}:  # most spans carry no attributes
        return "{}"
    return _ENCODER.encode(value)


def span_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Span:
    (id_, doc_id, annotator, start, end, label, attrs, origin, created, updated) = row
    return Span(id_, doc_id, annotator, start, end, label,
                {} if attrs == "{}" else json.loads(attrs), origin, created, updated)


def span_to_row(span: Span) -> dict[str, Any]:
    """A span as the JSON-able row kept in events (attrs as an object, not text)."""
    return {
        "id": span.id, "doc_id": span.doc_id, "annotator": span.annotator,
        "start": span.start, "end": span.end, "label": span.label, "attrs": span.attrs,
        "origin": span.origin, "created_at": span.created_at, "updated_at": span.updated_at,
    }


def link_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Link:
    return Link(*row)


def link_to_row(link: Link) -> dict[str, Any]:
    return {
        "id": link.id, "annotator": link.annotator, "type": link.type,
        "from_span": link.from_span, "to_span": link.to_span,
        "from_doc": link.from_doc, "to_doc": link.to_doc, "created_at": link.created_at,
    }


def decision_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Decision:
    (id_, doc_id, key, entity, kind, target, start, end, provenance, reason, created) = row
    return Decision(id_, doc_id, key, entity, kind, target, start, end,
                    tuple(json.loads(provenance)), reason, created)


def decision_to_row(d: Decision) -> dict[str, Any]:
    return {"id": d.id, "doc_id": d.doc_id, "key": d.key, "entity": d.entity, "kind": d.kind,
            "target": d.target, "start": d.start, "end": d.end,
            "provenance": list(d.provenance), "reason": d.reason, "created_at": d.created_at}


def status_row(doc_id: str, annotator: str, status: Status, ts: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "annotator": annotator, "status": str(status), "updated_at": ts}


def _sql_values(entity: str, row: dict[str, Any]) -> list[Any]:
    _, _, cols = TABLES[entity]
    return [dumps(row[c]) if c in JSON_COLS else row[c] for c in cols]


def put_row(conn: sqlite3.Connection, entity: str, before: dict[str, Any] | None, after: dict[str,
            Any] | None,
            import_id: int = 0) -> None:
    """Make the row of `entity` go from `before` to `after` (None: absent); import_id tags a
    row an unfinished import writes (hidden until it is done)."""
    table, pk, cols = TABLES[entity]
    if after is None:
        if before is not None:
            where = " AND ".join(f'"{c}" = ?' for c in pk)
            conn.execute(f"DELETE FROM {table} WHERE {where}", [before[c] for c in pk])
        return
    names = ", ".join(f'"{c}"' for c in (*cols, "import_id"))
    marks = ", ".join("?" for _ in range(len(cols) + 1))
    conn.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})",
                 [*_sql_values(entity, after), import_id])


def insert_many(conn: sqlite3.Connection, entity: str, rows: list[dict[str, Any]],
                or_ignore: bool = False, import_id: int = 0) -> None:
    table, _, cols = TABLES[entity]
    names = ", ".join(f'"{c}"' for c in (*cols, "import_id"))
    marks = ", ".join("?" for _ in cols) + f", {int(import_id)}"
    get = itemgetter(*cols)  # bulk imports: no per-column Python loop
    values: Callable[[dict[str, Any]], tuple[Any, ...]] = get
    json_cols = [c for c in cols if c in JSON_COLS]
    if json_cols:  # one a table: a span's attrs, a decision's provenance
        at = cols.index(json_cols[0])

        def values(row: dict[str, Any]) -> tuple[Any, ...]:
            v = get(row)
            return (*v[:at], dumps(v[at]), *v[at + 1 :])
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    conn.executemany(f"{verb} INTO {table} ({names}) VALUES ({marks})", map(values, rows))


def entity_key(entity: str, row: dict[str, Any]) -> str:
    _, pk, _ = TABLES[entity]
    return "\x1f".join(str(row[c]) for c in pk)


def status_of(conn: sqlite3.Connection, doc_id: str, annotator: str) -> dict[str, Any] | None:
    """The status row as this connection's transaction sees it (an import sees its own
    hidden rows; an annotator's action only ever reaches visible documents)."""
    r = conn.execute(
        "SELECT doc_id, annotator, status, updated_at FROM statuses"
        " WHERE doc_id = ? AND annotator = ?", [doc_id, annotator]
    ).fetchone()
    return dict(zip(TABLES["status"][2], r, strict=True)) if r else None
