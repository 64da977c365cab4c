"""Label Studio: one JSON array of tasks, one task per document, each annotator's set one
annotation of it. Spans are `labels` results; their attributes are per-region results
(`choices`, `textarea`, `number`) with the span's id; links inside the document are
`relation` results; links to other documents are kept in the task's
`meta.cross_document_links`. The document's own meta (outlet, date, URL, where it was
imported from) is `data.meta`, which Label Studio keeps and shows as task data.
`label_config` writes the labelling interface that declares every result name used."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from annotator.exports.common import AnnotationSet, Losses
from annotator.model import GOLD, AttributeDef, LabelSchema, Span

LABELS, TEXT = "label", "text"  # the names of the Labels and the Text tags
# attribute type → (Label Studio result type, the value's key)
_RESULT = {"choice": ("choices", "choices"), "bool": ("choices", "choices"),
           "text": ("textarea", "text"), "span": ("textarea", "text"),
           "number": ("number", "number")}


def tasks(sets: Iterator[AnnotationSet], schema_of: Callable[[str], LabelSchema | None],
          losses: Losses) -> Iterator[dict[str, Any]]:
    """One task per document (sets come grouped by document), ids counting from 1."""
    task: dict[str, Any] | None = None
    for n_annotation, (doc, who, status, spans, links) in enumerate(sets, 1):
        if task is None or task["data"]["doc_id"] != doc.id:
            if task is not None:
                yield task
            task = {"id": (task["id"] + 1) if task else 1,
                    "data": {"text": doc.text, "doc_id": doc.id, "title": doc.title,
                             "meta": doc.meta},
                    "annotations": [],
                    "meta": {"annotators": [], "cross_document_links": []}}
        defs = _defs(schema_of(doc.schema))
        ids = {s.id for s in spans}
        result = [r for s in spans for r in _regions(s, doc.text, defs.get(s.label, {}),
                                                      losses)]
        result += [{"id": lk.id, "from_id": lk.from_span, "to_id": lk.to_span,
                    "type": "relation", "direction": "right", "labels": [lk.type]}
                   for lk in links if lk.to_doc == doc.id and lk.to_span in ids]
        task["annotations"].append({"id": n_annotation, "result": result,
                                    "ground_truth": who == GOLD, "was_cancelled": False})
        task["meta"]["annotators"].append({"annotator": who, "status": status.value})
        task["meta"]["cross_document_links"] += [
            {"annotator": who, "id": lk.id, "type": lk.type, "from_id": lk.from_span,
             "to_doc": lk.to_doc, "to_id": lk.to_span}
            for lk in links if not (lk.to_doc == doc.id and lk.to_span in ids)]
    if task is not None:
        yield task


def write_array(items: Iterator[dict[str, Any]], out: IO[str], dumps: Callable[[Any], str],
                progress: Callable[[int], None] | None) -> int:
    """A JSON array, one task a line, streamed: `[`, tasks joined by `,`, `]`."""
    n = 0
    out.write("[")
    for item in items:
        out.write(",\n" if n else "\n")
        out.write(dumps(item))
        n += 1
        if progress and n % 64 == 0:
            progress(n)
    out.write("\n]\n" if n else "]\n")
    if progress:
        progress(n)
    return n


def _defs(schema: LabelSchema | None) -> dict[str, dict[str, AttributeDef]]:
    if schema is None:
        return {}
    return {lab.name: {a.name: a for a in lab.attributes} for lab in schema.labels}


def _regions(s: Span, text: str, defs: dict[str, AttributeDef],
             losses: Losses) -> Iterator[dict[str, Any]]:
    where = {"start": s.start, "end": s.end, "text": text[s.start : s.end]}
    yield {"id": s.id, "from_name": LABELS, "to_name": TEXT, "type": "labels",
           "value": {**where, "labels": [s.label]}}
    for name, value in s.attrs.items():
        a = defs.get(name)
        if value is None:
            continue
        if a is None:  # machine_filled: which attributes numbers.py filled in
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield {"id": s.id, "from_name": name, "to_name": TEXT, "type": "textarea",
                       "value": {**where, "text": value}}
            else:
                losses.add("attributes")
            continue
        kind, key = _RESULT[a.type]
        shown = ("true" if value else "false") if a.type == "bool" else value
        yield {"id": s.id, "from_name": name, "to_name": TEXT, "type": kind,
               "value": {**where, key: [shown] if kind != "number" else shown}}


def label_config(schema: LabelSchema) -> str:
    """The Label Studio labelling interface for this schema's export."""
    q = quoteattr
    out = ["<View>", f'  <Labels name="{LABELS}" toName="{TEXT}">']
    out += [f"    <Label value={q(lab.name)} background={q(lab.color)}/>" for lab in schema.labels]
    out += ["  </Labels>", f'  <Text name="{TEXT}" value="$text"/>']
    if schema.links:
        out.append("  <Relations>")
        out += [f"    <Relation value={q(lt.name)}/>" for lt in schema.links]
        out.append("  </Relations>")
    seen: set[str] = set()
    for lab in schema.labels:
        for a in lab.attributes:
            if a.name in seen:
                continue
            seen.add(a.name)
            common = f'name={q(a.name)} toName="{TEXT}" perRegion="true"'
            if a.type in ("choice", "bool"):
                values = a.choices if a.type == "choice" else ("true", "false")
                out.append(f'  <Choices {common} choice="single">')
                out += [f"    <Choice value={q(v)}/>" for v in values]
                out.append("  </Choices>")
            elif a.type == "number":
                out.append(f"  <Number {common}/>")
            else:
                out.append(f"  <TextArea {common}/>")
    out.append(f'  <TextArea name="machine_filled" toName="{TEXT}" perRegion="true"/>')
    out.append("</View>")
    return "\n".join(out) + "\n"
