"""Read one JSONL record (our shape, doccano, Prodigy or plain) into a validated Record.

Label Studio tasks are read by labelstudio_shape.py, with the helpers of this module."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from annotator.exports.common import Utf16
from annotator.model import (
    GOLD,
    AttributeDef,
    Decision,
    Document,
    Kind,
    LabelSchema,
    Span,
    Status,
)
from annotator.numbers import MACHINE_FILLED, fill_attrs, mark_problem

ID_NAMESPACE = uuid.UUID("0b5f6a4e-2c1d-5e8f-9a3b-7c6d5e4f3a2b")  # generated ids: never change it
TITLE_MAX = 200
ATTR_TEXT_MAX = 2000
"""Code points of a text attribute at most (a speaker's name, a qualifier, a note): imports
refuse longer values, the attribute form takes no more, and the screen shows a cut of any
longer value that is in a database already. Two thousand is a long paragraph."""
STATUSES = {s.value: s for s in Status}
# Where another tool's record names its annotator (ours writes the first of each), else --as
ANNOTATOR_FIELDS = {"doccano": ("annotator",), "prodigy": ("_annotator_id", "_session_id")}
ANSWERS = ("accept", "reject", "ignore")  # Prodigy's; only accept is an annotation


def annotator_name_problem(name: object, allow_gold: bool = False) -> str | None:
    """Why `name` cannot be an annotator name, or None when it can."""
    if not isinstance(name, str) or not name:
        return "an annotator name must be a non-empty string"
    if any(c.isspace() or not c.isprintable() for c in name):
        return f"annotator name {name!r} contains whitespace or control characters"
    if name.startswith("@") and not (allow_gold and name == GOLD):
        return f"annotator name {name!r} starts with @, which is reserved (the gold set is {GOLD})"
    if len(name) > 64:
        return "an annotator name must be at most 64 characters"
    return None


def title_of(text: str, markdown: bool = False) -> str:
    """The first non-empty line (without leading # for Markdown), at most TITLE_MAX long."""
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        line = text[pos:end].strip()
        if markdown:
            line = line.lstrip("#").strip()
        if line:
            return line[:TITLE_MAX]
        pos = end + 1
    return ""


def generated_id(*parts: object) -> str:
    """A deterministic id for input without ids, so importing it again is a no-op."""
    return uuid.uuid5(ID_NAMESPACE, "\x1f".join(str(p) for p in parts)).hex


def detect(rec: dict[str, Any]) -> str:
    """The shape of a file, from its first record: annotator | doccano | prodigy |
    labelstudio | plain."""
    keys = rec.keys()
    if "text" not in keys and isinstance(rec.get("data"), dict):
        return "labelstudio"  # a task: {"data": {"text": ...}, "annotations": [...]}
    # doccano keeps spans in a list under one of these; Prodigy's textcat "label" is a string
    doccano = any(k in keys and (isinstance(rec[k], list) or "spans" not in keys)
                  for k in ("label", "labels", "entities"))
    if "sha256" in keys or ("annotator" in keys and not doccano):
        return "annotator"
    if doccano:
        return "doccano"
    return "prodigy" if "spans" in keys else "plain"


def _decoded(value: Any, where: str, errs: list[str]) -> Any:
    """`value` itself, or the object its JSON text holds (export -f datasets writes `meta` and
    `attrs` as JSON text, which Arrow reads without guessing)."""
    if not isinstance(value, str):
        return value
    try:
        obj = json.loads(value)
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        errs.append(f"{where} is a string that is not a JSON object (export -f datasets writes"
                    " it as JSON text of an object)")
        return None
    return obj


def decode_json_text(rec: dict[str, Any], errs: list[str]) -> dict[str, Any]:
    """Our shape with `meta` and the spans' `attrs` as JSON text (the datasets export) read as
    the objects they hold; a record in the native shape is returned as it is."""
    spans = rec.get("spans")
    text_attrs = isinstance(spans, list) and any(
        isinstance(s, dict) and isinstance(s.get("attrs"), str) for s in spans)
    if not isinstance(rec.get("meta"), str) and not text_attrs:
        return rec
    rec = {**rec, "meta": _decoded(rec.get("meta"), "meta", errs)}
    if text_attrs and isinstance(spans, list):
        rec["spans"] = [{**s, "attrs": _decoded(s.get("attrs"), f"span {i + 1}: attrs", errs)}
                        if isinstance(s, dict) else s for i, s in enumerate(spans)]
    return rec


@dataclass(slots=True)
class LinkIn:
    """A link as read; its spans are resolved against the import and the database later."""

    id: str
    type: str
    from_: str
    to: str
    to_doc: str | None


@dataclass(slots=True)
class Record:
    """One valid input record: a document and, optionally, one annotation set on it."""

    doc: Document
    annotator: str | None = None  # None: a document without an annotation set
    spans: list[Span] = field(default_factory=list)
    links: list[LinkIn] = field(default_factory=list)
    status: Status | None = None
    strict: bool = False  # our own shape: a repeated span/link id is an error
    skipped: str = ""  # what it is when it is not imported: "rejected answer" (ingest.LEFT_OUT)
    decisions: list[Decision] = field(default_factory=list)  # a gold line's (docs/review.md)


def older_version(ref: Any, current: str) -> bool:
    """Whether `ref` names an earlier version of the schema `current` names ("news@1" of
    "news@2"): a record annotated with it is read with the newer one, which checks every label,
    attribute and link type in it as usual (a later version that dropped one refuses it)."""
    if not isinstance(ref, str):
        return False
    name, _, version = ref.rpartition("@")
    cur_name, _, cur_version = current.rpartition("@")
    return (name == cur_name and version.isdigit() and cur_version.isdigit()
            and int(version) < int(cur_version))


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class RecordReader:
    """Validates records against a schema; `read` appends every problem it finds to errs."""

    def __init__(self, schema: LabelSchema, actor: str) -> None:
        self.ref, self.actor = schema.ref, actor
        self.labels = {lab.name: {a.name: a for a in lab.attributes} for lab in schema.labels}
        self.link_types = {lt.name: lt for lt in schema.links}
        self.number_labels = {lab.name for lab in schema.labels if lab.kind == Kind.NUMBER}
        self.input_docs: dict[int | str, str] = {}  # Prodigy _input_hash -> document id

    def read(self, shape: str, rec: dict[str, Any], path: Path, lineno: int,
             errs: list[str]) -> Record | None:
        if shape == "prodigy":
            return self._prodigy(rec, path, lineno, errs)
        if shape == "annotator":
            rec = decode_json_text(rec, errs)
        doc = self.document(rec, errs, lineno, path)
        if doc is None:
            return None
        if shape == "annotator":
            return self._ours(rec, doc, errs)
        if shape == "doccano":
            who = self._annotator(rec, shape, errs)
            entries = rec["entities"] if "entities" in rec else rec.get("label", rec.get("labels"))
            spans, by_entry = self._entries(doc, who, errs, entries,
                                            ("start_offset", "end_offset"))
            links = self._doccano_relations(rec.get("relations"), by_entry, who, errs)
            return Record(doc, who, spans, links,
                          status=record_status(rec, errs))  # our doccano export writes it
        return Record(doc)

    def _prodigy(self, rec: dict[str, Any], path: Path, lineno: int,
                 errs: list[str]) -> Record | None:
        """Only an accepted answer is an annotation (done); a record without an answer is
        in progress. Records with the same _input_hash and no id of their own are one
        document: the id of the first of them."""
        answer = rec.get("answer")
        if answer is not None and answer not in ANSWERS:
            errs.append(f"answer {answer!r} is not one of {', '.join(ANSWERS)}")
        key = rec.get("_input_hash")
        key = key if type(key) in (int, str) else None
        doc = self.document(rec, errs, lineno, path,
                            None if key is None else self.input_docs.get(key))
        if doc is None or errs:
            return None
        if key is not None:
            self.input_docs.setdefault(key, doc.id)
        if answer in ("reject", "ignore"):
            return Record(doc, skipped=f"{answer.rstrip('e')}ed answer")
        who = self._annotator(rec, "prodigy", errs)
        spans, _ = self._entries(doc, who, errs, rec.get("spans"), ("start", "end"))
        raw = rec.get("spans") if isinstance(rec.get("spans"), list) else []
        links = self._prodigy_relations(rec.get("relations"), raw, who, spans, errs)
        return Record(doc, who, spans, links, Status.DONE if answer == "accept" else None)

    def link_type(self, name: Any, where: str, errs: list[str]) -> str | None:
        """`name` when the schema has that link type, else None after an error."""
        if isinstance(name, str) and name in self.link_types:
            return name
        errs.append(f"{where}: unknown link type {name!r} (the schema has"
                    f" {', '.join(self.link_types) or 'none'})")
        return None

    def _relations(self, relations: Any, errs: list[str]) -> list[Any]:
        if relations is None:
            return []
        if not isinstance(relations, list):
            errs.append("relations must be a list")
            return []
        bad = [i for i, r in enumerate(relations) if not isinstance(r, dict)]
        for i in bad:
            errs.append(f"relation #{i + 1}: expected an object")
        return [] if bad else relations

    def _doccano_relations(self, relations: Any, by_entry: dict[Any, str], who: str,
                           errs: list[str]) -> list[LinkIn]:
        """doccano's {"id", "from_id", "to_id", "type"}, ends being ids of `entities`."""
        links: dict[str, LinkIn] = {}
        for i, r in enumerate(self._relations(relations, errs)):
            where = f"relation #{i + 1}"
            ltype = self.link_type(r.get("type"), where, errs)
            ends = []
            for key in ("from_id", "to_id"):
                end = r.get(key)
                sid = by_entry.get(end) if type(end) in (int, str) else None
                if sid is None:
                    errs.append(f"{where}: {key} {end!r} is not the id of an entity on this"
                                " line")
                ends.append(sid)
            if ltype is not None and ends[0] and ends[1]:
                link = make_link(who, ltype, ends[0], ends[1])
                links[link.id] = link
        return list(links.values())

    def _prodigy_relations(self, relations: Any, raw: Any, who: str, spans: list[Span],
                           errs: list[str]) -> list[LinkIn]:
        """Prodigy's {"head", "child", "head_span", "child_span", "label"}: each end is the
        span at head_span's offsets and label, else the span holding token `head`."""
        by_key: dict[Any, Span] = {(s.start, s.end, s.label): s for s in spans}
        tokens = {(e.get("start"), e.get("end"), e.get("label")): (e["token_start"],
                                                                    e["token_end"])
                  for e in raw if isinstance(e, dict)
                  and type(e.get("token_start")) is int and type(e.get("token_end")) is int}
        links: dict[str, LinkIn] = {}
        for i, r in enumerate(self._relations(relations, errs)):
            where = f"relation #{i + 1}"
            ltype = self.link_type(r.get("label"), where, errs)
            ends: list[Span | None] = []
            for end in ("head", "child"):
                ref = r.get(f"{end}_span")
                found = None
                if isinstance(ref, dict):
                    found = by_key.get((ref.get("start"), ref.get("end"), ref.get("label")))
                    what = (f"{end}_span {ref.get('start')}-{ref.get('end')}"
                            f" {ref.get('label')!r}")
                else:
                    token = r.get(end)
                    holding = [k for k, (ts, te) in tokens.items()
                               if type(token) is int and ts <= token <= te]
                    found = by_key.get(holding[0]) if len(holding) == 1 else None
                    what = f"{end} token {token!r}"
                    if len(holding) > 1:
                        errs.append(f"{where}: {what} is in {len(holding)} spans; {end}_span"
                                    " says which")
                        ends.append(None)
                        continue
                if found is None:
                    errs.append(f"{where}: {what} is not one of the record's spans")
                ends.append(found)
            if ltype is not None and ends[0] and ends[1]:
                link = make_link(who, ltype, ends[0].id, ends[1].id)
                links[link.id] = link
        return list(links.values())

    def _annotator(self, rec: dict[str, Any], shape: str, errs: list[str]) -> str:
        """The record's own annotator field (doccano "annotator", Prodigy "_annotator_id" or
        "_session_id"), else the importing annotator."""
        for name in ANNOTATOR_FIELDS[shape]:
            who = rec.get(name)
            if who is None:
                continue
            if why := annotator_name_problem(who, allow_gold=True):
                errs.append(f"{name}: {why}")
            return str(who)
        return self.actor

    def document(self, rec: dict[str, Any], errs: list[str], lineno: int, path: Path,
                 default_id: str | None = None) -> Document | None:
        text = rec.get("text")
        if not isinstance(text, str) or not text:
            errs.append("missing text" if text is None else
                        "text is empty" if text == "" else "text must be a string")
            return None
        meta = rec.get("meta")
        if meta is None:
            meta = {}
        elif not isinstance(meta, dict):
            errs.append("meta must be an object")
            meta = {}
        meta = dict(meta)
        ref = meta.pop("schema", None)
        if ref is not None and ref != self.ref and not older_version(ref, self.ref):
            errs.append(f'annotated with schema "{ref}" but this import uses "{self.ref}"'
                        " (pass that schema with --labels)")
        title = meta.pop("title", None)
        if title is None:
            title = rec.get("title")
        if title is None:
            title = title_of(text)
        elif not isinstance(title, str):
            errs.append("title must be a string")
            title = ""
        meta.setdefault("source", str(path))
        raw_id = rec.get("id")
        if raw_id is None:  # Prodigy keeps ids in meta; the exporter puts it back there
            raw_id = meta.pop("id", None)
        if raw_id is None:
            doc_id = default_id or f"{path.stem}-{lineno}"
        elif type(raw_id) in (str, int, float) and raw_id != "":
            doc_id = str(raw_id)
        else:
            errs.append("id must be a non-empty string or a number")
            return None
        return Document(doc_id, text, title, "", meta, self.ref)

    def span(self, doc: Document, who: str, index: int, sid: Any, start: Any, end: Any,
              label: Any, attrs: Any, text: Any, errs: list[str]) -> Span | None:
        """A valid span, or None after adding its problems to errs."""
        if (type(start) is int and type(end) is int and 0 <= start < end <= len(doc.text)
                and type(label) is str and label in self.labels
                and (text is None or text == doc.text[start:end])
                and (attrs is None or type(attrs) is dict)
                and (sid is None or (type(sid) is str and sid))):
            if sid is None:
                sid = generated_id(doc.id, who, start, end, label)
            return Span(sid, doc.id, who, start, end, label, attrs or {}, "import")
        if isinstance(sid, str) and sid:
            where = f"span {sid}"
        elif sid is None and index < 0:  # doccano/Prodigy: no ids, say which entry
            where = f"span #{-index} ({start}-{end} {label})"
        else:
            where = f"span #{abs(index)}"
        if type(start) is not int or type(end) is not int:
            errs.append(f"{where}: start and end must be integers")
            return None
        if not 0 <= start < end <= len(doc.text):
            errs.append(f"{where}: offsets {start}-{end} are not a range inside the text"
                        f" (length {len(doc.text)}; start must be before end)")
            return None
        if text is not None and text != doc.text[start:end]:
            errs.append(f"{where}: text {_short(str(text))} does not match the document at"
                        f" {start}-{end}, which is {_short(doc.text[start:end])}")
        if not isinstance(label, str) or label not in self.labels:
            errs.append(f"{where}: unknown label {label!r} (the schema has"
                        f" {', '.join(self.labels)})")
        if attrs is not None and not isinstance(attrs, dict):
            errs.append(f"{where}: attrs must be an object")
        if sid is not None and (not isinstance(sid, str) or not sid):
            errs.append(f"{where}: id must be a non-empty string")
        return None

    def check_attrs(self, spans: list[Span], errs: list[str], invalid: set[Any]) -> None:
        """Check attributes; `invalid` are ids of spans already reported (no second error)."""
        by_id = {s.id: s for s in spans}
        if len(by_id) < len(spans):
            seen: set[str] = set()
            for s in spans:
                if s.id in seen:
                    errs.append(f"span id {s.id} appears twice on this line")
                seen.add(s.id)
        for s in spans:
            if not s.attrs:
                continue
            defs = self.labels[s.label]
            for name, value in s.attrs.items():
                a = defs.get(name)
                if a is None and name == MACHINE_FILLED:  # numbers.py's mark, see there
                    if why := mark_problem(value, s.attrs):
                        errs.append(f"span {s.id}: attribute {name!r} {why}")
                elif a is None:
                    errs.append(f"span {s.id}: {s.label} has no attribute {name!r}"
                                f" (it has {', '.join(defs) or 'none'})")
                elif value is not None and not (isinstance(value, str) and value in invalid) and (
                        why := _attr_problem(a, value, by_id)):
                    errs.append(f"span {s.id}: attribute {name!r} {why}")

    def _ours(self, rec: dict[str, Any], doc: Document, errs: list[str]) -> Record | None:
        who: Any = rec.get("annotator")  # checked just below
        if why := annotator_name_problem(who, allow_gold=True):
            errs.append(why)
        status = record_status(rec, errs)
        sha = rec.get("sha256")
        if sha is not None and sha != doc.sha256:
            errs.append("sha256 does not match the text")
        spans_in, links_in = rec.get("spans", []), rec.get("links", [])
        if not isinstance(spans_in, list) or not isinstance(links_in, list):
            errs.append("spans and links must be lists")
        if errs:
            return None
        spans, invalid = [], set()
        text, n, doc_id, labels = doc.text, len(doc.text), doc.id, self.labels
        for i, s in enumerate(spans_in):
            if not isinstance(s, dict):
                errs.append(f"span #{i + 1}: expected an object")
                continue
            sid, start, end, label, attrs, stext = (
                s.get("id"), s.get("start"), s.get("end"), s.get("label"), s.get("attrs"),
                s.get("text"))
            # the common case inline (a big import has millions of spans); _span explains
            if (type(sid) is str and sid and type(start) is int and type(end) is int
                    and 0 <= start < end <= n and type(label) is str and label in labels
                    and (stext is None or stext == text[start:end])
                    and (attrs is None or type(attrs) is dict)):
                origin = "suggested" if s.get("origin") == "suggested" else "import"
                spans.append(Span(sid, doc_id, who, start, end, label, attrs or {}, origin))
                continue
            span = self.span(doc, who, i + 1, sid, start, end, label, attrs, stext, errs)
            if span is not None:
                spans.append(span)
            elif isinstance(sid, str):
                invalid.add(sid)
        _check_utf16(spans_in, text, errs)
        self.check_attrs(spans, errs, invalid)
        links: list[LinkIn] = []
        ids: set[str] = set()
        for i, lk in enumerate(links_in):
            if not isinstance(lk, dict):
                errs.append(f"link #{i + 1}: expected an object")
                continue
            lid, ltype, a, b, to_doc = (lk.get(k) for k in ("id", "type", "from", "to", "to_doc"))
            where = f"link {lid}" if isinstance(lid, str) and lid else f"link #{i + 1}"
            if not isinstance(ltype, str) or ltype not in self.link_types:
                errs.append(f"{where}: unknown link type {ltype!r} (the schema has"
                            f" {', '.join(self.link_types) or 'none'})")
            if not (isinstance(a, str) and isinstance(b, str)) or not (
                    to_doc is None or isinstance(to_doc, str)):
                errs.append(f"{where}: from, to and to_doc must be strings")
                continue
            if lid is None:
                lid = generated_id("link", who, ltype, a, b)
            elif not isinstance(lid, str) or not lid:
                errs.append(f"{where}: id must be a non-empty string")
                continue
            if lid in ids:
                errs.append(f"link id {lid} appears twice on this line")
            ids.add(lid)
            links.append(LinkIn(lid, str(ltype), a, b, to_doc))
        decided: list[Decision] = []
        if who == GOLD:  # the review's provenance, reasons and rejects
            from annotator.review.gold_jsonl import decisions

            decided = decisions(doc, spans_in, links_in, rec.get("rejected"), generated_id,
                                annotator_name_problem, errs)
        return Record(doc, who, spans, links, status, strict=True, decisions=decided)

    def filled(self, span: Span, doc: Document) -> Span:
        """A NUMBER span without attributes, with the ones numbers.py reads filled in (and
        marked machine_filled); any other span as it is."""
        if span.label not in self.number_labels or span.attrs:
            return span
        return replace(span, attrs=fill_attrs(span.text_in(doc.text), self.labels[span.label]))

    def _entries(self, doc: Document, who: str, errs: list[str], entries: Any,
                 keys: tuple[str, str]) -> tuple[list[Span], dict[Any, str]]:
        """Spans of doccano ([s, e, label] or {start_offset, ...}) and Prodigy ({start, ...}),
        and the span id of each entry's own "id" (doccano's relations refer to those)."""
        if entries is None:
            return [], {}
        if not isinstance(entries, list):
            errs.append("the spans must be a list")
            return [], {}
        by_entry: dict[Any, str] = {}
        spans: dict[str, Span] = {}  # an exact duplicate is the same span: keep one
        for i, e in enumerate(entries):
            if isinstance(e, dict):
                start, end, label, text = (e.get(k) for k in (*keys, "label", "text"))
            elif isinstance(e, list) and len(e) >= 3:
                (start, end, label), text = e[:3], None
            else:
                errs.append(f"span #{i + 1}: expected [start, end, label] or an object")
                continue
            span = self.span(doc, who, -(i + 1), None, start, end, label, None, text, errs)
            if span is not None:
                span = self.filled(span, doc)
                spans[span.id] = span
                if isinstance(e, dict) and type(e.get("id")) in (int, str):
                    by_entry[e["id"]] = span.id
        return list(spans.values()), by_entry


def make_link(who: str, ltype: str, from_: str, to: str) -> LinkIn:
    """A link of another tool's file, with a stable id; its spans are on the same line."""
    return LinkIn(generated_id("link", who, ltype, from_, to), ltype, from_, to, None)


def _check_utf16(spans_in: list[Any], text: str, errs: list[str]) -> None:
    """start_utf16/end_utf16 (the export writes them for JavaScript), when given, must be the
    UTF-16 offsets of start/end."""
    given = [(s, s.get("start_utf16"), s.get("end_utf16")) for s in spans_in
             if isinstance(s, dict) and ("start_utf16" in s or "end_utf16" in s)]
    if not given:
        return
    utf16 = Utf16(text)
    for s, a, b in given:
        start, end = s.get("start"), s.get("end")
        if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
            continue  # reported with the span
        want = (utf16(start), utf16(end))
        if (a is not None and a != want[0]) or (b is not None and b != want[1]):
            errs.append(f"span {s.get('id') or f'{start}-{end}'}: start_utf16/end_utf16"
                        f" {a}-{b} do not match start/end {start}-{end}, which are UTF-16"
                        f" {want[0]}-{want[1]}")


def record_status(rec: dict[str, Any], errs: list[str]) -> Status | None:
    status = rec.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        errs.append(f"status {status!r} is not one of todo, in_progress, done")
        return None
    return STATUSES.get(status) if isinstance(status, str) else None


def _attr_problem(a: AttributeDef, value: Any, spans: dict[str, Span]) -> str | None:
    if a.type == "text":
        if not isinstance(value, str):
            return "must be text"
        if len(value) > ATTR_TEXT_MAX:
            return (f"is {len(value):,} characters long; a text attribute may have at most"
                    f" {ATTR_TEXT_MAX:,}")
        return None
    if a.type == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "must be a number"
    if a.type == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if a.type == "choice":
        return None if value in a.choices else (
            f"{value!r} is not one of {', '.join(map(repr, a.choices))}")
    if a.type == "span":
        target = spans.get(value) if isinstance(value, str) else None
        if target is None:
            return "must be the id of a span in the same annotation set"
        if a.labels and target.label not in a.labels:
            return f"must refer to a {' or '.join(a.labels)} span, not {target.label}"
    return None
