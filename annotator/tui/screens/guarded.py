"""A screen whose actions can be refused: the reason goes in a toast and in the status bar,
and a database error ends there instead of ending the app."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from textual.screen import Screen

from annotator.sanitize import safe_line
from annotator.store import cannot_write
from annotator.tui.plain import toast

READ_ONLY = "read-only database: viewing only (labels, links, undo and D are off)"
A = TypeVar("A", bound=Callable[..., Any])


def writes(action: A) -> A:
    """An action that changes the database: refused, with the reason, when it is read-only."""

    @wraps(action)
    def run(self: GuardedScreen, *args: Any) -> Any:
        if self.read_only:
            self.refuse(READ_ONLY)
            return None
        return action(self, *args)

    return run  # type: ignore[return-value]


class GuardedScreen(Screen[None]):
    last_action = "ready"

    @property
    def read_only(self) -> bool:
        return False

    def update_status(self) -> None:
        """Redraw the status bar (which shows last_action)."""

    def refuse(self, why: str, timeout: float = 3) -> None:
        """An action did nothing: say why, in a toast and in the status bar (which stays)."""
        toast(self, why, severity="warning", timeout=timeout)
        self.last_action = why
        self.update_status()

    @contextmanager
    def database_guard(self) -> Iterator[None]:
        """The one place a database error in an action ends (a read-only or full disk, a
        damaged file): the action is refused in the status bar, and as every action is one
        transaction, what was committed stays and the screen still shows it. Every key
        action runs inside it (AnnotatorApp.run_action), and so do dialog answers and timers
        (see guarded)."""
        try:
            yield
        except sqlite3.Error as err:
            why = "it cannot be written here" if cannot_write(err) else "the database refused it"
            self.refuse(f"nothing changed: {why} ({safe_line(str(err))})", timeout=6)
            self.app.bell()

    def guarded(self, fn: Callable[..., Any]) -> Callable[..., None]:
        """fn, run inside database_guard: for what runs outside a key action."""

        def run(*args: Any) -> None:
            with self.database_guard():
                fn(*args)

        return run
