"""Our JSONL (lossless) and the full backup (`export --all`): every document, annotation set,
schema and event, restored exactly into an empty database by `annotator import`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from annotator.exports.common import Utf16, document_meta
from annotator.model import Decision, Document, Link, Span, Status

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


def as_datasets(row: dict[str, Any]) -> dict[str, Any]:
    """Our line, with `meta` and each span's `attrs` as JSON text (export -f datasets): Arrow
    gives every column one type, and these hold values of any JSON type (38 here, 2.5 there; a
    `year` that is 2026 in one record and "2026" in another), so `datasets` 3.x could not read
    them as objects."""
    for s in row["spans"]:
        s["attrs"] = _json_text(s["attrs"])
    row["meta"] = _json_text(row["meta"])
    return row


def _json_text(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def with_review(row: dict[str, Any], decided: Mapping[str, Decision],
                empty: Sequence[Decision]) -> dict[str, Any]:
    """A gold set's line (docs/jsonl.md, "Gold"): each span and link with its `provenance`
    (the annotators its version came from, or ["edited"]; [] when gold was imported without
    one) and `reason` (a reason code or null); `rejected`: the places decided to hold nothing."""
    for item in (*row["spans"], *row["links"]):
        d = decided.get(item["id"])
        item["provenance"] = list(d.provenance) if d else []
        item["reason"] = d.reason if d else None
    row["rejected"] = [{"entity": d.entity, "key": d.key, "start": d.start, "end": d.end,
                        "provenance": list(d.provenance), "reason": d.reason} for d in empty]
    return row


def unannotated(doc: Document) -> dict[str, Any]:
    """A document nobody has a set on: a plain record (import reads it into any file)."""
    return {"id": doc.id, "text": doc.text, "meta": document_meta(doc)}


def header() -> dict[str, Any]:
    """The backup's first line: the other lines with a "kind" are for the restore."""
    return {"kind": "backup", "version": BACKUP_VERSION}
