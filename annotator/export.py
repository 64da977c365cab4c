"""Exporters, streaming one line at a time: our JSONL, the audit log, doccano, Prodigy,
Label Studio and spaCy.

Every format except spaCy's binary DocBin is JSON Lines, one line per (document, annotation
set), in the store's order: document id, then annotator. Label Studio's importer takes a JSON
array of tasks; turn the lines into one with `jq -s .`. Its relations only join spans of one
document, so cross-document links are left out of that format (they are in `jsonl`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from annotator.export_target import (
    OutputExists,
    OutputRefused,
    atomic_output,
    refuse_database_stream,
)
from annotator.model import GOLD, Document, Link, Span, Status
from annotator.store import Store

FORMATS = ("jsonl", "audit", "prodigy", "doccano", "labelstudio", "spacy")
# `pip install annotator[spacy]` would fetch an unrelated project of that name from PyPI
SPACY_MISSING = ("the spacy format needs spaCy, which is not installed; in the annotator checkout"
                 " run: .venv/bin/pip install -e '.[spacy]'")
# annotator: whose set the event changed; actor: who acted (a lead importing, an SSH identity)
AUDIT_KEYS = ("seq", "ts", "annotator", "actor", "action_id", "action", "entity",
              "entity_id", "doc_id", "before", "after")

__all__ = ["AUDIT_KEYS", "FORMATS", "SPACY_MISSING", "AnnotationSet", "ExportError",
           "OutputExists", "OutputRefused", "atomic_output", "count_sets", "document_meta",
           "export", "refuse_database_stream", "spacy_available"]

AnnotationSet = tuple[Document, str, Status, list[Span], list[Link]]


class ExportError(Exception):
    """An export that cannot be made (a user-facing message)."""


def export(store: Store, fmt: str, out: IO[Any], annotator: str | None = None, gold: bool = False,
           status: Status | str | None = None,
           progress: Callable[[int], None] | None = None) -> int:
    """Write `fmt` to `out` and return the number of lines (sets, for spaCy) written.

    annotator: only that annotator's work; gold: only the gold set; status: only sets with it
    ("any" or None: all). progress, when given, is called with the count so far."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if gold:
        annotator = GOLD
    wanted = None if status in (None, "any") else Status(status)
    if fmt == "audit":
        rows: Iterator[dict[str, Any]] = (
            {k: ev[k] for k in AUDIT_KEYS} for ev in store.events()
            if annotator is None or ev["annotator"] == annotator
        )
    elif fmt == "spacy":
        return _spacy(store.annotation_sets(annotator, wanted), out, progress)
    else:
        shape = _SHAPES[fmt]
        rows = (shape(*s) for s in store.annotation_sets(annotator, wanted))
        if fmt == "jsonl":
            rows = _with_notes(store, rows)
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        n += 1
        if progress and n % 64 == 0:
            progress(n)
    if progress:
        progress(n)
    return n


def count_sets(store: Store, annotator: str | None = None, status: Status | str | None = None,
               gold: bool = False) -> int:
    """How many annotation sets `export` would write (for a progress bar's total)."""
    who = GOLD if gold else annotator
    wanted = None if status in (None, "any") else Status(status)
    return sum(
        1
        for summary in store.documents()
        for name, st in summary.statuses.items()
        if (who is None or name == who) and (wanted is None or st == wanted)
    )


def document_meta(doc: Document) -> dict[str, Any]:
    """The exported meta: what was imported (keys sorted), then title, then schema.

    The importer takes title and schema back out, so export → import → export is exact
    (the title always, even empty: without one the importer takes the first line)."""
    meta = dict(doc.meta)
    meta["title"] = doc.title
    if doc.schema:
        meta["schema"] = doc.schema
    return meta


def _with_notes(store: Store, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """A set's flags (annotator/store/team.py) as its "notes"; a set without any has no key."""
    from annotator.store.team import flags

    notes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in flags(store, open_only=False):
        notes.setdefault((f.doc_id, f.annotator), []).append(
            {"id": f.id, "span": f.span_id, "note": f.note, "created_at": f.created_at,
             "resolved_by": f.resolved_by, "resolved_at": f.resolved_at})
    for row in rows:
        if found := notes.get((row["id"], row["annotator"])):
            row["notes"] = found
        yield row


def _jsonl(doc: Document, who: str, status: Status, spans: list[Span],
           links: list[Link]) -> dict[str, Any]:
    text = doc.text
    return {
        "id": doc.id, "text": text, "sha256": doc.sha256, "annotator": who,
        "status": status.value,
        "spans": [{"id": s.id, "start": s.start, "end": s.end, "text": text[s.start : s.end],
                   "label": s.label, "attrs": s.attrs} for s in spans],
        "links": [{"id": lk.id, "type": lk.type, "from": lk.from_span, "to": lk.to_span,
                   "to_doc": lk.to_doc} for lk in links],
        "meta": document_meta(doc),
    }


def _doccano(doc: Document, who: str, status: Status, spans: list[Span],
             links: list[Link]) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "label": [[s.start, s.end, s.label] for s in spans],
            "annotator": who, "status": status.value}


def _prodigy(doc: Document, who: str, status: Status, spans: list[Span],
             links: list[Link]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "text": doc.text,
        "spans": [{"start": s.start, "end": s.end, "text": doc.text[s.start : s.end],
                   "label": s.label} for s in spans],
        "meta": {"id": doc.id, **document_meta(doc)},
        "_annotator_id": who,
    }
    if status == Status.DONE:
        row["answer"] = "accept"
    return row


def _labelstudio(doc: Document, who: str, status: Status, spans: list[Span],
                 links: list[Link]) -> dict[str, Any]:
    result: list[dict[str, Any]] = [
        {"id": s.id, "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": s.start, "end": s.end, "text": doc.text[s.start : s.end],
                   "labels": [s.label]}}
        for s in spans
    ]
    result += [
        {"from_id": lk.from_span, "to_id": lk.to_span, "type": "relation", "direction": "right",
         "labels": [lk.type]}
        for lk in links if lk.to_doc == doc.id
    ]
    return {
        "data": {"text": doc.text, "doc_id": doc.id, "title": doc.title},
        "annotations": [{"result": result, "ground_truth": who == GOLD}],
        "meta": {"annotator": who, "status": status.value},
    }


_SHAPES: dict[str, Callable[..., dict[str, Any]]] = {
    "jsonl": _jsonl, "doccano": _doccano, "prodigy": _prodigy, "labelstudio": _labelstudio,
}


def spacy_available() -> bool:
    try:
        import spacy  # noqa: F401
    except ImportError:
        return False
    return True


def _spacy(sets: Iterator[AnnotationSet], out: IO[Any],
           progress: Callable[[int], None] | None) -> int:
    """A spaCy DocBin: spans in doc.spans["sc"], the longest non-overlapping ones as doc.ents.
    (A DocBin is one binary blob, so this format is not streamed.)"""
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise ExportError(SPACY_MISSING) from None
    nlp = spacy.blank("xx")
    bin_ = DocBin(store_user_data=True)
    n = 0
    for doc, who, status, spans, _links in sets:
        sdoc = nlp.make_doc(doc.text)
        found = [sdoc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
                 for s in spans]
        chosen = [sp for sp in found if sp is not None]
        sdoc.spans["sc"] = chosen
        sdoc.ents = spacy.util.filter_spans(chosen)
        sdoc.user_data.update({"id": doc.id, "annotator": who, "status": status.value})
        bin_.add(sdoc)
        n += 1
        if progress:
            progress(n)
    getattr(out, "buffer", out).write(bin_.to_bytes())
    return n
