"""A database that refuses (read-only, full, damaged) never ends the app: the action is refused
on the status bar, what was committed stays, and a database that cannot be written at all
opens for reading. A crash ends `annotator annotate` with a non-zero exit status."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from annotator.store import Store
from annotator.tui.screens.annotate import READ_ONLY, AnnotateScreen
from tests.pty_support import Terminal
from tests.tui_support import app_for, find, make_store, span_texts, status


def _fill_up(store: Store) -> None:
    """The disk is full for this connection: no page may be added to the file."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    for i in range(10_000):  # use up the room left in the file's pages
        try:
            store.add_span("filler", "beta", i % 40, i % 40 + 3, "ORG")
        except sqlite3.OperationalError as err:
            if "full" not in str(err):
                raise
            return
    raise AssertionError("the database never filled up")


async def test_a_full_disk_refuses_the_label_and_the_next_one_works_once_there_is_room(
        tmp_path: Path) -> None:
    store = make_store(tmp_path / "a.db")
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Halina")
        await pilot.press("1")
        assert span_texts(store, "alpha") == [("PERSON", "Halina")]
        _fill_up(store)
        await find(pilot, "Quellby")
        await pilot.press("3")
        assert isinstance(app.screen, AnnotateScreen)  # still running, same screen
        line = status(app)
        assert "nothing changed" in line
        assert "database or disk is full" in line
        assert "Traceback" not in line
        assert "\n" not in line
        assert span_texts(store, "alpha") == [("PERSON", "Halina")]  # committed, and kept
        view = app.screen.active.view
        assert [s.label for s in view.index.spans()] == ["PERSON"]  # the screen: as it was
        store.conn.execute("PRAGMA max_page_count = 1073741823")  # room again
        await pilot.press("3")
        assert span_texts(store, "alpha") == [("PERSON", "Halina"), ("LOC", "Quellby")]
        assert "LOC “Quellby”" in status(app)
        await pilot.press("q")
    assert app.return_code == 0


def _damage_index(db: Path, index: str) -> None:
    """Write garbage over the index's root page (the file closed and checkpointed)."""
    with sqlite3.connect(db) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            [index]).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * size)


async def test_a_damaged_index_refuses_each_write_and_the_app_keeps_working(
        tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with make_store(db) as store:
        store.add_span("alice", "alpha", 0, 5, "ORG")  # "Alpha", committed before the damage
    _damage_index(db, "events_doc")  # every action logs an event: every write fails
    with Store(db) as store:
        app = app_for(store, "alpha", "beta")
        async with app.run_test(size=(160, 48)) as pilot:
            await find(pilot, "Halina")
            for keys in (["1"], ["g", "x"], ["D"]):  # label, delete, done: each refused
                await pilot.press(*keys)
                assert "nothing changed" in status(app)
                assert "database disk image is malformed" in status(app)
            screen = app.screen
            assert isinstance(screen, AnnotateScreen)
            assert [p.document.id for p in screen.panes] == ["alpha", "beta"]  # D moved nothing
            assert [s.label for s in screen.active.view.index.spans()] == ["ORG"]
            await find(pilot, "Quellby")  # reading, searching, moving still work
            assert screen.active.view.text[screen.active.view.cursor:].startswith("Quellby")
            await pilot.press("tab")
            assert screen.active.document.id == "beta"
            await pilot.press("q")
        assert app.return_code == 0
        assert span_texts(store, "alpha") == [("ORG", "Alpha")]


async def test_an_error_in_a_dialog_answer_is_refused_too(tmp_path: Path, monkeypatch) -> None:
    """What runs outside a key's action (a dialog's answer) goes through the same guard."""
    store = make_store(tmp_path / "a.db")
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await find(pilot, "no troops")
        await pilot.press("v", "w", "w", "w", "w", "6")  # CLAIM “no troops will be deployed”
        await pilot.press("escape", "L", "tab")  # escape: the form opened on labelling
        await find(pilot, "troops will")
        await pilot.press("v", "w", "w", "w", "w", "w", "w", "w", "6", "escape")

        def broken(*args: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(store, "add_link", broken)
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("d")  # CONTRADICTS, in the link type dialog
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert "nothing changed" in status(app)
        assert "disk is full" in status(app)
        await pilot.press("q")
    assert app.return_code == 0
    assert store.links("alice") == []


# -- a database that cannot be written ----------------------------------------------------


@pytest.fixture(params=["file", "directory", "both"])
def read_only_db(request, tmp_path: Path, unprivileged: None):
    """A database whose file, directory or both are read-only (as an ordinary user sees it)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "a.db"
    with make_store(db) as store:
        store.add_span("alice", "alpha", 0, 5, "ORG")
    if request.param in ("file", "both"):
        db.chmod(0o444)
    if request.param in ("directory", "both"):
        folder.chmod(0o555)
    yield db
    folder.chmod(0o755)
    db.chmod(0o644)


def test_a_read_only_database_cannot_be_written_by_the_strict_store(read_only_db) -> None:
    """The condition is real (the test is not root-privileged): a plain Store fails."""
    with pytest.raises(sqlite3.OperationalError, match="readonly"), Store(read_only_db) as store:
        store.add_span("alice", "alpha", 6, 9, "PERSON")


async def test_a_read_only_database_opens_for_viewing(read_only_db) -> None:
    with Store(read_only_db, read_only_ok=True) as store:
        assert store.read_only
        app = app_for(store, "alpha")
        async with app.run_test(size=(120, 40)) as pilot:
            assert "read-only" in status(app)
            assert READ_ONLY in status(app)
            await find(pilot, "Quellby")  # search and move
            view = app.screen.active.view
            assert view.text[view.cursor:].startswith("Quellby")
            for keys in (["3"], ["g", "x"], ["u"], ["D"], ["g", "e"]):
                await pilot.press(*keys)
                assert isinstance(app.screen, AnnotateScreen)  # no dialog opened either
                assert READ_ONLY in status(app)
            await pilot.press("question_mark")  # help works
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            await pilot.press("q")
        assert app.return_code == 0
        assert span_texts(store, "alpha") == [("ORG", "Alpha")]


def test_docs_and_export_read_a_read_only_database(read_only_db) -> None:
    from click.testing import CliRunner

    from annotator.cli import main

    runner = CliRunner()
    docs = runner.invoke(main, ["--db", str(read_only_db), "docs", "--format", "json"])
    assert docs.exit_code == 0, docs.output
    assert '"alpha"' in docs.output
    out = runner.invoke(main, ["--db", str(read_only_db), "export", "-f", "jsonl"])
    assert out.exit_code == 0, out.output
    assert '"ORG"' in out.output


# -- a crash ------------------------------------------------------------------------------

_CRASHING = """
import sys
from annotator.tui.screens.annotate import AnnotateScreen
def broken(self):
    raise RuntimeError("a bug in the help screen")
AnnotateScreen.action_help = broken
from annotator.cli import main
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_a_crash_ends_annotate_with_exit_status_1_and_the_traceback(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    make_store(db).close()
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    term = Terminal([sys.executable, "-c", _CRASHING, "--db", str(db), "annotate", "--as",
                     "alice", "alpha"], env)
    try:
        term.wait_for("Alpha report")
        term.type("?")
        term.wait_for("a bug in the help screen")
        assert term.proc.wait(30) == 1
        term.read(0.2)
        assert "RuntimeError" in term.seen
    finally:
        term.kill()
