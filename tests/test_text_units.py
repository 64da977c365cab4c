"""Sentences, clauses, quotations and occurrences as the speed keys find them (Textual-free),
and the store's one-action multi-span add."""

from __future__ import annotations

import pytest

from annotator.model import Span
from annotator.occurrences import Place, find_all, unlabelled
from annotator.store import NewSpan, StoreError
from annotator.text_units import quotation, start_edge, unit_end, unit_start, units

NEWS = ("Mr. Smith said the U.S. army had 3.5 million troops, he said. The rest, about 7,000, "
        "left; “no troops will be deployed” on Monday! Then approx. five left.\nNext line")


def texts(unit):
    return [NEWS[s:e] for s, e in units(NEWS, 0, len(NEWS), unit)]


def test_sentences_know_abbreviations_initialisms_decimals_and_line_breaks():
    assert texts("sentence") == [
        "Mr. Smith said the U.S. army had 3.5 million troops, he said.",
        "The rest, about 7,000, left; “no troops will be deployed” on Monday!",
        "Then approx. five left.", "Next line"]


def test_clauses_cut_at_separators_followed_by_space_and_dashes():
    assert texts("clause")[:6] == [
        "Mr. Smith said the U.S. army had 3.5 million troops", "he said.", "The rest",
        "about 7,000", "left", "“no troops will be deployed” on Monday!"]
    text = "Rain — then sun – then 04:30 - late"
    assert [text[s:e] for s, e in units(text, 0, len(text), "clause")] == [
        "Rain", "then sun", "then 04:30", "late"]


def test_cjk_sentences_need_no_space():
    text = "状況は安定している。住民は戻った！"
    assert [text[s:e] for s, e in units(text, 0, len(text), "sentence")] == [
        "状況は安定している。", "住民は戻った！"]


def test_unit_end_and_start_go_on_when_already_there():
    army = NEWS.index("army")
    end = unit_end(NEWS, army, "sentence")
    assert NEWS[end - 4 : end + 1] == "said."
    assert NEWS[unit_end(NEWS, end, "sentence")] == "!"
    start = unit_start(NEWS, army, "sentence")
    assert start == 0
    rest = NEWS.index("The rest")
    assert unit_start(NEWS, rest, "sentence") == 0
    assert unit_start(NEWS, rest + 2, "sentence") == rest


@pytest.mark.parametrize(("text", "inside"), [
    ("He said “no troops will go” today", "no troops will go"),
    ("Elle a dit « pas de troupes » hier", "pas de troupes"),
    ("Er sagte „keine Truppen“ gestern", "keine Truppen"),
    ("She said 'not now' and left", "not now"),
    ('She said "Zoë’s note, don’t go" then', "Zoë’s note, don’t go"),
    ("彼は「部隊は行かない」と述べた", "部隊は行かない"),
    ("Outer “inner ‘deep words’ end” out", "deep words"),
])
def test_quotation_finds_the_innermost_pair_around_the_cursor(text, inside):
    at = text.index(inside) + 2
    q = quotation(text, at)
    assert q is not None
    assert text[q[0] : q[1]] == inside


def test_no_quotation_around_an_apostrophe_or_outside_quotes():
    assert quotation("Zoë’s note: don’t go now", 15) is None
    assert quotation("“a” then b", 8) is None
    assert quotation("“open\n\nclosed” later", 1) is None  # not across paragraphs


def test_start_edge_grows_and_shrinks_by_a_word():
    text = "First para.\n\nAbout 38 staff stayed"
    start, end = text.index("38"), len(text)
    assert text[start_edge(text, start, end, True):end] == "About 38 staff stayed"
    assert text[start_edge(text, start, end, False):end] == "staff stayed"
    assert start_edge(text, text.index("About"), end, True) is None  # not across paragraphs
    assert start_edge(text, text.index("stayed"), end, False) is None


@pytest.mark.parametrize(("needle", "found"), [
    ("Akar", ["Akar", "Akar", "Akar"]),  # not Akarsu; the possessive Akar’s counts
    ("7,000", ["7,000"]),  # not 17,000
    ("José", ["José"]),  # the decomposed Jose\u0301 has no "Jose"
    ("東京", ["東京", "東京"]),  # CJK: no word boundaries to keep
])
def test_find_all_keeps_word_boundaries(needle, found):
    text = "Akar met Akarsu. Akar’s 7,000 and 17,000. Mr. Akar. José, Jose\u0301. 東京都 東京"
    assert [text[s:e] for s, e in find_all(text, needle)] == found
    if needle == "José":
        assert list(find_all(text, "Jose")) == []


def test_unlabelled_finds_a_name_however_its_accents_are_encoded():
    text = "José and Jose\u0301 and Josef"
    found = unlabelled("José", "PERSON", [Place("d", text, [])])
    assert [text[o.start:o.end] for o in found] == ["José", "Jose\u0301"]


def test_unlabelled_skips_places_a_span_of_that_label_overlaps():
    text = "Akar and Akar Hulusi and Akar"
    spans = [Span("a", "d", "x", 0, 4, "PERSON"), Span("b", "d", "x", 9, 20, "PERSON"),
             Span("c", "d", "x", 25, 29, "ORG")]
    found = unlabelled("Akar", "PERSON", [Place("d", text, spans)])
    assert [(o.start, o.end) for o in found] == [(25, 29)]


@pytest.mark.documents({"a": "Akar met Akar.\n", "b": "Then Akar.\n"})
def test_add_spans_is_one_action_in_many_documents_undone_at_once(store):
    result = store.add_new_spans("alice", [
        NewSpan("a", 0, 4, "PERSON"), NewSpan("a", 9, 13, "PERSON"),
        NewSpan("b", 5, 9, "PERSON", {"note": 1})])
    assert result.name == "label_all"
    assert [(s.doc_id, s.start, s.end, s.attrs) for d in "ab" for s in store.spans(d, "alice")] == [
        ("a", 0, 4, {}), ("a", 9, 13, {}), ("b", 5, 9, {"note": 1})]
    assert {store.status(d, "alice").value for d in "ab"} == {"in_progress"}
    store.undo("alice")
    assert store.spans("a", "alice") == store.spans("b", "alice") == []
    with pytest.raises(StoreError, match="outside the document"):
        store.add_new_spans("alice", [NewSpan("a", 0, 4, "PERSON"), NewSpan("b", 5, 99, "PERSON")])
    assert store.spans("a", "alice") == []  # nothing half-written
