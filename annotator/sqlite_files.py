"""Recognise SQLite files (by content) and the annotation database with its -wal, -shm and
-journal companions (by identity), so that no command writes over one or reads one as text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 database
WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")  # a write-ahead log's first 4 bytes
COMPANIONS = {"-wal": "write-ahead log", "-shm": "shared-memory index",
              "-journal": "rollback journal"}


def content_kind(head: bytes) -> str | None:
    """"an SQLite database" or "an SQLite write-ahead log" from a file's first bytes, else None."""
    if head.startswith(HEADER):
        return "an SQLite database"
    if head[:4] in WAL_MAGIC:
        return "an SQLite write-ahead log"
    return None


def read_kind(path: str | Path) -> str | None:
    """content_kind of the file at `path` (None when it is not a regular file)."""
    with open(path, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        return content_kind(f.read(len(HEADER)))


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def database_part(path: str | Path, database: str | Path | None,
                  st: os.stat_result | None = None) -> str | None:
    """What `path` is of the database: "the database", "the database's write-ahead log" (-wal),
    ... (also through hard links, symbolic links and relative paths), or None.

    st: the stat of what `path` names, if known (e.g. an open file's fstat); a companion that
    does not exist yet is recognised by its name next to the database."""
    if database is None:
        return None
    db = Path(database)
    if st is None:
        try:
            st = os.stat(path)
        except OSError:
            st = None
    for suffix, name in (("", "the database"),
                         *((s, f"the database's {what}")
                           for s, what in COMPANIONS.items())):
        part = db.with_name(db.name + suffix)
        try:
            if st is not None and _same(st, os.stat(part)):
                return name
        except OSError:
            pass
        if suffix and _same_folder(Path(path), db) and Path(path).name == part.name:
            return name
    return None


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a.parent, b.parent)
    except OSError:
        return False


def companion_of(path: str | Path) -> str | None:
    """The database `path` is the -wal, -shm or -journal of, when that database exists."""
    p = Path(path)
    for suffix in COMPANIONS:
        if p.name.endswith(suffix) and len(p.name) > len(suffix):
            base = p.with_name(p.name[: -len(suffix)])
            try:
                if read_kind(base) == "an SQLite database":
                    return str(base)
            except OSError:
                pass
    return None
