"""Run the app on a real pseudo-terminal in a subprocess: type keys, read what it writes."""

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

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P^_][^\x07\x1b]*(\x07|\x1b\\)|\x1b.")


class Terminal:
    """A 120x40 pseudo-terminal: `raw` is every byte the program wrote, `seen` its text with
    escape sequences removed (reset it to wait for new output)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.seen = ""
        self.raw = b""

    def read(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                self.raw += chunk
                self.seen += ANSI.sub("", chunk.decode("utf-8", "replace"))

    def drawn(self, quiet: float = 0.15, limit: float = 30) -> None:
        """Until what the last keys changed has been drawn: the program wrote something, then
        nothing more for `quiet` seconds (every key the tests type here redraws a line)."""
        before, end = len(self.raw), time.monotonic() + limit
        while len(self.raw) == before and time.monotonic() < end:
            self.read(0.05)
        while True:
            size = len(self.raw)
            self.read(quiet)
            if len(self.raw) == size or time.monotonic() > end:
                return

    def wait_for(self, text: str, timeout: float = 120) -> None:
        """Until the program has written text (a generous limit: a loaded machine is slow)."""
        end = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > end:
                raise AssertionError(f"never saw {text!r}; screen tail: {self.seen[-600:]!r}")
            self.read(0.1)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def kill(self) -> None:
        if self.proc.poll() is None:  # not if it has ended (its group may be gone)
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        os.close(self.master)




def python_terminal(code: str) -> Terminal:
    """`python -c code` (which runs the app) on a 256-colour, truecolor terminal."""
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    return Terminal([sys.executable, "-c", code], env)
