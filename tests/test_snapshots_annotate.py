"""Pictures of the annotation screen, as a person sees it (SVG snapshots).

Two reports side by side with nested spans and a cross-document link; the 80x24 layout (panes
as tabs); a document with emoji, CJK, combining marks and escape sequences.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from annotator.store import Store
from tests.tui_support import add_span, app_for, find, make_store


@pytest.fixture
def annotated(tmp_path: Path) -> Store:
    store = make_store(tmp_path / "snap.db")
    person = add_span(store, "alpha", "Halina Marović", "PERSON")
    claim_a = add_span(store, "alpha", "Minister Halina Marović said “no troops will be deployed”",
                       "CLAIM", speaker=person)
    add_span(store, "alpha", "Monday", "DATE")
    add_span(store, "alpha", "About 7,000 residents", "NUMBER", value=7000,
             qualifier="approximate", unit="residents")
    add_span(store, "alpha", "Quellby", "LOC")
    staff = add_span(store, "alpha", "38 staff", "NUMBER", value=38, qualifier="exact",
                     unit="staff")
    claim_b = add_span(store, "beta", "Deputy Łukasz Wróbel said troops will be deployed as soon "
                       "as possible", "CLAIM")
    add_span(store, "beta", "Łukasz Wróbel", "PERSON")
    add_span(store, "beta", "2,000-strong force", "NUMBER", value=2000, qualifier="exact")
    officers = add_span(store, "beta", "35 officers", "NUMBER", value=35, qualifier="exact")
    store.add_link("alice", "CONTRADICTS", claim_a, claim_b)
    store.add_link("alice", "CONTRADICTS", staff, officers)
    add_span(store, "messy", "東洋放送", "ORG")
    add_span(store, "messy", "Nguyễn Thị Lan", "PERSON")
    add_span(store, "messy", "Zoë", "PERSON")
    store.set_ui_state("alice", "layout", {})  # no remembered cursor from the set-up
    return store


def test_snapshot_two_reports_side_by_side(snap_compare, annotated: Store) -> None:
    async def before(pilot: Pilot) -> None:
        await find(pilot, "7,000")  # a NUMBER inside nothing, next to a CLAIM with a PERSON
        await pilot.press("tab")
        await find(pilot, "35 officers")  # linked NUMBER: the link shows in the side panel

    app = app_for(annotated, "alpha", "beta")
    assert snap_compare(app, terminal_size=(160, 48), run_before=before)


def test_snapshot_80x24_tabs(snap_compare, annotated: Store) -> None:
    async def before(pilot: Pilot) -> None:
        await find(pilot, "Halina")  # a PERSON nested in a CLAIM, under the cursor

    app = app_for(annotated, "alpha", "beta", "messy")
    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_snapshot_emoji_cjk_and_escapes(snap_compare, annotated: Store) -> None:
    async def before(pilot: Pilot) -> None:
        await find(pilot, "Nguy")
        await pilot.press("v", "w")  # a selection over a span and plain text

    app = app_for(annotated, "messy")
    assert snap_compare(app, terminal_size=(120, 30), run_before=before)


THEME_PROBE = """
import json, sys
from pathlib import Path
from textual.app import App
from tests.test_screens import Host, _picker
from tests.tui_support import app_for, make_store

store = make_store(Path(sys.argv[1]))
print(json.dumps({"default": App().theme, "annotate": app_for(store, "alpha").get_css_variables(),
                  "picker": Host(_picker).get_css_variables()}))
"""


@pytest.mark.slow
def test_snapshots_do_not_depend_on_textual_theme(tmp_path: Path) -> None:
    """The README suggests setting TEXTUAL_THEME, which Textual reads once, on import (the
    default theme): the test apps pin theirs (tests/tui_support.THEME), so every colour the
    pictures are drawn in is the same with it set. One fresh interpreter with it set, not a
    second pytest run of two snapshots (which took 30 s of the suite)."""
    import json

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, TEXTUAL_THEME="textual-light")
    proc = subprocess.run([sys.executable, "-c", THEME_PROBE, str(tmp_path / "probe.db")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    there = json.loads(proc.stdout)
    assert there["default"] == "textual-light"  # the variable was read: the check means something
    from tests.test_screens import Host, _picker

    store = make_store(tmp_path / "here.db")
    assert there["annotate"] == app_for(store, "alpha").get_css_variables()
    assert there["picker"] == Host(_picker).get_css_variables()
    store.close()
