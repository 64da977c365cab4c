"""The SQLite store: the only place that speaks SQL. One transaction per user action."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.model import Document, DocumentSummary, Link, Span, Status
from annotator.store import migrations
from annotator.store import rows as R
from annotator.store.changes import Changed, Entity, typed

if TYPE_CHECKING:
    from annotator.store.importer import ImportSession

BUSY_TIMEOUT_MS = 15_000
POLL_SECONDS = 0.001  # how often a writer asks for the write lock while another holds it


class StoreError(Exception):
    """An action the store refused (a user-facing message)."""


class NewerDatabaseError(sqlite3.DatabaseError):
    """The file was written by a newer annotator: this one must not write (or migrate) it."""


# A running import's link or attribute points to the span: it would point nowhere once the
# import is done.
IMPORT_REFERS = ("an import that is still running refers to this span; delete it when the"
                 " import has finished")


def _busy(err: sqlite3.OperationalError) -> bool:
    return "locked" in str(err) or "busy" in str(err)


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


def cannot_write(err: sqlite3.Error) -> bool:
    """The file (or its directory, for the -wal and -shm files) cannot be written."""
    name = getattr(err, "sqlite_errorname", "")
    return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) or "readonly" in str(err)


class Store:
    """A connection to one annotation database file, safe to share between threads.

    With read_only_ok, a file that cannot be written (a read-only file, directory or mount)
    opens for reading, and `read_only` says so; otherwise such a file raises at once or on
    the first write."""

    def __init__(self, path: str | Path, *, read_only_ok: bool = False) -> None:
        self.path = str(path)
        self.read_only = False
        self._lock = threading.RLock()
        # who acts through this connection, when not the annotator whose set changes (a lead
        # importing for others; the identity of an SSH session): recorded in actions.actor
        self.actor: str | None = None
        try:
            self._connect(self.path)
        except sqlite3.OperationalError as err:
            if not (read_only_ok and cannot_write(err)):
                raise
            self._open_read_only(err)
        else:
            if read_only_ok and self.path != ":memory:" and not self._can_write():
                self.read_only = True

    def _connect(self, target: str, uri: bool = False) -> None:
        self.conn = sqlite3.connect(
            target, isolation_level=None, check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000, uri=uri,
        )
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            # before WAL, which would change the file for good, and before any write
            needs_migrating = self._inspect()
            if self.read_only:
                if needs_migrating:
                    raise sqlite3.DatabaseError("it needs an upgrade, and it is read-only here")
                return
            if self.path != ":memory:":
                self._retry(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
            self.conn.execute("PRAGMA synchronous = NORMAL")
            if needs_migrating:
                with self.write():  # one process migrates; the others then find nothing to do
                    if self._inspect():  # asked again under the lock: another may have
                        migrations.apply(self.conn)
        except BaseException:
            self.conn.close()
            raise

    def _open_read_only(self, why: sqlite3.OperationalError) -> None:
        """Read a file we cannot write. A WAL database needs its -shm file: `mode=ro` makes do
        with existing ones; in a read-only directory without them only `immutable` reads it,
        which would miss what an unfinished -wal file holds (then it refuses)."""
        self.read_only = True
        uri = Path(self.path).resolve().as_uri()
        wal = Path(self.path + "-wal")
        modes = ["?mode=ro"] + ([] if wal.exists() and wal.stat().st_size else
                                ["?mode=ro&immutable=1"])
        for mode in modes:
            try:
                self._connect(uri + mode, uri=True)
                return
            except sqlite3.OperationalError as err:
                if not cannot_write(err):
                    raise
        raise why

    def _can_write(self) -> bool:
        """Whether a write would be accepted, tried without waiting and without writing."""
        with self._lock:
            self.conn.execute("PRAGMA busy_timeout = 0")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    self.conn.execute("DELETE FROM ui_state WHERE 0")
                finally:
                    self.conn.execute("ROLLBACK")
            except sqlite3.OperationalError as err:
                return not cannot_write(err)  # busy: someone else is writing it, so can we
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return True

    def _inspect(self) -> bool:
        """Refuse a file that is not ours to write; say whether a migration is missing. Asked
        with plain sqlite3: sqlite-utils is imported only to migrate (it costs start-up time,
        and an existing database rarely needs it)."""
        try:
            master = self.conn.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
        except sqlite3.OperationalError as err:  # busy: a new file being made; migrate, locked
            if _busy(err):
                return True
            raise
        tables = {name for kind, name in master if kind == "table"}
        if not tables:
            return True
        if "documents" not in tables:  # another program's database: not ours to add tables to
            raise sqlite3.DatabaseError(
                f"it holds another program's tables: {', '.join(sorted(tables)[:5])}")
        applied: set[str] = set()
        if "_sqlite_migrations" in tables:
            applied = {r[0] for r in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                [migrations.MIGRATION_SET])}
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        known = migrations.SCHEMA_VERSION
        if version > known or not applied <= set(migrations.NAMES):
            raise NewerDatabaseError(
                f"DB was written by a newer annotator (schema {max(version, len(applied))},"
                f" this one knows up to {known}); upgrade annotator")
        if not applied.issuperset(migrations.NAMES):
            return True
        if missing := migrations.TRIGGERS - {name for kind, name in master if kind == "trigger"}:
            gone = ", ".join(sorted(missing))
            raise sqlite3.DatabaseError(
                f"the triggers that keep its logs append-only are gone ({gone}): it was changed"
                " by another program, and its event log may have been rewritten; restore a"
                " backup")
        return False

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------

    @staticmethod
    def _retry(fn: Any, attempts: int = 40) -> Any:
        for attempt in range(attempts):
            try:
                return fn()
            except sqlite3.OperationalError as err:
                msg = str(err)
                if ("locked" not in msg and "busy" not in msg) or attempt == attempts - 1:
                    raise
                time.sleep(min(0.5, 0.01 * 2**attempt))
        return None

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, asking for the write lock every millisecond while another writer
        holds it (for up to BUSY_TIMEOUT_MS). SQLite's own busy handler sleeps longer and
        longer between tries (up to 100 ms) and would miss the short gaps an import leaves
        between its batches (store/importer.py) again and again."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as err:
                    if not _busy(err) or time.monotonic() >= deadline:
                        raise
                time.sleep(POLL_SECONDS)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short IMMEDIATE transaction: waits for other writers, never fails half-way."""
        with self._lock:
            self._begin()
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                try:
                    self._retry(lambda: self.conn.execute("COMMIT"))
                except BaseException:
                    # A failed COMMIT (e.g. a deferred foreign key) leaves the transaction open,
                    # holding the write lock against every other annotator: end it.
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction around a stream of queries: each sees the database as the
        first did, so an import that finishes meanwhile shows in all of them or none (its
        events, made visible at once, have seqs from when they were written). Writing on this
        connection meanwhile is not possible: for exports, not for the TUI."""
        with self._lock:
            own = not self.conn.in_transaction
            if own:
                self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if own:
                with self._lock:
                    if self.conn.in_transaction:
                        self.conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.conn.execute(sql, list(params)).fetchall()

    # -- schemas and documents ------------------------------------------------------------

    def schema_source(self, ref: str) -> str | None:
        rows = self._query(f"SELECT source FROM schemas WHERE ref = ? AND {R.VISIBLE}", [ref])
        return rows[0][0] if rows else None

    def schema_refs(self) -> list[str]:
        return [r[0] for r in self._query(
            f"SELECT ref FROM schemas WHERE {R.VISIBLE} ORDER BY created_at, ref")]

    def document_schema_ref(self, doc_id: str) -> str | None:
        rows = self._query(
            f"SELECT schema_ref FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}", [doc_id])
        return rows[0][0] if rows else None

    def get_document(self, doc_id: str) -> Document | None:
        rows = self._query(
            "SELECT id, text, title, sha256, meta, schema_ref FROM documents WHERE id = ?"
            f" AND {R.DOC_VISIBLE}", [doc_id]
        )
        if not rows:
            return None
        id_, text, title, sha, meta, schema = rows[0]
        return Document(id_, text, title, sha, json.loads(meta), schema or "")

    def document_length(self, doc_id: str) -> int | None:
        rows = self._query(
            f"SELECT length FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}", [doc_id])
        return rows[0][0] if rows else None

    def document_ids(self) -> list[str]:
        return [r[0] for r in self._query(
            f"SELECT id FROM documents WHERE {R.DOC_VISIBLE} ORDER BY seq")]

    def documents(self) -> list[DocumentSummary]:
        """Every document with each annotator's status and span count (no text loaded)."""
        statuses: dict[str, dict[str, Status]] = {}
        for doc_id, who, status in self._query(
            f"SELECT doc_id, annotator, status FROM statuses WHERE {R.VISIBLE}"
        ):
            statuses.setdefault(doc_id, {})[who] = Status(status)
        counts: dict[str, dict[str, int]] = {}
        for doc_id, who, n in self._query(
            f"SELECT doc_id, annotator, count(*) FROM spans WHERE {R.VISIBLE}"
            " GROUP BY doc_id, annotator"
        ):
            counts.setdefault(doc_id, {})[who] = n
        return [
            DocumentSummary(id_, title, length, statuses.get(id_, {}), counts.get(id_, {}))
            for id_, title, length in self._query(
                f"SELECT id, title, length FROM documents WHERE {R.DOC_VISIBLE} ORDER BY seq"
            )
        ]

    def next_document(self, annotator: str, after: str | None = None) -> str | None:
        """The first document (in import order, after `after` if given) not done by annotator:
        on a team, the annotator's assigned documents first, others only where allowed."""
        from annotator.store import team

        seq = -1
        if after is not None:
            rows = self._query(f"SELECT seq FROM {R.DOC_CARD} WHERE id = ?", [after])
            seq = rows[0][0] if rows else -1
        assigned = team.next_assigned(self, annotator, seq)
        if assigned is not None:
            return assigned or None
        sql = (
            "SELECT d.id FROM documents d LEFT JOIN statuses s"
            " ON s.doc_id = d.id AND s.annotator = ?"
            " WHERE (s.status IS NULL OR s.status != 'done') AND d.seq > ?"
            f" AND d.{R.DOC_VISIBLE} ORDER BY d.seq LIMIT 1"
        )
        rows = self._query(sql, [annotator, seq])
        if not rows and after is not None:
            rows = self._query(sql, [annotator, -1])
        return rows[0][0] if rows else None

    def progress(self, annotator: str) -> tuple[int, int]:
        """(documents done by annotator, documents in all)."""
        done = self._query(
            "SELECT count(*) FROM statuses WHERE annotator = ? AND status = 'done'"
            f" AND {R.VISIBLE}", [annotator]
        )[0][0]
        total = self._query(f"SELECT count(*) FROM documents WHERE {R.DOC_VISIBLE}")[0][0]
        return done, total

    def last_event_seq(self) -> int:
        """The newest event's seq (0 with none): a cheap change counter, as every committed
        action logs at least one event."""
        return int(self._query("SELECT coalesce(max(seq), 0) FROM events")[0][0])

    def progress_all(self, since: str) -> dict[str, tuple[int, int, int]]:
        """Per annotator: (documents in progress, documents done, spans of theirs created at
        or after `since`, an ISO timestamp)."""
        out: dict[str, list[int]] = {}
        for who, status, n in self._query(
                f"SELECT annotator, status, count(*) FROM statuses WHERE {R.VISIBLE}"
                " GROUP BY annotator, status"):
            row = out.setdefault(who, [0, 0, 0])
            if status in ("in_progress", "done"):
                row[0 if status == "in_progress" else 1] = n
        for who, n in self._query(
                f"SELECT annotator, count(*) FROM spans WHERE created_at >= ? AND {R.VISIBLE}"
                " GROUP BY annotator", [since]):
            out.setdefault(who, [0, 0, 0])[2] = n
        return {who: (r[0], r[1], r[2]) for who, r in out.items()}

    # -- annotation reads -----------------------------------------------------------------

    _SPAN_COLS = 'id, doc_id, annotator, start, "end", label, attrs, origin, created_at, updated_at'
    _LINK_COLS = "id, annotator, type, from_span, to_span, from_doc, to_doc, created_at"

    def spans(self, doc_id: str, annotator: str) -> list[Span]:
        return [
            R.span_from_row(r)
            for r in self._query(
                f"SELECT {self._SPAN_COLS} FROM spans WHERE doc_id = ? AND annotator = ?"
                f' AND {R.VISIBLE} ORDER BY start, "end", label, id',
                [doc_id, annotator],
            )
        ]

    def span(self, span_id: str) -> Span | None:
        rows = self._query(
            f"SELECT {self._SPAN_COLS} FROM spans WHERE id = ? AND {R.VISIBLE}", [span_id])
        return R.span_from_row(rows[0]) if rows else None

    def links(self, annotator: str, doc_ids: Iterable[str] | None = None) -> list[Link]:
        """The annotator's links touching any of doc_ids (all of them when None)."""
        if doc_ids is None:
            return [
                R.link_from_row(r)
                for r in self._query(
                    f"SELECT {self._LINK_COLS} FROM links WHERE annotator = ? AND {R.VISIBLE}"
                    " ORDER BY type, from_span, to_span, id", [annotator]
                )
            ]
        ids = list(doc_ids)
        marks = ", ".join("?" for _ in ids)
        return [
            R.link_from_row(r)
            for r in self._query(
                f"SELECT {self._LINK_COLS} FROM links WHERE annotator = ? AND {R.VISIBLE}"
                f" AND (from_doc IN ({marks}) OR to_doc IN ({marks}))"
                " ORDER BY type, from_span, to_span, id",
                [annotator, *ids, *ids],
            )
        ]

    def status(self, doc_id: str, annotator: str) -> Status:
        rows = self._query(
            f"SELECT status FROM statuses WHERE doc_id = ? AND annotator = ? AND {R.VISIBLE}",
            [doc_id, annotator]
        )
        return Status(rows[0][0]) if rows else Status.TODO

    def annotators(self) -> list[str]:
        return [r[0] for r in self._query(
            f"SELECT name FROM annotators WHERE {R.VISIBLE} ORDER BY name")]

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
        if kind == "do":  # a new action ends every redo branch
            conn.execute(
                "UPDATE actions SET state = 'dead' WHERE annotator = ? AND state = 'undone'",
                [annotator],
            )
        cur = conn.execute(
            "INSERT INTO actions (annotator, kind, name, target, state, stack_seq, created_at,"
            " actor) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            [annotator, kind, name, target, "done" if kind == "do" else "meta", R.now(),
             self.actor or annotator],
        )
        action_id = int(cur.lastrowid or 0)
        if kind == "do":
            conn.execute("UPDATE actions SET stack_seq = id WHERE id = ?", [action_id])
        return action_id

    def _log(self, conn: sqlite3.Connection, result: ActionResult, annotator: str, entity: Entity,
             before: dict[str, Any] | None, after: dict[str, Any] | None,
             action: str | None = None) -> None:
        row = after or before
        assert row is not None
        R.put_row(conn, entity, before, after)
        conn.execute(
            "INSERT INTO events (ts, annotator, action_id, action, entity, entity_id, doc_id,"
            " before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [R.now(), annotator, result.action_id, action or result.name, entity,
             R.entity_key(entity, row), row.get("doc_id") or row.get("from_doc"),
             None if before is None else R.dumps(before),
             None if after is None else R.dumps(after)],
        )
        result.changes.append(Change(entity, before, after))

    def _status_row(self, conn: sqlite3.Connection, doc_id: str, annotator: str) -> dict[str,
                    Any] | None:
        """The status row as this connection's transaction sees it (an import sees its own
        hidden rows; an annotator's action only ever reaches visible documents)."""
        r = conn.execute(
            "SELECT doc_id, annotator, status, updated_at FROM statuses"
            " WHERE doc_id = ? AND annotator = ?", [doc_id, annotator]
        ).fetchone()
        return dict(zip(R.TABLES["status"][2], r, strict=True)) if r else None

    def _touch_status(self, conn: sqlite3.Connection, result: ActionResult, doc_id: str,
                      annotator: str) -> None:
        """The first action on a document puts it in progress. (Every span and link action
        comes here: an annotator's work on a document not assigned to them is refused here when
        the project allows no unassigned work.)"""
        from annotator.store import team

        team.refuse_unassigned(conn, annotator, doc_id)
        before = self._status_row(conn, doc_id, annotator)
        if before is None or before["status"] == Status.TODO:
            after = R.status_row(doc_id, annotator, Status.IN_PROGRESS, R.now())
            self._log(conn, result, annotator, "status", before, after)

    def _span_row(self, conn: sqlite3.Connection, span_id: str) -> dict[str, Any] | None:
        r = conn.execute(f"SELECT {self._SPAN_COLS} FROM spans WHERE id = ? AND {R.VISIBLE}",
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
        with self.write() as conn:
            self._check_range(conn, doc_id, start, end)
            result = ActionResult(self._begin_action(conn, annotator, "do", "add_span"), "add_span")
            ts = R.now()
            span = Span(new_id(), doc_id, annotator, start, end, label, dict(attrs or {}), origin,
                        ts, ts)
            self._log(conn, result, annotator, "span", None, R.span_to_row(span))
            self._touch_status(conn, result, doc_id, annotator)
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
            for r in conn.execute(
                f"SELECT {self._LINK_COLS} FROM links WHERE (from_span = ? OR to_span = ?)"
                f" AND {R.VISIBLE} ORDER BY id", [span_id, span_id]
            ).fetchall():
                self._log(conn, result, annotator, "link", R.link_to_row(R.link_from_row(r)), None)
            self._unset_references(conn, result, annotator, before)
            self._log(conn, result, annotator, "span", before, None)
            self._touch_status(conn, result, before["doc_id"], annotator)
            return result

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
            f"SELECT {self._SPAN_COLS}, import_id IN {R.UNFINISHED} FROM spans"
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
            self._touch_status(conn, result, a["doc_id"], annotator)
            return result

    def delete_link(self, annotator: str, link_id: str) -> ActionResult:
        with self.write() as conn:
            r = conn.execute(f"SELECT {self._LINK_COLS} FROM links WHERE id = ?", [link_id])
            row = r.fetchone()
            if row is None or row[1] != annotator:
                raise StoreError("that link no longer exists")
            result = ActionResult(
                self._begin_action(conn, annotator, "do", "delete_link"), "delete_link"
            )
            self._log(conn, result, annotator, "link", R.link_to_row(R.link_from_row(row)), None)
            return result

    def set_status(self, annotator: str, doc_id: str, status: Status) -> ActionResult:
        with self.write() as conn:
            if conn.execute(f"SELECT 1 FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}",
                            [doc_id]).fetchone() is None:
                raise StoreError(f"no document {doc_id!r}")
            from annotator.store import team

            team.refuse_unassigned(conn, annotator, doc_id)
            before = self._status_row(conn, doc_id, annotator)
            if before is not None and before["status"] == status:
                return ActionResult(0, "set_status")
            result = ActionResult(
                self._begin_action(conn, annotator, "do", "set_status"), "set_status"
            )
            self._log(conn, result, annotator, "status", before,
                      R.status_row(doc_id, annotator, status, R.now()))
            return result

    # -- undo / redo: new events that invert or repeat an earlier action ------------------

    def _stack_top(self, conn: sqlite3.Connection, annotator: str, state: str) -> int | None:
        r = conn.execute(
            "SELECT id FROM actions WHERE annotator = ? AND state = ? AND kind = 'do'"
            " ORDER BY stack_seq DESC LIMIT 1", [annotator, state]
        ).fetchone()
        return r[0] if r else None

    def _replay_action(self, annotator: str, kind: str) -> ActionResult | None:
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
                    raise StoreError(f"cannot {kind}: the {entity} was changed elsewhere since")
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
            return self._status_row(conn, row["doc_id"], row["annotator"])
        r = conn.execute(f"SELECT {self._LINK_COLS} FROM links WHERE id = ?", [row["id"]])
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

    # -- UI state (panes, cursors): per annotator, not annotation data --------------------

    def get_ui_state(self, annotator: str, key: str) -> Any:
        rows = self._query(
            "SELECT value FROM ui_state WHERE annotator = ? AND key = ?", [annotator, key]
        )
        return json.loads(rows[0][0]) if rows else None

    def set_ui_state(self, annotator: str, key: str, value: Any) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO ui_state (annotator, key, value) VALUES (?, ?, ?)",
                [annotator, key, R.dumps(value)],
            )

    # -- the event log --------------------------------------------------------------------

    def events(self, since: int = 0) -> Iterator[dict[str, Any]]:
        """Every event after seq `since`, oldest first, streamed (from one snapshot)."""
        with self._snapshot():
            yield from self._events(since)

    def _events(self, since: int) -> Iterator[dict[str, Any]]:
        last = since
        while True:
            batch = self._query(
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
        """Rebuild span, link and status state from the event log alone."""
        state: dict[str, dict[str, dict[str, Any]]] = {"span": {}, "link": {}, "status": {}}
        for ev in self.events():
            entity = ev["entity"]
            if entity in ("spans", "links"):  # bulk import: after is a list of rows
                single = entity[:-1]
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
            for r in self._query(f"SELECT {self._SPAN_COLS} FROM spans WHERE {R.VISIBLE}")
        }
        links = {
            r[0]: R.link_to_row(R.link_from_row(r))
            for r in self._query(f"SELECT {self._LINK_COLS} FROM links WHERE {R.VISIBLE}")
        }
        statuses = {}
        for r in self._query(
            f"SELECT doc_id, annotator, status, updated_at FROM statuses WHERE {R.VISIBLE}"
        ):
            row = dict(zip(R.TABLES["status"][2], r, strict=True))
            statuses[R.entity_key("status", row)] = row
        return {"span": spans, "link": links, "status": statuses}

    # -- import and export (bulk, streaming) ----------------------------------------------

    def import_session(self, actor: str) -> ImportSession:
        from annotator.store.importer import ImportSession

        return ImportSession(self, actor)

    def annotation_sets(self, annotator: str | None = None, status: Status | None = None
                        ) -> Iterator[tuple[Document, str, Status, list[Span], list[Link]]]:
        """Stream (document, annotator, status, spans, links-from-this-doc) in export order."""
        from annotator.store.exporter import annotation_sets

        return annotation_sets(self, annotator, status)

