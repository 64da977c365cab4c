"""The store's reads: schemas, documents and the picker's list, annotation sets (spans,
links, statuses), annotators and UI state. Each is one query that skips the rows of an
unfinished import (rows.VISIBLE)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from annotator.model import Document, DocumentSummary, Link, Span, Status
from annotator.store import rows as R
from annotator.store.connection import Connection


class Reads(Connection):
    """What the screens, the CLI and the session ask the database, each one query."""

    # -- schemas and documents ------------------------------------------------------------

    def schema_source(self, ref: str) -> str | None:
        rows = self.query(f"SELECT source FROM schemas WHERE ref = ? AND {R.VISIBLE}", [ref])
        return rows[0][0] if rows else None

    def schema_refs(self) -> list[str]:
        return [r[0] for r in self.query(
            f"SELECT ref FROM schemas WHERE {R.VISIBLE} ORDER BY created_at, ref")]

    def document_schema_ref(self, doc_id: str) -> str | None:
        rows = self.query(
            f"SELECT schema_ref FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}", [doc_id])
        return rows[0][0] if rows else None

    def get_document(self, doc_id: str) -> Document | None:
        rows = self.query(
            "SELECT id, text, title, sha256, meta, schema_ref FROM documents WHERE id = ?"
            f" AND {R.DOC_VISIBLE}", [doc_id]
        )
        if not rows:
            return None
        id_, text, title, sha, meta, schema = rows[0]
        return Document(id_, text, title, sha, json.loads(meta), schema or "")

    def document_length(self, doc_id: str) -> int | None:
        rows = self.query(
            f"SELECT length FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}", [doc_id])
        return rows[0][0] if rows else None

    def document_ids(self) -> list[str]:
        return [r[0] for r in self.query(
            f"SELECT id FROM documents WHERE {R.DOC_VISIBLE} ORDER BY seq")]

    def documents(self) -> list[DocumentSummary]:
        """Every document with each annotator's status and span count (no text loaded)."""
        statuses: dict[str, dict[str, Status]] = {}
        for doc_id, who, status in self.query(
            f"SELECT doc_id, annotator, status FROM statuses WHERE {R.VISIBLE}"
        ):
            statuses.setdefault(doc_id, {})[who] = Status(status)
        counts: dict[str, dict[str, int]] = {}
        for doc_id, who, n in self.query(
            f"SELECT doc_id, annotator, count(*) FROM spans WHERE {R.VISIBLE}"
            " GROUP BY doc_id, annotator"
        ):
            counts.setdefault(doc_id, {})[who] = n
        return [
            DocumentSummary(id_, title, length, statuses.get(id_, {}), counts.get(id_, {}))
            for id_, title, length in self.query(
                f"SELECT id, title, length FROM documents WHERE {R.DOC_VISIBLE} ORDER BY seq"
            )
        ]

    def next_document(self, annotator: str, after: str | None = None) -> str | None:
        """The first document (in import order, after `after` if given) not done by annotator:
        on a team, the annotator's assigned documents first, others only where allowed."""
        from annotator.store import team

        seq = -1
        if after is not None:
            rows = self.query(f"SELECT seq FROM {R.DOC_CARD} WHERE id = ?", [after])
            seq = rows[0][0] if rows else -1
        assigned = team.next_assigned(self, annotator, seq)
        if assigned is not None:
            return assigned or None
        sql = (
            "SELECT d.id FROM documents d LEFT JOIN statuses s"
            " ON s.doc_id = d.id AND s.annotator = ?"
            " WHERE (s.status IS NULL OR s.status != 'done') AND d.seq > ?"
            f" AND d.{R.DOC_VISIBLE} ORDER BY d.seq LIMIT 1"
        )
        rows = self.query(sql, [annotator, seq])
        if not rows and after is not None:
            rows = self.query(sql, [annotator, -1])
        return rows[0][0] if rows else None

    def progress(self, annotator: str) -> tuple[int, int]:
        """(documents done by annotator, documents in all)."""
        done = self.query(
            "SELECT count(*) FROM statuses WHERE annotator = ? AND status = 'done'"
            f" AND {R.VISIBLE}", [annotator]
        )[0][0]
        total = self.query(f"SELECT count(*) FROM documents WHERE {R.DOC_VISIBLE}")[0][0]
        return done, total

    def last_event_seq(self) -> int:
        """The newest event's seq (0 with none): a cheap change counter, as every committed
        action logs at least one event."""
        return int(self.query("SELECT coalesce(max(seq), 0) FROM events")[0][0])

    def progress_all(self, since: str) -> dict[str, tuple[int, int, int]]:
        """Per annotator: (documents in progress, documents done, spans of theirs created at
        or after `since`, an ISO timestamp)."""
        out: dict[str, list[int]] = {}
        for who, status, n in self.query(
                f"SELECT annotator, status, count(*) FROM statuses WHERE {R.VISIBLE}"
                " GROUP BY annotator, status"):
            row = out.setdefault(who, [0, 0, 0])
            if status in ("in_progress", "done"):
                row[0 if status == "in_progress" else 1] = n
        for who, n in self.query(
                f"SELECT annotator, count(*) FROM spans WHERE created_at >= ? AND {R.VISIBLE}"
                " GROUP BY annotator", [since]):
            out.setdefault(who, [0, 0, 0])[2] = n
        return {who: (r[0], r[1], r[2]) for who, r in out.items()}

    # -- annotation reads -----------------------------------------------------------------


    def spans(self, doc_id: str, annotator: str) -> list[Span]:
        return [
            R.span_from_row(r)
            for r in self.query(
                f"SELECT {R.SPAN_COLS} FROM spans WHERE doc_id = ? AND annotator = ?"
                f' AND {R.VISIBLE} ORDER BY start, "end", label, id',
                [doc_id, annotator],
            )
        ]

    def span(self, span_id: str) -> Span | None:
        rows = self.query(
            f"SELECT {R.SPAN_COLS} FROM spans WHERE id = ? AND {R.VISIBLE}", [span_id])
        return R.span_from_row(rows[0]) if rows else None

    def links(self, annotator: str, doc_ids: Iterable[str] | None = None) -> list[Link]:
        """The annotator's links touching any of doc_ids (all of them when None)."""
        if doc_ids is None:
            return [
                R.link_from_row(r)
                for r in self.query(
                    f"SELECT {R.LINK_COLS} FROM links WHERE annotator = ? AND {R.VISIBLE}"
                    " ORDER BY type, from_span, to_span, id", [annotator]
                )
            ]
        ids = list(doc_ids)
        marks = ", ".join("?" for _ in ids)
        return [
            R.link_from_row(r)
            for r in self.query(
                f"SELECT {R.LINK_COLS} FROM links WHERE annotator = ? AND {R.VISIBLE}"
                f" AND (from_doc IN ({marks}) OR to_doc IN ({marks}))"
                " ORDER BY type, from_span, to_span, id",
                [annotator, *ids, *ids],
            )
        ]

    def status(self, doc_id: str, annotator: str) -> Status:
        rows = self.query(
            f"SELECT status FROM statuses WHERE doc_id = ? AND annotator = ? AND {R.VISIBLE}",
            [doc_id, annotator]
        )
        return Status(rows[0][0]) if rows else Status.TODO

    def annotators(self) -> list[str]:
        return [r[0] for r in self.query(
            f"SELECT name FROM annotators WHERE {R.VISIBLE} ORDER BY name")]

    def get_ui_state(self, annotator: str, key: str) -> Any:
        rows = self.query(
            "SELECT value FROM ui_state WHERE annotator = ? AND key = ?", [annotator, key]
        )
        return json.loads(rows[0][0]) if rows else None
