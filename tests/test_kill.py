"""kill -9 at any moment loses nothing the screen showed as done.

The app runs on a real pseudo-terminal in a subprocess; keys are typed, we wait until the
status bar acknowledges each action, then SIGKILL it and read the database.
"""

from __future__ import annotations

import os
import sys

import pytest

from annotator.store import Store
from tests.pty_support import Terminal
from tests.tui_support import make_store

pytestmark = pytest.mark.slow


def test_sigkill_loses_no_acknowledged_action(tmp_path):
    db = tmp_path / "kill.db"
    make_store(db).close()
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    code = (
        "from annotator.tui.app import run_tui;"
        f"run_tui({str(db)!r}, 'alice', None, ['alpha'])"
    )
    term = Terminal([sys.executable, "-c", code], env)
    try:
        term.wait_for("Alpha report")
        acknowledged = []
        for needle, key, label in (("Halina", "1", "PERSON"), ("Quellby", "3", "LOC"),
                                   ("Monday", "4", "DATE")):
            term.seen = ""
            term.type(f"/{needle}\r")
            term.wait_for(f"/{needle} 1/1")  # the cursor is on it (the status bar says so)
            term.type(key)
            term.wait_for(f"{label} “{needle}”")
            acknowledged.append((label, needle))
        term.seen = ""
        term.type("x")  # delete the DATE span, acknowledged on screen, then kill at once
        term.wait_for("deleted DATE")
        acknowledged.pop()
    finally:
        term.kill()
    with Store(db) as store:
        text = store.get_document("alpha").text
        got = [(s.label, text[s.start : s.end]) for s in store.spans("alpha", "alice")]
        assert got == sorted(acknowledged, key=lambda p: text.index(p[1]))
        assert store.replay_log() == store.current_state()


TITLES = ("Alpha report", "Beta report")


def _annotate(db) -> Terminal:
    """`annotator annotate` with no document named: it opens the panes it had."""
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    code = f"from annotator.tui.app import run_tui; run_tui({str(db)!r}, 'alice')"
    return Terminal([sys.executable, "-c", code], env)


def test_done_then_sigkill_brings_back_the_panes_on_screen_not_the_finished_one(tmp_path):
    """QA: after D then kill -9 the finished document came back as an extra pane, and one
    more each time (the layout was saved with the replaced pane still in it)."""
    db = tmp_path / "done.db"
    make_store(db).close()
    for finished, shown, nxt in (("alpha", "Alpha report", "beta"),
                                 ("beta", "Beta report", "messy")):
        term = _annotate(db)
        try:
            term.wait_for(shown)
            term.wait_for("/3 done")  # the status bar: the whole screen is drawn
            assert [t for t in TITLES if t in term.seen] == [shown]  # one pane: this one
            term.seen = ""
            term.type("D")
            term.wait_for(f"marked {finished} done")
        finally:
            term.kill()
        with Store(db) as store:
            assert store.get_ui_state("alice", "layout")["docs"] == [nxt]
    term = _annotate(db)
    try:
        term.wait_for("Messy:")
        term.wait_for("2/3 done")
        assert [t for t in TITLES if t in term.seen] == []
    finally:
        term.kill()
