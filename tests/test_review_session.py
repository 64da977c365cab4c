"""The review session (annotator/review/session.py, docs/review.md): every decision lands in
the gold set as one logged, undoable action of the lead, with its provenance and reason."""

from __future__ import annotations

import pytest

from annotator.model import GOLD, Status
from annotator.review.session import ReviewSession
from annotator.session import Session
from annotator.store import Store
from tests.review_support import DENIED, LEDGER, WIRE, find, review_db, spans_of


@pytest.fixture
def rs(store: Store) -> ReviewSession:
    return ReviewSession(review_db(store), "lena", "wire")


def at(rs: ReviewSession, needle: str) -> object:
    c = rs.cluster_at(find(WIRE, needle)[0])
    assert c is not None
    return c


def gold(rs: ReviewSession, doc: str = "wire") -> list[tuple[int, int, str]]:
    return spans_of(rs.store, doc, GOLD)


def decision_of(rs: ReviewSession, span_start: int) -> tuple[tuple[str, ...], str | None, str]:
    g = next(s for s in rs.store.spans("wire", GOLD) if s.start == span_start)
    d = rs.store.decisions_for([g.id])[g.id]
    return d.provenance, d.reason, d.kind


def test_the_document_reads_as_clusters_of_each_kind(rs: ReviewSession) -> None:
    assert rs.annotators == ["alice", "bob", "carol"]
    kinds = [(WIRE[c.start:c.end], c.kind) for c in rs.clusters()]
    assert kinds == [("Akar", "agreed"), ("said 38 staff were evacuated", "agreed"),
                     ("38 staff", "boundary"), ("Monday", "missing"), ("Ankara", "label")]
    assert rs.summary() == ("0/5 decided: 2 agreed by all, 1 missing in some,"
                            " 1 boundary differs, 1 label differs")


def test_next_and_previous_disagreement(rs: ReviewSession) -> None:
    first = rs.next(-1)
    assert first is not None
    assert WIRE[first.start:first.end] == "38 staff"
    second = rs.next(first.start)
    assert second is not None
    assert second.kind == "missing"
    assert second.missing == ("carol",)
    assert rs.next(second.start, -1) == first
    last = rs.next(len(WIRE), -1)
    assert last is not None
    assert last.describe() == (
        "label differs: alice LOC, bob ORG, carol LOC")


def test_accept_agreed_takes_every_agreed_span_in_one_action_and_undo_takes_it_back(
        rs: ReviewSession) -> None:
    out = rs.accept_agreed()
    assert out.refused is None
    assert out.message == "accepted 2 agreed spans"
    assert gold(rs) == [(8, 12, "PERSON"), (13, 41, "CLAIM")]
    claim = next(s for s in rs.store.spans("wire", GOLD) if s.label == "CLAIM")
    akar = next(s for s in rs.store.spans("wire", GOLD) if s.label == "PERSON")
    assert claim.attrs == {"speaker": akar.id, "stance": "asserts"}  # the speaker is gold's
    assert decision_of(rs, 8) == (("alice", "bob", "carol"), None, "accept")
    assert rs.store.status("wire", GOLD) == Status.IN_PROGRESS
    # one action: one undo takes both
    assert rs.undo().message == "undid accept agreed"
    assert gold(rs) == []
    assert rs.store.review_decisions("wire") == []
    assert rs.redo().message == "redid accept agreed"
    assert gold(rs) == [(8, 12, "PERSON"), (13, 41, "CLAIM")]
    assert rs.accept_agreed().refused == "nothing agreed is left to accept"


def test_accept_one_side_keeps_its_attributes_and_records_who_and_why(rs: ReviewSession
                                                                     ) -> None:
    c = at(rs, "38")
    out = rs.accept(c, "bob", "guideline_gap")  # type: ignore[arg-type]
    assert out.message == "accepted bob's NUMBER 18-20 [guideline gap]"
    assert out.goto is not None
    assert out.goto.offset == 18
    assert gold(rs) == [(18, 20, "NUMBER")]
    assert rs.store.spans("wire", GOLD)[0].attrs == {"value": 38}
    assert decision_of(rs, 18) == (("bob", "carol"), "guideline_gap", "accept")
    assert at(rs, "38").decided  # type: ignore[attr-defined]
    assert rs.next(-1, undecided=True).kind == "missing"  # type: ignore[union-attr]


def test_deciding_again_replaces_the_first_decision(rs: ReviewSession) -> None:
    rs.accept(at(rs, "38"), "bob")  # type: ignore[arg-type]
    rs.accept(at(rs, "38"), "alice")  # type: ignore[arg-type]
    assert gold(rs) == [(18, 26, "NUMBER")]
    assert [(d.key, d.provenance) for d in rs.store.review_decisions("wire")] == [
        ("wire:18:26", ("alice",))]
    rs.undo()
    assert gold(rs) == [(18, 20, "NUMBER")]


def test_union_and_intersection(rs: ReviewSession) -> None:
    assert rs.accept_union(at(rs, "38")).message == (  # type: ignore[arg-type]
        "accepted the union: NUMBER 18-26")
    assert gold(rs) == [(18, 26, "NUMBER")]
    assert decision_of(rs, 18)[0] == ("alice", "bob", "carol")
    assert rs.accept_intersection(at(rs, "38")).message == (  # type: ignore[arg-type]
        "accepted the intersection: NUMBER 18-20")
    assert gold(rs) == [(18, 20, "NUMBER")]


def test_union_of_a_tied_label_disagreement_is_refused(store: Store) -> None:
    review_db(store)
    rs = ReviewSession(store, "lena", "wire")
    store.delete_span("carol", next(s.id for s in store.spans("wire", "carol")
                                    if s.label == "LOC"))
    out = rs.accept_union(at(rs, "Ankara"))  # type: ignore[arg-type]
    assert out.refused == "labels differ (LOC, ORG): accept one side"
    assert out.bell
    assert gold(rs) == []


def test_union_picks_the_majority_label(rs: ReviewSession) -> None:
    rs.accept_union(at(rs, "Ankara"))  # type: ignore[arg-type]
    assert gold(rs) == [(55, 61, "LOC")]


def test_reject_is_recorded_with_its_reason_and_decides_the_cluster(rs: ReviewSession) -> None:
    c = at(rs, "Monday")
    out = rs.reject(c, "annotator_error")  # type: ignore[arg-type]
    assert out.message == "rejected 45-51 (missing in some) [annotator error]"
    assert gold(rs) == []
    [d] = rs.store.review_decisions("wire")
    assert (d.kind, d.key, d.target, d.provenance, d.reason) == (
        "reject", "wire:45:51", None, ("alice", "bob"), "annotator_error")
    assert at(rs, "Monday").decided  # type: ignore[attr-defined]


def test_reject_after_accept_removes_the_gold_span(rs: ReviewSession) -> None:
    rs.accept(at(rs, "Monday"), "alice")  # type: ignore[arg-type]
    rs.reject(at(rs, "Monday"))  # type: ignore[arg-type]
    assert gold(rs) == []
    assert [d.kind for d in rs.store.review_decisions("wire")] == ["reject"]


def test_a_stale_cluster_is_refused(rs: ReviewSession, other: Store) -> None:
    c = at(rs, "38")
    other.add_span("carol", "wire", 18, 31, "NUMBER")  # the place grows meanwhile
    out = rs.accept(c, "bob")  # type: ignore[arg-type]
    assert out.refused == "the spans here changed since: look again"
    assert gold(rs) == []


def test_accept_with_nobody_there_is_refused(rs: ReviewSession) -> None:
    out = rs.accept(at(rs, "Monday"), "carol")  # type: ignore[arg-type]
    assert out.refused == "carol has nothing here"


def test_every_decision_is_an_action_of_the_gold_set_done_by_the_lead(rs: ReviewSession
                                                                     ) -> None:
    rs.accept_agreed()
    rs.reject(at(rs, "Monday"), "ambiguous_text")  # type: ignore[arg-type]
    events = [e for e in rs.store.events() if e["annotator"] == GOLD]
    assert {e["actor"] for e in events} == {"lena"}
    assert [e["action"] for e in events if e["entity"] == "decision"] == [
        "accept_agreed", "accept_agreed", "reject"]
    reject = [e for e in events if e["action"] == "reject"][0]
    assert reject["after"]["reason"] == "ambiguous_text"


def test_a_span_accepted_with_its_cross_document_link_once_the_other_end_is_gold(
        rs: ReviewSession) -> None:
    other = ReviewSession(rs.store, "lena", "ledger")
    [ankara] = other.clusters()
    claim = at(rs, "said 38 staff were evacuated")
    out = rs.accept(claim, "alice")  # type: ignore[arg-type]
    assert "link" not in out.message  # the ledger's Ankara is not gold yet
    assert rs.store.links(GOLD) == []
    [lc] = rs.links()
    assert (lc.kind, lc.missing, lc.decided) == ("missing", ("carol",), False)
    assert rs.accept_link(lc, "alice").refused == (
        "accept the span at 13-45 of ledger into gold first")
    assert other.accept_agreed().message == "accepted 1 agreed span"
    out = rs.accept_link(rs.links()[0], "bob", "guideline_gap")
    assert out.message == "accepted bob's link CONTRADICTS [guideline gap]"
    [link] = rs.store.links(GOLD)
    ends = [rs.store.span(link.from_span), rs.store.span(link.to_span)]
    assert {(s.doc_id, s.start, s.end) for s in ends if s} == {
        ("wire", 13, 41), ("ledger", *find(LEDGER, DENIED))}
    d = rs.store.decisions_for([link.id])[link.id]
    assert (d.entity, d.provenance, d.reason) == ("link", ("alice", "bob"), "guideline_gap")
    assert rs.links()[0].decided
    rs.undo()
    assert rs.store.links(GOLD) == []


def test_accepting_a_span_brings_its_links_whose_other_end_is_gold(rs: ReviewSession) -> None:
    ReviewSession(rs.store, "lena", "ledger").accept_agreed()
    out = rs.accept(at(rs, "said 38 staff were evacuated"), "alice")  # type: ignore[arg-type]
    assert "(+1 link)" in out.message
    [link] = rs.store.links(GOLD)
    assert (link.type, link.from_doc, link.to_doc) == ("CONTRADICTS", "wire", "ledger")


def test_reject_link(rs: ReviewSession) -> None:
    [lc] = rs.links()
    assert rs.reject_link(lc, "annotator_error").message == "rejected the link [annotator error]"
    assert rs.links()[0].decided
    assert rs.store.links(GOLD) == []


def test_a_speaker_not_in_gold_is_left_out_and_said(rs: ReviewSession) -> None:
    out = rs.accept(at(rs, "said 38 staff were evacuated"), "bob")  # type: ignore[arg-type]
    assert out.message.endswith("left out: speaker (its span 8-12 is not in gold yet)")
    assert rs.store.spans("wire", GOLD)[0].attrs == {"stance": "asserts"}


def test_an_edit_in_the_gold_pane_is_provenance_edited_and_decides(rs: ReviewSession,
                                                                  schema: object) -> None:
    rs.accept(at(rs, "38"), "bob", "ambiguous_text")  # type: ignore[arg-type]
    editor = Session(rs.store, GOLD, schema)  # type: ignore[arg-type]
    [g] = rs.store.spans("wire", GOLD)
    editor.resize(g, WIRE, grow=True)  # through the annotation session's rules
    [g2] = rs.store.spans("wire", GOLD)
    assert (g2.start, g2.end) != (g.start, g.end)
    d = rs.store.decisions_for([g2.id])[g2.id]
    assert (d.kind, d.provenance, d.reason, d.key) == (
        "edit", ("edited",), "ambiguous_text", "wire:18:26")
    start, end = find(WIRE, "Monday")
    editor.label("wire", WIRE, start, end, "DATE", None)
    assert at(rs, "Monday").decided  # type: ignore[attr-defined]
    new = next(s for s in rs.store.spans("wire", GOLD) if s.label == "DATE")
    assert rs.store.decisions_for([new.id])[new.id].provenance == ("edited",)
    editor.undo()
    assert not at(rs, "Monday").decided  # type: ignore[attr-defined]
    editor.delete(g2)
    [d] = rs.store.review_decisions("wire")
    assert (d.kind, d.target, d.provenance) == ("edit", None, ("edited",))
    assert at(rs, "38").decided  # type: ignore[attr-defined]  (deleting it was the decision)


def test_a_read_only_database_refuses_with_a_message(rs: ReviewSession) -> None:
    rs.store.read_only = True  # type: ignore[misc]
    assert rs.accept_agreed().refused is not None
    assert rs.reject(at(rs, "38")).refused == "this database is read-only"  # type: ignore[arg-type]


def test_a_set_still_todo_without_spans_is_no_version_but_an_empty_done_set_is(
        rs: ReviewSession) -> None:
    rs.store.set_status("dora", "wire", Status.TODO)
    assert rs.annotators == ["alice", "bob", "carol"]
    assert rs.cluster_at(8).kind == "agreed"  # type: ignore[union-attr]
    rs.store.set_status("dora", "wire", Status.DONE)  # "nothing to mark here"
    assert rs.annotators == ["alice", "bob", "carol", "dora"]
    assert rs.cluster_at(8).missing == ("dora",)  # type: ignore[union-attr]
