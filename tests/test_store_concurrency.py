"""Many annotators, one database file: concurrent processes never see "database is locked",
every action a process saw completed is in the file, and the event log still rebuilds the state.

The workers are module-level functions so that 'spawn' processes can import them; each keeps a
model of its own annotator's spans and links (annotators never touch each other's rows).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from annotator.model import Document, Status
from annotator.store import Store

TEXT = " ".join(f"word{i}" for i in range(60))  # 60 words, ~400 code points
DOCS = ("d1", "d2", "d3")
LABELS = ("PERSON", "ORG", "NUMBER")

WRITERS = 6
ACTIONS_EACH = 60


def _setup(path: Path) -> None:
    with Store(path) as s, s.import_session("setup") as imp:
        for doc in DOCS:
            imp.add_document(Document(doc, TEXT, title=doc))


class _Model:
    """One annotator's spans and links, with snapshot undo/redo stacks."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple] = {}
        self.links: dict[str, tuple] = {}
        self.done: list[tuple] = []
        self.undone: list[tuple] = []

    def begin(self) -> None:
        self.done.append((dict(self.spans), dict(self.links)))
        self.undone.clear()


def _one_action(store: Store, who: str, m: _Model, rng: random.Random) -> Any:
    """Do one random action as `who`, keep the model in step, return the store's result."""
    roll = rng.random()
    if roll < 0.10 and m.done:
        r = store.undo(who)
        assert r is not None
        m.undone.append((dict(m.spans), dict(m.links)))
        m.spans, m.links = m.done.pop()
        return r
    if roll < 0.15 and m.undone:
        r = store.redo(who)
        assert r is not None
        m.done.append((dict(m.spans), dict(m.links)))
        m.spans, m.links = m.undone.pop()
        return r
    if roll < 0.30 and len(m.spans) >= 2:
        a, b = rng.sample(sorted(m.spans), 2)
        if not any({lk[1], lk[2]} == {a, b} for lk in m.links.values()):
            r = store.add_link(who, "SAME", a, b)
            m.begin()
            m.links[next(c.after["id"] for c in r.changes if c.entity == "link")] = (
                "SAME", a, b)
            return r
    if roll < 0.40 and m.spans:
        sid = rng.choice(sorted(m.spans))
        r = store.delete_span(who, sid)
        m.begin()
        del m.spans[sid]
        m.links = {k: v for k, v in m.links.items() if sid not in v[1:]}
        return r
    if roll < 0.50 and m.spans:
        sid = rng.choice(sorted(m.spans))
        doc, start, end, label = m.spans[sid]
        new_label = rng.choice([lab for lab in LABELS if lab != label])
        r = store.update_span(who, sid, label=new_label)
        m.begin()
        m.spans[sid] = (doc, start, end, new_label)
        return r
    if roll < 0.53:
        r = store.set_status(who, rng.choice(DOCS), rng.choice(list(Status)))
        if r.action_id:  # setting the status it already has is no action
            m.begin()
        return r
    doc, start = rng.choice(DOCS), rng.randrange(0, len(TEXT) - 10)
    end, label = start + rng.randint(1, 10), rng.choice(LABELS)
    r = store.add_span(who, doc, start, end, label)
    m.begin()
    m.spans[next(c.after["id"] for c in r.changes if c.entity == "span")] = (
        doc, start, end, label)
    return r


def _wait_for(path: Path, what: str, count: int = 1) -> None:
    """Until `count` files match `path` (a glob): a condition, with a limit only a hung run
    reaches."""
    deadline = time.monotonic() + 300
    while len(list(path.parent.glob(path.name))) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what}")
        time.sleep(0.005)


def _wait_for_go(go_dir: str | None, name: str) -> None:
    """A start line: every process is open and ready before any of them acts."""
    if go_dir is None:
        return
    Path(go_dir, f"ready-{name}").touch()
    _wait_for(Path(go_dir, "go"), "go signal")


def _writer(path: str, who: str, n: int, seed: int, go_dir: str | None = None
            ) -> dict[str, Any]:
    """A process doing n actions as `who`; returns what it saw completed, or the error."""
    try:
        rng = random.Random(seed)
        m = _Model()
        reported: list[tuple[int, int]] = []  # (action id, number of changes)
        with Store(path) as store:
            _wait_for_go(go_dir, who)
            for i in range(n):
                r = _one_action(store, who, m, rng)
                if r.action_id:  # set_status to the same status is not an action
                    reported.append((r.action_id, len(r.changes)))
                if i == 0 and go_dir is not None:
                    # no one runs ahead: every writer has acted before any goes on, so they
                    # all work at the same time, however the machine schedules them
                    Path(go_dir, f"acted-{who}").touch()
                    _wait_for(Path(go_dir, "acted-*"), "first action from every writer",
                              WRITERS)
        return {"who": who, "reported": reported, "spans": m.spans, "links": m.links}
    except BaseException:
        return {"who": who, "error": traceback.format_exc()}


def _reader(path: str, stop_file: str, max_seconds: float, go_dir: str) -> dict[str, Any]:
    """A process reading what the annotators' screens read, until told to stop."""
    try:
        reads, last_events = 0, 0
        with Store(path) as store:
            _wait_for_go(go_dir, "reader")
            deadline = time.monotonic() + max_seconds
            while not os.path.exists(stop_file) and time.monotonic() < deadline:
                for summary in store.documents():
                    for who in summary.statuses:
                        store.spans(summary.id, who)
                        store.links(who, [summary.id])
                store.progress("w0")
                n = sum(1 for _ in store.events())
                assert n >= last_events, "the event log shrank"
                last_events = n
                reads += 1
        return {"reads": reads}
    except BaseException:
        return {"error": traceback.format_exc()}


def _opener(path: str, who: str) -> dict[str, Any]:
    """Open a brand-new file (racing the others to migrate it), import, annotate once."""
    try:
        with Store(path) as store:
            with store.import_session(who) as imp:
                imp.add_document(Document("shared", TEXT))
            r = store.add_span(who, "shared", 0, 5, "PERSON")
            return {"who": who, "action": r.action_id}
    except BaseException:
        return {"who": who, "error": traceback.format_exc()}


def _check_reported(store: Store, results: list[dict[str, Any]]) -> None:
    events_per_action: dict[int, int] = {}
    for e in store.events():
        events_per_action[e["action_id"]] = events_per_action.get(e["action_id"], 0) + 1
    for res in results:
        assert "error" not in res, res["error"]
        for action_id, n_changes in res["reported"]:
            assert events_per_action.get(action_id) == n_changes, (res["who"], action_id)
        who = res["who"]
        spans = {
            s.id: (s.doc_id, s.start, s.end, s.label) for d in DOCS for s in store.spans(d, who)
        }
        assert spans == {k: tuple(v) for k, v in res["spans"].items()}
        links = {lk.id: (lk.type, lk.from_span, lk.to_span) for lk in store.links(who)}
        assert links == {k: tuple(v) for k, v in res["links"].items()}


# -- tests ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_annotators_lose_nothing_and_never_see_locked(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    stop = tmp_path / "stop"
    go = tmp_path / "go"
    go.mkdir()
    _setup(path)
    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=WRITERS + 1, mp_context=ctx) as pool:
        reader = pool.submit(_reader, str(path), str(stop), 600.0, str(go))
        writers = [
            pool.submit(_writer, str(path), f"w{i}", ACTIONS_EACH, 1000 + i, str(go))
            for i in range(WRITERS)
        ]
        while len(list(go.glob("ready-*"))) < WRITERS + 1:
            assert not any(f.done() for f in (reader, *writers)), "a process failed to start"
            time.sleep(0.01)
        (go / "go").touch()
        results = [f.result() for f in writers]
        stop.touch()
        read = reader.result()
    assert "error" not in read, read["error"]
    assert read["reads"] >= 1
    for res in results:
        assert "error" not in res, res["error"]
    with Store(path) as store:
        _check_reported(store, results)
        assert sum(len(r["reported"]) for r in results) >= WRITERS * ACTIONS_EACH * 0.9
        assert store.replay_log() == store.current_state()
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.slow
def test_many_processes_opening_a_new_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with ProcessPoolExecutor(max_workers=4, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(_opener, [str(path)] * 4, [f"a{i}" for i in range(4)]))
    for res in results:
        assert "error" not in res, res["error"]
    with Store(path) as store:
        assert store.document_ids() == ["shared"]
        applied = store.conn.execute("SELECT name FROM _sqlite_migrations").fetchall()
        assert len(applied) == len({name for (name,) in applied}) >= 2  # each one, once
        assert sorted(store.annotators()) == ["a0", "a1", "a2", "a3"]
        assert {e["action_id"] for e in store.events()} >= {r["action"] for r in results}
        assert store.replay_log() == store.current_state()


_KILLED_WORKER = """
import sys
from annotator.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    r = store.add_span("victim", "d1", i % 300, i % 300 + 5, "PERSON")
    print(r.action_id, r.changes[0].after["id"], flush=True)  # the screen shows it as done
    i += 1
"""


@pytest.mark.slow
def test_killed_mid_work_every_action_it_showed_as_done_is_in_the_file(tmp_path: Path) -> None:
    """docs/architecture.md: the app can be killed at any moment (kill -9) and every action the
    annotator saw completed is in the database."""
    path = tmp_path / "kill.db"
    _setup(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, str(path)], stdout=subprocess.PIPE, text=True
    )
    seen: list[tuple[int, str]] = []
    try:
        assert proc.stdout is not None
        while len(seen) < 60:
            line = proc.stdout.readline()
            assert line, "the worker died on its own"
            action_id, span_id = line.split()
            seen.append((int(action_id), span_id))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with Store(path) as store:
        spans = {s.id for s in store.spans("d1", "victim")}
        actions = {e["action_id"] for e in store.events()}
        for action_id, span_id in seen:
            assert action_id in actions
            assert span_id in spans
        assert store.replay_log() == store.current_state()
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.add_span("victim", "d1", 0, 5, "ORG")  # and the file is still writable


def test_an_action_waits_out_a_long_write_instead_of_failing(tmp_path: Path) -> None:
    """While another connection holds the write lock (a big import, say) an action waits
    for it rather than raising "database is locked"."""
    path = tmp_path / "wait.db"
    _setup(path)
    outcome: dict[str, Any] = {}
    released = threading.Event()

    def act() -> None:
        try:
            with Store(path) as store:  # opening waits too: it checks the schema in a write
                outcome["result"] = store.add_span("patient", "d1", 0, 5, "PERSON")
                outcome["after_release"] = released.is_set()
        except BaseException as err:  # pragma: no cover - reported below
            outcome["error"] = err

    with Store(path) as holder:
        holder.conn.execute("BEGIN IMMEDIATE")
        holder.conn.execute("INSERT INTO ui_state VALUES ('x', 'k', '1')")
        worker = threading.Thread(target=act)
        worker.start()
        time.sleep(1.0)  # hold the lock the way a long import would
        assert worker.is_alive(), outcome  # it cannot have finished: the lock is held
        released.set()
        holder.conn.execute("COMMIT")
        worker.join()
        assert "error" not in outcome, outcome.get("error")
        assert outcome["after_release"]  # it waited for the lock, and then it went through
        assert [s.id for s in holder.spans("d1", "patient")] == [
            outcome["result"].changes[0].after["id"]
        ]
