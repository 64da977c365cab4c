"""New databases for tests, copied from one migrated empty file made once per test process: a
new file runs every migration (about 70 ms of CPU), a copy of one takes about 1 ms, and the
suite makes a thousand of them (each `store` fixture, each hypothesis example).

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


def new_db(path: Path) -> Path:
    """`path`, a new empty database as `Store(path)` would create it."""
    if path.exists():
        raise FileExistsError(path)
    shutil.copyfile(template(), path)
    return path


def new_store(path: Path) -> Store:
    """Store(path) for a path that does not exist yet, without running the migrations."""
    return Store(new_db(path))
