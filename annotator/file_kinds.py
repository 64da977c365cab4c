"""What a path named on the command line is, beyond "a file": an SQLite database (by its
first bytes), the annotation database or one of its -wal, -shm and -journal companions (by
identity, under any name), a named pipe or a device. So that no command writes over a database
or reads one (or a pipe) as a document."""

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


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
              (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def not_text(head: bytes) -> str | None:
    """Why a file starting with `head` is not UTF-8 text at all (an SQLite database, UTF-16 or
    UTF-32 with or without a byte-order mark), or None. Bad bytes further on are found by the
    decoder, with their line."""
    if kind := content_kind(head):
        return f"this is {kind}, not text"
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return (f"this is {name} text (it starts with a {name} byte-order mark);"
                    " save it as UTF-8")
    sample = head[:4096]
    # UTF-16 ASCII letters are a letter and a NUL; valid UTF-8, but NUL-interleaved garbage
    for part in (sample[0::2], sample[1::2]):
        if part and part.count(0) >= max(2, len(part) * 0.3):
            return ("NUL bytes between the letters: this looks like UTF-16 or UTF-32 text"
                    " without a byte-order mark; save it as UTF-8")
    return None


def special_kind(mode: int) -> str | None:
    """What a file that is neither a regular file, a folder nor a link is, from its st_mode."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    return "a special file"


class DatabaseFiles:
    """The annotation database and its companions, recognised under any name: by identity
    (st_dev, st_ino: hard links, symbolic links, relative paths), and a companion that does not
    exist yet by its name next to the database."""

    def __init__(self, database: str | Path) -> None:
        self.db = Path(database)
        parts = {"": "the database"} | {s: f"the database's {what}"
                                        for s, what in COMPANIONS.items()}
        self.by_id: dict[tuple[int, int], str] = {}
        for suffix, what in parts.items():
            try:
                st = os.stat(self.db.with_name(self.db.name + suffix))
            except (OSError, ValueError):
                continue
            self.by_id[(st.st_dev, st.st_ino)] = what
        self.by_name = {self.db.name + s: parts[s] for s in COMPANIONS}

    def part(self, path: str | Path, st: os.stat_result | None = None) -> str | None:
        """What `path` (or the open file whose fstat is `st`) is of the database, or None."""
        if st is None:
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                st = None
        if st is not None and (what := self.by_id.get((st.st_dev, st.st_ino))):
            return what
        what = self.by_name.get(Path(path).name)
        if what and _same_folder(Path(path), self.db):
            return what
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
