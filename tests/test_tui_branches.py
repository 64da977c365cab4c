"""Branches of the app no test took before (issue #9, point 8): which schema the app opens
with, a click in another pane, the last document marked done, a fifth document, an empty
database. Each reads the database or the screen back."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from annotator.labels import load_default_schema, parse_schema
from annotator.model import Document, Status
from annotator.store import Store
from annotator.tui.app import resolve_schema
from tests.tui_support import (
    DOCS,
    add_span,
    app_for,
    fill,
    find,
    open_document,
    screen,
    span_texts,
    status,
    toasts,
    view,
)

TINY = {"one": "One report\n\nAda met Bo.\n"}
FIVE = {**{k: DOCS[k] for k in ("alpha", "beta")},
        "third": "Third report\n\nCy left.\n", "fourth": "Fourth report\n\nDi stayed.\n",
        "fifth": "Fifth report\n\nEd came back.\n"}

OWN_TOML = textwrap.dedent("""\
    name = "own"
    version = 3
    [[labels]]
    name = "WHO"
    kind = "entity"
    key = "1"
    """)


def _with_own_schema(store: Store, doc_id: str) -> None:
    own = parse_schema(OWN_TOML, "own.toml")
    with store.import_session("importer") as imp:
        imp.add_schema(own.ref, own.name, own.version, own.source)
        imp.add_document(Document(doc_id, "Own\n\nAda.\n", "Own", schema=own.ref))


# -- resolve_schema: --labels, else the documents' schema, else the default ---------------------

def test_labels_file_wins_over_the_documents_schema(store: Store, tmp_path: Path) -> None:
    _with_own_schema(store, "mine")
    path = tmp_path / "given.toml"
    path.write_text(OWN_TOML.replace('"own"', '"given"').replace("WHO", "WHAT"))
    schema = resolve_schema(store, path, ["mine"])
    assert (schema.ref, [lab.name for lab in schema.labels]) == ("given@3", ["WHAT"])


def test_the_schema_of_the_first_requested_document(store: Store) -> None:
    fill(store, TINY)  # imported with the default schema
    _with_own_schema(store, "mine")
    assert resolve_schema(store, None, ["mine", "one"]).ref == "own@3"
    assert resolve_schema(store, None, ["one", "mine"]).ref == load_default_schema().ref


def test_without_ids_the_first_document_in_the_database_decides(store: Store) -> None:
    _with_own_schema(store, "first")
    fill(store, TINY)
    assert store.document_ids() == ["first", "one"]  # import order
    assert [lab.name for lab in resolve_schema(store, None).labels] == ["WHO"]


def test_documents_without_a_stored_schema_get_the_default(store: Store) -> None:
    with store.import_session("importer") as imp:
        imp.add_document(Document("bare", "Bare\n\nno schema\n", "Bare"))
    assert resolve_schema(store, None, ["missing", "bare"]) == load_default_schema()
    assert resolve_schema(store, None, []) == load_default_schema()


# -- the annotation screen ---------------------------------------------------------------------

@pytest.mark.documents
async def test_a_click_in_another_pane_makes_it_the_active_one(store: Store) -> None:
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        left, right = screen(app).panes
        assert screen(app).active is left
        where, layout = right.view.text.index("Łukasz"), right.view.text_layout
        await pilot.click(right.view, offset=(layout.column_of(where), layout.line_of(where)))
        assert screen(app).active is right
        assert app.focused is right.view
        await pilot.press("1")  # the label goes where the click was, not to the left pane
        assert span_texts(store, "beta") == [("PERSON", "Łukasz")]
        assert span_texts(store, "alpha") == []


@pytest.mark.documents(TINY)
async def test_done_on_the_last_open_document_says_every_document_is_done(store: Store) -> None:
    app = app_for(store, "one")
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert store.status("one", "alice") == Status.DONE
        assert "1/1 done" in status(app)
        assert status(app).endswith("marked one done; every document is done")
        assert toasts(app)[-1] == "All done\nevery document is done"
        assert [p.document.id for p in screen(app).panes] == ["one"]  # nothing else to open


@pytest.mark.documents(FIVE)
async def test_a_fifth_document_replaces_the_active_pane(store: Store) -> None:
    app = app_for(store, "alpha", "beta", "third", "fourth")
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        await pilot.pause()
        screen(app).activate(screen(app).panes[1])  # beta
        await open_document(pilot, "fifth")
        assert [p.document.id for p in screen(app).panes] == ["alpha", "fifth", "third",
                                                               "fourth"]
        assert screen(app).active.document.id == "fifth"
        assert "4 panes at most: replacing this one" in toasts(app)
        await pilot.press("1")  # the new pane takes the keys: "Fifth" is labelled there
        assert span_texts(store, "fifth") == [("PERSON", "Fifth")]


async def test_an_empty_database_says_how_to_import(store: Store) -> None:
    app = app_for(store)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert screen(app).panes == []
        assert "Import some with: annotator import PATH" in str(
            app.screen.query_one("#empty").render())
        assert "0/0 done" in status(app)
        await pilot.press("1", "D", "u")  # no pane: keys do nothing, and nothing breaks
        assert store.document_ids() == []
        assert screen(app).active is None


@pytest.mark.documents
async def test_an_unknown_id_is_named_and_the_others_open(store: Store) -> None:
    app = app_for(store, "alpha", "nosuch[b]")
    async with app.run_test(size=(120, 24), notifications=True) as pilot:
        await pilot.pause()
        assert [p.document.id for p in screen(app).panes] == ["alpha"]
        assert "no document nosuch[b]" in toasts(app)


@pytest.mark.documents
async def test_a_link_into_a_closed_document_names_its_far_end(store: Store) -> None:
    """The far end of a link in a document no pane shows: its text and its document's title,
    read from the store (the detail box and the links box)."""
    staff = add_span(store, "alpha", "38 staff", "NUMBER", value=38)
    officers = add_span(store, "beta", "35 officers", "NUMBER", value=35)
    store.add_link("alice", "CONTRADICTS", staff, officers)
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 30)) as pilot:
        await find(pilot, "38 staff")
        side = screen(app).side
        assert "→ CONTRADICTS 35 officers (Beta report)" in str(side.detail.render())
        assert "35 officers (Beta report)" in str(side.link_box.render())


@pytest.mark.documents
async def test_a_claim_shows_its_speaker_and_a_link_needs_a_type_that_fits(store: Store) -> None:
    person = add_span(store, "alpha", "Halina Marović", "PERSON")
    add_span(store, "alpha", "Minister Halina Marović said", "CLAIM", speaker=person)
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 30)) as pilot:
        await find(pilot, "Minister")
        assert "speaker=Halina Marović" in str(screen(app).side.detail.render())
        await pilot.press("L")  # from the CLAIM ...
        await find(pilot, "Halina")
        await pilot.press("L")  # ... to the PERSON inside it: no link type goes there
        assert "no link type goes from CLAIM to PERSON" in status(app)
        assert store.links("alice", ["alpha"]) == []


@pytest.mark.documents
async def test_the_search_box_edits_cancels_and_closes_on_a_click_away(store: Store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("slash", *"Quellbz", "backspace", "y", "enter")
        assert view(app).text[view(app).cursor :].startswith("Quellby")
        await pilot.press("slash", *"Monday", "escape", "1")  # no search: "1" labels Quellby
        assert "/Monday" not in status(app)
        assert span_texts(store, "alpha") == [("PERSON", "Quellby")]
        await pilot.press("slash", "x")
        await pilot.click(view(app), offset=(0, 0))  # away from the box: it closes
        await pilot.press("2")  # the key is the view's: ORG on the title's first word
        assert ("ORG", "Alpha") in span_texts(store, "alpha")
