"""Span references (docs/labels.md, attribute type `span`): deleting a span unsets them.

A CLAIM's `speaker` holds the id of a PERSON/ORG span of the same document and annotator.
Deleting that span removes the attribute from every span of its annotation set that refers to
it, in the same action as the delete (one transaction, logged span updates), so undo puts the
references back with the span, redo removes them again, and the event log still rebuilds the
tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.model import Document, Span, Status
from annotator.store import Store

TEXT = "Halina Marović said the bridge will open in May. Ivo Kranjc denied it."
D2 = "Another document that mentions nobody."


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        with s.import_session("setup") as imp:
            imp.add_document(Document("d1", TEXT, title="d1"))
            imp.add_document(Document("d2", D2, title="d2"))
        yield s


def added(result: Any) -> str:
    return next(c.after["id"] for c in result.changes if c.entity == "span" and c.before is None)


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def attrs_in_db(store: Store, span_id: str) -> dict[str, Any]:
    span = store.span(span_id)
    assert span is not None
    return span.attrs


def events_of(store: Store, action_id: int) -> list[dict[str, Any]]:
    return [e for e in store.events() if e["action_id"] == action_id]


def consistent(store: Store) -> None:
    assert store.replay_log() == store.current_state()


def test_deleting_a_speaker_unsets_the_claims_reference_and_undo_redo_follow(
    store: Store, other: Store
) -> None:
    halina = added(store.add_span("alice", "d1", *at(TEXT, "Halina Marović"), "PERSON"))
    ivo = added(store.add_span("alice", "d1", *at(TEXT, "Ivo Kranjc"), "PERSON"))
    claim = added(store.add_span("alice", "d1", *at(TEXT, "the bridge will open in May"),
                                 "CLAIM", {"stance": "asserts"}))
    denial = added(store.add_span("alice", "d1", *at(TEXT, "denied it"), "CLAIM",
                                  {"speaker": ivo, "stance": "denies"}))
    store.update_span("alice", claim, attrs={"speaker": halina, "stance": "asserts"},
                      name="set_attrs")
    assert attrs_in_db(store, claim)["speaker"] == halina
    full = store.current_state()

    r = store.delete_span("alice", halina)

    # the tables: the span is gone, the claim keeps its other attributes, nothing else moved
    assert other.span(halina) is None
    assert attrs_in_db(other, claim) == {"stance": "asserts"}
    assert "speaker" not in attrs_in_db(other, claim)  # unset, not null
    assert attrs_in_db(other, denial) == {"speaker": ivo, "stance": "denies"}
    assert halina not in {v for s in other.spans("d1", "alice") for v in s.attrs.values()}
    consistent(other)

    # one action: the claim's update and the delete, logged with before and after
    evs = events_of(store, r.action_id)
    assert [(e["action"], e["entity"], e["entity_id"]) for e in evs] == [
        ("delete_span", "span", claim), ("delete_span", "span", halina)]
    update = evs[0]
    assert update["before"]["attrs"] == {"speaker": halina, "stance": "asserts"}
    assert update["after"]["attrs"] == {"stance": "asserts"}
    assert update["doc_id"] == "d1"
    unchanged = {"id", "doc_id", "annotator", "start", "end", "label", "origin", "created_at"}
    assert {k: update["after"][k] for k in unchanged} == {k: update["before"][k]
                                                          for k in unchanged}

    # the result carries the same changes, so the screen can apply them: an update is a change
    # with a full row after, from which the span is rebuilt (annotate.py `apply`)
    assert [(c.entity, c.before, c.after) for c in r.changes] == [
        (e["entity"], e["before"], e["after"]) for e in evs]
    (upd,) = [c for c in r.changes if c.before and c.after]
    assert upd.after is not None
    assert Span(**upd.after) == other.span(claim)
    assert r.doc_ids == {"d1"}

    # undo puts the span and the reference back
    u = store.undo("alice")
    assert u is not None
    assert u.name == "delete_span"
    assert other.current_state() == full
    assert attrs_in_db(other, claim) == {"speaker": halina, "stance": "asserts"}
    assert other.span(halina) is not None
    assert [(c.entity, c.after["id"] if c.after else None) for c in u.changes] == [
        ("span", halina), ("span", claim)]
    consistent(other)

    # redo removes both again
    again = store.redo("alice")
    assert again is not None
    assert other.span(halina) is None
    assert attrs_in_db(other, claim) == {"stance": "asserts"}
    assert attrs_in_db(other, denial) == {"speaker": ivo, "stance": "denies"}
    consistent(other)

    # and the earlier actions still undo in order: the speaker was set, then the claim added
    assert store.undo("alice") is not None  # the delete
    assert store.undo("alice") is not None  # set_attrs
    assert attrs_in_db(other, claim) == {"stance": "asserts"}
    consistent(other)


def test_delete_with_links_and_references_together_undoes_as_one(store: Store) -> None:
    halina = added(store.add_span("alice", "d1", *at(TEXT, "Halina Marović"), "PERSON"))
    claim = added(store.add_span("alice", "d1", *at(TEXT, "the bridge will open in May"),
                                 "CLAIM"))
    store.update_span("alice", claim, attrs={"speaker": halina})
    link = next(c.after["id"] for c in store.add_link("alice", "SAME", halina, claim).changes
                if c.entity == "link")
    store.set_status("alice", "d1", Status.DONE)
    full = store.current_state()

    r = store.delete_span("alice", halina)
    assert [(c.entity, (c.after or c.before or {}).get("id")) for c in r.changes] == [
        ("link", link), ("span", claim), ("span", halina)]
    assert store.links("alice") == []
    assert attrs_in_db(store, claim) == {}
    assert store.status("d1", "alice") == Status.DONE
    consistent(store)

    store.undo("alice")
    assert store.current_state() == full
    consistent(store)
    store.redo("alice")
    assert store.links("alice") == []
    assert attrs_in_db(store, claim) == {}
    consistent(store)


def test_only_values_equal_to_the_id_in_the_same_set_are_touched(store: Store) -> None:
    halina = added(store.add_span("alice", "d1", *at(TEXT, "Halina Marović"), "PERSON"))
    # the same id in places that are not a reference to it in this annotation set
    in_text = added(store.add_span("alice", "d1", 0, 6, "CLAIM",
                                   {"note": f"see {halina}", "list": [halina]}))
    as_key = added(store.add_span("alice", "d1", 7, 14, "CLAIM", {halina: "key, not value"}))
    other_doc = added(store.add_span("alice", "d2", 0, 7, "CLAIM", {"speaker": halina}))
    bobs = added(store.add_span("bob", "d1", 0, 6, "CLAIM", {"speaker": halina}))
    two = added(store.add_span("alice", "d1", 20, 26, "CLAIM",
                               {"speaker": halina, "also": halina, "stance": "reports"}))
    untouched = {sid: attrs_in_db(store, sid) for sid in (in_text, as_key, other_doc, bobs)}

    r = store.delete_span("alice", halina)
    assert {c.after["id"] for c in r.changes if c.before and c.after} == {two}
    assert {sid: attrs_in_db(store, sid) for sid in untouched} == untouched
    assert attrs_in_db(store, two) == {"stance": "reports"}
    consistent(store)
    store.undo("alice")
    assert attrs_in_db(store, two) == {"speaker": halina, "also": halina, "stance": "reports"}
    consistent(store)


def test_a_span_that_refers_to_itself_is_only_deleted(store: Store) -> None:
    sid = added(store.add_span("alice", "d1", 0, 6, "CLAIM"))
    store.update_span("alice", sid, attrs={"speaker": sid})
    full = store.current_state()
    r = store.delete_span("alice", sid)
    assert [(c.entity, c.before is not None, c.after is not None) for c in r.changes] == [
        ("span", True, False)]
    consistent(store)
    store.undo("alice")
    assert store.current_state() == full
    consistent(store)


@pytest.mark.parametrize("target", ['p"1\\ü', "p1", "Маро́вић 🙂", "{}"])
def test_imported_ids_of_any_spelling_are_found(store: Store, target: str) -> None:
    """Imported span ids are any non-empty string: quotes, backslashes and non-ASCII are
    escaped or kept in the stored JSON exactly as the id is matched."""
    spans = [
        Span(target, "d1", "alice", 0, 6, "PERSON", {}, "import"),
        Span("p10", "d1", "alice", 7, 14, "PERSON", {}, "import"),  # p1 is a prefix of p10
        Span("c1", "d1", "alice", 20, 30, "CLAIM", {"speaker": target}, "import"),
        Span("c2", "d1", "alice", 31, 40, "CLAIM", {"speaker": "p10"}, "import"),
    ]
    with store.import_session("alice") as imp:
        imp.add_annotation_set("d1", "alice", spans, [], None)
    consistent(store)

    r = store.delete_span("alice", target)
    assert [c.after["id"] for c in r.changes if c.before and c.after] == ["c1"]
    assert attrs_in_db(store, "c1") == {}
    assert attrs_in_db(store, "c2") == {"speaker": "p10"}
    consistent(store)
    store.undo("alice")
    assert attrs_in_db(store, "c1") == {"speaker": target}
    consistent(store)
    store.redo("alice")
    assert attrs_in_db(store, "c1") == {}
    consistent(store)


def test_the_reference_lookup_reads_only_the_annotation_set(store: Store) -> None:
    """Finding the references uses an index on (doc_id, annotator), not a scan of spans."""
    halina = added(store.add_span("alice", "d1", *at(TEXT, "Halina Marović"), "PERSON"))
    store.add_span("alice", "d1", 20, 26, "CLAIM", {"speaker": halina})
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.delete_span("alice", halina)
    finally:
        store.conn.set_trace_callback(None)
    (lookup,) = [s for s in statements if "instr(attrs" in s]
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + lookup))
    assert "USING INDEX spans_set" in plan or "USING INDEX spans_annotator" in plan, plan
    assert "SCAN spans" not in plan, plan
