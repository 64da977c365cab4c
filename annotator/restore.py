"""Restore a full backup (`export --all`) into an empty database: `annotator import` hands a
file whose first line is {"kind": "backup", ...} here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.exports.jsonl import BACKUP_VERSION
from annotator.model import Document
from annotator.store import Store
from annotator.store import backup as B

__all__ = ["RestoreError", "is_backup", "restore_file"]

RestoreError = B.RestoreError


def is_backup(path: Path) -> bool:
    """Whether the file's first line is a backup header."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            first = f.readline(4096)
        rec = json.loads(first)
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(rec, dict) and rec.get("kind") == "backup"


def restore_file(store: Store, path: Path) -> dict[str, int]:
    """Everything in the backup, or nothing (RestoreError says file:line what is wrong).

    One pass over the file, in its order (schemas, annotators, each document and its sets,
    actions, events), each row written as it is read inside one transaction: a document's text
    is held only until it is written, and a set line only as a digest of its spans, which the
    event log's replay is checked against at the end."""
    sets: dict[tuple[str, str], tuple[int, str]] = {}  # (doc, annotator) -> (line, digest)

    def rows() -> Iterator[tuple[str, Any]]:
        waiting: dict[str, tuple[int, str]] = {}  # a document row's seq/time, before its text
        early: dict[str, Document] = {}  # a text line before its document row (an edited file)
        written: set[str] = set()
        with path.open(encoding="utf-8-sig") as f:
            for lineno, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    rec = json.loads(raw)
                except ValueError as exc:
                    raise RestoreError(f"{where}: not JSON ({exc})") from None
                if not isinstance(rec, dict):
                    raise RestoreError(f"{where}: expected an object")
                kind = rec.pop("kind", None)
                if lineno == 1:
                    if kind != "backup" or rec.get("version") != BACKUP_VERSION:
                        raise RestoreError(f"{where}: not a version {BACKUP_VERSION} backup"
                                           " header")
                    continue
                if kind == "document":
                    try:
                        doc_id, seq, created = str(rec["id"]), rec["seq"], rec["created_at"]
                    except KeyError as exc:
                        raise RestoreError(f"{where}: a document row lacks {exc}") from None
                    if doc_id in early:
                        written.add(doc_id)
                        yield "document", (early.pop(doc_id), seq, created)
                    else:
                        waiting[doc_id] = (seq, created)
                elif kind == "action" and isinstance(rec.get("action"), dict):
                    yield kind, rec["action"]
                elif kind == "row":
                    if not (isinstance(rec.get("table"), str) and isinstance(rec.get("row"), dict)):
                        raise RestoreError(f'{where}: a row line is {{"kind": "row", "table":'
                                           ' NAME, "row": {COLUMN: VALUE, ...}}')
                    yield kind, (rec["table"], rec["row"])
                elif kind in KINDS:
                    yield kind, rec
                elif kind is not None:
                    raise RestoreError(f"{where}: unknown kind {kind!r}")
                else:
                    try:
                        doc = _document(rec)
                        digest = _digest(rec.get("spans", []))
                    except (KeyError, TypeError, ValueError) as exc:
                        raise RestoreError(f"{where}: not a document line ({exc})") from None
                    if doc.id in waiting:
                        written.add(doc.id)
                        yield "document", (doc, *waiting.pop(doc.id))
                    elif doc.id not in written:
                        early.setdefault(doc.id, doc)
                    if "annotator" in rec:
                        sets[(doc.id, rec["annotator"])] = (lineno, digest)
        if waiting:
            raise RestoreError(f"{path}: document {next(iter(waiting))!r} has no line with its"
                               " text")

    def check(state: dict[str, dict[str, dict[str, Any]]]) -> None:
        """The document lines say what the event log gives."""
        got: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in state["span"].values():
            got.setdefault((r["doc_id"], r["annotator"]), []).append(r)
        for key, (lineno, digest) in sets.items():
            if _digest(got.pop(key, [])) != digest:
                raise RestoreError(f"{path}:{lineno}: the spans of {key[1]} on {key[0]} are not"
                                   " what the backup's event log gives (was the file edited?)")
        if got:
            (doc_id, who), _ = next(iter(got.items()))
            raise RestoreError(f"{path}: the event log gives {who} spans on {doc_id}, which"
                               " has no line for them")

    return B.restore(store, rows(), check)


KINDS = ("schema", "annotator", "event")


def _digest(spans: list[dict[str, Any]]) -> str:
    """A set's spans (id, offsets, label, attributes) in a few bytes, in any order."""
    rows = sorted(json.dumps([s["id"], s["start"], s["end"], s["label"], s["attrs"]],
                             sort_keys=True, ensure_ascii=False) for s in spans)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def _document(rec: dict[str, Any]) -> Document:
    meta = dict(rec.get("meta") or {})
    title = meta.pop("title", "")
    schema = meta.pop("schema", "")
    return Document(str(rec["id"]), rec["text"], title, "", meta, schema)
