"""Small pictures of states a person sees and no other snapshot shows (issue #9, point 8): a
link waiting for its target, the search count, an empty database, the light theme, and a
256-colour terminal. 80x24 and a three-line report each, so they cost little."""

from __future__ import annotations

import pytest
import textual.constants
from textual.pilot import Pilot

from annotator.store import Store
from tests.tui_support import add_span, app_for, find

REPORT = {"note": "Quellby note\n\nMinister Ada Bo said 38 staff stayed in Quellby on Monday;"
                  " Quellby had 40 staff.\n"}
SIZE = (80, 24)


def _labelled(store: Store) -> Store:
    person = add_span(store, "note", "Ada Bo", "PERSON")
    add_span(store, "note", "Minister Ada Bo said 38 staff stayed in Quellby", "CLAIM",
             speaker=person)
    add_span(store, "note", "38 staff", "NUMBER", value=38, qualifier="exact", unit="staff")
    add_span(store, "note", "Quellby", "LOC", nth=1)
    add_span(store, "note", "Monday", "DATE")
    return store


pytestmark = pytest.mark.documents(REPORT)


def test_snapshot_pending_link(snap_compare, store: Store) -> None:
    async def before(pilot: Pilot) -> None:
        await find(pilot, "38")
        await pilot.press("L")  # the link waits for its target: the status bar says so

    assert snap_compare(app_for(_labelled(store), "note"), terminal_size=SIZE, run_before=before)


def test_snapshot_search_count(snap_compare, store: Store) -> None:
    async def before(pilot: Pilot) -> None:
        await find(pilot, "Quellby")  # from the cursor on the title's: the second of three
        await pilot.press("n")  # the third, all three marked: "/Quellby 3/3"

    assert snap_compare(app_for(store, "note"), terminal_size=SIZE, run_before=before)


@pytest.mark.documents({})
def test_snapshot_empty_database(snap_compare, store: Store) -> None:
    assert snap_compare(app_for(store), terminal_size=SIZE)


def test_snapshot_light_theme(snap_compare, store: Store) -> None:
    app = app_for(_labelled(store), "note")
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=SIZE, run_before=lambda pilot: find(pilot, "Bo"))


def test_snapshot_256_colours(snap_compare, store: Store, monkeypatch) -> None:
    """TEXTUAL_COLOR_SYSTEM=256 (read when Textual is imported, so set on its constant): each
    label keeps its own colour, and the span under the cursor is drawn hollow."""
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "256")
    app = app_for(_labelled(store), "note")
    assert app.console.color_system == "256"
    assert snap_compare(app, terminal_size=SIZE, run_before=lambda pilot: find(pilot, "Bo"))
