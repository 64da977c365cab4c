"""Conflicts (issue #15): what it costs to know which spans are part of a figure conflict
after a committed change that touches a claim, a number or a link: recomputing the clusters of
one annotator's set (conflicts.live.ConflictWatch), against one committed action (adding a
span) measured back to back in the same process. The annotation screen runs it in a worker
(through its own connection), so no key waits for it; this says how long the status bar may
lag behind such a change. The set: N documents, each with a claim holding two figures
(one linked across documents in chains of five, one left alone), so a fifth of the figures
conflict."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

WHO = "alice"
CHAIN = 5  # documents per cluster
TEXT = ("Officials said that {a} residents were evacuated and {b} soldiers were sent, while "
        "the river kept rising through the night.\n")


def _store(path: Path, n_docs: int) -> Any:
    from annotator.labels import load_default_schema
    from annotator.model import Document, Span, Status
    from annotator.store import Store

    schema = load_default_schema()
    store = Store(path)
    with store.import_session("bench") as imp:
        imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
        for i in range(n_docs):
            a, b = f"about {7000 + 100 * (i % CHAIN)}", f"{1500 + (i % 3) * 500}"
            text = TEXT.format(a=a, b=b)
            doc_id = f"d{i:05d}"
            imp.add_document(Document(doc_id, text, doc_id, schema=schema.ref))
            claim_end = text.index(" sent") + 5
            sa, sb = text.index(a), text.index(b + " soldiers")
            spans = [
                Span(f"{doc_id}-c", doc_id, WHO, text.index("that") + 5, claim_end, "CLAIM", {},
                     "import", "t", "t"),
                Span(f"{doc_id}-a", doc_id, WHO, sa, sa + len(a) + 10, "NUMBER",
                     {"value": 7000 + 100 * (i % CHAIN), "qualifier": "approximate",
                      "unit": "resident"}, "import", "t", "t"),
                Span(f"{doc_id}-b", doc_id, WHO, sb, sb + len(b) + 9, "NUMBER",
                     {"value": int(b), "qualifier": "exact", "unit": "soldier"}, "import", "t",
                     "t"),
            ]
            imp.add_annotation_set(doc_id, WHO, spans, [], Status.IN_PROGRESS)
    for i in range(n_docs):
        if i % CHAIN:
            store.add_link(WHO, "CONTRADICTS", f"d{i - 1:05d}-b", f"d{i:05d}-b")
    return store, schema


def run(cfg: Any) -> list[Any]:
    from annotator.conflicts.live import ConflictWatch
    from bench.report import ratio_figure

    n_docs = 200 if cfg.quick else 1_000
    reps = 5 if cfg.quick else 9
    cfg.log(f"conflicts: {n_docs:,} documents, {3 * n_docs:,} spans")
    store, schema = _store(cfg.tmp / "conflicts.db", n_docs)
    ours, base = [], []
    try:
        watch = ConflictWatch(store, WHO, schema)
        assert watch.clusters, "the bench set has clusters"
        for r in range(reps):
            t0 = time.process_time()
            store.add_span(WHO, f"d{r:05d}", 0, 9, "ORG")
            base.append(time.process_time() - t0)
            t0 = time.process_time()
            watch.stale()
            found = watch.clusters
            ours.append(time.process_time() - t0)
        conflicts = sum(c.in_conflict for c in found)
    finally:
        store.close()
    return [ratio_figure(
        "conflicts: recompute after a change", ours, base, "s CPU",
        target="none: a worker's, no key waits", ok=None,
        ours_what=f"the clusters of a set of {3 * n_docs:,} spans in {n_docs:,} documents"
                  f" ({len(found)} clusters, {conflicts} in conflict)",
        base_what="adding one span (a committed transaction)")]
