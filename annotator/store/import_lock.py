"""One import at a time per database file, and a way to tell a killed import from a live one.

The importer holds an exclusive flock(2) on `<database>-import.lock` for its whole length. The
kernel drops it when the process ends, however it ends (kill -9 included), so an import still
marked 'running' in the database while nobody holds the lock was killed: its rows can go.
(A hard link to the database under another name would get another lock file: not supported.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time

POLL_SECONDS = 0.05


class ImportBusy(sqlite3.OperationalError):
    """Another import is running on the same database (a refusal like SQLite's own)."""


class ImportLock:
    def __init__(self, db_path: str) -> None:
        self.path = None if db_path in ("", ":memory:") else os.path.realpath(db_path) + \
            "-import.lock"
        self._fd: int | None = None

    def acquire(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for other imports to finish; ImportBusy if they don't."""
        if self.path is None:  # a private in-memory database: no other process sees it
            return
        deadline = time.monotonic() + timeout
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise ImportBusy(
                        "another import is running on this database; run this one again when"
                        " it has finished") from None
                time.sleep(POLL_SECONDS)
                continue
            if _same_file(fd, self.path):
                self._fd = fd
                return
            os.close(fd)  # the holder removed it as we opened it: lock the new one

    def release(self) -> None:
        """Remove the file (while still holding it, so no one waits on a removed file) and
        drop the lock. A killed import leaves the file; the next one uses it."""
        if self._fd is not None:
            if self.path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
            os.close(self._fd)
            self._fd = None


def _same_file(fd: int, path: str) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)
