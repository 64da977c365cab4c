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


@pytest.mark.slow
def test_snapshots_do_not_depend_on_textual_theme(tmp_path: Path) -> None:
    """The README suggests setting TEXTUAL_THEME; the pictures are the same with it set (the
    test apps pin their theme: tests/tui_support.THEME)."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, TEXTUAL_THEME="textual-light")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--basetemp",
         str(tmp_path / "run"), "tests/test_snapshots_annotate.py::test_snapshot_80x24_tabs",
         "tests/test_screens.py::test_snapshot_picker"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 passed" in proc.stdout
