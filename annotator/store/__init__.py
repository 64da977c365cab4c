"""The SQLite store: the only place that speaks SQL. One transaction per user action.

The Store composes what each module does (docs/architecture.md, "The store"):
connection.py opens the file and runs transactions, reads.py answers the screens, actions.py
does, undoes and redoes, events.py writes the log and reads it back; importer.py and
exporter.py stream imports and exports through their public methods.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from annotator.model import Document, Link, Span, Status
from annotator.store import migrations
from annotator.store.actions import (
    IMPORT_REFERS,
    ActionResult,
    Change,
    NewSpan,
    StoreError,
    new_id,
)
from annotator.store.connection import (
    BUSY_TIMEOUT_MS,
    POLL_SECONDS,
    NewerDatabaseError,
    cannot_write,
)
from annotator.store.events import EventLog
from annotator.store.reads import Reads
from annotator.store.review import ReviewActions
from annotator.store.suggestions import Suggestions

if TYPE_CHECKING:
    from annotator.store.importer import ImportSession

__all__ = ["BUSY_TIMEOUT_MS", "IMPORT_REFERS", "POLL_SECONDS", "ActionResult", "Change",
           "NewSpan", "NewerDatabaseError", "Store", "StoreError", "cannot_write", "migrations",
           "new_id"]


class Store(Reads, ReviewActions, EventLog, Suggestions):
    """One annotation database: its connection and transactions (Connection), its reads
    (Reads), its actions with undo and redo (Actions, and the review's: ReviewActions), its
    event log (EventLog) and what it keeps about suggestions (Suggestions)."""

    @classmethod
    def for_session(cls, path: str, actor: str | None) -> Store:
        """The store one run of the annotation screen works through: `actor` (who is at the
        keyboard: the SSH identity or the local user, also when a lead works in another's set)
        is recorded on every action, and a session id of its own gives this run its own undo
        stack (a second terminal under the same name never undoes this one's work). A database
        that cannot be written opens read-only."""
        store = cls(path, read_only_ok=True)
        store.actor = actor
        store.session = new_id()
        return store

    # -- import and export (bulk, streaming) ----------------------------------------------

    def import_session(self, actor: str) -> ImportSession:
        from annotator.store.importer import ImportSession

        return ImportSession(self, actor)

    def annotation_sets(self, annotator: str | None = None, status: Status | None = None
                        ) -> Iterator[tuple[Document, str, Status, list[Span], list[Link]]]:
        """Stream (document, annotator, status, spans, links-from-this-doc) in export order."""
        from annotator.store.exporter import annotation_sets

        return annotation_sets(self, annotator, status)
