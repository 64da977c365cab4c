"""The store's integrity (issue #8, points 4 and 5): the event log, the action log, documents
and schemas cannot be rewritten by any SQL a client can send (short of changing the schema),
and a database from a newer annotator is never written or migrated."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.model import Document, Status
from annotator.store import NewerDatabaseError, Store, migrations

TEXT = "General Akar said 38 staff were evacuated on Monday."


@pytest.fixture
def filled(db_path: Path) -> Iterator[Store]:
    """A store with a document, an import, actions, an undo and a redo."""
    with Store(db_path) as s:
        with s.import_session("lead") as imp:
            imp.add_schema("news@1", "news", 1, 'name = "news"\n')
            imp.add_document(Document("d1", TEXT, title="d1", schema="news@1"))
        s.add_span("alice", "d1", 0, 7, "PERSON")
        s.add_span("alice", "d1", 8, 12, "PERSON")
        s.undo("alice")
        s.redo("alice")
        s.set_status("alice", "d1", Status.DONE)
        yield s


def everything(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in ("events", "actions", "documents", "schemas", "imports")}
    finally:
        conn.close()


EVENT = ("ts, annotator, action_id, action, entity, entity_id, doc_id, before, after",
         "'x', 'mallory', 1, 'add_span', 'span', 'forged', 'd1', NULL, '{}'")
REWRITES = [
    # the event log
    "UPDATE events SET after = '{}' WHERE seq = 1",
    "UPDATE OR REPLACE events SET seq = 1 WHERE seq = 2",
    "DELETE FROM events WHERE seq = 1",
    "DELETE FROM events",
    f"INSERT OR REPLACE INTO events (seq, {EVENT[0]}) VALUES (1, {EVENT[1]})",
    f"REPLACE INTO events (seq, {EVENT[0]}) VALUES (2, {EVENT[1]})",
    f"INSERT INTO events (seq, {EVENT[0]}) VALUES (1, {EVENT[1]})"
    " ON CONFLICT (seq) DO UPDATE SET after = excluded.after",
    f"INSERT INTO events (seq, {EVENT[0]}) VALUES (0, {EVENT[1]})",  # into the past
    f"INSERT INTO events (seq, {EVENT[0]}) VALUES (-5, {EVENT[1]})",
    # the action log
    "UPDATE actions SET name = 'forged' WHERE id = 2",
    "UPDATE actions SET annotator = 'mallory'",
    "UPDATE actions SET kind = 'undo' WHERE kind = 'do'",
    "UPDATE actions SET state = 'meta' WHERE kind = 'do'",
    "UPDATE actions SET state = 'done' WHERE kind = 'import'",
    "UPDATE actions SET id = 99 WHERE id = 2",
    "DELETE FROM actions WHERE id = 2",
    "INSERT OR REPLACE INTO actions (id, annotator, kind, name, state, stack_seq, created_at)"
    " VALUES (2, 'mallory', 'do', 'forged', 'done', 2, 'x')",
    "INSERT INTO actions (id, annotator, kind, name, state, stack_seq, created_at) VALUES"
    " (2, 'm', 'do', 'f', 'done', 2, 'x') ON CONFLICT (id) DO UPDATE SET name = 'forged'",
    # an import that finished, and making an action look like an abandoned import
    "UPDATE imports SET state = 'abandoned'",
    "DELETE FROM imports",
    "INSERT INTO imports (id, state, first_seq, started_at) VALUES (2, 'abandoned', 0, 'x')",
    "INSERT INTO imports (id, state, first_seq, started_at) VALUES (2, 'running', 0, 'x')",
    # documents and schemas
    "UPDATE documents SET text = 'General Akar said 83'",
    "DELETE FROM documents",
    "INSERT OR REPLACE INTO documents (id, seq, title, text, sha256, length, created_at)"
    " VALUES ('d1', 0, 't', 'other text', 'x', 10, 'x')",
    "INSERT OR REPLACE INTO documents (id, seq, title, text, sha256, length, created_at)"
    " VALUES ('d2', 0, 't', 'takes the seq of d1', 'x', 19, 'x')",
    "UPDATE schemas SET source = 'name = \"other\"'",
    "DELETE FROM schemas",
    "REPLACE INTO schemas (ref, name, version, source, created_at) VALUES"
    " ('news@1', 'news', 1, 'x', 'x')",
]


@pytest.mark.parametrize("recursive", [False, True])
@pytest.mark.parametrize("sql", REWRITES)
def test_no_sql_rewrites_the_logs(filled: Store, db_path: Path, sql: str,
                                  recursive: bool) -> None:
    before = everything(db_path)
    conn = sqlite3.connect(db_path)  # a plain client: no Store, foreign keys off
    try:
        conn.execute(f"PRAGMA recursive_triggers = {int(recursive)}")
        with pytest.raises(sqlite3.DatabaseError, match="append-only|never changed|finished"
                                                        "|registered once"):
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    assert everything(db_path) == before


def test_appending_and_undo_redo_still_work(filled: Store) -> None:
    n = len(list(filled.events()))
    sid = next(c.after["id"] for c in filled.add_span("bob", "d1", 0, 7, "ORG").changes
               if c.entity == "span" and c.after)
    filled.update_span("bob", sid, label="PERSON")
    assert filled.undo("bob") is not None
    assert filled.undo("bob") is not None
    assert filled.redo("bob") is not None
    filled.add_span("bob", "d1", 8, 12, "PERSON")  # ends the redo branch: undone -> dead
    assert filled.redo("bob") is None
    assert len(list(filled.events())) > n
    assert filled.replay_log() == filled.current_state()


def test_a_dropped_trigger_is_noticed_on_open(filled: Store, db_path: Path) -> None:
    filled.close()
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_append_only_insert")
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match="events_append_only_insert.*rewritten"):
        Store(db_path)


# -- a database from a newer annotator ----------------------------------------------------------


def newer(db_path: Path, how: str) -> bytes:
    with Store(db_path) as s, s.import_session("lead") as imp:
        imp.add_document(Document("d1", TEXT))
    conn = sqlite3.connect(db_path)
    known = migrations.SCHEMA_VERSION
    if how == "user_version":
        conn.execute(f"PRAGMA user_version = {known + 2}")
    else:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES"
                     " ('annotator', 'm999_from_the_future', 'x')")
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")  # one file, compared byte for byte
    conn.close()
    return db_path.read_bytes()


@pytest.mark.parametrize("how", ["user_version", "migration"])
def test_a_newer_database_is_refused_and_left_untouched(db_path: Path, how: str) -> None:
    raw = newer(db_path, how)
    n = migrations.SCHEMA_VERSION + 2 if how == "user_version" else migrations.SCHEMA_VERSION + 1
    with pytest.raises(NewerDatabaseError) as info:
        Store(db_path)
    assert str(info.value) == (f"DB was written by a newer annotator (schema {n}, this one"
                               f" knows up to {migrations.SCHEMA_VERSION}); upgrade annotator")
    assert db_path.read_bytes() == raw
    assert not Path(str(db_path) + "-wal").exists()


def test_the_cli_refuses_a_newer_database_with_exit_code_1(db_path: Path, tmp_path: Path) -> None:
    raw = newer(db_path, "user_version")
    doc = tmp_path / "new.txt"
    doc.write_text("A new document.\n", encoding="utf-8")
    for args in (["import", str(doc)], ["export", "-f", "jsonl"]):
        result = CliRunner().invoke(main, ["--db", str(db_path), *args])
        assert result.exit_code == 1
        assert "DB was written by a newer annotator" in result.stderr
        assert "upgrade annotator" in result.stderr
    assert db_path.read_bytes() == raw


def test_the_current_schema_version_is_recorded(store: Store) -> None:
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.NAMES)
