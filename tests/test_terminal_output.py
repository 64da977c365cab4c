"""What reaches a real terminal: escape sequences inside a document never do.

The app runs on a pseudo-terminal; every byte it writes is kept. A document carrying an OSC
title change, a clear-screen, an 8-bit CSI and a DCS must show them as placeholders (␛, ␦) and
write none of them raw.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.pty_support import Terminal
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
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    code = ("from annotator.tui.app import run_tui;"
            f"run_tui({str(db)!r}, 'alice', None, ['hostile'])")
    term = Terminal([sys.executable, "-c", code], env)
    try:
        term.wait_for("Hostile report")
        term.wait_for("stay aligned" if text is HOSTILE else "special")
        term.type("G")  # move, so the lines are drawn again with the cursor over them
        term.read(0.5)
        term.type("g")
        term.read(0.5)
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
