"""Exporters, streaming: our JSONL (and the full backup), the audit log, doccano, Prodigy,
Label Studio and spaCy. Each format's shape is a module of annotator/exports/.

Every format except Label Studio's JSON array and spaCy's binary DocBin is JSON Lines, one line
per (document, annotation set), in the store's order: document id, then annotator. What a
format cannot hold is counted in `Losses`, which the command prints as one line.
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
from annotator.exports import doccano, jsonl, labelstudio, prodigy, spacy_bin
from annotator.exports.common import AnnotationSet, Losses, document_meta
from annotator.labels import SchemaError, parse_schema
from annotator.model import GOLD, Decision, Document, LabelSchema, Link, Span, Status
from annotator.store import Store
from annotator.store import backup as B

FORMATS = ("jsonl", "audit", "prodigy", "doccano", "labelstudio", "spacy", "datasets")
# `pip install annotator[spacy]` would fetch an unrelated project of that name from PyPI
SPACY_MISSING = spacy_bin.MISSING
# annotator: whose set the event changed; actor: who acted (a lead importing, an SSH identity)
AUDIT_KEYS = ("seq", "ts", "annotator", "actor", "action_id", "action", "entity",
              "entity_id", "doc_id", "before", "after")

__all__ = ["AUDIT_KEYS", "FORMATS", "SPACY_MISSING", "AnnotationSet", "ExportError", "Losses",
           "OutputExists", "OutputRefused", "atomic_output", "count_sets", "document_meta",
           "export", "refuse_database_stream", "spacy_available"]


class ExportError(Exception):
    """An export that cannot be made (a user-facing message)."""


def _dumps(row: Any) -> str:
    return json.dumps(row, ensure_ascii=False)


def export(store: Store, fmt: str, out: IO[Any], annotator: str | None = None, gold: bool = False,
           status: Status | str | None = None,
           progress: Callable[[int], None] | None = None, losses: Losses | None = None,
           everything: bool = False) -> int:
    """Write `fmt` to `out` and return the number of records (lines; tasks for Label Studio;
    sets for spaCy) written.

    annotator: only that annotator's work; gold: only the gold set; status: only sets with it
    ("any" or None: all). progress, when given, is called with the count so far. losses, when
    given, counts what the format could not hold. everything (jsonl only): the full backup."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if everything and (fmt != "jsonl" or annotator or gold or status not in (None, "any")):
        raise ExportError("--all is the whole database in our jsonl: it takes no --as, --gold"
                          " or --status, and no other format")
    if gold:
        annotator = GOLD
    losses = losses if losses is not None else Losses()
    wanted = None if status in (None, "any") else Status(status)
    schema_of = _schemas(store)
    sets = store.annotation_sets(annotator, wanted)
    if fmt not in ("jsonl", "audit"):
        sets = _review_losses(store, sets, losses)
    if fmt == "spacy":
        try:
            return spacy_bin.write(sets, out, schema_of, losses, progress)
        except spacy_bin.SpacyMissing as exc:
            raise ExportError(str(exc)) from None
    if fmt == "labelstudio":
        return labelstudio.write_array(labelstudio.tasks(sets, schema_of, losses), out, _dumps,
                                       progress)
    rows: Iterator[dict[str, Any]]
    if fmt == "audit":
        rows = ({k: ev[k] for k in AUDIT_KEYS} for ev in store.events()
                if annotator is None or ev["annotator"] == annotator)
    elif everything:
        rows = _backup(store)
    elif fmt == "jsonl":
        rows = _with_notes(store, (_jsonl_line(store, *s) for s in sets), annotator, wanted)
    elif fmt == "datasets":
        rows = (jsonl.as_datasets(row) for row in _with_notes(
            store, (_jsonl_line(store, *s) for s in sets), annotator, wanted))
    else:
        shape = {"doccano": doccano.line, "prodigy": prodigy.line}[fmt]
        rows = (shape(*s, losses) for s in sets)
    n = 0
    for row in rows:
        out.write(_dumps(row))
        out.write("\n")
        n += 1
        if progress and n % 64 == 0:
            progress(n)
    if progress:
        progress(n)
    return n


def _schemas(store: Store) -> Callable[[str], LabelSchema | None]:
    """The schema a document was imported with, parsed once per ref."""
    cache: dict[str, LabelSchema | None] = {}

    def schema_of(ref: str) -> LabelSchema | None:
        if ref not in cache:
            source = store.schema_source(ref) if ref else None
            try:
                cache[ref] = parse_schema(source, ref) if source else None
            except SchemaError:
                cache[ref] = None
        return cache[ref]

    return schema_of


def _backup(store: Store) -> Iterator[dict[str, Any]]:
    """The header, schemas and annotators; each document's annotation sets (the jsonl lines)
    or, for a document nobody worked on, a plain line; then actions and events."""
    yield jsonl.header()
    for row in B.schemas(store):
        yield {"kind": "schema", **row}
    for row in B.annotators(store):
        yield {"kind": "annotator", **row}
    sets = store.annotation_sets(None, None)
    pending = next(sets, None)
    for doc, seq, created in B.documents(store):
        yield {"kind": "document", "id": doc.id, "seq": seq, "created_at": created}
        if pending is None or pending[0].id != doc.id:
            yield jsonl.unannotated(doc)
        while pending is not None and pending[0].id == doc.id:
            yield _jsonl_line(store, *pending)
            pending = next(sets, None)
    for row in B.actions(store):
        yield {"kind": "action", "action": row}  # an action row has a "kind" of its own
    for ev in store.events():
        yield {"kind": "event", **{k: ev[k] for k in B.EVENT_COLS}}
    for table, row in B.table_rows(store):
        yield {"kind": "row", "table": table, "row": row}


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


def _jsonl_line(store: Store, doc: Document, who: str, status: Status, spans: list[Span],
                links: list[Link]) -> dict[str, Any]:
    """Our JSONL line; the gold set's carries the review's provenance and reasons."""
    row = jsonl.line(doc, who, status, spans, links)
    if who != GOLD:
        return row
    return jsonl.with_review(row, *_review_decisions(store, doc, spans, links))


def _review_decisions(store: Store, doc: Document, spans: list[Span], links: list[Link]
                      ) -> tuple[dict[str, Decision], list[Decision]]:
    """The gold set's decisions on doc: those of its spans and links (by id), and the ones
    that left nothing in gold (rejects)."""
    decided = store.decisions_for([*(s.id for s in spans), *(lk.id for lk in links)])
    return decided, [d for d in store.review_decisions(doc.id) if d.target is None]


def _review_losses(store: Store, sets: Iterator[AnnotationSet], losses: Losses
                   ) -> Iterator[AnnotationSet]:
    """Other tools' shapes have no place for the review's provenance, reasons and rejects
    (docs/review.md): each gold decision is a loss."""
    for s in sets:
        doc, who, _, spans, links = s
        if who == GOLD:
            decided, empty = _review_decisions(store, doc, spans, links)
            losses.add("review decisions", len(decided) + len(empty))
        yield s


def _with_notes(store: Store, rows: Iterator[dict[str, Any]], annotator: str | None,
                wanted: Status | None) -> Iterator[dict[str, Any]]:
    """A set's flags (annotator/store/team.py) as its "notes"; a set without any has no key.
    A flag on a document its annotator has not worked on yet (no set: "text garbled" before
    the first label) comes as a set of its own, status todo with no spans, in its place in
    the (document id, annotator) order, where the export takes todo sets."""
    from annotator.store.team import flags

    notes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in flags(store, annotator, open_only=False):
        notes.setdefault((f.doc_id, f.annotator), []).append(
            {"id": f.id, "span": f.span_id, "note": f.note, "created_at": f.created_at,
             "resolved_by": f.resolved_by, "resolved_at": f.resolved_at}
            | ({"flagged_by": f.flagged_by} if f.flagged_by else {}))
    alone = sorted(notes) if wanted in (None, Status.TODO) else []

    def flags_only(before: tuple[str, str] | None) -> Iterator[dict[str, Any]]:
        while alone and (before is None or alone[0] < before):
            doc_id, who = alone.pop(0)
            doc = store.get_document(doc_id)
            if doc is not None:
                yield jsonl.line(doc, who, Status.TODO, [], []) | {"notes": notes[doc_id, who]}

    for row in rows:
        key = (row["id"], row["annotator"])
        yield from flags_only(key)
        if alone and alone[0] == key:
            alone.pop(0)
        if found := notes.get(key):
            row["notes"] = found
        yield row
    yield from flags_only(None)


def spacy_available() -> bool:
    try:
        import spacy  # noqa: F401
    except ImportError:
        return False
    return True
