"""Claims, quickly (docs/claims.md): the form that opens on labelling, digits that pick, the
speaker list grouped by SAME_ENTITY, a new speaker typed by name; each checked in the
database."""

from __future__ import annotations

import pytest

from annotator.claims import form_to_open
from annotator.labels import SchemaError, load_default_schema, parse_schema
from annotator.model import Link, Span
from annotator.speakers import NewSpan, locate, speakers
from annotator.store import Change
from annotator.tui.screens.attributes import AttributeForm
from tests.tui_support import add_span, app_for, span_texts, status
from tests.tui_support import find as search

TEXT = ("Defence Minister Hulusi Akar arrived. The agency said one thing. Akar said that "
        "“troops will stay” and Hulusi Akar agreed.")
DOCS = {"akar": TEXT}


def span(sid: str, needle: str, label: str, nth: int = 0) -> tuple[Span, str]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return Span(sid, "akar", "alice", start, start + len(needle), label), needle


CLAIM = span("c", "troops will stay", "CLAIM")[0]


def test_mentions_linked_same_entity_are_one_choice_nearest_first() -> None:
    mentions = [span("p1", "Defence Minister Hulusi Akar", "PERSON"),
                span("o1", "The agency", "ORG"), span("p2", "Akar", "PERSON", 1),
                span("p3", "Hulusi Akar", "PERSON", 1), span("d1", "one thing", "DATE")]
    links = [Link("l1", "alice", "SAME_ENTITY", "p1", "p2", "akar", "akar"),
             Link("l2", "alice", "SAME_ENTITY", "p3", "x9", "akar", "other-doc"),
             Link("l3", "alice", "SAME_ENTITY", "x9", "p1", "other-doc", "akar")]
    found = speakers(CLAIM, mentions, links, ("PERSON", "ORG"))
    assert [(s.label, s.name, s.others, s.span_id) for s in found] == [
        ("PERSON", "Defence Minister Hulusi Akar", ("Akar", "Hulusi Akar"), "p3"),
        ("ORG", "The agency", (), "o1")]


def test_same_text_and_label_is_one_choice_without_a_link() -> None:
    mentions = [span("p1", "Akar", "PERSON", 0), span("p2", "Akar", "PERSON", 1)]
    [one] = speakers(CLAIM, mentions, [], ("PERSON",))
    assert (one.name, one.span_id, one.ids) == ("Akar", "p2", frozenset({"p1", "p2"}))


def test_a_name_typed_is_found_nearest_the_claim() -> None:
    assert locate("Hulusi Akar", TEXT, CLAIM, ("PERSON", "ORG"), "PERSON") == NewSpan(
        TEXT.index("Hulusi Akar", 40), TEXT.index("Hulusi Akar", 40) + 11, "PERSON")
    at = TEXT.index("The agency")
    assert locate("org: the agency", TEXT, CLAIM, ("PERSON", "ORG"), "PERSON") == NewSpan(
        at, at + 10, "ORG")
    assert locate("Erdogan", TEXT, CLAIM, ("PERSON",), "PERSON") == (
        "“Erdogan” is not in this document")
    assert locate("Aka", TEXT, CLAIM, ("PERSON",), "PERSON") == "“Aka” is not in this document"


def test_the_form_opens_on_claims_unless_the_schema_says_not() -> None:
    news = load_default_schema()
    claim = {**_row(CLAIM), "label": "CLAIM"}
    assert form_to_open(news, [Change("span", None, claim)]) == CLAIM
    assert form_to_open(news, [Change("span", None, {**claim, "label": "PERSON"})]) is None
    assert form_to_open(news, [Change("span", claim, {**claim, "attrs": {"x": 1}})]) is None
    off = parse_schema(news.source.replace('kind = "claim"\n', 'kind = "claim"\nform_on_label'
                                                               ' = false\n'))
    assert form_to_open(off, [Change("span", None, claim)]) is None
    with pytest.raises(SchemaError, match='label "CLAIM": form_on_label must be true or false'):
        parse_schema(news.source.replace('kind = "claim"\n', 'kind = "claim"\nform_on_label'
                                                             ' = "yes"\n'))


def _row(s: Span) -> dict:
    from annotator.store.rows import span_to_row

    return span_to_row(s)


# -- on the annotation screen -----------------------------------------------------------------


@pytest.mark.documents(DOCS)
async def test_label_then_1_1_2_enter_sets_speaker_stance_and_certainty(store) -> None:
    akar = add_span(store, "akar", "Akar", "PERSON", nth=1)
    full = add_span(store, "akar", "Defence Minister Hulusi Akar", "PERSON")
    store.add_link("alice", "SAME_ENTITY", full, akar)
    app = app_for(store, "akar")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "troops")
        await pilot.press("v", "w", "w", "6")
        assert isinstance(app.screen, AttributeForm)
        await pilot.press("1", "1", "2", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AttributeForm)
        [claim] = [s for s in store.spans("akar", "alice") if s.label == "CLAIM"]
        assert TEXT[claim.start : claim.end] == "troops will stay"
        assert claim.attrs == {"speaker": akar, "stance": "asserts", "certainty": "probable"}
        assert "set attributes of CLAIM" in status(app)


@pytest.mark.documents(DOCS)
async def test_a_new_speaker_typed_is_tagged_and_set_in_one_action(store) -> None:
    app = app_for(store, "akar")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "troops")
        await pilot.press("v", "w", "w", "6")
        assert isinstance(app.screen, AttributeForm)
        await pilot.press("tab", *"Hulusi Akar", "ctrl+s")
        await pilot.pause()
        spans = {s.label: s for s in store.spans("akar", "alice")}
        assert span_texts(store, "akar") == [("CLAIM", "troops will stay"),
                                             ("PERSON", "Hulusi Akar")]
        assert spans["PERSON"].start == TEXT.index("Hulusi Akar", 40)
        assert spans["CLAIM"].attrs == {"speaker": spans["PERSON"].id}
        await pilot.press("u")  # one undo: the speaker and the reference to it
        assert span_texts(store, "akar") == [("CLAIM", "troops will stay")]
        assert store.spans("akar", "alice")[0].attrs == {}


@pytest.mark.documents(DOCS)
async def test_a_name_not_in_the_text_is_refused_in_the_form(store) -> None:
    app = app_for(store, "akar")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "troops")
        await pilot.press("v", "w", "w", "6", "tab", *"Erdogan", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AttributeForm)
        assert "“Erdogan” is not in this document" in str(
            app.screen.query_one("#attr-0-error").render())
        await pilot.press("escape")
        assert [s.attrs for s in store.spans("akar", "alice")] == [{}]


@pytest.mark.documents(DOCS)
async def test_m_links_two_mentions_as_the_same_entity(store) -> None:
    add_span(store, "akar", "Akar", "PERSON", nth=1)
    add_span(store, "akar", "Hulusi Akar", "PERSON", nth=1)
    app = app_for(store, "akar")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "Akar said")
        await pilot.press("L")
        await search(pilot, "Hulusi Akar agreed")
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        [link] = store.links("alice")
        ends = {TEXT[s.start : s.end] for s in map(store.span, (link.from_span, link.to_span))}
        assert (link.type, ends) == ("SAME_ENTITY", {"Akar", "Hulusi Akar"})
