"""A small database to review: two documents, three annotators' sets (docs/review.md)."""

from __future__ import annotations

from annotator.labels import load_default_schema
from annotator.model import Document, Status
from annotator.store import Store

# offsets:    0         1         2         3         4         5         6
#             0123456789012345678901234567890123456789012345678901234567890123
WIRE = "General Akar said 38 staff were evacuated on Monday in Ankara."
LEDGER = "The ministry denied that anyone was evacuated from Ankara."
DENIED = "denied that anyone was evacuated"  # a CLAIM in the ledger


def spans_of(store: Store, doc_id: str, who: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in store.spans(doc_id, who)]


def find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def review_db(store: Store) -> Store:
    """wire: Akar PERSON agreed by all; "38 staff" NUMBER boundary (alice 38 staff, bob and
    carol 38); Monday DATE missing for carol; Ankara LOC vs ORG (label); a CLAIM with a
    speaker everyone agrees on. ledger: a CLAIM by everyone. alice and bob link the wire's
    claim to the ledger's (CONTRADICTS, cross-document)."""
    schema = load_default_schema()
    with store.import_session("importer") as imp:  # (tests/tui_support.py's fill needs Textual)
        imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
        for doc_id, text in (("wire", WIRE), ("ledger", LEDGER)):
            imp.add_document(Document(doc_id, text, text[:20], schema=schema.ref))
    for who in ("alice", "bob", "carol"):
        akar = store.add_span(who, "wire", *find(WIRE, "Akar"), "PERSON").changes[0].after
        assert akar is not None
        num = find(WIRE, "38 staff") if who == "alice" else find(WIRE, "38")
        store.add_span(who, "wire", *num, "NUMBER", {"value": 38})
        if who != "carol":
            store.add_span(who, "wire", *find(WIRE, "Monday"), "DATE")
        store.add_span(who, "wire", *find(WIRE, "Ankara"), "LOC" if who != "bob" else "ORG")
        claim = store.add_span(who, "wire", *find(WIRE, "said 38 staff were evacuated"),
                               "CLAIM", {"speaker": akar["id"], "stance": "asserts"})
        there = store.add_span(who, "ledger", *find(LEDGER, DENIED), "CLAIM",
                               {"stance": "denies"})
        if who != "carol":
            store.add_link(who, "CONTRADICTS", claim.changes[0].after["id"],  # type: ignore[index]
                           there.changes[0].after["id"])  # type: ignore[index]
        for doc in ("wire", "ledger"):
            store.set_status(who, doc, Status.DONE)
    return store
