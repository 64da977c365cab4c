"""What the store keeps about suggestions (docs/suggestions.md): rejections, per annotator
and document, and pre-annotations imported as suggestions. Neither is an annotation: they are
not in the event log and never exported as spans (an accepted suggestion is an ordinary span,
added by an action, with origin "suggested")."""

from __future__ import annotations

import json
from typing import Any

from annotator.store import rows as R
from annotator.store.connection import Connection

SuggestionRow = tuple[int, int, str, dict[str, Any]]  # start, end, label, attrs


class Suggestions(Connection):
    """Rejected and imported suggestions."""

    def reject_suggestion(self, annotator: str, doc_id: str, start: int, end: int,
                          label: str) -> None:
        with self.write() as conn:
            conn.execute(
                'INSERT OR IGNORE INTO suggestion_rejections (annotator, doc_id, start, "end",'
                " label, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [annotator, doc_id, start, end, label, R.now()])

    def rejections(self, annotator: str, doc_id: str) -> set[tuple[int, int, str]]:
        found = self.query('SELECT start, "end", label FROM suggestion_rejections'
                           " WHERE annotator = ? AND doc_id = ?", [annotator, doc_id])
        return {(s, e, label) for s, e, label in found}

    def imported_suggestions(self, doc_id: str) -> list[SuggestionRow]:
        found = self.query('SELECT start, "end", label, attrs FROM imported_suggestions'
                           ' WHERE doc_id = ? ORDER BY start, "end", label', [doc_id])
        return [(s, e, label, json.loads(attrs)) for s, e, label, attrs in found]

    def add_imported_suggestions(self, doc_id: str, found: list[SuggestionRow],
                                 source: str) -> int:
        """Keep `found` as suggestions on `doc_id` (ones already there are kept once); how
        many are new."""
        with self.write() as conn:
            before = conn.total_changes
            ts = R.now()
            conn.executemany(
                'INSERT OR IGNORE INTO imported_suggestions (doc_id, start, "end", label, attrs,'
                " source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(doc_id, s, e, label, R.dumps(attrs), source, ts) for s, e, label, attrs in found])
            return int(conn.total_changes - before)
