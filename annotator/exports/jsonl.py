"""Our JSONL (lossless) and the full backup (`export --all`): every document, annotation set,
schema and event, restored exactly into an empty database by `annotator import`."""

from __future__ import annotations

from typing import Any

from annotator.exports.common import Utf16, document_meta
from annotator.model import Document, Link, Span, Status

BACKUP_VERSION = 1
SUGGESTED = "suggested"  # the one span origin the line carries (docs/jsonl.md)


def line(doc: Document, who: str, status: Status, spans: list[Span],
         links: list[Link]) -> dict[str, Any]:
    text = doc.text
    utf16 = Utf16(text)
    return {
        "id": doc.id, "text": text, "sha256": doc.sha256, "annotator": who,
        "status": status.value,
        "spans": [{"id": s.id, "start": s.start, "end": s.end, "start_utf16": utf16(s.start),
                   "end_utf16": utf16(s.end), "text": text[s.start : s.end],
                   "label": s.label, "attrs": s.attrs,
                   **({"origin": SUGGESTED} if s.origin == SUGGESTED else {})} for s in spans],
        "links": [{"id": lk.id, "type": lk.type, "from": lk.from_span, "to": lk.to_span,
                   "to_doc": lk.to_doc} for lk in links],
        "meta": document_meta(doc),
    }


def unannotated(doc: Document) -> dict[str, Any]:
    """A document nobody has a set on: a plain record (import reads it into any file)."""
    return {"id": doc.id, "text": doc.text, "meta": document_meta(doc)}


def header() -> dict[str, Any]:
    """The backup's first line: the other lines with a "kind" are for the restore."""
    return {"kind": "backup", "version": BACKUP_VERSION}
