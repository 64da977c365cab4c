"""New databases for tests, copied from one migrated empty file made once per test process: a
new file runs every migration (about 70 ms of CPU), a copy of one takes about 1 ms, and the
suite makes a thousand of them (each `store` fixture, each hypothesis example). The TUI tests'
documents (the `documents` mark) are imported once per process too, into a template of their
own for each set of documents: a copy instead of an import (15-30 ms, 0.5 s for a 1 MB one).

The tests of creating and migrating a database (test_migrations.py, the store's open tests)
make their files themselves."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from annotator.store import Store

_TEMPLATES: dict[str, Path] = {}


def template(name: str = "empty", fill: Callable[[Store], object] | None = None) -> Path:
    """The migrated database file `name`, empty or as `fill` leaves it (made on first use)."""
    if name not in _TEMPLATES:
        folder = tempfile.mkdtemp(prefix="annotator-template-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / f"{name}.db"
        with Store(path) as store:
            if fill is not None:
                fill(store)
        assert not Path(f"{path}-wal").exists()  # all of it is in the one file
        _TEMPLATES[name] = path
    return _TEMPLATES[name]


def new_db(path: Path, name: str = "empty", fill: Callable[[Store], object] | None = None
           ) -> Path:
    """`path`, a new database as `Store(path)` would create it, empty or (for a new `name`)
    as `fill` leaves it: the same `name` must always mean the same `fill`."""
    if path.exists():
        raise FileExistsError(path)
    shutil.copyfile(template(name, fill), path)
    return path


def new_store(path: Path, name: str = "empty", fill: Callable[[Store], object] | None = None
              ) -> Store:
    """Store(path) for a path that does not exist yet, without running the migrations (or,
    with `name` and `fill`, the import `fill` makes: see new_db)."""
    return Store(new_db(path, name, fill))
