"""Bulk writes for imports: one transaction for a whole import, idempotent, logged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from annotator.model import Document, Link, Span, Status
from annotator.store import rows as R

if TYPE_CHECKING:
    from annotator.store import Store


IMPORT_CACHE_KIB = -131072  # page cache during an import (negative: KiB), 128 MiB


class ImportConflict(Exception):
    """The import disagrees with what the database already holds."""


class ImportSession:
    """`with store.import_session(actor) as imp:` — all or nothing, re-running it is a no-op."""

    def __init__(self, store: Store, actor: str) -> None:
        self.store = store
        self.actor = actor
        self.action_id = 0
        self.counts = {"documents": 0, "documents_same": 0, "spans": 0, "spans_same": 0,
                       "links": 0, "links_same": 0, "statuses": 0}
        self._cm: Any = None

    def __enter__(self) -> ImportSession:
        self._cm = self.store.write()
        self.conn = self._cm.__enter__()
        try:
            return self._begin()
        except BaseException as exc:
            # __exit__ will not run: end the transaction now, or the suspended write() is
            # finalised later on a closed connection ("Exception ignored ... Traceback")
            self._cm.__exit__(type(exc), exc, exc.__traceback__)
            raise

    def _begin(self) -> ImportSession:
        self.conn.execute("PRAGMA defer_foreign_keys = ON")  # links may point forward in the file
        self.store._ensure_annotator(self.conn, self.actor)
        cur = self.conn.execute(
            "INSERT INTO actions (annotator, kind, name, state, stack_seq, created_at)"
            " VALUES (?, 'import', 'import', 'meta', 0, ?)", [self.actor, R.now()]
        )
        self.action_id = int(cur.lastrowid or 0)
        self._next_seq = self.conn.execute(
            "SELECT coalesce(max(seq), -1) + 1 FROM documents"
        ).fetchone()[0]
        # rows with a rowid above these were written by this session (duplicate-id detection)
        self._floor = {
            entity: self.conn.execute(
                f"SELECT coalesce(max(rowid), 0) FROM {R.TABLES[entity][0]}"
            ).fetchone()[0]
            for entity in ("span", "link")
        }
        self._savepoints = 0
        self._annotators = {self.actor}
        # a big import inserts random-order ids into several indexes: keep them in memory
        self._cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
        return self

    def __exit__(self, *exc: Any) -> bool:
        try:
            if exc[0] is None and self.conn.execute(
                "SELECT 1 FROM events WHERE action_id = ? LIMIT 1", [self.action_id]
            ).fetchone() is None:  # nothing new: importing again leaves no trace
                self.conn.execute("DELETE FROM actions WHERE id = ?", [self.action_id])
            return bool(self._cm.__exit__(*exc))
        finally:
            self.conn.execute(f"PRAGMA cache_size = {self._cache_size}")

    def _event(self, entity: str, entity_id: str, doc_id: str | None, before: Any,
               after: Any, who: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO events (ts, annotator, action_id, action, entity, entity_id, doc_id,"
            " before, after) VALUES (?, ?, ?, 'import', ?, ?, ?, ?, ?)",
            [R.now(), who or self.actor, self.action_id, entity, entity_id, doc_id,
             None if before is None else R.dumps(before),
             None if after is None else R.dumps(after)],
        )

    def add_schema(self, ref: str, name: str, version: int, source: str) -> None:
        row = self.conn.execute("SELECT source FROM schemas WHERE ref = ?", [ref]).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO schemas (ref, name, version, source, created_at) VALUES (?,?,?,?,?)",
                [ref, name, version, source, R.now()],
            )
        elif row[0] != source:
            raise ImportConflict(
                f"schema {ref} is already in the database with different content;"
                " give the changed schema a new version"
            )

    def has_document(self, doc_id: str) -> str | None:
        """The stored SHA-256 of doc_id, or None."""
        sql = f"SELECT sha256 FROM {R.DOC_CARD} WHERE id = ?"
        row = self.conn.execute(sql, [doc_id]).fetchone()
        return row[0] if row else None

    def document_length(self, doc_id: str) -> int | None:
        sql = f"SELECT length FROM {R.DOC_CARD} WHERE id = ?"
        row = self.conn.execute(sql, [doc_id]).fetchone()
        return row[0] if row else None

    def add_document(self, doc: Document) -> bool:
        """Add a document; False when the same text is already there under that id."""
        existing = self.has_document(doc.id)
        if existing is not None:
            if existing != doc.sha256:
                raise ImportConflict(
                    f"document {doc.id!r} is already in the database with different text"
                )
            self.counts["documents_same"] += 1
            return False
        self.conn.execute(
            "INSERT INTO documents (id, seq, title, text, sha256, length, meta, schema_ref,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [doc.id, self._next_seq, doc.title, doc.text, doc.sha256, len(doc.text),
             R.dumps(doc.meta), doc.schema or None, R.now()],
        )
        self._next_seq += 1
        self._event("document", doc.id, doc.id, None,
                    {"id": doc.id, "sha256": doc.sha256, "title": doc.title})
        self.counts["documents"] += 1
        return True

    def span_ids(self, ids: list[str]) -> set[str]:
        """Which of these span ids already exist (for link validation)."""
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            rows = self.conn.execute(f"SELECT id FROM spans WHERE id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def span_info(self, ids: list[str]) -> dict[str, tuple[str, str, str]]:
        """span id -> (doc_id, annotator, label) for the ids that exist (link validation)."""
        found: dict[str, tuple[str, str, str]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            for id_, doc_id, who, label in self.conn.execute(
                f"SELECT id, doc_id, annotator, label FROM spans WHERE id IN ({marks})", chunk
            ):
                found[id_] = (doc_id, who, label)
        return found

    def set_contents(self, doc_id: str, annotator: str
                     ) -> tuple[dict[tuple[int, int, str], str], dict[tuple[str, str, str], str]]:
        """One annotation set's span ids by (start, end, label) and link ids by (type,
        from_span, to_span), for links starting in doc_id: another tool's file names no ids."""
        spans = {(s, e, lab): id_ for id_, s, e, lab in self.conn.execute(
            'SELECT id, start, "end", label FROM spans WHERE doc_id = ? AND annotator = ?'
            " ORDER BY rowid DESC", [doc_id, annotator])}  # the oldest of equal ones wins
        links = {(t, a, b): id_ for id_, t, a, b in self.conn.execute(
            "SELECT id, type, from_span, to_span FROM links WHERE annotator = ? AND from_doc = ?"
            " ORDER BY rowid DESC", [annotator, doc_id])}
        return spans, links

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Make the writes of one record all-or-nothing inside the import (--skip-invalid)."""
        self._savepoints += 1
        name = f"record_{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    def add_annotation_set(self, doc_id: str, annotator: str, spans: list[Span],
                           links: list[Link], status: Status | None,
                           strict: bool = False) -> None:
        """Add one annotator's spans and links on one document (skipping identical ones).

        strict: an id this session already wrote is an ImportConflict (a duplicate in the
        input), even when the content is the same."""
        if annotator not in self._annotators:
            self.store._ensure_annotator(self.conn, annotator)
            self._annotators.add(annotator)
        ts = R.now()
        # Another tool's spans (not strict) bring no attributes of their own: the ones stored
        # (edited since, or filled in by an older numbers.py) are no conflict.
        same = ("start", "end", "label", "attrs") if strict else ("start", "end", "label")
        new_spans = self._new_rows(
            "span", [R.span_to_row(s) for s in spans], (*same, "doc_id", "annotator"), ts,
            strict)
        new_links = self._new_rows(
            "link", [R.link_to_row(lk) for lk in links], ("type", "from_span", "to_span",
                                                           "annotator"), ts, strict)
        key = f"{doc_id}\x1f{annotator}"
        if new_spans:
            self._event("spans", key, doc_id, None, new_spans, annotator)
        if new_links:
            self._event("links", key, doc_id, None, new_links, annotator)
        self.counts["spans"] += len(new_spans)
        self.counts["spans_same"] += len(spans) - len(new_spans)
        self.counts["links"] += len(new_links)
        self.counts["links_same"] += len(links) - len(new_links)
        if status is None and (new_spans or new_links):
            status = Status.IN_PROGRESS
        if status is not None:
            before = self.store._status_row(self.conn, doc_id, annotator)
            if before is None or (before["status"] != status and not
                                  (status == Status.IN_PROGRESS and before["status"] == "done")):
                after = R.status_row(doc_id, annotator, status, ts)
                R.put_row(self.conn, "status", before, after)
                self._event("status", R.entity_key("status", after), doc_id, before, after,
                            annotator)
                self.counts["statuses"] += 1

    def _new_rows(self, entity: str, rows: list[dict], compare: tuple[str, ...],
                  ts: str, strict: bool = False) -> list[dict]:
        """Insert the rows that are not there yet and return them; an id already there with
        other content is an ImportConflict."""
        if not rows:
            return []
        for row in rows:
            for stamp in ("created_at", "updated_at"):
                if stamp in row and not row[stamp]:
                    row[stamp] = ts
        table = R.TABLES[entity][0]
        top = self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
        changes = self.conn.total_changes
        R.insert_many(self.conn, entity, rows, or_ignore=True)
        if self.conn.total_changes - changes == len(rows):
            return rows  # a first import: every row was new (no second look, no savepoint)
        # Some ids were there already: rows above `top` were written just now, the others
        # must match what is stored.
        cols = ", ".join(f'"{c}"' for c in ("rowid", "id", *compare))
        existing: dict[str, dict] = {}
        fresh: set[str] = set()
        ids = [r["id"] for r in rows]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            for found in self.conn.execute(
                f"SELECT {cols} FROM {table} WHERE id IN ({marks})", chunk
            ):
                if found[0] > top:
                    fresh.add(found[1])
                    continue
                if strict and found[0] > self._floor[entity]:
                    raise ImportConflict(f"{entity} id {found[1]} appears twice in this import")
                existing[found[1]] = dict(zip(compare, found[2:], strict=True))
        out = []
        for row in rows:
            rid = row["id"]
            if rid in fresh:
                fresh.discard(rid)
                out.append(row)
                continue
            old = existing.get(rid)
            if old is None:
                if any(r["id"] == rid for r in out):
                    raise ImportConflict(f"{entity} id {rid} appears twice in this import")
                raise sqlite3.IntegrityError(f"{entity} {rid} breaks a constraint of {table}")
            if "attrs" in old and isinstance(old["attrs"], str):
                old["attrs"] = json.loads(old["attrs"])
            if any(old[c] != row[c] for c in compare):
                raise ImportConflict(
                    f"{entity} {rid} is already in the database with different content"
                )
        return out
