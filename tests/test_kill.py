"""kill -9 at any moment loses nothing the screen showed as done.

The app runs on a real pseudo-terminal in a subprocess; keys are typed, we wait until the
status bar acknowledges each action, then SIGKILL it and read the database.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from annotator.store import Store
from tests.tui_support import make_store

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P^_][^\x07\x1b]*(\x07|\x1b\\)|\x1b.")
pytestmark = pytest.mark.slow


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.seen = ""

    def read(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                self.seen += ANSI.sub("", chunk.decode("utf-8", "replace"))

    def wait_for(self, text: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > end:
                raise AssertionError(f"never saw {text!r}; screen tail: {self.seen[-600:]!r}")
            self.read(0.1)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        os.close(self.master)


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
            term.type("/")
            time.sleep(0.3)
            term.type(f"{needle}\r")
            time.sleep(0.3)
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
