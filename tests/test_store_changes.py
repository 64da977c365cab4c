"""A change as model objects (annotator.store.changes): what an action and its undo hand the
screen, matched on by type instead of unpacked by column name."""

from __future__ import annotations

from annotator.model import Document, Link, Span, Status
from annotator.store import Store
from annotator.store.changes import StatusChange, typed


def _store_with_a_document(store: Store) -> None:
    with store.import_session("importer") as imp:
        imp.add_document(Document("d1", "Thirty-eight staff stayed in Quellby."))


def test_an_action_hands_back_the_span_the_status_and_the_link(store: Store) -> None:
    _store_with_a_document(store)
    added = store.add_span("alice", "d1", 0, 18, "NUMBER", {"value": 38})
    by_type = {type(c.new): c for c in added.changes}
    span = by_type[Span].new
    assert span == store.span(span.id)  # type: ignore[union-attr]
    assert by_type[Span].old is None
    status = by_type[StatusChange]
    assert status.old is None
    assert status.new == StatusChange("d1", "alice", Status.IN_PROGRESS,
                                      status.after["updated_at"])  # type: ignore[index]

    place = store.add_span("alice", "d1", 29, 36, "LOC").changes[0].new
    assert isinstance(span, Span)
    assert isinstance(place, Span)
    linked = store.add_link("alice", "CONTRADICTS", span.id, place.id)
    [link] = [c.new for c in linked.changes if c.entity == "link"]
    assert isinstance(link, Link)
    assert store.links("alice") == [link]


def test_an_undone_delete_hands_back_the_span_as_it_was(store: Store) -> None:
    _store_with_a_document(store)
    span = store.add_span("alice", "d1", 29, 36, "LOC").changes[0].new
    assert isinstance(span, Span)
    deleted = store.delete_span("alice", span.id)
    [gone] = [c for c in deleted.changes if c.entity == "span"]
    assert gone.old == span
    assert gone.new is None
    undone = store.undo("alice")
    assert undone is not None
    [back] = [c for c in undone.changes if c.entity == "span"]
    assert back.old is None
    assert back.new == span


def test_an_absent_row_is_none() -> None:
    assert typed("span", None) is None
    assert typed("status", {"doc_id": "d", "annotator": "a", "status": "done",
                            "updated_at": ""}) == StatusChange("d", "a", Status.DONE, "")
