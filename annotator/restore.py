"""Restore a full backup (`export --all`) into an empty database: `annotator import` hands a
file whose first line is {"kind": "backup", ...} here."""

from __future__ import annotations

import json
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
    """Everything in the backup, or nothing (RestoreError says file:line what is wrong)."""
    kinds: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "schema", "annotator", "document", "action", "event", *B.TEAM_TABLES)}
    texts: dict[str, Document] = {}
    sets: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
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
                    raise RestoreError(f"{where}: not a version {BACKUP_VERSION} backup header")
                continue
            if kind == "action" and isinstance(rec.get("action"), dict):
                kinds[kind].append(rec["action"])
            elif kind in kinds:
                kinds[kind].append(rec)
            elif kind is not None:
                raise RestoreError(f"{where}: unknown kind {kind!r}")
            else:
                try:
                    doc = _document(rec)
                except (KeyError, TypeError, ValueError) as exc:
                    raise RestoreError(f"{where}: not a document line ({exc})") from None
                texts.setdefault(doc.id, doc)
                if "annotator" in rec:
                    sets[(doc.id, rec["annotator"])] = (lineno, rec)
    docs = []
    for row in kinds["document"]:
        found = texts.get(row["id"])
        if found is None:
            raise RestoreError(f"{path}: document {row['id']!r} has no line with its text")
        docs.append((found, row["seq"], row["created_at"]))

    def check(state: dict[str, dict[str, dict[str, Any]]]) -> None:
        """The document lines say what the event log gives."""
        got: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for r in state["span"].values():
            got.setdefault((r["doc_id"], r["annotator"]), []).append(
                (r["id"], r["start"], r["end"], r["label"], r["attrs"]))
        for key, (lineno, rec) in sets.items():
            want = sorted((s["id"], s["start"], s["end"], s["label"], s["attrs"])
                          for s in rec.get("spans", []))
            if sorted(got.pop(key, [])) != want:
                raise RestoreError(f"{path}:{lineno}: the spans of {key[1]} on {key[0]} are not"
                                   " what the backup's event log gives (was the file edited?)")
        if got:
            (doc_id, who), _ = next(iter(got.items()))
            raise RestoreError(f"{path}: the event log gives {who} spans on {doc_id}, which"
                               " has no line for them")

    return B.restore(store, kinds["schema"], kinds["annotator"], docs, kinds["action"],
                     kinds["event"], check, {k: kinds[k] for k in B.TEAM_TABLES})


def _document(rec: dict[str, Any]) -> Document:
    meta = dict(rec.get("meta") or {})
    title = meta.pop("title", "")
    schema = meta.pop("schema", "")
    return Document(str(rec["id"]), rec["text"], title, "", meta, schema)
