"""The review's fields on a gold line of our JSONL, read back (docs/jsonl.md, "Gold"): each
span's and link's `provenance` and `reason`, and `rejected`, as review decisions.
Plain Python; the exporter writes them (exports/jsonl.py with_review)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from annotator.model import EDITED, REASONS, Decision, Document

Problem = Callable[[object], str | None]  # an annotator name's problem, or None


def _provenance(value: Any, where: str, name_problem: Problem,
                errs: list[str]) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errs.append(f"{where}: provenance must be a list of annotator names (or [\"{EDITED}\"])")
        return None
    for v in value:
        if v != EDITED and (why := name_problem(v)):
            errs.append(f"{where}: provenance: {why}")
            return None
    return tuple(value)


def _reason_ok(value: Any, where: str, errs: list[str]) -> bool:
    """Whether value is a reason code or null (errs says why not)."""
    if value is None or value in REASONS:
        return True
    errs.append(f"{where}: reason must be one of {', '.join(REASONS)} or null")
    return False


def _kind(provenance: tuple[str, ...], decided: str) -> str:
    return "edit" if provenance == (EDITED,) else decided


def decisions(doc: Document, spans_in: list[Any], links_in: list[Any], rejected: Any,
              new_id: Callable[..., str], name_problem: Problem,
              errs: list[str]) -> list[Decision]:
    """The gold line's decisions (a span or link with neither provenance nor reason has none:
    gold imported from elsewhere). Spans and links themselves are checked by the caller;
    entries that are not objects are skipped here."""
    out: list[Decision] = []
    starts = {s.get("id"): (s.get("start"), s.get("end")) for s in spans_in
              if isinstance(s, dict)}
    for entity, items in (("span", spans_in), ("link", links_in)):
        for i, item in enumerate(items):
            if not isinstance(item, dict) or (item.get("provenance") is None
                                              and item.get("reason") is None):
                continue
            target = item.get("id")
            where = f"{entity} {target}" if isinstance(target, str) else f"{entity} #{i + 1}"
            prov = _provenance(item.get("provenance"), where, name_problem, errs)
            reason = item.get("reason")
            if not _reason_ok(reason, where, errs) or prov is None or not isinstance(target,
                                                                                     str):
                continue
            at = (item.get("start"), item.get("end")) if entity == "span" else \
                starts.get(item.get("from"), (0, 0))
            start, end = (at[0], at[1]) if type(at[0]) is int and type(at[1]) is int else (0, 0)
            key = f"{doc.id}:{start}:{end}" if entity == "span" else f"link:{target}"
            out.append(Decision(new_id("decision", doc.id, target), doc.id, key, entity,
                                _kind(prov, "accept"), target, start, end, prov, reason))
    if rejected is None:
        return out
    if not isinstance(rejected, list):
        errs.append("rejected must be a list")
        return out
    for i, r in enumerate(rejected):
        where = f"rejected #{i + 1}"
        if not isinstance(r, dict):
            errs.append(f"{where}: expected an object")
            continue
        what, where_key, lo, hi = r.get("entity"), r.get("key"), r.get("start"), r.get("end")
        if what not in ("span", "link") or not isinstance(where_key, str) or not where_key or not (
                type(lo) is int and type(hi) is int and 0 <= lo <= hi <= len(doc.text)):
            errs.append(f"{where}: needs entity (span or link), key, and start and end inside"
                        " the text")
            continue
        prov = _provenance(r.get("provenance"), where, name_problem, errs)
        reason = r.get("reason")
        if not _reason_ok(reason, where, errs) or prov is None:
            continue
        out.append(Decision(new_id("decision", doc.id, what, where_key), doc.id, where_key,
                            str(what), _kind(prov, "reject"), None, lo, hi, prov, reason))
    return out
