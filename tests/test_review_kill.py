"""kill -9 right after a review decision was acknowledged loses nothing: the decision, its
gold span, provenance and reason are in the database when it is opened again."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

from annotator.model import GOLD
from annotator.review.session import ReviewSession
from annotator.store import Store
from tests.review_support import review_db

ROOT = Path(__file__).resolve().parent.parent

# the child: two decisions, each acknowledged on stdout once its Outcome is back, then it
# waits for a line that never comes (the parent kills it first)
CHILD = """
import sys
from annotator.review.session import ReviewSession
from annotator.store import Store
store = Store(sys.argv[1])
rs = ReviewSession(store, "lena", "wire")
print(rs.accept_agreed().message, flush=True)
out = rs.accept(rs.cluster_at(18), "bob", "annotator_error")
print(out.message, flush=True)
sys.stdin.readline()
"""


class _Lines:
    """The child's stdout, line by line, read from the pipe itself (a buffered reader could
    hold a second line select() no longer sees)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.fd, self.buf = proc.stdout.fileno(), b""

    def next(self) -> str:
        while b"\n" not in self.buf:
            ready, _, _ = select.select([self.fd], [], [], 120)
            assert ready, "the child said nothing"
            chunk = os.read(self.fd, 4096)
            assert chunk, f"the child ended: {self.buf!r}"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


def test_sigkill_after_a_decision_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    review_db(Store(db)).close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, cwd=ROOT)
    lines = _Lines(proc)
    try:
        assert lines.next() == "accepted 2 agreed spans"
        assert lines.next() == "accepted bob's NUMBER 18-20 [annotator error]"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Store(db) as store:
        gold = {(s.start, s.end, s.label): s for s in store.spans("wire", GOLD)}
        assert set(gold) == {(8, 12, "PERSON"), (13, 41, "CLAIM"), (18, 20, "NUMBER")}
        d = store.decisions_for([gold[(18, 20, "NUMBER")].id])
        [number] = d.values()
        assert (number.provenance, number.reason) == (("bob", "carol"), "annotator_error")
        assert store.replay_log() == store.current_state()
        rs = ReviewSession(store, "lena", "wire")
        assert rs.undo().message == "undid accept"  # the undo stack survived too
        assert {(s.start, s.end) for s in store.spans("wire", GOLD)} == {(8, 12), (13, 41)}
