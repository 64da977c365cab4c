"""The file an export writes (`export -o PATH`): checked, then written atomically.

Never the database or one of its companions, never another SQLite file, never through a
symbolic link; an existing file only with force (keeping its mode). A named pipe, a character
device or /dev/stdout is written into as it is. Anything else is written to a temporary file in
the same folder, flushed to disk and renamed into place: an error or Ctrl-C leaves the target
as it was.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from annotator import file_kinds

_TEXT: dict[str, Any] = {"encoding": "utf-8", "newline": "\n"}
# What a shell or a process hands over as a path to an open file: write to that file descriptor
_FD_PATH = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")
_STD = {"/dev/stdout": 1, "/dev/stderr": 2}


class OutputRefused(Exception):
    """The output path must not be written (a user-facing message that names it)."""


class OutputExists(OutputRefused):
    """The output path is an existing file and replacing it was not asked for."""


def open_descriptor(path: str | Path) -> int | None:
    """The file descriptor a path such as /dev/stdout or /dev/fd/3 stands for, else None."""
    name = os.path.abspath(path)
    if name in _STD:
        return _STD[name]
    match = _FD_PATH.fullmatch(name)
    return int(match.group(1)) if match else None


def refuse_database_stream(fd: int, database: str | Path | None, what: str) -> None:
    """Refuse to write to an open file descriptor that is the database or a companion
    (`annotator export >> annotations.db`)."""
    try:
        st = os.fstat(fd)
    except OSError:
        return
    if database is not None and stat.S_ISREG(st.st_mode) and (
            part := file_kinds.DatabaseFiles(database).part(what, st)):
        raise OutputRefused(f"{what} is {part}; the export would destroy it")


def check_target(path: str | Path, database: str | Path | None = None,
                 force: bool = False) -> os.stat_result | None:
    """Refuse a path an export must not write; return the stat of the file it would replace
    (None: a new file, or a pipe or device to write into)."""
    name = str(path)
    if name.endswith(("/", os.sep)) or Path(name).name in ("", ".", ".."):
        raise OutputRefused(f"{name} names a folder; give a file name, such as"
                            f" {os.path.join(name, 'export.jsonl')}")
    if database is not None and (part := file_kinds.DatabaseFiles(database).part(name)):
        raise OutputRefused(f"{name} is {part}; the export would destroy it")
    try:
        st = os.lstat(name)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise OutputRefused(f"{name}: {Path(name).parent} is not a folder") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(name)
            through = stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)
        except OSError:
            through = True  # a link to nowhere: writing would create its target
        if through:
            raise OutputRefused(f"{name} is a symbolic link (to {os.readlink(name)}); the export"
                                " does not write through links: give the file's own path")
    if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
        return None  # written into as it is
    if stat.S_ISDIR(st.st_mode):
        raise OutputRefused(f"{name} is a folder; give a file name, such as"
                            f" {os.path.join(name, 'export.jsonl')}")
    if not stat.S_ISREG(st.st_mode):
        raise OutputRefused(f"{name} is {file_kinds.special_kind(st.st_mode)}, not a file")
    try:
        kind = file_kinds.read_kind(name)
    except OSError as exc:
        raise OutputRefused(f"{name}: cannot read it to check that it is not a database"
                            f" ({exc.strerror or exc})") from None
    if kind:
        raise OutputRefused(f"{name} is {kind}; the export never replaces one")
    if base := file_kinds.companion_of(name):
        raise OutputRefused(f"{name} belongs to the SQLite database {base}; the export never"
                            " replaces it")
    if not force:
        raise OutputExists(f"{name} exists; --force replaces it")
    return st


@contextmanager
def atomic_output(path: str | Path, binary: bool = False, force: bool = False,
                  database: str | Path | None = None) -> Iterator[IO[Any]]:
    """A file that appears at `path` only when the block finishes (see the module's doc).

    database: the annotation database, which the export must not touch. force: replace an
    existing regular file (keeping its mode and, where allowed, its owner)."""
    fd = open_descriptor(path)
    if fd is not None:
        refuse_database_stream(fd, database, str(path))
        with os.fdopen(os.dup(fd), "wb" if binary else "w", **({} if binary else _TEXT)) as f:
            yield f
        return
    old = check_target(path, database, force)
    target = Path(path)
    if os.path.exists(target) and old is None:  # a named pipe or a device: write into it
        with target.open("wb" if binary else "w", **({} if binary else _TEXT)) as f:
            yield f
        return
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"there is no folder {str(target.parent)!r}",
                                str(target))
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:  # name the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(target)) from None
    try:
        if old is not None:
            os.fchmod(fd, stat.S_IMODE(old.st_mode))
            with suppress(OSError):  # only root may give a file away
                os.fchown(fd, old.st_uid, old.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        out: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", **_TEXT)
        with out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        _put_in_place(tmp, target, database, force)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)


def _put_in_place(tmp: str, target: Path, database: str | Path | None, force: bool) -> None:
    """Rename the finished file over the target, checking it again (it may have changed while
    the export ran); without force, never over a file that appeared meanwhile."""
    if force:
        check_target(target, database, force=True)
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the target exists: no window to overwrite one
    except FileExistsError:
        check_target(target, database, force=False)  # says what is there
        raise
    except OSError:  # a file system without hard links
        check_target(target, database, force=False)
        os.replace(tmp, target)
        return
    os.unlink(tmp)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash right after it must not lose the file)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
