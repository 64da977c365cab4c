"""The store: schema, one committed transaction per action, the event log, undo/redo, imports.

docs/architecture.md: every action is one SQLite transaction committed before the screen shows it;
the append-only event log rebuilds the current state; offsets are code points, end-exclusive.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from annotator.model import Document, Link, Span, Status
from annotator.store import Store, StoreError, migrations
from annotator.store.importer import ImportConflict
from tests.db_template import template

TEXT1 = "General Akar said 38 staff were evacuated on Monday."
TEXT2 = "İstanbul 🙂 reported about 7,000 — nearly 300 villages."  # non-BMP + expanding lower()


# -- fixtures and helpers -------------------------------------------------------------------


def add_docs(store: Store, *docs: tuple[str, str]) -> None:
    with store.import_session("setup") as imp:
        for doc_id, text in docs:
            imp.add_document(Document(doc_id, text, title=doc_id))


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        add_docs(s, ("d1", TEXT1), ("d2", TEXT2))
        yield s


def span_id(result: Any) -> str:
    return next(c.after["id"] for c in result.changes if c.entity == "span" and c.after)


def link_id(result: Any) -> str:
    return next(c.after["id"] for c in result.changes if c.entity == "link" and c.after)


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def snapshot(store: Store) -> dict[str, Any]:
    """Everything an action could write, for 'nothing was written' checks."""
    return {
        "state": store.current_state(),
        "events": count(store, "events"),
        "actions": count(store, "actions"),
        "annotators": store.annotators(),
    }


def strip_times(state: dict[str, dict[str, dict]]) -> dict[str, dict[str, dict]]:
    drop = {"created_at", "updated_at"}
    return {
        entity: {k: {c: v for c, v in row.items() if c not in drop} for k, row in rows.items()}
        for entity, rows in state.items()
    }


# -- schema, connection settings ------------------------------------------------------------


def test_migrations_apply_on_fresh_file_and_reopen_is_a_no_op(db_path: Path) -> None:
    with Store(db_path) as s:
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"schemas", "documents", "annotators", "spans", "links", "statuses", "actions",
                "events", "ui_state", "_sqlite_migrations"} <= tables
        applied = s.conn.execute("SELECT migration_set, name FROM _sqlite_migrations").fetchall()
        assert ("annotator", "m001_initial") in applied
        add_docs(s, ("d1", TEXT1))
        s.add_span("alice", "d1", 0, 7, "PERSON")
        before = snapshot(s)
        schema_sql = s.conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    with Store(db_path) as s:
        assert s.conn.execute("SELECT migration_set, name FROM _sqlite_migrations").fetchall() == (
            applied
        )
        schema_now = s.conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
        assert schema_now == schema_sql
        assert snapshot(s) == before


def test_the_migration_names_are_the_registered_migrations() -> None:
    """NAMES (read without sqlite-utils) is every migration sqlite-utils would apply, in order."""
    from sqlite_utils import Database

    names = [name for name, value in vars(migrations).items()
             if re.fullmatch(r"m\d{3}_\w+", name) and callable(value)]
    assert list(migrations.NAMES) == sorted(names)  # a migration without @step is never run
    registered = migrations.migrations()
    assert registered.name == migrations.MIGRATION_SET
    with sqlite3.connect(":memory:") as conn:
        assert [m.name for m in registered.pending(Database(conn))] == list(migrations.NAMES)
    conn.close()


_OPEN_WITHOUT_SQLITE_UTILS = """
import sys
from annotator.store import Store
assert "sqlite_utils" not in sys.modules, "imported by annotator.store"
Store(sys.argv[1]).close()
print("sqlite_utils" in sys.modules)
"""


@pytest.mark.slow
def test_only_a_database_that_needs_migrating_loads_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "a.db"

    def opened_with_sqlite_utils() -> bool:
        done = subprocess.run([sys.executable, "-c", _OPEN_WITHOUT_SQLITE_UTILS, str(path)],
                              capture_output=True, text=True, check=True)
        return done.stdout.strip() == "True"

    assert opened_with_sqlite_utils()  # a new file: created by the migrations
    assert not opened_with_sqlite_utils()  # up to date: plain sqlite3 only
    path.unlink()
    older_database(path)  # made by the annotator before the latest migration
    assert opened_with_sqlite_utils()
    with Store(path) as store:
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert {"documents_card", "documents_order", "imports"} | migrations.TRIGGERS <= names
        applied = [r[0] for r in store.conn.execute(
            "SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert sorted(applied) == sorted(migrations.NAMES)
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.NAMES)
    assert not opened_with_sqlite_utils()


def older_database(path: Path, steps: int = -1) -> None:
    """A database as the annotator with only the first `steps` migrations made it."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    older = Migrations(migrations.MIGRATION_SET)
    for fn in migrations.STEPS[:steps]:
        older()(fn)
    conn = sqlite3.connect(path)
    older.apply(Database(conn))
    conn.close()


def test_file_database_uses_wal_foreign_keys_and_a_busy_timeout(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    raw = sqlite3.connect(store.path)  # WAL is a property of the file, seen by any client
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO links (id, annotator, type, from_span, to_span, from_doc, to_doc,"
            " created_at) VALUES ('l', 'alice', 'T', 'nope', 'nope', 'd1', 'd1', 'x')"
        )


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match="another program's tables: users"):
        Store(path)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
        assert tables == ["users"]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_memory_database_works() -> None:
    with Store(":memory:") as s:
        add_docs(s, ("d1", TEXT1))
        s.add_span("alice", "d1", 0, 7, "PERSON")
        assert [sp.text_in(TEXT1) for sp in s.spans("d1", "alice")] == ["General"]


# -- one transaction per action, committed when it returns ----------------------------------


def _sid(store: Store) -> str:
    return store.spans("d1", "alice")[0].id


ACTIONS = {
    "add_span": lambda s: s.add_span("alice", "d1", 18, 26, "NUMBER", {"value": 38}),
    "update_span": lambda s: s.update_span("alice", _sid(s), end=7, label="ORG"),
    "delete_span": lambda s: s.delete_span("alice", _sid(s)),
    "add_link": lambda s: s.add_link(
        "alice", "SAME", _sid(s), s.spans("d1", "alice")[1].id
    ),
    "delete_link": lambda s: s.delete_link("alice", s.links("alice")[0].id),
    "set_status": lambda s: s.set_status("alice", "d1", Status.DONE),
    "undo": lambda s: s.undo("alice"),
    "redo": lambda s: s.redo("alice"),
}


def _prepare(store: Store, action: str) -> None:
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(store.add_span("alice", "d1", 8, 12, "PERSON"))
    if action == "delete_link":
        store.add_link("alice", "SAME", a, b)
    if action == "redo":
        store.undo("alice")


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_is_one_transaction_visible_to_another_connection_at_once(
    store: Store, other: Store, action: str
) -> None:
    _prepare(store, action)
    assert other.current_state() == store.current_state()
    before = other.current_state()
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        result = ACTIONS[action](store)
    finally:
        store.conn.set_trace_callback(None)
    assert result is not None
    assert result.changes
    assert not store.conn.in_transaction
    begins = [s for s in statements if s.strip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    commits = [s for s in statements if s.strip().upper().startswith(("COMMIT", "END"))]
    assert begins == ["BEGIN IMMEDIATE"], statements
    assert commits == ["COMMIT"], statements
    # the writes happened between that BEGIN and that COMMIT
    first_write = next(
        i for i, s in enumerate(statements) if s.lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                              "DELETE"))
    )
    assert statements.index("BEGIN IMMEDIATE") < first_write < statements.index("COMMIT")
    # a second connection (another process's app) sees the result right away
    after = other.current_state()
    assert after == store.current_state()
    assert after != before
    seen = {e["action_id"] for e in other.events()}
    assert result.action_id in seen


def test_an_action_that_fails_half_way_leaves_nothing(store: Store, monkeypatch) -> None:
    store.add_span("alice", "d1", 0, 7, "PERSON")
    before = snapshot(store)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("crash after the span row was written")

    monkeypatch.setattr(store, "_touch_status", boom)
    with pytest.raises(RuntimeError):
        store.add_span("alice", "d2", 0, 8, "PLACE")
    with pytest.raises(RuntimeError):
        store.delete_span("alice", _sid(store))
    assert snapshot(store) == before
    assert not store.conn.in_transaction
    monkeypatch.undo()
    store.add_span("alice", "d2", 0, 8, "PLACE")  # the connection is still usable


# -- events with before/after ---------------------------------------------------------------


def events_of(store: Store, action_id: int) -> list[dict[str, Any]]:
    return [e for e in store.events() if e["action_id"] == action_id]


def test_actions_log_events_with_before_and_after(store: Store) -> None:
    r = store.add_span("alice", "d1", 18, 26, "NUMBER", {"value": 38, "qualifier": "exact"})
    sid = span_id(r)
    evs = events_of(store, r.action_id)
    assert [(e["action"], e["entity"]) for e in evs] == [("add_span", "span"),
                                                         ("add_span", "status")]
    assert evs[0]["before"] is None
    assert evs[0]["after"]["start"] == 18
    assert evs[0]["after"]["end"] == 26
    assert evs[0]["after"]["attrs"] == {"value": 38, "qualifier": "exact"}
    assert evs[0]["annotator"] == "alice"
    assert evs[0]["doc_id"] == "d1"
    assert evs[0]["entity_id"] == sid
    assert evs[1]["before"] is None
    assert evs[1]["after"]["status"] == "in_progress"
    assert TEXT1[18:26] == "38 staff"

    r = store.update_span("alice", sid, start=18, end=20, attrs={"value": 38})
    (ev,) = events_of(store, r.action_id)
    assert ev["action"] == "update_span"
    assert (ev["before"]["end"], ev["after"]["end"]) == (26, 20)
    assert ev["before"]["attrs"] == {"value": 38, "qualifier": "exact"}
    assert ev["after"]["attrs"] == {"value": 38}
    assert ev["before"]["id"] == ev["after"]["id"] == sid

    other_id = span_id(store.add_span("alice", "d2", 0, 8, "PLACE"))
    r = store.add_link("alice", "CONTRADICTS", sid, other_id)
    lid = link_id(r)
    (ev,) = [e for e in events_of(store, r.action_id) if e["entity"] == "link"]
    assert ev["before"] is None
    assert ev["after"] | {"created_at": None} == {
        "id": lid, "annotator": "alice", "type": "CONTRADICTS", "from_span": sid,
        "to_span": other_id, "from_doc": "d1", "to_doc": "d2", "created_at": None,
    }
    assert store.links("alice", ["d2"])[0].id == lid  # visible from the target document too

    r = store.delete_link("alice", lid)
    (ev,) = events_of(store, r.action_id)
    assert (ev["action"], ev["entity"], ev["entity_id"]) == ("delete_link", "link", lid)
    assert ev["before"]["id"] == lid
    assert ev["after"] is None

    r = store.set_status("alice", "d1", Status.DONE)
    (ev,) = events_of(store, r.action_id)
    assert (ev["entity"], ev["before"]["status"], ev["after"]["status"]) == (
        "status", "in_progress", "done")
    assert store.status("d1", "alice") == Status.DONE
    assert store.set_status("alice", "d1", Status.DONE).changes == []  # already done: no action

    r = store.delete_span("alice", sid)
    (ev,) = events_of(store, r.action_id)
    assert (ev["entity"], ev["before"]["id"], ev["after"]) == ("span", sid, None)
    assert store.status("d1", "alice") == Status.DONE  # deleting does not reopen a done doc


def test_result_changes_match_the_logged_events(store: Store) -> None:
    r = store.add_span("alice", "d1", 0, 7, "PERSON")
    assert [(c.entity, c.before, c.after) for c in r.changes] == [
        (e["entity"], e["before"], e["after"]) for e in events_of(store, r.action_id)
    ]
    assert r.doc_ids == {"d1"}


def test_delete_span_removes_its_links_in_the_same_action_and_undo_restores_both(
    store: Store, other: Store
) -> None:
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(store.add_span("alice", "d1", 8, 12, "PERSON"))
    c = span_id(store.add_span("alice", "d2", 0, 8, "PLACE"))
    l1 = link_id(store.add_link("alice", "SAME", a, b))
    l2 = link_id(store.add_link("alice", "CONTRADICTS", c, a))  # a is the target here
    l3 = link_id(store.add_link("alice", "SAME", b, c))  # does not touch a
    full = store.current_state()

    r = store.delete_span("alice", a)
    removed = {(ch.entity, ch.before["id"]) for ch in r.changes if ch.after is None}
    assert removed == {("span", a), ("link", l1), ("link", l2)}
    assert {e["action_id"] for e in store.events() if e["entity_id"] in (a, l1, l2)
            and e["after"] is None} == {r.action_id}
    assert {lk.id for lk in other.links("alice")} == {l3}
    assert other.span(a) is None

    u = store.undo("alice")
    assert u is not None
    assert u.name == "delete_span"
    assert store.current_state() == full
    assert {lk.id for lk in other.links("alice")} == {l1, l2, l3}
    assert store.replay_log() == store.current_state()

    store.redo("alice")
    assert {lk.id for lk in store.links("alice")} == {l3}
    assert store.replay_log() == store.current_state()


# -- undo / redo ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", [a for a in ACTIONS if a not in ("undo", "redo")])
def test_undo_and_redo_of_every_action_kind(store: Store, other: Store, action: str) -> None:
    _prepare(store, action)
    before = store.current_state()
    ACTIONS[action](store)
    after = store.current_state()
    assert after != before
    n_events = count(store, "events")

    u = store.undo("alice")
    assert u is not None
    assert u.name == action
    assert strip_times(other.current_state()) == strip_times(before)
    assert count(store, "events") > n_events  # undo is new events, not deletions
    assert all(e["action"] == f"undo:{action}" for e in events_of(store, u.action_id))

    r = store.redo("alice")
    assert r is not None
    assert r.name == action
    assert strip_times(other.current_state()) == strip_times(after)
    assert all(e["action"] == f"redo:{action}" for e in events_of(store, r.action_id))
    assert store.replay_log() == store.current_state()


def test_undo_restores_exact_rows_including_attrs(store: Store) -> None:
    sid = span_id(store.add_span("alice", "d1", 18, 26, "NUMBER", {"value": 38, "unit": "staff"}))
    original = store.span(sid)
    store.update_span("alice", sid, start=0, end=7, label="PERSON", attrs={})
    store.undo("alice")
    assert store.span(sid) == original


def test_multi_step_undo_then_redo_in_order(store: Store) -> None:
    states = [store.current_state()]
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    states.append(store.current_state())
    store.update_span("alice", a, label="ORG")
    states.append(store.current_state())
    b = span_id(store.add_span("alice", "d2", 0, 8, "PLACE"))
    states.append(store.current_state())
    store.add_link("alice", "SAME", a, b)
    states.append(store.current_state())
    store.set_status("alice", "d2", Status.DONE)
    states.append(store.current_state())

    names = []
    for i in range(len(states) - 1, 0, -1):
        u = store.undo("alice")
        assert u is not None
        names.append(u.name)
        assert strip_times(store.current_state()) == strip_times(states[i - 1])
    assert names == ["set_status", "add_link", "add_span", "update_span", "add_span"]
    assert store.undo("alice") is None
    for i in range(1, len(states)):
        r = store.redo("alice")
        assert r is not None
        assert strip_times(store.current_state()) == strip_times(states[i])
    assert store.redo("alice") is None
    assert store.replay_log() == store.current_state()


def test_undo_redo_interleaved(store: Store) -> None:
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(store.add_span("alice", "d1", 8, 12, "PERSON"))
    store.undo("alice")  # b gone
    store.undo("alice")  # a gone
    store.redo("alice")  # a back
    assert [s.id for s in store.spans("d1", "alice")] == [a]
    store.undo("alice")  # a gone again
    assert store.spans("d1", "alice") == []
    store.redo("alice")
    store.redo("alice")
    assert [s.id for s in store.spans("d1", "alice")] == [a, b]
    assert store.redo("alice") is None


def test_a_new_action_after_undo_discards_the_redo_branch(store: Store) -> None:
    store.add_span("alice", "d1", 0, 7, "PERSON")
    store.add_span("alice", "d1", 8, 12, "PERSON")
    store.undo("alice")
    store.undo("alice")
    c = span_id(store.add_span("alice", "d1", 18, 20, "NUMBER"))
    assert store.redo("alice") is None
    assert [s.id for s in store.spans("d1", "alice")] == [c]
    assert store.undo("alice") is not None
    assert store.spans("d1", "alice") == []
    assert store.undo("alice") is None  # the discarded branch is not on the undo stack either
    assert store.redo("alice").name == "add_span"
    assert [s.id for s in store.spans("d1", "alice")] == [c]


def test_undo_or_redo_with_nothing_to_do_returns_none_and_writes_nothing(store: Store) -> None:
    before = snapshot(store)
    assert store.undo("alice") is None
    assert store.redo("alice") is None
    assert snapshot(store) == before


def test_undo_is_per_annotator(store: Store, other: Store) -> None:
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(other.add_span("bob", "d1", 0, 7, "PERSON"))
    assert other.undo("alice").name == "add_span"  # alice's undo, from any connection
    assert store.span(a) is None
    assert store.span(b) is not None
    assert store.undo("alice") is None
    assert store.undo("bob") is not None
    assert store.span(b) is None


def test_spans_and_links_of_another_annotator_are_refused(store: Store) -> None:
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(store.add_span("bob", "d1", 8, 12, "PERSON"))
    lid = link_id(store.add_link("alice", "SAME", a, span_id(
        store.add_span("alice", "d1", 8, 12, "PERSON"))))
    before = snapshot(store)
    with pytest.raises(StoreError, match="^that span no longer exists$"):
        store.update_span("bob", a, label="ORG")
    with pytest.raises(StoreError, match="^that span no longer exists$"):
        store.delete_span("bob", a)
    with pytest.raises(StoreError, match="^a linked span no longer exists$"):
        store.add_link("alice", "SAME", a, b)
    with pytest.raises(StoreError, match="^that link no longer exists$"):
        store.delete_link("bob", lid)
    assert snapshot(store) == before


def test_bad_links_are_refused(store: Store) -> None:
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(store.add_span("alice", "d1", 8, 12, "PERSON"))
    store.add_link("alice", "SAME", a, b)
    before = snapshot(store)
    with pytest.raises(StoreError, match="^a span cannot be linked to itself$"):
        store.add_link("alice", "SAME", a, a)
    with pytest.raises(StoreError, match="^those spans are already linked as SAME$"):
        store.add_link("alice", "SAME", a, b)
    with pytest.raises(StoreError, match="^those spans are already linked as SAME$"):
        store.add_link("alice", "SAME", b, a)  # the same pair the other way round
    with pytest.raises(StoreError, match="^a linked span no longer exists$"):
        store.add_link("alice", "SAME", a, "no-such-span")
    with pytest.raises(StoreError, match="^nothing to change$"):
        store.update_span("alice", a, label="PERSON")
    assert snapshot(store) == before
    store.add_link("alice", "CONTRADICTS", b, a)  # another type is fine


# -- the event log is append-only -----------------------------------------------------------


def test_events_table_is_append_only(store: Store) -> None:
    store.add_span("alice", "d1", 0, 7, "PERSON")
    before = snapshot(store)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE events SET annotator = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
    assert snapshot(store) == before


def test_events_since_streams_in_order(store: Store) -> None:
    for i in range(5):
        store.add_span("alice", "d1", i, i + 1, "X")
    seqs = [e["seq"] for e in store.events()]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))
    assert [e["seq"] for e in store.events(since=seqs[2])] == seqs[3:]


# -- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["add_span", "set_status_done"])
def test_first_action_on_a_document_sets_in_progress(store: Store, first: str) -> None:
    assert store.status("d1", "alice") == Status.TODO
    if first == "add_span":
        store.add_span("alice", "d1", 0, 7, "PERSON")
        assert store.status("d1", "alice") == Status.IN_PROGRESS
    else:
        store.set_status("alice", "d1", Status.DONE)
        assert store.status("d1", "alice") == Status.DONE
    assert store.status("d2", "alice") == Status.TODO
    assert store.status("d1", "bob") == Status.TODO
    store.undo("alice")
    assert store.status("d1", "alice") == Status.TODO


def test_an_action_on_a_todo_document_puts_it_back_in_progress(store: Store) -> None:
    sid = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    store.set_status("alice", "d1", Status.TODO)
    store.update_span("alice", sid, label="ORG")
    assert store.status("d1", "alice") == Status.IN_PROGRESS
    store.set_status("alice", "d1", Status.DONE)
    store.add_span("alice", "d1", 8, 12, "PERSON")
    assert store.status("d1", "alice") == Status.DONE


def test_a_status_set_by_an_import_does_not_block_undo(store: Store) -> None:
    """A lead imports alice's set as done while she works: her undo still works (it leaves
    the imported status alone) instead of failing at the same action for ever."""
    a = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    b = span_id(store.add_span("alice", "d1", 8, 12, "PERSON"))
    with store.import_session("lead") as imp:
        imp.add_annotation_set("d1", "alice", [], [], Status.DONE)
    assert store.undo("alice") is not None
    assert store.undo("alice") is not None
    assert store.span(a) is None
    assert store.span(b) is None
    assert store.status("d1", "alice") == Status.DONE
    assert store.undo("alice") is None
    assert store.redo("alice") is not None
    assert store.span(a) is not None
    assert store.status("d1", "alice") == Status.DONE
    assert store.replay_log() == store.current_state()


def test_document_list_progress_and_next_document(store: Store) -> None:
    add_docs(store, ("d3", "third"))
    store.add_span("alice", "d2", 0, 3, "PLACE")
    store.set_status("alice", "d1", Status.DONE)
    rows = {d.id: d for d in store.documents()}
    assert list(rows) == ["d1", "d2", "d3"]  # import order
    assert rows["d1"].statuses == {"alice": Status.DONE}
    assert rows["d2"].span_counts == {"alice": 1}
    assert rows["d2"].length == len(TEXT2)
    assert store.progress("alice") == (1, 3)
    assert store.next_document("alice") == "d2"
    assert store.next_document("alice", after="d2") == "d3"
    assert store.next_document("alice", after="d3") == "d2"  # wraps round, skipping done
    assert store.next_document("bob") == "d1"
    for doc in ("d2", "d3"):
        store.set_status("alice", doc, Status.DONE)
    assert store.next_document("alice", after="d1") is None


# -- offsets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "start", "end"),
    [("d1", -1, 3), ("d1", 0, len(TEXT1) + 1), ("d1", 5, 5), ("d1", 6, 5),
     ("d1", len(TEXT1), len(TEXT1) + 2), ("d2", 0, len(TEXT2.encode("utf-16-le")) // 2),
     ("nope", 0, 1)],
)
def test_offsets_outside_the_document_are_refused_and_write_nothing(
    store: Store, doc: str, start: int, end: int
) -> None:
    before = snapshot(store)
    with pytest.raises(StoreError):
        store.add_span("carol", doc, start, end, "X")
    assert snapshot(store) == before
    assert "carol" not in store.annotators()


@pytest.mark.parametrize(("start", "end"), [(-1, 7), (0, len(TEXT1) + 1), (7, 7), (8, 3)])
def test_update_outside_the_document_is_refused_and_writes_nothing(
    store: Store, start: int, end: int
) -> None:
    sid = span_id(store.add_span("alice", "d1", 0, 7, "PERSON"))
    before = snapshot(store)
    with pytest.raises(StoreError):
        store.update_span("alice", sid, start=start, end=end)
    assert snapshot(store) == before


def test_offsets_are_code_points_end_exclusive(store: Store) -> None:
    start = TEXT2.index("🙂")
    store.add_span("alice", "d2", start, start + 1, "EMOJI")
    store.add_span("alice", "d2", 0, len("İstanbul"), "PLACE")
    store.add_span("alice", "d2", 0, len(TEXT2), "ALL")  # the very end is allowed
    doc = store.get_document("d2")
    assert doc is not None
    assert doc.text == TEXT2
    assert store.document_length("d2") == len(TEXT2)
    assert sorted(s.text_in(doc.text) for s in store.spans("d2", "alice")) == sorted(
        ["🙂", "İstanbul", TEXT2]
    )


# -- ui state -------------------------------------------------------------------------------


def test_ui_state_is_per_annotator_and_not_logged(store: Store, other: Store) -> None:
    n = count(store, "events")
    store.set_ui_state("alice", "panes", ["d1", "d2"])
    store.set_ui_state("alice", "panes", ["d2"])
    assert other.get_ui_state("alice", "panes") == ["d2"]
    assert other.get_ui_state("bob", "panes") is None
    assert count(store, "events") == n


# -- imports --------------------------------------------------------------------------------


def _import_set(store: Store, text_d3: str = "Third document text.") -> dict[str, int]:
    s1 = Span("imp-s1", "d3", "dave", 0, 5, "ORG", {"n": 1})
    s2 = Span("imp-s2", "d3", "dave", 6, 14, "PLACE")
    lk = Link("imp-l1", "dave", "SAME", "imp-s2", "imp-s1", "d3", "d3")  # forward reference ok
    with store.import_session("importer") as imp:
        imp.add_schema("news@1", "news", 1, 'name = "news"\n')
        imp.add_document(Document("d3", text_d3, title="third"))
        imp.add_annotation_set("d3", "dave", [s1, s2], [lk], Status.DONE)
        return dict(imp.counts)


def test_import_then_actions_then_replay_rebuilds_state(store: Store) -> None:
    counts = _import_set(store)
    assert counts["documents"] == 1
    assert counts["spans"] == 2
    assert counts["links"] == 1
    assert store.status("d3", "dave") == Status.DONE
    assert [s.text_in("Third document text.") for s in store.spans("d3", "dave")] == [
        "Third", "document"
    ]
    assert store.replay_log() == store.current_state()
    store.update_span("dave", "imp-s1", label="PERSON")
    store.delete_span("dave", "imp-s2")  # takes the imported link with it
    assert store.links("dave") == []
    new = span_id(store.add_span("dave", "d3", 15, 19, "THING"))
    store.add_link("dave", "SAME", "imp-s1", new)
    store.undo("dave")
    store.undo("dave")
    store.undo("dave")
    assert {s.id for s in store.spans("d3", "dave")} == {"imp-s1", "imp-s2"}
    assert store.replay_log() == store.current_state()
    assert store.undo("dave") is not None
    assert store.undo("dave") is None  # the import itself is not on the undo stack
    assert store.replay_log() == store.current_state()


def test_import_rolled_back_on_exception_leaves_the_db_unchanged(store: Store, db_path) -> None:
    before = snapshot(store)

    def failing_import() -> None:
        with store.import_session("importer") as imp:
            imp.add_document(Document("d9", "will not stay"))
            imp.add_annotation_set("d9", "erin", [Span("x1", "d9", "erin", 0, 4, "X")], [], None)
            raise RuntimeError("bad line 3")

    with pytest.raises(RuntimeError):
        failing_import()
    assert snapshot(store) == before
    assert not store.conn.in_transaction
    with Store(db_path) as fresh:
        assert fresh.get_document("d9") is None
        assert snapshot(fresh) == before
    _import_set(store)  # and the store still works afterwards


def test_import_conflict_rolls_back_the_whole_import(store: Store) -> None:
    before = snapshot(store)

    def conflicting_import() -> None:
        with store.import_session("importer") as imp:
            imp.add_document(Document("d9", "new one"))
            imp.add_document(Document("d1", TEXT1 + " changed"))

    with pytest.raises(ImportConflict):
        conflicting_import()
    assert snapshot(store) == before


def test_an_import_refused_at_commit_releases_the_write_lock(store: Store, db_path) -> None:
    """A link to a span that never arrives fails at COMMIT (deferred foreign keys): the
    transaction must end there, or every other annotator waits on its write lock."""
    before = snapshot(store)

    def dangling_import() -> None:
        with store.import_session("importer") as imp:
            imp.add_document(Document("d9", "hello world"))
            imp.add_annotation_set(
                "d9", "erin", [Span("s9", "d9", "erin", 0, 5, "X")],
                [Link("l9", "erin", "SAME", "s9", "ghost", "d9", "d9")], None,
            )

    with pytest.raises(sqlite3.IntegrityError):
        dangling_import()
    assert not store.conn.in_transaction
    assert snapshot(store) == before
    with Store(db_path) as other:
        other.conn.execute("PRAGMA busy_timeout = 200")
        other.add_span("bob", "d1", 0, 7, "PERSON")  # not "database is locked"
    store.add_span("alice", "d1", 0, 7, "PERSON")  # and this connection still works


def test_reimport_identical_is_a_no_op(store: Store) -> None:
    _import_set(store)
    before = snapshot(store)
    counts = _import_set(store)
    assert counts["documents"] == 0
    assert counts["documents_same"] == 1
    assert counts["spans"] == 0
    assert counts["spans_same"] == 2
    assert counts["links"] == 0
    assert counts["links_same"] == 1
    assert counts["statuses"] == 0
    after = snapshot(store)
    assert after["state"] == before["state"]
    assert after["events"] == before["events"]
    assert store.document_ids() == ["d1", "d2", "d3"]


def test_import_conflict_on_same_id_with_different_text(store: Store) -> None:
    _import_set(store)
    before = snapshot(store)
    with pytest.raises(ImportConflict, match="d3"):
        _import_set(store, text_d3="Third document text, edited.")
    assert snapshot(store) == before


def test_import_conflict_on_same_span_id_with_different_content(store: Store) -> None:
    _import_set(store)
    before = snapshot(store)
    with pytest.raises(ImportConflict), store.import_session("importer") as imp:
        imp.add_annotation_set("d3", "dave", [Span("imp-s1", "d3", "dave", 0, 4, "ORG")], [],
                               None)
    with pytest.raises(ImportConflict), store.import_session("importer") as imp:
        imp.add_schema("news@1", "news", 1, 'name = "news"\nversion = 1\n')
    assert snapshot(store) == before


def test_import_keeps_text_exactly(store: Store) -> None:
    text = "a\r\nb\u200bc\x1b[31m \u0301é\U0001f600"
    add_docs(store, ("raw", text))
    doc = store.get_document("raw")
    assert doc is not None
    assert doc.text == text
    assert doc.sha256 == Document("x", text).sha256
    assert store.document_length("raw") == len(text)


# -- a rule-based model of the whole action set ---------------------------------------------

DOCS = {"d1": TEXT1, "d2": TEXT2}
ANNOTATORS = ("alice", "bob")
LABELS = ("PERSON", "ORG", "NUMBER")
LINK_TYPES = ("SAME", "CONTRADICTS")


class Model:
    """One annotator's expected spans, links and statuses, with snapshot undo/redo stacks."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple] = {}  # id -> (doc, start, end, label, attrs-as-tuple)
        self.links: dict[str, tuple] = {}  # id -> (type, from, to, from_doc, to_doc)
        self.statuses: dict[str, str] = {}  # doc -> status (absent: no row)
        self.done: list[tuple] = []
        self.undone: list[tuple] = []

    def snap(self) -> tuple:
        return (dict(self.spans), dict(self.links), dict(self.statuses))

    def restore(self, snap: tuple) -> None:
        self.spans, self.links, self.statuses = (dict(x) for x in snap)

    def begin(self) -> None:
        self.done.append(self.snap())
        self.undone.clear()

    def touch(self, doc: str) -> None:
        if self.statuses.get(doc, "todo") == "todo":
            self.statuses[doc] = "in_progress"


def _attrs_key(attrs: dict) -> tuple:
    return tuple(sorted(attrs.items()))


def _template_db() -> Path:
    """A migrated database holding DOCS, made once per test process and copied per example."""
    return template("docs", lambda s: add_docs(s, *DOCS.items()))


class StoreMachine(RuleBasedStateMachine):
    """Random action sequences; ids are random, so choices go by insertion order, not by id."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="annotator-store-")
        self.path = Path(self.dir) / "m.db"
        shutil.copyfile(_template_db(), self.path)  # migrating a fresh file per example is slow
        # two writing connections, used in turn: nothing may depend on one connection's memory
        self.writers = [Store(self.path), Store(self.path)]
        self.steps = 0
        self.reader = Store(self.path)
        self.models = {a: Model() for a in ANNOTATORS}
        self.n_events = 0

    @property
    def store(self) -> Store:
        return self.writers[self.steps % 2]

    def teardown(self) -> None:
        for s in (*self.writers, self.reader):
            s.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def start(self) -> None:
        self.n_events = count(self.store, "events")

    def _refused(self, fn: Any) -> None:
        before = count(self.store, "events")
        with pytest.raises(StoreError):
            fn()
        assert count(self.store, "events") == before

    # rules ------------------------------------------------------------------------------

    def _has_spans(self) -> bool:
        return any(m.spans for m in self.models.values())

    def _has_links(self) -> bool:
        return any(m.links for m in self.models.values())

    def _with_spans(self, data: st.DataObject, at_least: int = 1) -> tuple[str, Model]:
        who = data.draw(st.sampled_from(
            [a for a in ANNOTATORS if len(self.models[a].spans) >= at_least]), label="who")
        return who, self.models[who]

    @rule(who=st.sampled_from(ANNOTATORS), doc=st.sampled_from(list(DOCS)), data=st.data(),
          label=st.sampled_from(LABELS),
          attrs=st.dictionaries(st.sampled_from(["value", "unit"]), st.integers(0, 3),
                                max_size=2))
    def add_span(self, who: str, doc: str, data: st.DataObject, label: str, attrs: dict) -> None:
        m, n = self.models[who], len(DOCS[doc])
        if data.draw(st.integers(0, 5), label="outside?") == 5:
            start, end = data.draw(
                st.tuples(st.integers(-3, n + 3), st.integers(-3, n + 3)).filter(
                    lambda se: not 0 <= se[0] < se[1] <= n), label="outside")
            self._refused(lambda: self.store.add_span(who, doc, start, end, label, attrs))
            return
        start = data.draw(st.integers(0, n - 1), label="start")
        end = data.draw(st.integers(start + 1, min(start + 12, n)), label="end")
        r = self.store.add_span(who, doc, start, end, label, attrs)
        m.begin()
        m.spans[span_id(r)] = (doc, start, end, label, _attrs_key(attrs))
        m.touch(doc)

    @precondition(_has_spans)
    @rule(data=st.data(), label=st.one_of(st.none(), st.sampled_from(LABELS)),
          attrs=st.one_of(st.none(), st.dictionaries(st.just("value"), st.integers(0, 3))))
    def update_span(self, data: st.DataObject, label: str | None, attrs: dict | None) -> None:
        who, m = self._with_spans(data)
        sid = data.draw(st.sampled_from(list(m.spans)), label="span")
        doc, s0, e0, l0, a0 = m.spans[sid]
        n = len(DOCS[doc])
        start = data.draw(st.one_of(st.none(), st.integers(-1, n)), label="start")
        end = data.draw(st.one_of(st.none(), st.integers(0, n + 1)), label="end")
        new = (doc, s0 if start is None else start, e0 if end is None else end,
               l0 if label is None else label, a0 if attrs is None else _attrs_key(attrs))

        def call() -> Any:
            return self.store.update_span(who, sid, start=start, end=end, label=label,
                                          attrs=attrs)

        if new == m.spans[sid] or not 0 <= new[1] < new[2] <= len(DOCS[doc]):
            self._refused(call)
            return
        call()
        m.begin()
        m.spans[sid] = new
        m.touch(doc)

    @precondition(_has_spans)
    @rule(data=st.data())
    def delete_span(self, data: st.DataObject) -> None:
        who, m = self._with_spans(data)
        degree = {sid: sum(sid in lk[1:3] for lk in m.links.values()) for sid in m.spans}
        sid = data.draw(st.sampled_from(sorted(m.spans, key=lambda i: -degree[i])),
                        label="span")
        r = self.store.delete_span(who, sid)
        m.begin()
        doc = m.spans.pop(sid)[0]
        gone = {lid for lid, lk in m.links.items() if sid in (lk[1], lk[2])}
        assert {c.before["id"] for c in r.changes if c.entity == "link"} == gone
        for lid in gone:
            del m.links[lid]
        referring = {i for i, sp in m.spans.items() if ("speaker", sid) in sp[4]}
        assert {c.before["id"] for c in r.changes
                if c.entity == "span" and c.before and c.after} == referring
        for i in referring:  # the reference is unset in the same action
            d, s, e, lab, a = m.spans[i]
            m.spans[i] = (d, s, e, lab, tuple(kv for kv in a if kv != ("speaker", sid)))
        m.touch(doc)

    def _speakers(self, who: str) -> list[tuple[str, str]]:
        """(span, span of the same document it could name as its speaker)."""
        spans = self.models[who].spans
        ids = list(reversed(spans))
        return [(a, b) for a in ids for b in ids if a != b and spans[a][0] == spans[b][0]
                and ("speaker", b) not in spans[a][4]]

    @precondition(lambda self: any(self._speakers(a) for a in ANNOTATORS))
    @rule(data=st.data())
    def set_speaker(self, data: st.DataObject) -> None:
        """A `span` attribute (docs/labels.md): deleting its target unsets it."""
        who = data.draw(st.sampled_from([a for a in ANNOTATORS if self._speakers(a)]))
        m = self.models[who]
        sid, target = data.draw(st.sampled_from(self._speakers(who)), label="speaker")
        doc, s, e, lab, a = m.spans[sid]
        attrs = dict(a) | {"speaker": target}
        self.store.update_span(who, sid, attrs=attrs, name="set_attrs")
        m.begin()
        m.spans[sid] = (doc, s, e, lab, _attrs_key(attrs))
        m.touch(doc)

    @precondition(_has_spans)
    @rule(data=st.data())
    def touch_someone_elses_span(self, data: st.DataObject) -> None:
        owner, theirs = self._with_spans(data)
        who = ANNOTATORS[1 - ANNOTATORS.index(owner)]
        sid = data.draw(st.sampled_from(list(theirs.spans)), label="span")
        self._refused(lambda: self.store.delete_span(who, sid))
        self._refused(lambda: self.store.update_span(who, sid, label="ORG"))

    def _unlinked(self, who: str) -> list[tuple[str, str, str]]:
        m = self.models[who]
        linked = {(lk[0], frozenset(lk[1:3])) for lk in m.links.values()}
        ids = list(reversed(m.spans))  # newest first: the simplest draw links fresh spans
        return [(t, a, b) for a in ids for b in ids if a != b for t in LINK_TYPES
                if (t, frozenset((a, b))) not in linked]

    @precondition(lambda self: any(self._unlinked(a) for a in ANNOTATORS))
    @rule(data=st.data())
    def add_link(self, data: st.DataObject) -> None:
        who = data.draw(st.sampled_from([a for a in ANNOTATORS if self._unlinked(a)]))
        m = self.models[who]
        type_, a, b = data.draw(st.sampled_from(self._unlinked(who)), label="link")
        r = self.store.add_link(who, type_, a, b)
        m.begin()
        m.links[link_id(r)] = (type_, a, b, m.spans[a][0], m.spans[b][0])
        m.touch(m.spans[a][0])

    @precondition(_has_links)
    @rule(data=st.data(), reverse=st.booleans())
    def add_duplicate_link(self, data: st.DataObject, reverse: bool) -> None:
        who = data.draw(st.sampled_from([a for a in ANNOTATORS if self.models[a].links]))
        type_, a, b, _, _ = data.draw(st.sampled_from(list(self.models[who].links.values())))
        if reverse:
            a, b = b, a
        self._refused(lambda: self.store.add_link(who, type_, a, b))

    @precondition(_has_spans)
    @rule(data=st.data())
    def add_link_to_itself(self, data: st.DataObject) -> None:
        who, m = self._with_spans(data)
        sid = data.draw(st.sampled_from(list(m.spans)), label="span")
        self._refused(lambda: self.store.add_link(who, "SAME", sid, sid))

    @precondition(_has_links)
    @rule(data=st.data())
    def delete_link(self, data: st.DataObject) -> None:
        who = data.draw(st.sampled_from([a for a in ANNOTATORS if self.models[a].links]))
        m = self.models[who]
        lid = data.draw(st.sampled_from(list(m.links)), label="link")
        self.store.delete_link(who, lid)
        m.begin()
        del m.links[lid]

    @rule(who=st.sampled_from(ANNOTATORS), doc=st.sampled_from(list(DOCS)),
          status=st.sampled_from(list(Status)))
    def set_status(self, who: str, doc: str, status: Status) -> None:
        m = self.models[who]
        r = self.store.set_status(who, doc, status)
        if m.statuses.get(doc) == status:
            assert r.changes == []
            return
        assert r.changes
        m.begin()
        m.statuses[doc] = str(status)

    @precondition(lambda self: any(m.done for m in self.models.values()))
    @rule(data=st.data(), times=st.integers(1, 3))
    def undo(self, data: st.DataObject, times: int) -> None:
        who = data.draw(st.sampled_from([a for a in ANNOTATORS if self.models[a].done]))
        m = self.models[who]
        for _ in range(times):  # may overshoot: undo with nothing left returns None
            r = self.store.undo(who)
            if not m.done:
                assert r is None
                return
            assert r is not None
            m.undone.append(m.snap())
            m.restore(m.done.pop())

    @precondition(lambda self: any(m.undone for m in self.models.values()))
    @rule(data=st.data(), times=st.integers(1, 3))
    def redo(self, data: st.DataObject, times: int) -> None:
        who = data.draw(st.sampled_from([a for a in ANNOTATORS if self.models[a].undone]))
        m = self.models[who]
        for _ in range(times):
            r = self.store.redo(who)
            if not m.undone:
                assert r is None
                return
            assert r is not None
            m.done.append(m.snap())
            m.restore(m.undone.pop())

    # invariants --------------------------------------------------------------------------

    @invariant()
    def store_equals_model(self) -> None:
        for who, m in self.models.items():
            spans = {
                s.id: (s.doc_id, s.start, s.end, s.label, _attrs_key(s.attrs))
                for doc in DOCS for s in self.reader.spans(doc, who)
            }
            assert spans == m.spans
            links = {
                lk.id: (lk.type, lk.from_span, lk.to_span, lk.from_doc, lk.to_doc)
                for lk in self.reader.links(who)
            }
            assert links == m.links
            statuses = {
                row["doc_id"]: row["status"]
                for row in self.reader.current_state()["status"].values()
                if row["annotator"] == who
            }
            assert statuses == m.statuses

    @invariant()
    def replay_rebuilds_current_state(self) -> None:
        assert self.reader.replay_log() == self.reader.current_state()

    @invariant()
    def event_log_only_grows(self) -> None:
        n = count(self.reader, "events")
        assert n >= self.n_events
        self.n_events = n

    @invariant()
    def no_transaction_left_open(self) -> None:
        assert not any(w.conn.in_transaction for w in self.writers)
        self.steps += 1


StoreMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_store_state_machine = StoreMachine.TestCase
