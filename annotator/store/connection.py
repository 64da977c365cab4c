"""Opening a database and talking to it: the connection and its pragmas, read-only mode,
migrating on open, refusing a file that is not ours, and the transactions every other part of
the store writes and reads in (write(), begin(), snapshot(), query())."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from annotator.store import migrations

T = TypeVar("T")

BUSY_TIMEOUT_MS = 15_000
POLL_SECONDS = 0.001  # how often a writer asks for the write lock while another holds it


class NewerDatabaseError(sqlite3.DatabaseError):
    """The file was written by a newer annotator: this one must not write (or migrate) it."""


def _busy(err: sqlite3.OperationalError) -> bool:
    return "locked" in str(err) or "busy" in str(err)


def cannot_write(err: sqlite3.Error) -> bool:
    """The file (or its directory, for the -wal and -shm files) cannot be written."""
    name = getattr(err, "sqlite_errorname", "")
    return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) or "readonly" in str(err)


class Connection:
    """A connection to one annotation database file, safe to share between threads.

    With read_only_ok, a file that cannot be written (a read-only file, directory or mount)
    opens for reading, and `read_only` says so; otherwise such a file raises at once or on
    the first write."""

    def __init__(self, path: str | Path, *, read_only_ok: bool = False) -> None:
        self.path = str(path)
        self.read_only = False
        # held around every use of conn (it is shared between threads); a module that runs
        # its own transaction (importer.py) holds it from begin() to COMMIT or ROLLBACK
        self.lock = threading.RLock()
        # who acts through this connection, when not the annotator whose set changes (a lead
        # importing for others; the identity of an SSH session): recorded in actions.actor
        self.actor: str | None = None
        # the session acting through this connection (a TUI, an SSH session): its actions
        # make its own undo stack (actions.session); None: no session (the CLI, scripts)
        self.session: str | None = None
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
                self.retry(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
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
        with self.lock:
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
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions: public, for every module of the store (importer, exporter, team...) --

    @staticmethod
    def retry(fn: Callable[[], T], attempts: int = 40) -> T | None:
        """fn(), tried again (backing off up to 0.5 s) while the database is locked or busy."""
        for attempt in range(attempts):
            try:
                return fn()
            except sqlite3.OperationalError as err:
                msg = str(err)
                if ("locked" not in msg and "busy" not in msg) or attempt == attempts - 1:
                    raise
                time.sleep(min(0.5, 0.01 * 2**attempt))
        return None

    def begin(self) -> None:
        """BEGIN IMMEDIATE (the caller holds `lock` and ends the transaction itself; write()
        does both), asking for the write lock every millisecond while another writer
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
        with self.lock:
            self.begin()
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                try:
                    self.retry(lambda: self.conn.execute("COMMIT"))
                except BaseException:
                    # A failed COMMIT (e.g. a deferred foreign key) leaves the transaction open,
                    # holding the write lock against every other annotator: end it.
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction around a stream of queries: each sees the database as the
        first did, so an import that finishes meanwhile shows in all of them or none (its
        events, made visible at once, have seqs from when they were written). Writing on this
        connection meanwhile is not possible: for exports, not for the TUI."""
        with self.lock:
            own = not self.conn.in_transaction
            if own:
                self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if own:
                with self.lock:
                    if self.conn.in_transaction:
                        self.conn.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of one read-only statement (inside a snapshot(), from its snapshot)."""
        with self.lock:
            return self.conn.execute(sql, list(params)).fetchall()
