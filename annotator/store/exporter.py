"""Streaming reads for exports: annotation sets in a stable order, in constant memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from annotator.model import Document, Link, Span, Status
from annotator.store import rows as R

if TYPE_CHECKING:
    from annotator.store import Store

BATCH = 256


def annotation_sets(store: Store, annotator: str | None, status: Status | None
                    ) -> Iterator[tuple[Document, str, Status, list[Span], list[Link]]]:
    """(document, annotator, status, spans, links whose from-span is in it), by doc id then
    annotator; spans by start, end, label; links by type then ids. From one snapshot: an
    import or an action committed meanwhile is in none of it."""
    with store.snapshot():
        yield from _annotation_sets(store, annotator, status)


def _annotation_sets(store: Store, annotator: str | None, status: Status | None
                     ) -> Iterator[tuple[Document, str, Status, list[Span], list[Link]]]:
    where, params = [R.VISIBLE], []
    if annotator is not None:
        where.append("annotator = ?")
        params.append(annotator)
    if status is not None:
        where.append("status = ?")
        params.append(str(status))
    cond = " AND " + " AND ".join(where)
    last: tuple[str, str] = ("", "")
    doc: Document | None = None
    first = True
    while True:
        batch = store.query(
            "SELECT doc_id, annotator, status FROM statuses WHERE"
            + (" 1" if first else " (doc_id > ? OR (doc_id = ? AND annotator > ?))")
            + cond + " ORDER BY doc_id, annotator LIMIT ?",
            ([] if first else [last[0], last[0], last[1]]) + params + [BATCH],
        )
        first = False
        if not batch:
            return
        for doc_id, who, st in batch:
            if doc is None or doc.id != doc_id:
                doc = store.get_document(doc_id)
            assert doc is not None
            spans = store.spans(doc_id, who)
            links = [
                R.link_from_row(r)
                for r in store.query(
                    f"SELECT {R.LINK_COLS} FROM links WHERE annotator = ? AND from_doc = ?"
                    f" AND {R.VISIBLE} ORDER BY type, from_span, to_span, id", [who, doc_id]
                )
            ]
            yield doc, who, Status(st), spans, links
            last = (doc_id, who)
