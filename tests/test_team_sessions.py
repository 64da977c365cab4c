"""Sessions and actors (issue #11): each run of the annotation screen has its own undo stack
(two terminals under one name never undo each other's work), and the person at the keyboard is
the audit's actor, also when a lead works in someone else's set."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.store import Store, StoreError
from tests.tui_support import app_for, find, span_texts, status

pytestmark = pytest.mark.documents


def spans_of(store: Store, doc_id: str = "alpha") -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in store.spans(doc_id, "alice")]


@pytest.fixture
def two(store: Store, db_path: Path) -> tuple[Store, Store]:
    """Two terminals of alice on one database file: two connections, two sessions."""
    store.session = "terminal-1"
    second = Store(db_path)
    second.session = "terminal-2"
    return store, second


def test_undo_walks_only_this_sessions_actions(two: tuple[Store, Store]) -> None:
    a, b = two
    a.add_span("alice", "alpha", 0, 5, "ORG")
    b.add_span("alice", "alpha", 6, 12, "LOC")
    a.add_span("alice", "alpha", 14, 22, "PERSON")
    undone = b.undo("alice")
    assert undone is not None
    assert undone.name == "add_span"
    assert spans_of(a) == [(0, 5, "ORG"), (14, 22, "PERSON")]
    assert b.undo("alice") is None  # terminal 1's spans are not on terminal 2's stack
    assert spans_of(b) == [(0, 5, "ORG"), (14, 22, "PERSON")]
    a.undo("alice")
    a.undo("alice")
    assert a.undo("alice") is None
    assert spans_of(a) == []
    b.redo("alice")
    assert spans_of(a) == [(6, 12, "LOC")]


def test_a_new_action_ends_only_this_sessions_redo_branch(two: tuple[Store, Store]) -> None:
    a, b = two
    a.add_span("alice", "alpha", 0, 5, "ORG")
    a.undo("alice")
    b.add_span("alice", "alpha", 6, 12, "LOC")  # terminal 2 works on
    redone = a.redo("alice")  # terminal 1 can still redo its own
    assert redone is not None
    assert spans_of(a) == [(0, 5, "ORG"), (6, 12, "LOC")]


def test_a_conflict_with_another_session_is_refused_then_leaves_the_stack(
        two: tuple[Store, Store]) -> None:
    a, b = two
    a.add_span("alice", "alpha", 0, 5, "ORG")
    second = a.add_span("alice", "alpha", 6, 12, "LOC")
    span_id = next(c.after["id"] for c in second.changes if c.entity == "span")
    b.update_span("alice", span_id, label="PERSON")  # terminal 2 relabels terminal 1's span
    with pytest.raises(StoreError, match="cannot undo add span: the span was changed"
                       " elsewhere since"):
        a.undo("alice")
    assert spans_of(a) == [(0, 5, "ORG"), (6, 12, "PERSON")]  # terminal 2's relabel stands
    a.undo("alice")  # the next u reaches the action below instead of failing for good
    assert spans_of(a) == [(6, 12, "PERSON")]


def test_no_session_is_a_stack_of_its_own(two: tuple[Store, Store], db_path: Path) -> None:
    """A script or the CLI (no session) does not undo a terminal's actions, nor the reverse."""
    a, _ = two
    a.add_span("alice", "alpha", 0, 5, "ORG")
    with Store(db_path) as script:
        script.add_span("alice", "alpha", 6, 12, "LOC")
        assert script.undo("alice") is not None
        assert script.undo("alice") is None
    assert spans_of(a) == [(0, 5, "ORG")]


def test_an_actions_session_is_fixed(two: tuple[Store, Store]) -> None:
    a, _ = two
    action_id = a.add_span("alice", "alpha", 0, 5, "ORG").action_id
    assert a.query("SELECT session FROM actions WHERE id = ?", [action_id]) == [("terminal-1",)]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), a.write() as conn:
        conn.execute("UPDATE actions SET session = 'terminal-2' WHERE id = ?", [action_id])


def test_each_screen_gets_its_own_session(db_path: Path) -> None:
    path = str(db_path)
    with Store.for_session(path, "alice") as one, Store.for_session(path, None) as two:
        assert None not in (one.session, two.session)
        assert one.session != two.session
        assert (one.actor, two.actor) == ("alice", None)


async def test_second_terminals_u_never_undoes_the_firsts_span(store: Store,
                                                               db_path: Path) -> None:
    store.close()
    with Store.for_session(str(db_path), "alice") as first:
        app = app_for(first, "alpha")
        async with app.run_test(size=(120, 40)) as pilot:
            await find(pilot, "Quellby")
            await pilot.press("3")
            assert span_texts(first, "alpha") == [("LOC", "Quellby")]
    with Store.for_session(str(db_path), "alice") as second:
        app = app_for(second, "alpha")
        async with app.run_test(size=(120, 40)) as pilot:
            await find(pilot, "Monday")
            await pilot.press("4")
            assert span_texts(second, "alpha") == [("DATE", "Monday"), ("LOC", "Quellby")]
            await pilot.press("u")
            assert span_texts(second, "alpha") == [("LOC", "Quellby")]
            await pilot.press("u")
            assert "nothing to undo" in status(app)
            assert span_texts(second, "alpha") == [("LOC", "Quellby")]


# -- the actor: who is at the keyboard ----------------------------------------------------


def run(db: Path, user: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", str(db), *args], env={"USER": user})


@pytest.fixture
def team(store: Store, db_path: Path) -> Path:
    for name, role in (("boss", "lead"), ("alice", "annotator"), ("bob", "annotator")):
        r = run(db_path, "boss", "users", "add", name, "--role", role)
        assert r.exit_code == 0, r.output
    return db_path


async def test_a_lead_in_bobs_set_is_the_actor(team: Path, store: Store,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr("annotator.tui.app.run_tui", lambda **kw: started.update(kw) or 0)
    r = run(team, "boss", "annotate", "--as", "bob", "alpha")
    assert r.exit_code == 0, r.output
    assert (started["annotator"], started["actor"]) == ("bob", "boss")
    # what run_tui does with them
    with Store.for_session(str(team), started["actor"]) as tui:
        app = app_for(tui, "alpha", who=started["annotator"])
        async with app.run_test(size=(120, 40)) as pilot:
            await find(pilot, "Quellby")
            await pilot.press("3")
            assert span_texts(tui, "alpha", "bob") == [("LOC", "Quellby")]
    audit = [json.loads(x) for x in run(team, "boss", "export", "-f", "audit").stdout.split("\n")
             if x]
    span = [e for e in audit if e["entity"] == "span" and e["action"] == "add_span"]
    assert [(e["annotator"], e["actor"], e["after"]["label"]) for e in span] == [
        ("bob", "boss", "LOC")]


def test_an_annotator_is_their_own_actor(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr("annotator.tui.app.run_tui", lambda **kw: started.update(kw) or 0)
    assert run(team, "alice", "annotate").exit_code == 0
    assert (started["annotator"], started["actor"]) == ("alice", "alice")
    r = run(team, "alice", "annotate", "--as", "bob")
    assert r.exit_code == 1
    assert "you may only work as yourself" in r.stderr


def test_on_a_personal_database_the_name_given_acts(db_path: Path, store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr("annotator.tui.app.run_tui", lambda **kw: started.update(kw) or 0)
    assert run(db_path, "tester", "annotate", "--as", "carol").exit_code == 0
    assert (started["annotator"], started["actor"]) == ("carol", "carol")



def test_over_ssh_a_lead_may_work_in_another_set_an_annotator_may_not(
        team: Path, store: Store) -> None:
    store.add_span("bob", "alpha", 0, 5, "ORG")

    def ssh(user: str, command: str) -> Any:
        return CliRunner().invoke(main, ["--db", str(team), "serve-session", user],
                                  env={"USER": user, "SSH_ORIGINAL_COMMAND": command})

    r = ssh("boss", "export -f jsonl --as bob")
    assert r.exit_code == 0, r.output
    assert [(x["id"], x["annotator"]) for x in map(json.loads, r.stdout.splitlines())] == [
        ("alpha", "bob")]
    r = ssh("alice", "export -f jsonl --as bob")
    assert r.exit_code == 1
    assert "--as is fixed by your SSH key" in r.stderr


def test_the_full_backup_keeps_who_acted_and_in_which_session_and_the_team(
        team: Path, store: Store, db_path: Path, tmp_path: Path) -> None:
    with Store.for_session(str(db_path), "boss") as lead:
        lead.add_span("bob", "alpha", 0, 5, "ORG")
        session = lead.session
    assert run(db_path, "boss", "assign", "beta", "--to", "alice").exit_code == 0
    assert run(db_path, "boss", "settings", "allow_unassigned", "no").exit_code == 0
    assert run(db_path, "alice", "flag", "add", "beta", "text garbled").exit_code == 0
    assert run(db_path, "boss", "flag", "resolve", "1").exit_code == 0
    backup = tmp_path / "backup.jsonl"
    assert run(db_path, "boss", "export", "-f", "jsonl", "--all", "-o", str(backup)).exit_code == 0
    restored = tmp_path / "restored.db"
    r = run(restored, "boss", "import", str(backup))
    assert r.exit_code == 0, r.output
    audit = [json.loads(x) for x in run(restored, "boss", "export", "-f", "audit").stdout.split(
        "\n") if x]
    assert [(e["annotator"], e["actor"]) for e in audit if e["action"] == "add_span"] == [
        ("bob", "boss"), ("bob", "boss")]  # the span and bob's status
    with Store(restored) as back:
        assert back.query("SELECT DISTINCT session FROM actions WHERE kind = 'do'") == [
            (session,)]
    assert run(restored, "boss", "users", "list").stdout.split() == [
        "alice", "annotator", "bob", "annotator", "boss", "lead"]
    assert run(restored, "boss", "settings").stdout.split() == ["allow_unassigned", "no"]
    assert "▸" in run(restored, "boss", "docs").stdout
    assert run(restored, "boss", "flag", "list", "--resolved").stdout.split() == [
        "1", "beta", "alice", "resolved", "by", "boss", "text", "garbled"]
    again = tmp_path / "again.jsonl"
    assert run(restored, "boss", "export", "-f", "jsonl", "--all", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == backup.read_bytes()
