"""The annotation rules (annotator.session), without a screen: what each action does to the
database and what the annotator is told. The Pilot tests in test_tui*.py check the wiring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.labels import load_default_schema
from annotator.model import Document, Link, Span, Status
from annotator.session import SHORT, LinkChoice, Location, Notice, Outcome, Session
from annotator.store import Store
from annotator.tui.span_index import SpanIndex

ALPHA = "Minister Halina Marović said troops will stay.\n\n38 staff stayed behind in Quellby.\n"
BETA = "Deputy Łukasz Wróbel said troops will leave.\n\nA force of 35 officers arrived.\n"
GAMMA = "Nothing to see here.\n"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    schema = load_default_schema()
    with Store(tmp_path / "rules.db") as store:
        with store.import_session("importer") as imp:
            imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
            for doc_id, text in (("alpha", ALPHA), ("beta", BETA), ("gamma", GAMMA)):
                imp.add_document(Document(doc_id, text, f"{doc_id} report", schema=schema.ref))
        yield Session(store, "alice", schema)


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def label(session: Session, doc_id: str, needle: str, name: str, *,
          selected: bool = True) -> Outcome:
    """Press a label key on `needle` (selected, or the word under the cursor)."""
    text = ALPHA if doc_id == "alpha" else BETA
    index = SpanIndex(session.spans(doc_id))
    lab = session.schema.label(name)
    assert lab is not None
    return session.label_rule(doc_id, text, at(text, needle), lab, index, selected=selected)


def stored(session: Session, doc_id: str) -> list[tuple[str, str]]:
    text = ALPHA if doc_id == "alpha" else BETA
    return [(s.label, text[s.start : s.end]) for s in session.spans(doc_id)]


def span_of(session: Session, doc_id: str, needle: str) -> Span:
    text = ALPHA if doc_id == "alpha" else BETA
    start, end = at(text, needle)
    return next(s for s in session.spans(doc_id) if (s.start, s.end) == (start, end))


# -- label, relabel, "already" --------------------------------------------------------------


def test_a_label_key_adds_a_span_and_says_so(session: Session) -> None:
    outcome = label(session, "alpha", "Halina Marović", "PERSON")
    assert outcome.refused is None
    assert outcome.message == "PERSON “Halina Marović”"
    assert stored(session, "alpha") == [("PERSON", "Halina Marović")]
    [change] = [c for c in outcome.changes if c.entity == "span"]
    assert change.old is None
    assert change.new == span_of(session, "alpha", "Halina Marović")


def test_another_label_on_the_same_range_relabels_it(session: Session) -> None:
    label(session, "alpha", "Quellby", "PERSON")
    outcome = label(session, "alpha", "Quellby", "LOC")
    assert outcome.message == "relabelled “Quellby” LOC"
    assert stored(session, "alpha") == [("LOC", "Quellby")]
    [change] = [c for c in outcome.changes if c.entity == "span"]
    assert isinstance(change.old, Span)
    assert change.old.label == "PERSON"
    assert isinstance(change.new, Span)
    assert change.new.label == "LOC"


def test_the_same_label_again_is_already_that_label(session: Session) -> None:
    label(session, "alpha", "38 staff", "NUMBER")
    outcome = label(session, "alpha", "38 staff", "NUMBER")
    assert (outcome.refused, outcome.changes) == (None, ())
    assert outcome.message == "already NUMBER: “38 staff”"
    assert stored(session, "alpha") == [("NUMBER", "38 staff")]


def test_the_word_under_the_cursor_inside_a_span_of_that_label_is_already_it(
        session: Session) -> None:
    label(session, "alpha", "Halina Marović", "PERSON")
    outcome = label(session, "alpha", "Marović", "PERSON", selected=False)
    assert outcome.message == "already PERSON: “Halina Marović”"
    assert stored(session, "alpha") == [("PERSON", "Halina Marović")]


def test_a_selection_inside_a_span_of_that_label_is_a_new_span(session: Session) -> None:
    label(session, "alpha", "Halina Marović", "PERSON")
    outcome = label(session, "alpha", "Marović", "PERSON", selected=True)
    assert outcome.message == "PERSON “Marović”"
    assert sorted(stored(session, "alpha")) == [("PERSON", "Halina Marović"),
                                                ("PERSON", "Marović")]


def test_nothing_to_label_is_refused_with_the_reason(session: Session) -> None:
    lab = session.schema.labels[0]
    nothing = session.label_rule("alpha", ALPHA, None, lab, SpanIndex(), selected=False)
    blank = session.label_rule("alpha", ALPHA, None, lab, SpanIndex(), selected=True,
                               blank=True)
    assert nothing.refused == "nothing to label here: select text or put the cursor on a word"
    assert blank.refused == "the selection is only whitespace: nothing labelled"
    assert not nothing.bell
    assert not blank.bell
    assert session.spans("alpha") == []


def test_a_label_the_store_refuses_rings_the_bell(session: Session) -> None:
    lab = session.schema.labels[0]
    outcome = session.label_rule("nowhere", ALPHA, (0, 8), lab, SpanIndex(), selected=True)
    assert outcome.refused is not None
    assert outcome.bell
    assert outcome.changes == ()
    assert outcome.message == ""


def test_a_long_span_is_cut_in_the_message(session: Session) -> None:
    outcome = label(session, "alpha", "Minister Halina Marović said troops will stay", "CLAIM")
    assert outcome.message == "CLAIM “Minister Halina Marović said …”"  # 30 code points


# -- delete, resize, attributes -------------------------------------------------------------


def test_delete_and_resize_say_what_they_did(session: Session) -> None:
    label(session, "alpha", "38", "NUMBER")
    grown = session.resize_rule(span_of(session, "alpha", "38"), ALPHA, grow=True)
    assert grown.message == "grew NUMBER"
    assert stored(session, "alpha") == [("NUMBER", "38 staff")]
    gone = session.delete_rule(span_of(session, "alpha", "38 staff"), ALPHA)
    assert gone.message == "deleted NUMBER “38 staff”"
    assert session.spans("alpha") == []


def test_resizing_past_the_paragraph_is_refused(session: Session) -> None:
    label(session, "alpha", "stay", "EVENT")
    outcome = session.resize_rule(span_of(session, "alpha", "stay"), ALPHA, grow=True)
    assert outcome.refused == "no word after this span in its paragraph"
    assert outcome.bell
    assert stored(session, "alpha") == [("EVENT", "stay")]


def test_attributes_open_only_for_labels_that_have_some(session: Session) -> None:
    label(session, "alpha", "Quellby", "LOC")
    label(session, "alpha", "38 staff", "NUMBER")
    refused = session.attributes_refusal(span_of(session, "alpha", "Quellby"))
    assert refused == Outcome(refused="LOC has no attributes", linger=SHORT)
    assert session.attributes_refusal(span_of(session, "alpha", "38 staff")) is None


def test_the_attribute_form_saves_only_a_change(session: Session) -> None:
    label(session, "alpha", "38 staff", "NUMBER")
    span = span_of(session, "alpha", "38 staff")
    assert session.attributes_rule(span, None) == Outcome()
    assert session.attributes_rule(span, dict(span.attrs)) == Outcome()
    saved = session.attributes_rule(span, {**span.attrs, "unit": "employee"})
    assert saved.message == "set attributes of NUMBER"
    assert span_of(session, "alpha", "38 staff").attrs["unit"] == "employee"


# -- links ----------------------------------------------------------------------------------


def test_only_labels_a_link_type_leaves_may_start_a_link(session: Session) -> None:
    label(session, "alpha", "behind", "DATE")  # (a rule, not a reading)
    label(session, "alpha", "Quellby", "LOC")
    label(session, "alpha", "38 staff", "NUMBER")
    refused = session.link_start_refusal(span_of(session, "alpha", "behind"))
    assert refused is not None
    assert refused.refused == ("DATE spans cannot be linked (links start from CLAIM, EQUIPMENT,"
                               " EVENT, LOC, NUMBER, ORG, PERSON)")
    assert session.link_start_refusal(span_of(session, "alpha", "Quellby")) is None  # SAME_ENTITY
    assert session.link_start_refusal(span_of(session, "alpha", "38 staff")) is None


def two_numbers(session: Session) -> tuple[Span, Span]:
    label(session, "alpha", "38 staff", "NUMBER")
    label(session, "beta", "35 officers", "NUMBER")
    return span_of(session, "alpha", "38 staff"), span_of(session, "beta", "35 officers")


def test_no_link_type_between_the_labels_is_refused(session: Session) -> None:
    number, _ = two_numbers(session)
    label(session, "beta", "Łukasz Wróbel", "PERSON")
    choice = session.link_choice(number, span_of(session, "beta", "Łukasz Wróbel"))
    assert isinstance(choice, Outcome)
    assert choice.refused == "no link type goes from NUMBER to PERSON"


def test_choosing_a_type_adds_the_link_and_choosing_it_again_removes_it(
        session: Session) -> None:
    source, target = two_numbers(session)
    choice = session.link_choice(source, target)
    assert isinstance(choice, LinkChoice)
    assert [t.name for t in choice.types] == ["CONTRADICTS"]
    assert choice.existing == frozenset()
    added = session.link_rule(choice, "CONTRADICTS")
    assert added.message == "linked NUMBER CONTRADICTS NUMBER"
    [link] = session.store.links("alice")
    assert (link.from_span, link.to_span, link.type) == (source.id, target.id, "CONTRADICTS")
    assert session.links == {link.id: link}
    assert session.linked() == {source.id, target.id}

    again = session.link_choice(source, target)
    assert isinstance(again, LinkChoice)
    assert again.existing == {"CONTRADICTS"}
    removed = session.link_rule(again, "CONTRADICTS")
    assert removed.message == "removed the CONTRADICTS link"
    assert session.store.links("alice") == []
    assert session.links == {}


def test_a_symmetric_link_is_found_from_either_end(session: Session) -> None:
    source, target = two_numbers(session)
    choice = session.link_choice(source, target)
    assert isinstance(choice, LinkChoice)
    session.link_rule(choice, "CONTRADICTS")
    back = session.link_choice(target, source)
    assert isinstance(back, LinkChoice)
    assert back.existing == {"CONTRADICTS"}
    session.link_rule(back, "CONTRADICTS")  # removes it: no second, reversed link
    assert session.store.links("alice") == []


def test_a_one_way_link_type_is_not_removed_from_the_other_end(session: Session) -> None:
    """Choosing b → a for a one-way a → b link neither removes it nor adds a second one: the
    store refuses it, and says why."""
    label(session, "alpha", "Minister Halina Marović said troops will stay", "CLAIM")
    label(session, "beta", "Deputy Łukasz Wróbel said troops will leave", "CLAIM")
    a = span_of(session, "alpha", "Minister Halina Marović said troops will stay")
    b = span_of(session, "beta", "Deputy Łukasz Wróbel said troops will leave")
    choice = session.link_choice(a, b)
    assert isinstance(choice, LinkChoice)
    session.link_rule(choice, "SUPPORTS")
    back = session.link_choice(b, a)
    assert isinstance(back, LinkChoice)
    assert back.existing == frozenset()
    refused = session.link_rule(back, "SUPPORTS")
    assert refused.refused == "those spans are already linked as SUPPORTS"
    assert refused.bell
    assert [(lk.from_span, lk.to_span) for lk in session.store.links("alice")] == [(a.id, b.id)]


def test_a_cancelled_chooser_does_nothing(session: Session) -> None:
    choice = session.link_choice(*two_numbers(session))
    assert isinstance(choice, LinkChoice)
    assert session.link_rule(choice, None) == Outcome()
    assert session.store.links("alice") == []


def test_the_links_of_a_document_are_sorted_by_type_then_ends(session: Session) -> None:
    source, target = two_numbers(session)
    label(session, "alpha", "Minister Halina Marović said troops will stay", "CLAIM")
    label(session, "beta", "Deputy Łukasz Wróbel said troops will leave", "CLAIM")
    claim_a = span_of(session, "alpha", "Minister Halina Marović said troops will stay")
    claim_b = span_of(session, "beta", "Deputy Łukasz Wróbel said troops will leave")
    for a, b, type_ in ((claim_a, claim_b, "SUPPORTS"), (source, target, "CONTRADICTS"),
                        (claim_a, claim_b, "CONTRADICTS")):
        choice = session.link_choice(a, b)
        assert isinstance(choice, LinkChoice)
        session.link_rule(choice, type_)
    starts = {s.id: s.start for s in (source, target, claim_a, claim_b)}
    links = session.doc_links("alpha", lambda sid: starts.get(sid, -1))
    assert [(lk.type, starts[lk.from_span]) for lk in links] == [
        ("CONTRADICTS", claim_a.start), ("CONTRADICTS", source.start), ("SUPPORTS", claim_a.start)]
    assert session.doc_links("gamma", lambda sid: -1) == []


def test_opening_a_document_keeps_its_links(session: Session, tmp_path: Path) -> None:
    choice = session.link_choice(*two_numbers(session))
    assert isinstance(choice, LinkChoice)
    session.link_rule(choice, "CONTRADICTS")
    fresh = Session(session.store, "alice", session.schema)  # a new run of the app
    fresh.load_links("gamma")
    assert fresh.links == {}
    fresh.load_links("beta")
    assert [lk.type for lk in fresh.links.values()] == ["CONTRADICTS"]


# -- link ends in documents no pane shows ---------------------------------------------------


def test_a_link_end_is_read_once_and_reread_after_a_change(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    label(session, "alpha", "38", "NUMBER")
    span = span_of(session, "alpha", "38")
    reads: list[str] = []
    get_document = session.store.get_document

    def counted(doc_id: str) -> Document | None:
        reads.append(doc_id)
        return get_document(doc_id)

    monkeypatch.setattr(session.store, "get_document", counted)
    end = session.link_end(span.id)
    assert end is not None
    assert (end.text, end.title) == ("38", "alpha report")
    for _ in range(5):  # a cursor moving over the linked span: the document is not reread
        assert session.link_end(span.id) == end
    assert reads == ["alpha"]
    session.resize_rule(span, ALPHA, grow=True)
    grown = session.link_end(span.id)
    assert grown is not None
    assert grown.text == "38 staff"
    session.undo_rule()
    shrunk = session.link_end(span.id)
    assert shrunk is not None
    assert shrunk.text == "38"
    assert session.link_end("no-such-span") is None


# -- done, then the next document -----------------------------------------------------------


def test_done_goes_on_to_the_next_document(session: Session) -> None:
    outcome = session.done_rule("alpha", {"alpha"})
    assert outcome.message == "marked alpha done"
    assert outcome.open_next == "beta"
    assert session.status("alpha") == Status.DONE
    assert session.progress() == (1, 3)
    [change] = outcome.changes
    assert change.new is not None
    assert getattr(change.new, "status", None) == Status.DONE


def test_done_with_the_next_document_open_already_moves_there(session: Session) -> None:
    outcome = session.done_rule("alpha", {"alpha", "beta"})
    assert outcome.message == "marked alpha done; next: beta, already open"
    assert outcome.open_next == "beta"


def test_the_last_document_done_says_every_document_is_done(session: Session) -> None:
    session.done_rule("alpha", {"alpha"})
    session.done_rule("beta", {"beta"})
    outcome = session.done_rule("gamma", {"gamma"})
    assert outcome.message == "marked gamma done; every document is done"
    assert outcome.notice == Notice("every document is done", "All done", 4)
    assert outcome.open_next is None
    assert session.progress() == (3, 3)


# -- undo and redo --------------------------------------------------------------------------


def test_undo_lands_on_the_span_that_came_or_went(session: Session) -> None:
    label(session, "alpha", "Quellby", "LOC")
    label(session, "beta", "35 officers", "NUMBER")
    undone = session.undo_rule()
    assert undone.message == "undid add span"
    assert undone.goto == Location("beta", BETA.index("35 officers"))
    assert stored(session, "beta") == []
    redone = session.redo_rule()
    assert redone.message == "redid add span"
    assert redone.goto == undone.goto
    assert stored(session, "beta") == [("NUMBER", "35 officers")]


def test_undo_of_a_delete_brings_the_link_back(session: Session) -> None:
    source, target = two_numbers(session)
    choice = session.link_choice(source, target)
    assert isinstance(choice, LinkChoice)
    session.link_rule(choice, "CONTRADICTS")
    [link] = session.links.values()
    session.delete_rule(source, ALPHA)
    assert session.links == {}
    undone = session.undo_rule()
    assert undone.goto == Location("alpha", source.start)
    assert list(session.links.values()) == [link]
    assert [c.new for c in undone.changes if isinstance(c.new, Link)] == [link]


def test_nothing_to_undo_or_redo_is_refused_briefly(session: Session) -> None:
    assert session.undo_rule() == Outcome(refused="nothing to undo", linger=SHORT)
    assert session.redo_rule() == Outcome(refused="nothing to redo", linger=SHORT)
