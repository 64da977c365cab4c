"""Remembering the annotation screen's panes and cursors: the layout is saved a second after
the cursor settles (in a thread), and at once when panes open or close."""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from annotator.store import StoreError

if TYPE_CHECKING:
    from annotator.tui.screens.annotate import AnnotateScreen

_WRITES = threading.Lock()  # one layout write at a time, the UI's or a worker's


class LayoutMemory:
    """The saved layout of `screen`: which documents are open, which pane has the focus, and
    the cursor in each (the cursors of documents closed since are kept)."""

    def __init__(self, screen: AnnotateScreen) -> None:
        self.screen = screen
        self.taken = 0  # layouts taken from the screen (numbered), and the newest written
        self.written = 0
        self._timer: Timer | None = None

    def schedule(self) -> None:
        """Save the layout a second after the cursor settles, in a thread: the write (a
        transaction, a read of the saved cursors first) is not the UI thread's."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(1.0, self.save_in_background)

    def save_in_background(self) -> None:
        if (layout := self.snapshot()) is None:
            return
        screen = self.screen

        def write() -> None:
            try:
                self.write(*layout)
            except (StoreError, sqlite3.Error) as err:
                screen.app.call_from_thread(self._not_saved, err)

        screen.run_worker(write, thread=True, name="save layout", group="layout",
                          exit_on_error=False)

    def _not_saved(self, err: Exception) -> None:
        with self.screen.database_guard():  # the status bar says why, as for a refused action
            raise err

    def save_now(self) -> None:
        """Save the layout now, before the action that changed it is shown as done (a
        kill -9 after "marked done" keeps the panes on screen)."""
        if (layout := self.snapshot()) is not None:
            self.write(*layout)

    def snapshot(self) -> tuple[int, dict[str, Any]] | None:
        """What is on screen (read from the widgets, on the UI thread) and its number: a
        write in the background that finishes after a newer one must not undo it."""
        screen = self.screen
        panes = screen.panes
        if not panes or screen.session.read_only or not screen.keeps_layout:
            return None
        with _WRITES:
            self.taken += 1
            seq = self.taken
        return seq, {
            "docs": [p.document.id for p in panes],
            "focus": panes.index(screen.active) if screen.active in panes else 0,
            "cursors": {p.document.id: p.view.cursor for p in panes},
        }

    def write(self, seq: int, state: dict[str, Any]) -> None:
        """Store the layout, keeping the saved cursors of documents no longer open (any
        thread; a newer layout already written wins)."""
        with _WRITES:
            if seq < self.written:
                return
            session = self.screen.session
            saved = session.layout()
            state["cursors"] = {**saved.get("cursors", {}), **state["cursors"]}
            session.save_layout(state)
            self.written = seq
