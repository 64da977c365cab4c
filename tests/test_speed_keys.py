"""Issue #14's keys for labelling fast, driven through the app: `*` (all occurrences), the
sentence, clause and quotation motions, the `z` count, `.` (repeat the label), `H` `K` (the
start edge), each checked in the database and the export."""

from __future__ import annotations

import io
import json

import pytest

from annotator.export import export
from tests.tui_support import app_for, find, screen, span_texts, status, view

WIRE = ("Wire\n\n"
        "Akar said 38 staff stayed. Akar’s aides met Akarsu. Mr. Akar left at 3.5 pm; "
        "“the talks were useful,” Akar said.\n")
COURIER = "Courier\n\nAkar spoke. The minister Akar and Akar again.\n"
DOCS = {"wire": WIRE, "courier": COURIER}


def exported(store, doc_id):
    out = io.StringIO()
    export(store, "jsonl", out)
    rows = [json.loads(line) for line in out.getvalue().split("\n")[:-1]]
    return next(r for r in rows if r["id"] == doc_id and r["annotator"] == "alice")


@pytest.mark.documents(DOCS)
async def test_star_labels_every_occurrence_in_every_open_pane_as_one_action(store):
    app = app_for(store, "wire", "courier")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("tab")  # to the courier pane: label its second Akar by hand
        await find(pilot, "Akar and")
        await pilot.press("1")
        await pilot.press("shift+tab")
        assert view(app).document.id == "wire"
        await find(pilot, "Akar said")
        await pilot.press("1", "asterisk")
        wire = [(s.start, s.end) for s in store.spans("wire", "alice")]
        # "Akar’s" has Akar (a possessive), "Akarsu" does not; "Mr. Akar" and "Akar said"
        assert [WIRE[a:b] for a, b in wire] == ["Akar"] * 4
        assert [a for a, _ in wire] == [m for m in range(len(WIRE))
                                        if WIRE.startswith("Akar", m)
                                        and not WIRE.startswith("Akarsu", m)]
        assert span_texts(store, "courier") == [("PERSON", "Akar")] * 3
        assert "labelled 5 more PERSON: 3 here, 2 in courier" in status(app)
        # the courier pane shows them too
        courier = next(p for p in screen(app).panes if p.document.id == "courier")
        assert len(courier.view.index) == 3
        await pilot.press("u")  # one undo takes all five away, in both documents
        assert span_texts(store, "wire") == [("PERSON", "Akar")]
        assert span_texts(store, "courier") == [("PERSON", "Akar")]
        assert len(courier.view.index) == 1
        await pilot.press("ctrl+r")
        assert len(store.spans("courier", "alice")) == 3
        await pilot.press("asterisk")  # nothing left to label: says so, adds nothing
        assert "no other unlabelled “Akar”" in status(app)
    row = exported(store, "courier")
    assert [(s["start"], s["end"], s["label"]) for s in row["spans"]] == [
        (COURIER.index("Akar"), COURIER.index("Akar") + 4, "PERSON"),
        (COURIER.index("Akar and"), COURIER.index("Akar and") + 4, "PERSON"),
        (COURIER.rindex("Akar"), COURIER.rindex("Akar") + 4, "PERSON")]


@pytest.mark.documents({"n": "N\n\n38 staff left; 38 staff stayed; 138 staff; 38 staffers.\n"})
async def test_star_copies_a_number_s_attributes_and_keeps_word_boundaries(store):
    app = app_for(store, "n")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "38 staff")
        await pilot.press("v", "w", "5", "asterisk")
        spans = store.spans("n", "alice")
        text = store.get_document("n").text
        assert [(text[s.start:s.end], s.start) for s in spans] == [
            ("38 staff", 3), ("38 staff", 18)]
        assert spans[1].attrs == spans[0].attrs == {"value": 38, "unit": "staff",
                                                    "qualifier": "exact"}


@pytest.mark.documents(DOCS)
async def test_sentence_and_clause_motions_select_a_claim_in_few_keys(store):
    app = app_for(store, "wire")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Akar said")
        await pilot.press("v", "right_parenthesis", "6", "escape")  # CLAIM: the sentence
        assert span_texts(store, "wire") == [("CLAIM", "Akar said 38 staff stayed.")]
        await find(pilot, "3.5")
        # "(" goes back over "Mr." (an abbreviation) to the sentence start
        await pilot.press("left_parenthesis")
        assert WIRE[view(app).cursor:].startswith("Mr. Akar left")
        await pilot.press("v", "semicolon", "6", "escape")  # the clause, before its ";"
        assert ("CLAIM", "Mr. Akar left at 3.5 pm") in span_texts(store, "wire")
        await pilot.press("right_parenthesis")  # end of this sentence
        assert WIRE[view(app).cursor] == "."
        assert WIRE[view(app).cursor - 4:view(app).cursor] == "said"
        await pilot.press("comma")  # back to the start of its clause, after the ;
        assert WIRE[view(app).cursor:].startswith("“the talks")
        await pilot.press("z", "2", "comma")  # two clauses back: over "Mr. Akar … pm"
        assert WIRE[view(app).cursor:].startswith("Akar’s aides")


@pytest.mark.documents(DOCS)
async def test_apostrophe_selects_inside_the_quotation(store):
    app = app_for(store, "wire")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "talks")
        await pilot.press("apostrophe")
        assert "selecting 4 words" in status(app)
        await pilot.press("6", "escape")
        spans = store.spans("wire", "alice")
        assert [(WIRE[s.start:s.end], s.start) for s in spans] == [
            ("the talks were useful,", WIRE.index("the talks"))]
    assert exported(store, "wire")["spans"][0]["text"] == "the talks were useful,"


@pytest.mark.documents(DOCS)
async def test_z_count_repeats_a_motion_and_digits_after_it_are_not_labels(store):
    app = app_for(store, "wire")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Akar said")
        await pilot.press("v", "z", "4", "w", "6", "escape")  # v, 4 words on, label: 5 words
        assert span_texts(store, "wire") == [("CLAIM", "Akar said 38 staff stayed")]
        await pilot.press("z", "x")  # not a motion: refused, nothing deleted
        assert "a count goes before a motion" in status(app)
        assert len(store.spans("wire", "alice")) == 1
        await pilot.press("z", "escape", "1")  # cancelled: 1 is a label key again
        assert ("PERSON", "stayed") in span_texts(store, "wire")


@pytest.mark.documents(DOCS)
async def test_full_stop_repeats_the_last_label(store):
    app = app_for(store, "wire")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("full_stop")
        assert "no label to repeat yet" in status(app)
        await find(pilot, "Akarsu")
        await pilot.press("2")
        await find(pilot, "aides")
        await pilot.press("full_stop")
        await find(pilot, "talks")
        await pilot.press("v", "w", "full_stop")
        assert span_texts(store, "wire") == [("ORG", "aides"), ("ORG", "Akarsu"),
                                             ("ORG", "talks were")]


@pytest.mark.documents(DOCS)
async def test_h_and_k_move_the_start_edge(store):
    app = app_for(store, "wire")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "staff stayed")
        await pilot.press("5", "H")  # grow at the start: "38 staff"
        assert span_texts(store, "wire") == [("NUMBER", "38 staff")]
        span = store.spans("wire", "alice")[0]
        assert (span.start, span.attrs) == (WIRE.index("38 staff"), {
            "value": 38, "unit": "staff", "qualifier": "exact"})
        await pilot.press("K")  # shrink it again
        assert span_texts(store, "wire") == [("NUMBER", "staff")]
        await pilot.press("K")
        assert "the span is one word already" in status(app)
        await pilot.press("u", "u")
        assert span_texts(store, "wire") == [("NUMBER", "staff")]
