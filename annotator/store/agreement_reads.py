"""Streaming reads for agreement: each document's annotation sets, one document at a time,
and every link with the offsets of its two ends.

They run on their own read-only connection inside one read transaction, so the figures come
from one snapshot of the database even while annotators keep writing, and the store's own
connection (which a TUI may be using from another thread) is never held.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING
from urllib.parse import quote

from annotator.store import rows as R

if TYPE_CHECKING:
    from annotator.store import Store

# (span id, start, end, label, attrs as stored: JSON text)
SpanRow = tuple[str, int, int, str, str]


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """One document's text and, per annotator with a set on it, that set's spans."""

    id: str
    text: str
    schema_ref: str | None
    spans: dict[str, list[SpanRow]]  # annotator -> spans by start, end, label, id


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A link with the document and offsets of both ends (span ids differ between sets)."""

    annotator: str
    type: str
    from_doc: str
    from_start: int
    from_end: int
    from_label: str
    to_doc: str
    to_start: int
    to_end: int
    to_label: str


class AgreementReader:
    """A snapshot of the database for one agreement computation."""

    def __init__(self, conn: sqlite3.Connection, statuses: tuple[str, ...],
                 without_suggested: bool = False) -> None:
        self._conn = conn
        self._statuses = statuses
        marks = ", ".join("?" for _ in statuses)
        self._status_cond = f"st.status IN ({marks})"
        # spans accepted from suggestions left out (docs/suggestions.md), and links touching them
        self._made = " AND {0}.origin != 'suggested'" if without_suggested else ""

    def documents(self, min_sets: int = 1) -> Iterator[DocumentRows]:
        """Documents in id order with at least `min_sets` sets (names starting with @, the
        gold set, are not annotators), each with its sets' spans; one document in memory."""
        sets = self._conn.execute(
            "SELECT st.doc_id, st.annotator FROM statuses st"
            f" WHERE {self._status_cond} AND st.annotator NOT LIKE '@%'"
            f" AND st.import_id NOT IN {R.UNFINISHED}"
            " ORDER BY st.doc_id, st.annotator", self._statuses)
        spans = self._conn.execute(
            'SELECT s.doc_id, s.annotator, s.id, s.start, s."end", s.label, s.attrs'
            " FROM spans s JOIN statuses st ON st.doc_id = s.doc_id"
            f" AND st.annotator = s.annotator WHERE {self._status_cond}"
            " AND s.annotator NOT LIKE '@%'"
            f" AND s.import_id NOT IN {R.UNFINISHED} AND st.import_id NOT IN {R.UNFINISHED}"
            + self._made.format("s") +
            ' ORDER BY s.doc_id, s.annotator, s.start, s."end", s.label, s.id', self._statuses)
        pending = next(spans, None)
        group: list[str] = []
        doc_id: str | None = None
        for row in chain(sets, [None]):
            if row is not None and row[0] == doc_id:
                group.append(row[1])
                continue
            if doc_id is not None:
                by_who: dict[str, list[SpanRow]] = {who: [] for who in group}
                while pending is not None and pending[0] <= doc_id:
                    if pending[0] == doc_id and pending[1] in by_who:
                        by_who[pending[1]].append(pending[2:])
                    pending = next(spans, None)
                if len(group) >= min_sets:
                    text, ref = self._conn.execute(
                        "SELECT text, schema_ref FROM documents WHERE id = ?", [doc_id]
                    ).fetchone()
                    yield DocumentRows(doc_id, text, ref, by_who)
            if row is None:
                return
            doc_id, group = row[0], [row[1]]

    def links(self) -> Iterator[LinkRow]:
        """Every link of an annotator (not the gold set), with its ends' offsets, grouped by
        the pair of documents it joins (in either direction), then type."""
        for row in self._conn.execute(
            "SELECT l.annotator, l.type, l.from_doc, f.start, f.\"end\", f.label,"
            ' l.to_doc, t.start, t."end", t.label'
            " FROM links l JOIN spans f ON f.id = l.from_span JOIN spans t ON t.id = l.to_span"
            " WHERE l.annotator NOT LIKE '@%'"
            f" AND l.import_id NOT IN {R.UNFINISHED}" + self._made.format("f")
            + self._made.format("t") +
            " ORDER BY min(l.from_doc, l.to_doc), max(l.from_doc, l.to_doc), l.type, l.id"):
            yield LinkRow(*row)

    def schema_source(self, ref: str) -> str | None:
        row = self._conn.execute("SELECT source FROM schemas WHERE ref = ?", [ref]).fetchone()
        return row[0] if row else None


@contextmanager
def agreement_reader(store: Store, statuses: tuple[str, ...],
                     without_suggested: bool = False) -> Iterator[AgreementReader]:
    """A read-only snapshot of the store's file for the sets with one of `statuses`."""
    conn = sqlite3.connect(f"file:{quote(store.path)}?mode=ro", uri=True,
                           isolation_level=None, timeout=15)
    try:
        conn.execute("PRAGMA busy_timeout = 15000")
        conn.execute("BEGIN")  # one snapshot for every read below
        yield AgreementReader(conn, statuses, without_suggested)
    finally:
        conn.close()
