"""Migrations, tested the way sqlite-utils tests its own: build a database the way an older
annotator left it (the migrations up to N-1 only), fill it with rows that schema allows, open it
with Store (which applies the rest) and check the data, the schema and that the store works."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.export import export
from annotator.model import Status
from annotator.optional_imports import without
from annotator.store import Store, migrations
from annotator.store.rows import entity_key

with without("pandas", "numpy"):  # as the store loads it (store/migrations.py): 0.45 s
    from sqlite_utils import Database

TEXT_A = "General Akar said 38 staff were evacuated on Monday."
TEXT_B = "İstanbul 🙂 reported about 7,000 — nearly 300 villages."
TS = "2025-01-02T03:04:05.000000Z"


def _old_database(path: Path, upto: int) -> None:
    """A database with the first `upto` migrations applied, as the annotator of that day made
    it (user_version included)."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    names = migrations.NAMES
    migrations.migrations().apply(db, stop_before=names[upto] if upto < len(names) else None)
    conn.execute(f"PRAGMA user_version = {upto}")
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]
    assert applied == list(names[:upto])
    _fill(conn)
    conn.close()


def _fill(conn: sqlite3.Connection) -> None:
    """Two documents, spans of two annotators, a cross-document link, statuses, and the
    actions and events that made them: only the columns m001 has (later ones keep their
    defaults, as they did for rows written before them)."""
    def one(sql: str, params: list[Any]) -> int:
        return int(conn.execute(sql, params).lastrowid or 0)

    conn.execute("BEGIN")
    conn.execute("INSERT INTO schemas (ref, name, version, source, created_at)"
                 " VALUES ('news@1', 'news', 1, '[labels]\nPER = {}\n', ?)", [TS])
    for seq, (doc_id, text) in enumerate((("a", TEXT_A), ("b", TEXT_B))):
        conn.execute(
            "INSERT INTO documents (id, seq, title, text, sha256, length, meta, schema_ref,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'news@1', ?)",
            [doc_id, seq, f"Doc {doc_id}", text, hashlib.sha256(text.encode()).hexdigest(),
             len(text), json.dumps({"source": doc_id}), TS])
    imp = one("INSERT INTO actions (annotator, kind, name, state, created_at)"
              " VALUES ('alice', 'import', 'import', 'meta', ?)", [TS])
    for doc_id in ("a", "b"):
        conn.execute("INSERT INTO events (ts, annotator, action_id, action, entity, entity_id,"
                     " doc_id, after) VALUES (?, 'alice', ?, 'import', 'document', ?, ?, '{}')",
                     [TS, imp, doc_id, doc_id])
    spans = [("s1", "a", "alice", 0, 12, "PER", {}),
             ("s2", "a", "alice", 18, 20, "NUMBER", {"value": 38, "unit": "staff"}),
             ("s3", "b", "alice", 0, 8, "LOC", {}),
             ("s4", "a", "bob", 8, 12, "PER", {})]
    for name in ("alice", "bob"):
        conn.execute("INSERT INTO annotators (name, created_at) VALUES (?, ?)", [name, TS])
    for span_id, doc_id, who, start, end, label, attrs in spans:
        row = {"id": span_id, "doc_id": doc_id, "annotator": who, "start": start, "end": end,
               "label": label, "attrs": attrs, "origin": "manual", "created_at": TS,
               "updated_at": TS}
        conn.execute(
            'INSERT INTO spans (id, doc_id, annotator, start, "end", label, attrs, origin,'
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'manual', ?, ?)",
            [span_id, doc_id, who, start, end, label, json.dumps(attrs), TS, TS])
        act = one("INSERT INTO actions (annotator, kind, name, state, stack_seq, created_at)"
                  " VALUES (?, 'do', 'add_span', 'done', 0, ?)", [who, TS])
        conn.execute("UPDATE actions SET stack_seq = id WHERE id = ?", [act])
        conn.execute("INSERT INTO events (ts, annotator, action_id, action, entity, entity_id,"
                     " doc_id, after) VALUES (?, ?, ?, 'add_span', 'span', ?, ?, ?)",
                     [TS, who, act, span_id, doc_id, json.dumps(row)])
    link = {"id": "l1", "annotator": "alice", "type": "same_as", "from_span": "s1",
            "to_span": "s3", "from_doc": "a", "to_doc": "b", "created_at": TS}
    conn.execute("INSERT INTO links (id, annotator, type, from_span, to_span, from_doc, to_doc,"
                 " created_at) VALUES (:id, :annotator, :type, :from_span, :to_span,"
                 " :from_doc, :to_doc, :created_at)", link)
    act = one("INSERT INTO actions (annotator, kind, name, state, stack_seq, created_at)"
              " VALUES ('alice', 'do', 'add_link', 'done', 0, ?)", [TS])
    conn.execute("UPDATE actions SET stack_seq = id WHERE id = ?", [act])
    conn.execute("INSERT INTO events (ts, annotator, action_id, action, entity, entity_id,"
                 " doc_id, after) VALUES (?, 'alice', ?, 'add_link', 'link', 'l1', 'a', ?)",
                 [TS, act, json.dumps(link)])
    for doc_id, who, status in (("a", "alice", "done"), ("b", "alice", "in_progress"),
                                ("a", "bob", "in_progress")):
        row = {"doc_id": doc_id, "annotator": who, "status": status, "updated_at": TS}
        conn.execute("INSERT INTO statuses (doc_id, annotator, status, updated_at)"
                     " VALUES (?, ?, ?, ?)", [doc_id, who, status, TS])
        act = one("INSERT INTO actions (annotator, kind, name, state, stack_seq, created_at)"
                  " VALUES (?, 'do', 'set_status', 'done', 0, ?)", [who, TS])
        conn.execute("UPDATE actions SET stack_seq = id WHERE id = ?", [act])
        conn.execute("INSERT INTO events (ts, annotator, action_id, action, entity, entity_id,"
                     " doc_id, after) VALUES (?, ?, ?, 'set_status', 'status', ?, ?, ?)",
                     [TS, who, act, entity_key("status", row), doc_id, json.dumps(row)])
    conn.execute("COMMIT")


def _schema(path: Path) -> set[tuple[str, str, str]]:
    """Every table, index and trigger with its SQL, spaces normalised."""
    conn = sqlite3.connect(path)
    try:
        return {(kind, name, " ".join((sql or "").split())) for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str, str]]:
    path = tmp_path_factory.mktemp("fresh") / "new.db"
    Store(path).close()
    return _schema(path)


@pytest.mark.parametrize("upto", range(1, len(migrations.NAMES)),
                         ids=lambda n: f"from-{migrations.NAMES[n - 1]}")
def test_old_database_upgrades_with_its_data(tmp_path: Path, upto: int,
                                             fresh_schema: set[tuple[str, str, str]]) -> None:
    path = tmp_path / "old.db"
    _old_database(path, upto)
    with Store(path) as store:
        # the data is intact
        assert [d.id for d in store.documents()] == ["a", "b"]
        doc_b = store.get_document("b")
        assert doc_b is not None
        assert (doc_b.text, doc_b.schema) == (TEXT_B, "news@1")
        assert store.document_length("b") == len(TEXT_B)
        spans = {s.id: s for s in store.spans("a", "alice")}
        assert sorted(spans) == ["s1", "s2"]
        assert TEXT_A[spans["s2"].start:spans["s2"].end] == "38"
        assert spans["s2"].attrs == {"value": 38, "unit": "staff"}
        assert [s.id for s in store.spans("a", "bob")] == ["s4"]
        assert [(lk.id, lk.from_span, lk.to_span) for lk in store.links("alice")] == [
            ("l1", "s1", "s3")]
        assert store.status("a", "alice") == Status.DONE
        assert store.status("a", "bob") == Status.IN_PROGRESS
        assert store.annotators() == ["alice", "bob"]
        assert store.replay_log() == store.current_state()
        # the store works: a new action, its undo, an export
        added = store.add_span("bob", "b", 0, 8, "LOC")
        assert [s.label for s in store.spans("b", "bob")] == ["LOC"]
        assert store.undo("bob") is not None
        assert store.spans("b", "bob") == []
        # bob's actions from before the upgrade undo too: his status, then his span
        assert store.undo("bob") is not None
        assert store.status("a", "bob") == Status.TODO
        assert store.undo("bob") is not None
        assert store.spans("a", "bob") == []
        assert added.action_id > 0
        assert store.replay_log() == store.current_state()
        out = io.StringIO()
        assert export(store, "jsonl", out, annotator="alice") == 2
        lines = {(r["id"], r["annotator"]): r
                 for r in map(json.loads, out.getvalue().splitlines())}
        spans_a = {(s["start"], s["end"], s["label"], s["text"])
                   for s in lines["a", "alice"]["spans"]}
        assert spans_a == {(0, 12, "PER", "General Akar"), (18, 20, "NUMBER", "38")}
        assert lines["a", "alice"]["status"] == "done"
        assert lines["a", "alice"]["links"] == [
            {"id": "l1", "type": "same_as", "from": "s1", "to": "s3", "to_doc": "b"}]
    # the tables, indexes and triggers are exactly those of a database made new today
    assert _schema(path) == fresh_schema
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations ORDER BY name")] == list(migrations.NAMES)
        # the upgraded log is append-only, as a new one is
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events WHERE seq = 1")
    finally:
        conn.close()


def test_a_new_database_has_every_migration(tmp_path: Path,
                                            fresh_schema: set[tuple[str, str, str]]) -> None:
    names = {name for kind, name, _ in fresh_schema}
    assert names >= migrations.TRIGGERS
    assert names >= {"documents_card", "documents_order", "imports_unfinished", "spans_set",
                     "assignments_annotator", "flags_doc", "events_action"}


def test_m005_review_an_upgraded_database_takes_review_decisions(tmp_path: Path) -> None:
    """A database from before review (m004) gets review_decisions: a decision on it is
    written, logged and undone like on a new one."""
    from annotator.model import GOLD
    from annotator.review.session import ReviewSession

    path = tmp_path / "old.db"
    _old_database(path, migrations.NAMES.index("m005_review"))
    with Store(path) as store:
        rs = ReviewSession(store, "lena", "a")
        first = rs.clusters()[0]
        assert (first.key, first.kind) == ("a:0:12", "boundary")
        assert rs.accept(first, "alice", "annotator_error").refused is None
        [gold] = store.spans("a", GOLD)
        assert (gold.start, gold.end, gold.label) == (0, 12, "PER")
        assert store.decisions_for([gold.id])[gold.id].reason == "annotator_error"
        assert store.replay_log() == store.current_state()
        assert rs.undo().refused is None
        assert store.spans("a", GOLD) == []
        assert store.review_decisions("a") == []


# -- the migrations' SQL scripts, cut into statements -------------------------------------------

def _scripts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    scripts: list[str] = []
    monkeypatch.setattr(migrations, "script", lambda db, sql: scripts.append(sql))
    for step in migrations.STEPS:
        step(None)  # type: ignore[arg-type]  # the steps only hand their SQL to script()
    return scripts


def test_the_migrations_are_cut_where_sqlite_utils_cuts_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlite_utils.db import _iter_complete_sql_statements

    scripts = _scripts(monkeypatch)
    assert len(scripts) == len(migrations.STEPS)
    for sql in scripts:
        assert list(migrations.statements(sql)) == list(_iter_complete_sql_statements(sql))
    assert any("BEGIN" in s and s.count(";") > 1 for sql in scripts  # a trigger is one
               for s in migrations.statements(sql))


@given(st.lists(st.sampled_from([
    "CREATE TABLE t (a TEXT DEFAULT ';');", "INSERT INTO t VALUES ('x;y');", " -- a; comment\n",
    "/* b; c */", "CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;",
    "SELECT \"odd;name\";", ";", "\n", "SELECT 1", "'unclosed;",
]), max_size=8))
def test_statements_cut_any_script_as_sqlite_utils_does(parts: list[str]) -> None:
    from sqlite_utils.db import _iter_complete_sql_statements

    sql = "".join(parts)
    assert list(migrations.statements(sql)) == list(_iter_complete_sql_statements(sql))
