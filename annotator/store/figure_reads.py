"""Reads for the conflicts report (annotator/conflicts): one annotation set's spans of some
labels across every document, and spans by id (a claim's speaker)."""

from __future__ import annotations

from collections.abc import Collection

from annotator.model import Span
from annotator.store import rows as R
from annotator.store.connection import Connection

_CHUNK = 500  # ids per query: well under SQLite's limit on parameters


def set_spans(conn: Connection, annotator: str, labels: Collection[str]) -> list[Span]:
    """The annotator's spans with one of `labels`, in every document, by document, start, end."""
    names = sorted(labels)
    if not names:
        return []
    marks = ", ".join("?" for _ in names)
    return [R.span_from_row(r) for r in conn.query(
        f"SELECT {R.SPAN_COLS} FROM spans WHERE annotator = ? AND label IN ({marks})"
        f' AND {R.VISIBLE} ORDER BY doc_id, start, "end", label, id', [annotator, *names])]


def spans_by_id(conn: Connection, ids: Collection[str]) -> list[Span]:
    """The spans with these ids (those that exist)."""
    wanted = sorted(set(ids))
    found: list[Span] = []
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        found += [R.span_from_row(r) for r in conn.query(
            f"SELECT {R.SPAN_COLS} FROM spans WHERE id IN ({marks}) AND {R.VISIBLE}", chunk)]
    return found
