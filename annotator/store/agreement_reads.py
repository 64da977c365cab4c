"""Streaming reads for agreement: each document's annotation sets, a batch of documents at a
time (`batches`, the agreement) or one document at a time (`documents`, against gold),
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
from itertools import chain, groupby
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from annotator.model import GOLD
from annotator.store import rows as R

if TYPE_CHECKING:
    from annotator.store import Store

# (span id, start, end, label, attrs as stored: JSON text)
SpanRow = tuple[str, int, int, str, str]
# (span id, start, end, label, attrs: JSON text, None for "{}")
BatchRow = tuple[str, int, int, str, str | None]
DOCS_PER_BATCH = 256
CHARS_PER_BATCH = 1 << 20


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """One document's text and, per annotator with a set on it, that set's spans."""

    id: str
    text: str
    schema_ref: str | None
    spans: dict[str, list[SpanRow]]  # annotator -> spans by start, end, label, id


class BatchDocument(NamedTuple):
    """A compared document: its text and the annotators with a set on it, in name order
    (a tuple: one is made per document, and a frozen dataclass costs ten times as much)."""

    id: str
    text: str
    schema_ref: str | None
    annotators: list[str]


@dataclass(frozen=True, slots=True)
class DocumentBatch:
    """Consecutive documents (in id order) and every visible span in their id range, ordered
    by document, annotator, start, end, label (not id); spans of sets not compared (another
    status, or a document left out) are among them and left to the caller to skip. Which
    set a span is in is told by `runs`: (document, annotator, how many spans) in that order,
    so that the spans themselves need not carry two strings each."""

    documents: list[BatchDocument]
    runs: list[tuple[str, str, int]]
    spans: list[BatchRow]


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
                 gold: bool = False, without_suggested: bool = False) -> None:
        self._conn = conn
        self._statuses = statuses
        marks = ", ".join("?" for _ in statuses)
        # gold counts whatever its status: it is the adjudicated reference, not a person's work
        self._status_cond = (f"(st.status IN ({marks}) OR st.annotator = '{GOLD}')" if gold
                             else f"st.status IN ({marks})")
        self.gold = gold
        # spans accepted from suggestions left out (docs/suggestions.md), and links touching them
        self._made = " AND {0}.origin != 'suggested'" if without_suggested else ""
        self._unfinished: bool | None = None  # are some imports unfinished (read once)

    def _sets_of(self, table: str) -> str:
        """Names starting with @ are not annotators; reading gold, the gold set is read too."""
        cond = f"{table}.annotator NOT LIKE '@%'"
        return f"({cond} OR {table}.annotator = '{GOLD}')" if self.gold else cond

    def _compared(self, names: list[str], min_sets: int) -> bool:
        """Whether a document with sets by `names` is read: at least `min_sets` of them and,
        reading gold, the gold set among them."""
        return len(names) >= min_sets and (not self.gold or GOLD in names)

    def _sets(self) -> sqlite3.Cursor:
        return self._conn.execute(
            "SELECT st.doc_id, st.annotator FROM statuses st"
            f" WHERE {self._status_cond} AND {self._sets_of('st')}"
            f" AND st.import_id NOT IN {R.UNFINISHED}"
            " ORDER BY st.doc_id, st.annotator", self._statuses)

    def batches(self, min_sets: int = 1, docs: int = DOCS_PER_BATCH,
                chars: int = CHARS_PER_BATCH) -> Iterator[DocumentBatch]:
        """The documents with at least `min_sets` sets, in id order, a batch at a time: at
        most `docs` documents, and no more text than `chars` code points (or one document)."""
        chosen: list[tuple[str, list[str]]] = []
        for doc_id, rows in groupby(self._sets(), key=itemgetter(0)):
            names = [r[1] for r in rows]
            if self._compared(names, min_sets):
                chosen.append((doc_id, names))
            if len(chosen) == docs:
                yield from self._batches(chosen, chars)
                chosen = []
        if chosen:
            yield from self._batches(chosen, chars)

    def _batches(self, chosen: list[tuple[str, list[str]]], chars: int
                 ) -> Iterator[DocumentBatch]:
        names = dict(chosen)
        part: list[BatchDocument] = []
        size = 0
        for doc_id, text, ref in self._conn.execute(
                "SELECT id, text, schema_ref FROM documents"
                f" WHERE id IN ({', '.join('?' for _ in chosen)}) ORDER BY id", list(names)):
            part.append(BatchDocument(doc_id, text, ref, names[doc_id]))
            size += len(text)
            if size >= chars:
                yield self._with_spans(part)
                part, size = [], 0
        if part:
            yield self._with_spans(part)

    def _with_spans(self, docs: list[BatchDocument]) -> DocumentBatch:
        # No test of the annotator's name per span: spans of sets not compared (gold's too)
        # are skipped by the caller anyway. The unfinished imports' spans are left out only
        # when there are some: both tests cost a fifth of the read.
        if self._unfinished is None:
            self._unfinished = self._conn.execute(
                "SELECT EXISTS (SELECT 1 FROM imports WHERE state != 'done')").fetchone()[0]
        where = (" FROM spans s WHERE s.doc_id BETWEEN ? AND ?"
                 + (f" AND s.import_id NOT IN {R.UNFINISHED}" if self._unfinished else "")
                 + self._made.format("s"))
        bounds = [docs[0].id, docs[-1].id]
        runs = self._conn.execute(
            "SELECT s.doc_id, s.annotator, count(*)" + where +
            " GROUP BY s.doc_id, s.annotator ORDER BY s.doc_id, s.annotator", bounds).fetchall()
        spans = self._conn.execute(
            "SELECT s.id, s.start, s.\"end\", s.label, NULLIF(s.attrs, '{}')" + where +
            # the index's order: no sort (equal spans in a set come in any order)
            ' ORDER BY s.doc_id, s.annotator, s.start, s."end", s.label', bounds).fetchall()
        return DocumentBatch(docs, runs, spans)

    def documents(self, min_sets: int = 1) -> Iterator[DocumentRows]:
        """Documents in id order with at least `min_sets` sets (names starting with @, the
        gold set, are not annotators), each with its sets' spans; one document in memory.
        Reading gold: only the documents with a gold set, and it counts among the sets."""
        sets = self._sets()
        # every visible span in set order; those of sets not read above (another status)
        # are skipped below, which costs less than joining each span to its status
        spans = self._conn.execute(
            'SELECT s.doc_id, s.annotator, s.id, s.start, s."end", s.label, s.attrs'
            f" FROM spans s WHERE {self._sets_of('s')} AND s.import_id NOT IN {R.UNFINISHED}"
            + self._made.format("s") +
            ' ORDER BY s.doc_id, s.annotator, s.start, s."end", s.label, s.id')
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
                if self._compared(group, min_sets):
                    text, ref = self._conn.execute(
                        "SELECT text, schema_ref FROM documents WHERE id = ?", [doc_id]
                    ).fetchone()
                    yield DocumentRows(doc_id, text, ref, by_who)
            if row is None:
                return
            doc_id, group = row[0], [row[1]]

    def links(self) -> Iterator[LinkRow]:
        """Every link of an annotator (and of gold, reading gold), with its ends' offsets,
        grouped by the pair of documents it joins (in either direction), then type."""
        for row in self._conn.execute(
            "SELECT l.annotator, l.type, l.from_doc, f.start, f.\"end\", f.label,"
            ' l.to_doc, t.start, t."end", t.label'
            " FROM links l JOIN spans f ON f.id = l.from_span JOIN spans t ON t.id = l.to_span"
            f" WHERE {self._sets_of('l')}"
            f" AND l.import_id NOT IN {R.UNFINISHED}" + self._made.format("f")
            + self._made.format("t") +
            " ORDER BY min(l.from_doc, l.to_doc), max(l.from_doc, l.to_doc), l.type, l.id"):
            yield LinkRow(*row)

    def schema_source(self, ref: str) -> str | None:
        row = self._conn.execute("SELECT source FROM schemas WHERE ref = ?", [ref]).fetchone()
        return row[0] if row else None


@contextmanager
def agreement_reader(store: Store, statuses: tuple[str, ...], gold: bool = False,
                     without_suggested: bool = False) -> Iterator[AgreementReader]:
    """A read-only snapshot of the store's file for the sets with one of `statuses` (and
    the gold set's, with gold=True)."""
    conn = sqlite3.connect(f"file:{quote(store.path)}?mode=ro", uri=True,
                           isolation_level=None, timeout=15)
    try:
        conn.execute("PRAGMA busy_timeout = 15000")
        conn.execute("BEGIN")  # one snapshot for every read below
        yield AgreementReader(conn, statuses, gold, without_suggested)
    finally:
        conn.close()
