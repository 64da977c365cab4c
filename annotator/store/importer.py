"""Bulk writes for imports: written in short transactions, invisible until they finish.

One transaction for a whole import (100 MB: 10 s) held SQLite's write lock against every
annotator for that long. Instead an import
- writes in batches, each its own transaction of at most about BATCH_SECONDS (or BATCH_ROWS
  rows, or BATCH_TEXT code points of text), and leaves the lock free for YIELD_SECONDS after
  each, so that an annotator waiting for it (Store.write polls every millisecond) goes next;
- tags every row it writes with its id (import_id; its documents also lie at seq >= the
  first_seq of its `imports` row); the store's reads skip the rows of imports that are not
  'done' (rows.VISIBLE, rows.DOC_VISIBLE), so readers see none of it until its last short
  transaction marks it done: all of it appears at once, or nothing;
- keeps the status changes it makes to documents readers can already see in memory, and
  applies them, with their events, in that last transaction (an annotator may change such a
  status meanwhile; the import's rule is applied to the status found then);
- runs alone: an OS lock (import_lock.py) makes a second import wait, and tells a killed
  import (marked 'running', nobody holding the lock) from a live one. Every import starts by
  deleting the rows of imports that were killed, and an import that fails (bad input, a
  conflict, an exception) deletes its own; both in short transactions, oldest rows last.

Re-running an import is a no-op: nothing new leaves no trace (not even its action row).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from annotator.model import Decision, Document, Link, Span, Status
from annotator.store import events as E
from annotator.store import rows as R
from annotator.store.import_lock import ImportLock

if TYPE_CHECKING:
    from annotator.store import Store


IMPORT_CACHE_KIB = -131072  # page cache during an import (negative: KiB), 128 MiB
DISCARD_CHUNK = 500  # events of an abandoned import deleted per transaction


class ImportConflict(Exception):
    """The import disagrees with what the database already holds."""


class ImportAbandoned(sqlite3.OperationalError):
    """Another process took this import for a killed one and removed it."""


def _status_changes(before: dict[str, Any] | None, status: str) -> bool:
    """An import sets a status unless it is already so; 'in progress' never undoes 'done'."""
    return before is None or (before["status"] != status and not (
        status == Status.IN_PROGRESS and before["status"] == Status.DONE))


class ImportSession:
    """`with store.import_session(actor) as imp:` — all or nothing as readers see it, written
    in short transactions; re-running it is a no-op."""

    BATCH_SECONDS = 0.05
    BATCH_ROWS = 20_000
    BATCH_TEXT = 4_000_000
    YIELD_SECONDS = 0.004

    def __init__(self, store: Store, actor: str) -> None:
        self.store = store
        self.conn = store.conn
        self.actor = actor
        self.action_id = 0
        self.counts = {"documents": 0, "documents_same": 0, "spans": 0, "spans_same": 0,
                       "links": 0, "links_same": 0, "statuses": 0}
        self.commits = 0  # batch transactions committed so far
        self._lock = ImportLock(store.path)
        self._in_tx = False
        self._started = 0.0
        self._changes = 0  # conn.total_changes when the open transaction began
        self._text = 0  # code points of text written in it
        self._savepoints = 0
        self._depth = 0
        self._mine: set[str] = set()  # documents this import adds (hidden until it is done)
        self._staged: dict[tuple[str, str], dict[str, Any]] = {}  # statuses of visible documents
        self._annotators: set[str] = set()

    # -- the import's life ------------------------------------------------------------------

    def __enter__(self) -> ImportSession:
        from annotator.store.connection import BUSY_TIMEOUT_MS  # read now: tests shorten it

        self._lock.acquire(BUSY_TIMEOUT_MS / 1000)
        try:
            discard_unfinished(self.store)  # killed imports: we hold the lock, they cannot run
            with self.store.write() as conn:
                self.action_id = E.new_action(conn, self.actor, "import", "import",
                                              actor=self.store.actor or self.actor)
                self._first_seq = self._next_seq = conn.execute(
                    "SELECT coalesce(max(seq), -1) + 1 FROM documents").fetchone()[0]
                conn.execute("INSERT INTO imports (id, state, first_seq, started_at)"
                             " VALUES (?, 'running', ?, ?)",
                             [self.action_id, self._first_seq, R.now()])
            self._ensure_annotator(self.actor)
            # a big import inserts random-order ids into several indexes: keep them in memory
            self._cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
            self.conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
        except BaseException:
            self._end_tx(commit=False)
            self._lock.release()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if exc[0] is None:
                self._finish()
            else:
                self._abandon()
        finally:
            self.conn.execute(f"PRAGMA cache_size = {self._cache_size}")
            self._lock.release()

    def _finish(self) -> None:
        """The last short transaction: staged statuses, then the import becomes visible."""
        conn = self._tx()
        try:
            for (doc_id, annotator), after in self._staged.items():
                before = R.status_of(conn, doc_id, annotator)
                if _status_changes(before, after["status"]):
                    after = {**after, "updated_at": R.now()}
                    R.put_row(conn, "status", before, after)
                    self._event("status", R.entity_key("status", after), doc_id, before, after,
                                annotator)
            if _left_a_trace(conn, self.action_id):
                conn.execute("UPDATE imports SET state = 'done', finished_at = ? WHERE id = ?",
                             [R.now(), self.action_id])
            else:  # nothing new: importing again leaves no trace
                _forget(conn, self.action_id)
            if not self._end_tx(commit=True):
                raise sqlite3.IntegrityError("FOREIGN KEY constraint failed: the import refers"
                                             " to rows that are neither in it nor in the database")
        except BaseException:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """Roll back, then delete what the import committed. If that fails too (a full disk,
        a second Ctrl-C), the rows stay hidden and the next import deletes them: the error
        the caller sees is the one that stopped the import."""
        self._end_tx(commit=False)
        with contextlib.suppress(Exception):
            discard(self.store, self.action_id)

    # -- transactions -----------------------------------------------------------------------

    def _tx(self) -> sqlite3.Connection:
        """The open batch transaction, begun if needed."""
        if self._in_tx:
            return self.conn
        self.store.lock.acquire()
        try:
            self.store.begin()
        except BaseException:
            self.store.lock.release()
            raise
        self._in_tx = True
        try:
            self.conn.execute("PRAGMA defer_foreign_keys = ON")  # links may point forward
            row = self.conn.execute("SELECT state FROM imports WHERE id = ?",
                                    [self.action_id]).fetchone()
            if self.action_id and (row is None or row[0] != "running"):
                raise ImportAbandoned("another process removed this import as abandoned"
                                      " (was the lock file deleted?); run it again")
        except BaseException:
            self._end_tx(commit=False)
            raise
        self._started = time.monotonic()
        self._changes, self._text = self.conn.total_changes, 0
        return self.conn

    def _end_tx(self, commit: bool) -> bool:
        """Commit (False when a deferred foreign key is still dangling: the transaction stays
        open, for the rows that complete it) or roll back the open batch transaction."""
        if not self._in_tx:
            return True
        try:
            if commit:
                try:
                    self.store.retry(lambda: self.conn.execute("COMMIT"))
                except sqlite3.IntegrityError:
                    if self.conn.in_transaction:
                        return False
                    raise
                self.commits += 1
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self._in_tx = False
            self.store.lock.release()
            raise
        self._in_tx = False
        self.store.lock.release()
        return True

    def _written(self, text: int = 0) -> None:
        """End the batch when it is long enough: BATCH_SECONDS, or BATCH_ROWS rows changed
        (events included), or BATCH_TEXT code points of text. Called last by each method that
        writes, never inside a savepoint."""
        self._text += text
        if self._depth or not self._in_tx:
            return
        if (self.conn.total_changes - self._changes >= self.BATCH_ROWS
                or self._text >= self.BATCH_TEXT
                or time.monotonic() - self._started >= self.BATCH_SECONDS) \
                and self._end_tx(commit=True):
            time.sleep(self.YIELD_SECONDS)  # an annotator waiting for the lock goes first

    def _ensure_annotator(self, name: str) -> None:
        if name in self._annotators:
            return
        self._tx().execute(
            "INSERT OR IGNORE INTO annotators (name, created_at, import_id) VALUES (?, ?, ?)",
            [name, R.now(), self.action_id])
        self._annotators.add(name)

    def _event(self, entity: str, entity_id: str, doc_id: str | None, before: Any,
               after: Any, who: str | None = None) -> None:
        E.append_event(self.conn, self.action_id, who or self.actor, "import", entity, entity_id,
                       doc_id, before, after)

    # -- what the ingest calls ---------------------------------------------------------------

    def add_schema(self, ref: str, name: str, version: int, source: str) -> None:
        conn = self._tx()
        row = conn.execute("SELECT source FROM schemas WHERE ref = ?", [ref]).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO schemas (ref, name, version, source, created_at, import_id)"
                " VALUES (?,?,?,?,?,?)", [ref, name, version, source, R.now(), self.action_id])
            self._written()
        elif row[0] != source:
            raise ImportConflict(
                f"schema {ref} is already in the database with different content;"
                " give the changed schema a new version"
            )

    def has_document(self, doc_id: str) -> str | None:
        """The stored SHA-256 of doc_id, or None."""
        sql = f"SELECT sha256 FROM {R.DOC_CARD} WHERE id = ?"
        row = self._tx().execute(sql, [doc_id]).fetchone()
        return row[0] if row else None

    def document_length(self, doc_id: str) -> int | None:
        sql = f"SELECT length FROM {R.DOC_CARD} WHERE id = ?"
        row = self._tx().execute(sql, [doc_id]).fetchone()
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
            " created_at, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [doc.id, self._next_seq, doc.title, doc.text, doc.sha256, len(doc.text),
             R.dumps(doc.meta), doc.schema or None, R.now(), self.action_id],
        )
        self._next_seq += 1
        self._mine.add(doc.id)
        self._event("document", doc.id, doc.id, None,
                    {"id": doc.id, "sha256": doc.sha256, "title": doc.title})
        self.counts["documents"] += 1
        self._written(len(doc.text))
        return True

    def span_ids(self, ids: list[str]) -> set[str]:
        """Which of these span ids already exist (for link validation)."""
        return set(self.span_info(ids))

    def span_info(self, ids: list[str]) -> dict[str, tuple[str, str, str]]:
        """span id -> (doc_id, annotator, label) for the ids that exist (link validation)."""
        found: dict[str, tuple[str, str, str]] = {}
        conn = self._tx()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            for id_, doc_id, who, label in conn.execute(
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
        """Make the writes of one record all-or-nothing inside the import (--skip-invalid).
        No batch ends inside one."""
        self._savepoints += 1
        name = f"record_{self._savepoints}"
        self._tx().execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1
        self.conn.execute(f"RELEASE {name}")
        self._written()

    def add_annotation_set(self, doc_id: str, annotator: str, spans: list[Span],
                           links: list[Link], status: Status | None,
                           strict: bool = False, decisions: Sequence[Decision] = ()) -> None:
        """Add one annotator's spans and links on one document (skipping identical ones);
        `decisions`: the gold set's review decisions (provenance, reasons, rejects).

        strict: an id this session already wrote is an ImportConflict (a duplicate in the
        input), even when the content is the same."""
        conn = self._tx()
        self._ensure_annotator(annotator)
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
        new_decisions = self._new_rows(
            "decision", [R.decision_to_row(d) for d in decisions],
            ("doc_id", "key", "entity", "kind", "target", "provenance", "reason"), ts, strict)
        if new_decisions:
            self._event("decisions", key, doc_id, None, new_decisions, annotator)
        self.counts["spans"] += len(new_spans)
        self.counts["spans_same"] += len(spans) - len(new_spans)
        self.counts["links"] += len(new_links)
        self.counts["links_same"] += len(links) - len(new_links)
        if status is None and (new_spans or new_links):
            status = Status.IN_PROGRESS
        if status is not None:
            self._set_status(conn, doc_id, annotator, status, ts)
        self._written()

    def _set_status(self, conn: sqlite3.Connection, doc_id: str, annotator: str,
                    status: Status, ts: str) -> None:
        """On a document of this import: written now (hidden with it). On a document readers
        see: kept for the import's last transaction."""
        pair = (doc_id, annotator)
        mine = doc_id in self._mine
        before = self._staged.get(pair) if pair in self._staged else \
            R.status_of(conn, doc_id, annotator)
        if not _status_changes(before, str(status)):
            return
        after = R.status_row(doc_id, annotator, status, ts)
        if mine:
            R.put_row(conn, "status", before, after, self.action_id)
            self._event("status", R.entity_key("status", after), doc_id, before, after,
                        annotator)
        else:
            self._staged[pair] = after
        self.counts["statuses"] += 1

    def _new_rows(self, entity: str, rows: list[dict[str, Any]], compare: tuple[str, ...],
                  ts: str, strict: bool = False) -> list[dict[str, Any]]:
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
        R.insert_many(self.conn, entity, rows, or_ignore=True, import_id=self.action_id)
        if self.conn.total_changes - changes == len(rows):
            return rows  # a first import: every row was new (no second look, no savepoint)
        # Some ids were there already: rows above `top` were written just now, the others
        # must match what is stored.
        cols = ", ".join(f'"{c}"' for c in ("rowid", "id", "import_id", *compare))
        existing: dict[str, dict[str, Any]] = {}
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
                if strict and found[2] == self.action_id:
                    raise ImportConflict(f"{entity} id {found[1]} appears twice in this import")
                existing[found[1]] = dict(zip(compare, found[3:], strict=True))
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
            for col in R.JSON_COLS:
                if col in old and isinstance(old[col], str):
                    old[col] = json.loads(old[col])
            if any(old[c] != row[c] for c in compare):
                raise ImportConflict(
                    f"{entity} {rid} is already in the database with different content"
                )
        return out


# -- removing imports that never finished ---------------------------------------------------


def _left_a_trace(conn: sqlite3.Connection, import_id: int) -> bool:
    """Whether the import wrote anything (an event, or a new schema or annotator name)."""
    return any(conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1",
                            [import_id]).fetchone()
               for table, column in (("events", "action_id"), ("schemas", "import_id"),
                                     ("annotators", "import_id")))


def _forget(conn: sqlite3.Connection, import_id: int) -> None:
    """Remove an import's own rows (imports, actions) once nothing else of it is left."""
    conn.execute("UPDATE imports SET state = 'abandoned', finished_at = ? WHERE id = ?"
                 " AND state = 'running'", [R.now(), import_id])
    conn.execute("DELETE FROM actions WHERE id = ?", [import_id])
    conn.execute("DELETE FROM imports WHERE id = ?", [import_id])


def discard_unfinished(store: Store) -> None:
    """Remove every import that is not done. Only while holding the import lock: then none of
    them is running (their process died, or failed before cleaning up)."""
    for (import_id,) in store.query("SELECT id FROM imports WHERE state != 'done'"):
        discard(store, import_id)


def discard(store: Store, import_id: int) -> None:
    """Delete what an unfinished import wrote, newest first, in short transactions (foreign
    keys off: every row deleted belongs to it, and nothing visible points to a hidden row)."""
    with store.write() as conn:
        conn.execute("UPDATE imports SET state = 'abandoned', finished_at = ? WHERE id = ?"
                     " AND state = 'running'", [R.now(), import_id])
        row = conn.execute("SELECT first_seq FROM imports WHERE id = ?", [import_id]).fetchone()
    if row is None:
        return
    while True:
        with _without_foreign_keys(store), store.write() as conn:
            events = conn.execute(
                "SELECT seq, entity, entity_id, doc_id, after FROM events WHERE action_id = ?"
                " ORDER BY seq DESC LIMIT ?", [import_id, DISCARD_CHUNK]).fetchall()
            for _, entity, entity_id, doc_id, after in events:
                _undo_import_event(conn, import_id, entity, entity_id, doc_id, after)
            if events:
                conn.execute("DELETE FROM events WHERE action_id = ? AND seq >= ?",
                             [import_id, events[-1][0]])
                continue
            # rows without an event (none but these, normally)
            conn.execute("DELETE FROM documents WHERE seq >= ? AND import_id = ?",
                         [row[0], import_id])
            for table in ("schemas", "annotators"):
                conn.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])
            _forget(conn, import_id)
            # the seqs of events no one ever saw may be used again: the log has no gap
            conn.execute("UPDATE sqlite_sequence SET seq = (SELECT coalesce(max(seq), 0)"
                         " FROM events) WHERE name = 'events'")
            return


def _undo_import_event(conn: sqlite3.Connection, import_id: int, entity: str, entity_id: str,
                       doc_id: str | None, after: str | None) -> None:
    if entity in R.BULK:
        ids = [row["id"] for row in json.loads(after or "[]")]
        table = R.TABLES[R.BULK[entity]][0]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            conn.execute(f"DELETE FROM {table} WHERE import_id = ? AND id IN ({marks})",
                         [import_id, *chunk])
    elif entity == "status":
        who = entity_id.split("\x1f", 1)[1]
        conn.execute("DELETE FROM statuses WHERE import_id = ? AND doc_id = ? AND annotator = ?",
                     [import_id, doc_id, who])
    elif entity == "document":
        conn.execute("DELETE FROM documents WHERE import_id = ? AND id = ?", [import_id, doc_id])


@contextmanager
def _without_foreign_keys(store: Store) -> Iterator[None]:
    with store.lock:
        store.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            store.conn.execute("PRAGMA foreign_keys = ON")
