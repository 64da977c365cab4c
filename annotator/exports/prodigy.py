"""Prodigy's task shape (as `prodigy db-out` writes it): tokens, spans on token boundaries,
relations between spans by token index, hashes stable across runs, and an answer."""

from __future__ import annotations

import bisect
from typing import Any

from annotator.exports.common import Losses, document_meta, set_attrs, stable_hash, tokens
from annotator.model import Document, Link, Span, Status


def line(doc: Document, who: str, status: Status, spans: list[Span], links: list[Link],
         losses: Losses) -> dict[str, Any]:
    text = doc.text
    toks = tokens(text, spans)
    starts = [t[0] for t in toks]

    def span(s: Span) -> dict[str, Any]:
        first = bisect.bisect_left(starts, s.start)
        last = bisect.bisect_left(starts, s.end) - 1  # tokens() cut at both ends
        return {"start": s.start, "end": s.end, "text": text[s.start : s.end],
                "token_start": first, "token_end": last, "label": s.label}

    by_id = {s.id: span(s) for s in spans}
    relations = [
        {"head": by_id[lk.from_span]["token_end"], "child": by_id[lk.to_span]["token_end"],
         "head_span": _bare(by_id[lk.from_span]), "child_span": _bare(by_id[lk.to_span]),
         "label": lk.type}
        for lk in links if lk.to_doc == doc.id and lk.to_span in by_id
    ]
    losses.add("attributes", set_attrs(spans))
    losses.add("cross-document links", len(links) - len(relations))
    # Prodigy's recipes skip an ignored answer, and so does our import: a set not done is lost
    losses.add("unfinished sets (answer: ignore)", status != Status.DONE)
    input_hash = stable_hash("input", text)
    out_spans = [by_id[s.id] for s in spans]
    return {
        "text": text,
        "meta": {"id": doc.id, **document_meta(doc)},
        "_input_hash": input_hash,
        "_task_hash": stable_hash("task", input_hash, [(d["start"], d["end"], d["label"])
                                                        for d in out_spans],
                                  [(r["head"], r["child"], r["label"]) for r in relations]),
        "tokens": [{"text": text[a:b], "start": a, "end": b, "id": i, "ws": ws}
                   for i, (a, b, ws) in enumerate(toks)],
        "spans": out_spans,
        "relations": relations,
        "_view_id": "relations" if relations else "spans_manual",
        # Prodigy knows accept, reject and ignore: a set not marked done is not accepted yet
        "answer": "accept" if status == Status.DONE else "ignore",
        "_annotator_id": who,
        "_session_id": who,
    }


def _bare(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("start", "end", "token_start", "token_end", "label")}
