"""Read one Label Studio task (of its JSON export, of our `export --format labelstudio`, or a
line of our older JSONL of tasks) into Records: one per submitted annotation.

- `data.text` is the document; its id is `data.doc_id` (ours), else `data.id`, else the
  task's `id`; its title `data.title`; `data.meta` and the other `data` keys are its meta.
- Whose annotation: the entry of the task's `meta.annotators` at its position (our export:
  `{"annotator", "status"}` for each annotation, in order), else the task's `meta.annotator`
  (our older export, one annotation a task), else `@gold` for a `ground_truth` annotation,
  else `completed_by`: a user object's `email`, else `labelstudio-<user id>`; else `--as`.
- Links to other documents: the task's `meta.cross_document_links`, `{"annotator", "id",
  "type", "from_id", "to_doc", "to_id"}` (our export writes them).
- `labels` results are spans (`value.start`/`end` in code points, `value.text` checked against
  the document, one label a region); `choices`, `textarea`, `number` and `rating` results with
  a region's id are that span's attributes, named by `from_name`; `relation` results are
  links (`labels` are link types; `direction` "left" swaps the ends, "bi" on a one-way type
  makes two links; without labels, the schema's only link type).
- Not annotations, counted for the report: predictions, drafts, cancelled (skipped)
  annotations, results on no region, results of other types.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.jsonl_shapes import (
    LinkIn,
    Record,
    RecordReader,
    annotator_name_problem,
    generated_id,
    make_link,
    record_status,
)
from annotator.model import GOLD, Span, Status
from annotator.numbers import MACHINE_FILLED

ATTRIBUTE_RESULTS = {"choices": "choices", "textarea": "text", "number": "number",
                     "rating": "rating"}  # result type -> its key in value
DATA_KEYS = ("text", "doc_id", "id", "title", "meta")
# what our export writes in a task's meta (annotator and status: its older one-set tasks)
TASK_META = ("annotators", "cross_document_links", "annotator", "status")
CROSS_KEYS = ("annotator", "id", "type", "from_id", "to_doc", "to_id")


class TaskReader:
    """Label Studio tasks, validated with a RecordReader's schema."""

    def __init__(self, reader: RecordReader) -> None:
        self.r = reader

    def read(self, task: dict[str, Any], path: Path, lineno: int, errs: list[str],
             left_out: Counter[str], ignored: set[str]) -> list[Record]:
        """The task's annotations; problems go to errs, things not imported to left_out
        (ingest.LEFT_OUT says why) and unmapped task meta keys to ignored."""
        data = task["data"]
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            errs.append("data.meta must be an object")
            return []
        meta = {**{k: v for k, v in data.items() if k not in DATA_KEYS}, **meta}
        raw_id = next((x for x in (data.get("doc_id"), data.get("id"), task.get("id"))
                       if x is not None), None)
        doc = self.r.document({"id": raw_id, "text": data.get("text"),
                               "title": data.get("title"), "meta": meta}, errs, lineno, path)
        task_meta = task.get("meta") or {}
        if not isinstance(task_meta, dict):
            errs.append("meta must be an object")
            task_meta = {}
        ignored.update(str(k) for k in task_meta if k not in TASK_META)
        annotations = task.get("annotations") or []
        if not isinstance(annotations, list) or not all(isinstance(a, dict)
                                                        for a in annotations):
            errs.append("annotations must be a list of objects")
        for key in ("predictions", "drafts"):
            if isinstance(task.get(key), list) and task[key]:
                left_out[key[:-1]] += len(task[key])
        named = _named(task_meta, annotations, errs)
        if doc is None or errs:
            return []
        out = [Record(doc)]  # the document even when no annotation is imported
        used: set[str] = set()  # region ids of the task's earlier annotations
        regions: dict[str, dict[Any, Span]] = {}  # annotator -> their regions
        first: dict[str, int] = {}  # annotator -> the annotation that is theirs
        for i, ann in enumerate(annotations):
            if ann.get("was_cancelled"):
                left_out["cancelled annotation"] += 1
                continue
            where = f"annotation #{i + 1}: " if len(annotations) > 1 else ""
            mine: list[str] = []
            who = self._who(ann, named[i].get("annotator"), mine)
            if who in first:
                mine.append(f"{who} has annotation #{first[who] + 1} of this task already (one"
                            " annotation set per annotator and document)")
            first.setdefault(who, i)
            status = record_status(named[i], mine) or Status.DONE
            spans, links, found = self._result(ann.get("result"), doc, who, used, mine,
                                               left_out, "annotators" not in task_meta)
            regions.setdefault(who, found)
            errs += [where + e for e in mine]
            out.append(Record(doc, who, spans, links, status))
        cross = task_meta.get("cross_document_links")
        if cross is not None and (not isinstance(cross, list)
                                  or not all(isinstance(e, dict) for e in cross)):
            errs.append("meta.cross_document_links must be a list of objects")
            return []
        for i, e in enumerate(cross or []):
            if e.get("annotator") not in regions:
                errs.append(f"meta.cross_document_links #{i + 1}: annotator"
                            f" {e.get('annotator')!r} has no annotation in this task")
        cross_links = {who: self._cross(cross or [], who, found, errs)
                       for who, found in regions.items()}
        for rec in out[1:]:
            rec.links += cross_links.pop(rec.annotator or "", [])
        return out if not errs else []

    def _who(self, ann: dict[str, Any], named: Any, errs: list[str]) -> str:
        user = ann.get("completed_by")
        if ann.get("ground_truth") is True and named not in (None, GOLD):
            errs.append(f"ground_truth is true but the task's meta names {named!r} (the gold"
                        f" set is {GOLD})")
        if named is not None:
            who, field = named, "meta.annotators"
        elif ann.get("ground_truth") is True:
            return GOLD
        elif isinstance(user, dict) and isinstance(user.get("email"), str):
            who, field = user["email"], "completed_by.email"
        elif isinstance(user, dict) and type(user.get("id")) is int:
            who, field = f"labelstudio-{user['id']}", "completed_by.id"
        elif type(user) is int:
            who, field = f"labelstudio-{user}", "completed_by"
        elif user is None:
            return self.r.actor
        else:
            errs.append("completed_by must be a user id or a user object")
            return self.r.actor
        if why := annotator_name_problem(who, allow_gold=True):
            errs.append(f"{field}: {why}")
        return str(who)

    def _result(self, result: Any, doc: Any, who: str, used: set[str], errs: list[str],
                left_out: Counter[str], fill: bool
                ) -> tuple[list[Span], list[LinkIn], dict[Any, Span]]:
        """The spans and links of one annotation, and its spans by region id. `fill`: a
        NUMBER region without attribute results gets numbers.py's reading (not in our own
        export, which writes every attribute a span has)."""
        if result is None:
            return [], [], {}
        if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
            errs.append("result must be a list of objects")
            return [], [], {}
        regions: dict[Any, Span] = {}
        invalid: set[Any] = set()  # reported once, not again by the results naming them
        for i, r in enumerate(result):
            if r.get("type") == "labels":
                span = self._region(r, i, doc, who, used, errs)
                if span is not None:
                    regions[_hashable(r.get("id"))] = span
                else:
                    invalid.add(_hashable(r.get("id")))
        used.update(str(k) for k in regions)
        attrs: dict[Any, dict[str, Any]] = {}
        links: dict[str, LinkIn] = {}
        for i, r in enumerate(result):
            kind, rid = r.get("type"), _hashable(r.get("id"))
            ends = {_hashable(r.get("from_id")), _hashable(r.get("to_id"))}
            if (rid in invalid and kind != "relation") or (kind == "relation" and ends & invalid):
                continue
            if kind in ATTRIBUTE_RESULTS:
                if rid not in regions:
                    left_out["document-level result"] += 1
                    continue
                value = self._value(r, kind, regions[rid].label, errs)
                if value is not None:
                    attrs.setdefault(rid, {})[str(r.get("from_name"))] = value
            elif kind == "relation":
                for link in self._relation(r, i, regions, errs):
                    links[link.id] = link
            elif kind != "labels":
                left_out["other result"] += 1
        regions = {rid: replace(s, attrs=attrs[rid]) if rid in attrs
                   else self.r.filled(s, doc) if fill else s for rid, s in regions.items()}
        spans = list(regions.values())
        self.r.check_attrs(spans, errs, set())
        return spans, list(links.values()), regions

    def _region(self, r: dict[str, Any], i: int, doc: Any, who: str, used: set[str],
                errs: list[str]) -> Span | None:
        rid, value = r.get("id"), r.get("value")
        where = f"region {rid}" if isinstance(rid, str) and rid else f"result #{i + 1}"
        if not isinstance(value, dict):
            errs.append(f"{where}: value must be an object")
            return None
        labels = value.get("labels")
        if not isinstance(labels, list) or len(labels) != 1:
            errs.append(f"{where}: value.labels must hold one label (a span has one), not"
                        f" {labels!r}")
            return None
        sid = rid if isinstance(rid, str) and rid and rid not in used else generated_id(
            doc.id, who, rid, value.get("start"), value.get("end"), labels[0])
        start, end, text = value.get("start"), value.get("end"), value.get("text")
        if type(start) is int and type(end) is int and isinstance(text, str) and (
                doc.text[start:end] != text):
            start, end = _from_utf16(doc.text, start, end, text) or (start, end)
        errs_before = len(errs)
        span = self.r.span(doc, who, i + 1, sid, start, end, labels[0], None, text, errs)
        errs[errs_before:] = [e.replace(f"span {sid}", where, 1) for e in errs[errs_before:]]
        return span

    def _value(self, r: dict[str, Any], kind: str, label: str, errs: list[str]) -> Any:
        """The attribute value of a per-region result: one choice ("true"/"false" for a
        yes/no attribute), textarea lines joined (machine_filled: the list), a number."""
        value = r.get("value")
        got = value.get(ATTRIBUTE_RESULTS[kind]) if isinstance(value, dict) else None
        where = f"region {r.get('id')}: {r.get('from_name')!r}"
        if kind == "choices" or kind == "textarea":
            if not isinstance(got, list) or not all(isinstance(x, str) for x in got):
                errs.append(f"{where}: value.{ATTRIBUTE_RESULTS[kind]} must be a list of text")
                return None
            if kind == "choices" and len(got) != 1:
                errs.append(f"{where}: {len(got)} choices; an attribute holds one")
                return None
            if kind == "textarea" and r.get("from_name") == MACHINE_FILLED:
                return got  # attribute names, a list (the schema check says if it is not)
            a = self.r.labels.get(label, {}).get(str(r.get("from_name")))
            if kind == "choices" and a is not None and a.type == "bool":
                return _BOOL.get(got[0], got[0])
            return "\n".join(got)
        return got  # a number; the schema checks its type

    def _relation(self, r: dict[str, Any], i: int, regions: dict[Any, Span],
                  errs: list[str]) -> list[LinkIn]:
        where = f"relation #{i + 1}"
        ends = []
        for key in ("from_id", "to_id"):
            span = regions.get(_hashable(r.get(key)))
            if span is None:
                errs.append(f"{where}: {key} {r.get(key)!r} is not a labelled region of this"
                            " annotation")
            ends.append(span)
        labels = r.get("labels") or []
        if not isinstance(labels, list):
            errs.append(f"{where}: labels must be a list")
            return []
        if not labels:
            if len(self.r.link_types) != 1:
                errs.append(f"{where}: no label, and the schema has"
                            f" {len(self.r.link_types)} link types (say which)")
                return []
            labels = list(self.r.link_types)
        types = [self.r.link_type(t, where, errs) for t in labels]
        a, b = ends
        direction = r.get("direction", "right")
        if direction not in ("right", "left", "bi"):
            errs.append(f"{where}: direction {direction!r} is not right, left or bi")
            return []
        if a is None or b is None:
            return []
        if direction == "left":
            a, b = b, a
        out = []
        for t in types:
            if t is None:
                continue
            out.append(make_link(a.annotator, t, a.id, b.id))
            if direction == "bi" and not self.r.link_types[t].symmetric:
                out.append(make_link(a.annotator, t, b.id, a.id))
        rid = r.get("id")
        if len(out) == 1 and isinstance(rid, str) and rid:  # our export writes the link's id
            out[0].id = rid
        return out

    def _cross(self, entries: list[dict[str, Any]], who: str, regions: dict[Any, Span],
               errs: list[str]) -> list[LinkIn]:
        """`who`'s links to other documents: the entries of the task's
        meta.cross_document_links whose annotator is `who`; `regions` are who's spans."""
        out = []
        for i, e in enumerate(entries):
            if e.get("annotator") != who:
                continue
            where = f"meta.cross_document_links #{i + 1}"
            lid, ltype, a, to_doc, b = (e.get(k) for k in CROSS_KEYS[1:])
            if not all(isinstance(x, str) and x for x in (a, to_doc, b)) or not (
                    lid is None or isinstance(lid, str) and lid):
                errs.append(f"{where}: id, from_id, to_doc and to_id must be non-empty strings")
                continue
            ltype = self.r.link_type(ltype, where, errs)
            span = regions.get(a)
            if span is None:
                errs.append(f"{where}: from_id {a!r} is not a labelled region of {who}'s"
                            " annotation")
            if ltype is None or span is None:
                continue
            out.append(LinkIn(lid or generated_id("link", who, ltype, span.id, b), ltype,
                              span.id, str(b), str(to_doc)))
        return out


_BOOL = {"true": True, "false": False}  # how our export writes a yes/no attribute's choice


def _named(task_meta: dict[str, Any], annotations: list[Any], errs: list[str]
           ) -> list[dict[str, Any]]:
    """The task meta's {"annotator", "status"} for each annotation, by position (our export's
    meta.annotators; the older one, one annotation a task: meta.annotator and meta.status);
    empty objects when it names none."""
    n = len(annotations)
    listed = task_meta.get("annotators")
    if listed is None:
        return [task_meta] if n == 1 else [{}] * n
    if not isinstance(listed, list) or not all(isinstance(x, dict) for x in listed):
        errs.append("meta.annotators must be a list of objects")
        return [{}] * n
    if len(listed) != n:
        errs.append(f"meta.annotators names {len(listed)} annotators for {n} annotations (one"
                    " each, in order; without meta.annotators, completed_by says whose)")
        return [{}] * n
    return listed


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | None) else repr(value)


def _from_utf16(text: str, start: int, end: int, expected: str) -> tuple[int, int] | None:
    """Code point offsets for UTF-16 ones (as JavaScript counts, and older Label Studio
    versions wrote), when they select `expected` exactly; else None."""
    units = text.encode("utf-16-le")
    if not 0 <= start < end <= len(units) // 2:
        return None
    try:
        first = len(units[: 2 * start].decode("utf-16-le"))
        last = first + len(units[2 * start : 2 * end].decode("utf-16-le"))
    except UnicodeDecodeError:  # an offset inside a surrogate pair
        return None
    return (first, last) if text[first:last] == expected else None
