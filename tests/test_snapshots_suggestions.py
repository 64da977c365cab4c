"""Pictures of suggestions (docs/suggestions.md): figures and a lead's terms drawn underlined in
their label's colour, never on a background, next to spans; at 80x24 and 160x48, in the dark
default theme and the light one, and in a 256-colour terminal."""

from __future__ import annotations

import pytest
import textual.constants
from textual.pilot import Pilot

from annotator.labels import load_default_schema, parse_schema
from annotator.store import Store
from annotator.tui.app import make_app
from tests.tui_support import THEME, add_span, find

REPORT = {"wire": (
    "Dam breach: army called in\n\n"
    "About 7,000 residents left Quellby overnight, the Civil Protection Agency said. The agency"
    " said 1,960 people spent the night in shelters; 212 villages were warned.\n\n"
    "The defence ministry said about 1,500 soldiers were sent, under one general and 38 staff,"
    " for 44 days. The Lusk Hydro Authority said the dam was 94% full.\n")}
SCHEMA = parse_schema(load_default_schema().source + (
    '\n[[suggest]]\nlabel = "ORG"\nterms = ["Civil Protection Agency", "Lusk Hydro Authority",'
    ' "defence ministry"]\n'))

pytestmark = pytest.mark.documents(REPORT)


def _app(store: Store, theme: str = THEME):
    add_span(store, "wire", "About 7,000 residents", "NUMBER", value=7000,
             qualifier="approximate", unit="resident")
    add_span(store, "wire", "Quellby", "LOC")
    store.set_ui_state("alice", "layout", {})
    app = make_app(store, "alice", SCHEMA, ["wire"])
    app.theme = theme
    return app


async def _on_a_suggestion(pilot: Pilot) -> None:
    await find(pilot, "1,960")  # the cursor on a suggestion: the status bar says a / r


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_snapshot_suggestions(snap_compare, store: Store, theme: str,
                              size: tuple[int, int]) -> None:
    assert snap_compare(_app(store, theme), terminal_size=size, run_before=_on_a_suggestion)


def test_snapshot_suggestions_256_colours(snap_compare, store: Store, monkeypatch) -> None:
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "256")
    app = _app(store)
    assert app.console.color_system == "256"
    assert snap_compare(app, terminal_size=(80, 24), run_before=_on_a_suggestion)
