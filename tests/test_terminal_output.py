"""What reaches a real terminal: escape sequences inside a document never do.

The app runs on a pseudo-terminal; every byte it writes is kept. A document carrying an OSC
title change, a clear-screen, an 8-bit CSI and a DCS must show them as placeholders (␛, ␦) and
write none of them raw.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.pty_support import Terminal, python_terminal
from tests.tui_support import make_store

pytestmark = pytest.mark.slow

HOSTILE = (
    "Hostile report\n\n"
    "Title\x1b]0;pwned-title\x07 then clear\x1b[2J then 8-bit CSI\x9b31m red, "
    "DCS\x1bPq#0;2;0;0;0#0~~@@vv@@~~$-\x1b\\ done, bell\x07.\n\n"
    "東洋放送 and 🙄 stay aligned: Zoë.\n"
)
PLAIN = "Hostile report\n\nNothing special here at all, just words.\n\n東洋放送 and 🙄: Zoë.\n"


def _run(tmp_path, text: str) -> Terminal:
    db = tmp_path / f"t{len(text)}.db"
    make_store(db, {"hostile": text}).close()
    term = python_terminal("from annotator.tui.app import run_tui;"
                           f"run_tui({str(db)!r}, 'alice', None, ['hostile'])")
    try:
        term.wait_for("Hostile report")
        term.wait_for("stay aligned" if text is HOSTILE else "special")
        term.type("G")  # move, so the lines are drawn again with the cursor over them
        term.drawn()
        term.type("g")
        term.drawn()
    finally:
        term.kill()
    return term


def test_escape_sequences_in_a_document_never_reach_the_terminal(tmp_path):
    baseline = _run(tmp_path, PLAIN).raw
    term = _run(tmp_path, HOSTILE)
    raw = term.raw
    assert b"pwned-title" in raw.replace(b"\x1b", b"")  # the text itself is drawn ...
    assert b"\x1b]0;pwned" not in raw  # ... but never as a title change
    assert "\x9b".encode() not in raw  # no 8-bit CSI, raw or UTF-8 encoded
    assert b"\x1bPq" not in raw  # no device control string
    assert b"\x07." not in raw  # the bell is a placeholder
    # the app itself may clear the screen on start; the document must add no clear of its own
    assert raw.count(b"\x1b[2J") == baseline.count(b"\x1b[2J")
    shown = term.seen
    assert "␛]0;pwned-title␇" in shown
    assert "␛[2J" in shown
    assert "␦31m" in shown
    assert "␛Pq#0" in shown


def _step(term: Terminal, keys: str, *expect: str) -> None:
    """Type keys, then wait until each expected text has been drawn (anew)."""
    term.seen = ""
    term.type(keys)
    for text in expect:
        term.wait_for(text)
    if not expect:
        term.drawn()


def test_hostile_names_and_values_never_reach_the_terminal_on_any_screen(tmp_path):
    """Issue #8, points 6 and 7: escape sequences, C1 controls, a bidi override and Rich markup
    in a document id and title, a label name, a link type name, attribute values and the
    annotator's name, through the annotation screen, the attribute form, the link chooser,
    search not found (twice: the second `n` crashed), help, the picker, D and undo."""
    from tests import hostile_session as h

    db = tmp_path / "hostile.db"
    h.prepare(db)
    # Textual takes COLUMNS/LINES over the pty's size (a test run may have set them)
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", COLUMNS="120",
               LINES="40")
    code = f"from tests.hostile_session import run; run({str(db)!r})"
    term = Terminal([sys.executable, "-c", code], env)
    try:
        for text in ("doc␛]0;pwned-id␇[/]", "Title␛]0;pwned-title␇[sic]·",
                     "NUM␛]0;pwned-label␇[/]·", "CONTRA␛]0;pwned-link␇[/]", "eve[/]"):
            term.wait_for(text)
        _step(term, "]")
        _step(term, "e", "staff␛]0;pwned-attr␇[bold]u[/bold]␦31m·",
              "exact␛[2J[@click=app.quit] (not in the schema)")
        _step(term, "\x1b")
        _step(term, "L")
        _step(term, "]")
        _step(term, "L", "CONTRA␛]0;pwned-link␇[/]  linked")
        _step(term, "\x1b")
        _step(term, "\x1b")
        _step(term, "/zz[/]\r", "not found: zz[/]")
        _step(term, "n", "not found: zz[/]")
        _step(term, "/[sic]\r", "not found: [sic]")
        _step(term, "?", "Keys")
        # the help grid cuts names to its columns; a link row shows its labels whole
        term.seen = ""
        for _ in range(40):  # scroll down to the labels (below every key), four keys at a
            term.type("jjjj")  # time: a burst scrolls a line a key (test_tui_keys), and four
            term.read(0.03)  # lines a frame draw every row on the way (6 s at one key a read)
        for text in ("NUM␛]0;pwned", "CONTRA␛]0;pwne", "⇄ NUM␛]0;pwned-label␇[/]·"):
            term.wait_for(text)
        _step(term, "\x1b")
        _step(term, "o", "Title␛]0;pwned-title␇[sic]·", "doc␛]0;pwned-id␇[/]")
        _step(term, "\x1b")
        _step(term, "D", "marked doc␛]0;pwned-id␇[/] done")
        _step(term, "u", "undid set status")  # in a document no longer open: a toast too
        assert term.proc.poll() is None  # still running: nothing crashed on markup
    finally:
        term.kill()
    raw = term.raw
    for what in (b"id", b"title", b"label", b"link", b"attr"):
        assert b"pwned-" + what in raw  # the text is drawn ...
        assert b"\x1b]0;pwned-" + what not in raw  # ... never as a title change
    assert "\x9b".encode() not in raw  # no 8-bit CSI, UTF-8 encoded or not
    assert b"\x9b31m" not in raw
    assert "\u202e".encode() not in raw  # no bidi override
    assert b"\x1b[2J[@click" not in raw
    assert "[bold]u[/bold]" in term.seen or b"[bold]u[/bold]" in raw  # markup shown as typed
