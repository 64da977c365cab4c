"""Read one Label Studio task (its JSON export, or a line of our `export --format
labelstudio`) into Records: one per submitted annotation.

- `data.text` is the document; its id is `data.doc_id` (ours), else `data.id`, else the
  task's `id`; its title `data.title`; `data.meta` and the other `data` keys are its meta.
- Whose annotation: the task's `meta.annotator` (our export, one annotation a task), else
  `completed_by`: a user object's `email`, else `labelstudio-<user id>`; else `--as`.
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
    _status,
    annotator_name_problem,
    generated_id,
    make_link,
)
from annotator.model import Span, Status

ATTRIBUTE_RESULTS = {"choices": "choices", "textarea": "text", "number": "number",
                     "rating": "rating"}  # result type -> its key in value
DATA_KEYS = ("text", "doc_id", "id", "title", "meta")
TASK_META = ("annotator", "status")  # what our export writes in a task's meta


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
        if doc is None or errs:
            return []
        out = [Record(doc)]  # the document even when no annotation is imported
        used: set[str] = set()  # region ids of the task's earlier annotations
        for i, ann in enumerate(annotations):
            if ann.get("was_cancelled"):
                left_out["cancelled annotation"] += 1
                continue
            where = f"annotation #{i + 1}: " if len(annotations) > 1 else ""
            own = task_meta if len(annotations) == 1 else {}
            mine: list[str] = []
            who = self._who(ann, own.get("annotator"), mine)
            status = _status(own, mine) or Status.DONE
            spans, links = self._result(ann.get("result"), doc, who, used, mine, left_out)
            errs += [where + e for e in mine]
            out.append(Record(doc, who, spans, links, status))
        return out if not errs else []

    def _who(self, ann: dict[str, Any], named: Any, errs: list[str]) -> str:
        user = ann.get("completed_by")
        if named is not None:
            who, field = named, "meta.annotator"
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
                left_out: Counter[str]) -> tuple[list[Span], list[LinkIn]]:
        if result is None:
            return [], []
        if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
            errs.append("result must be a list of objects")
            return [], []
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
                value = self._value(r, kind, errs)
                if value is not None:
                    attrs.setdefault(rid, {})[str(r.get("from_name"))] = value
            elif kind == "relation":
                for link in self._relation(r, i, regions, errs):
                    links[link.id] = link
            elif kind != "labels":
                left_out["other result"] += 1
        spans = [replace(s, attrs=attrs[rid]) if rid in attrs else self.r.filled(s, doc)
                 for rid, s in regions.items()]
        self.r._attrs(spans, errs, set())
        return spans, list(links.values())

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
        span = self.r._span(doc, who, i + 1, sid, start, end, labels[0], None, text, errs)
        errs[errs_before:] = [e.replace(f"span {sid}", where, 1) for e in errs[errs_before:]]
        return span

    @staticmethod
    def _value(r: dict[str, Any], kind: str, errs: list[str]) -> Any:
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
        return out


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
