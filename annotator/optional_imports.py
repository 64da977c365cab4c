"""Importing a library without the optional extras it would import whenever they are
installed: lemminflect imports spaCy (0.9 s) to add token extensions, sqlite-utils imports
pandas and numpy (0.45 s) to store their values; this tool uses none of them. Loading them
costs start-up time and tens of thousands of objects that every full garbage collection of the
TUI walks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _Hidden:
    """An import finder that says the named packages are not installed."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".", 1)[0] in self.names:
            raise ModuleNotFoundError(f"{name} is not loaded for this import", name=name)


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Inside the block, importing a package in `names` that is not loaded yet fails as if
    it were not installed (one already loaded is used as usual); after it, it imports."""
    hidden = _Hidden(names)
    sys.meta_path.insert(0, hidden)
    try:
        yield
    finally:
        sys.meta_path.remove(hidden)
