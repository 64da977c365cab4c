"""Teams (DESIGN §9): people and roles, blind annotators, assignment, flags, attribution, the
SSH forced command (serve-session) and authorized_keys, backups."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from annotator.cli import main
from annotator.model import Status
from annotator.store import Store, StoreError

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@x"


def run(db: Path, user: str, *args: str, ssh: str | None = None, **env: str) -> Result:
    environ = {"USER": user, **env}
    if ssh is not None:
        environ["SSH_ORIGINAL_COMMAND"] = ssh
        args = ("serve-session", user, *args)
    return CliRunner().invoke(main, ["--db", str(db), *args], env=environ)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def team_db(tmp_path: Path) -> Path:
    """Three documents, lead `boss`, annotators alice and bob; alice has one span in d1 and bob
    one in d2 (bob's imported by the lead)."""
    for i in (1, 2, 3):
        (tmp_path / f"d{i}.txt").write_text(f"Doc {i}\nAcme Corp hired Jane Doe in Paris.\n")
    db = tmp_path / "t.db"
    ok(run(db, "boss", "import", *(str(tmp_path / f"d{i}.txt") for i in (1, 2, 3))))
    ok(run(db, "boss", "users", "add", "alice"))
    ok(run(db, "boss", "users", "add", "bob"))
    with Store(db) as s:
        s.add_span("alice", "d1", 6, 15, "ORG")
    line = {"id": "d2", "text": "Doc 2\nAcme Corp hired Jane Doe in Paris.\n", "annotator": "bob",
            "spans": [{"start": 22, "end": 30, "label": "PERSON"}]}
    (tmp_path / "bob.jsonl").write_text(json.dumps(line) + "\n")
    ok(run(db, "boss", "import", str(tmp_path / "bob.jsonl")))
    return db


def jsonl(result: Result) -> list[dict]:
    return [json.loads(x) for x in result.stdout.splitlines() if x.strip()]


def test_creator_is_first_lead_and_roles_are_listed(team_db: Path) -> None:
    out = ok(run(team_db, "boss", "users", "list", "--format", "json")).stdout
    assert json.loads(out) == [{"name": "alice", "role": "annotator"},
                               {"name": "bob", "role": "annotator"},
                               {"name": "boss", "role": "lead"}]


def test_annotator_may_not_manage_users_or_import(team_db: Path, tmp_path: Path) -> None:
    r = run(team_db, "alice", "users", "add", "mallory", "--role", "lead")
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: users add is for leads; you (alice) are an annotator"
    r = run(team_db, "alice", "import", str(tmp_path / "bob.jsonl"))
    assert r.exit_code == 1
    assert "import is for leads" in r.stderr


def test_stranger_on_team_database_is_refused(team_db: Path) -> None:
    r = run(team_db, "carol", "docs")
    assert r.exit_code == 1
    assert "not on this project's team" in r.stderr


def test_annotator_exports_only_own_work(team_db: Path) -> None:
    rows = jsonl(ok(run(team_db, "alice", "export", "-f", "jsonl")))
    assert [(r["id"], r["annotator"]) for r in rows] == [("d1", "alice")]
    assert rows[0]["spans"][0]["text"] == "Acme Corp"
    r = run(team_db, "alice", "export", "-f", "jsonl", "--as", "bob")
    assert r.exit_code == 1
    assert "you may only work as yourself, not as bob" in r.stderr
    assert run(team_db, "alice", "export", "-f", "jsonl", "--gold").exit_code == 1
    audit = jsonl(ok(run(team_db, "alice", "export", "-f", "audit")))
    assert audit
    assert {e["annotator"] for e in audit} == {"alice"}


def test_lead_exports_everything(team_db: Path) -> None:
    rows = jsonl(ok(run(team_db, "boss", "export", "-f", "jsonl")))
    assert {(r["id"], r["annotator"]) for r in rows} == {("d1", "alice"), ("d2", "bob")}


def test_audit_says_who_did_what_to_whose_set(team_db: Path) -> None:
    audit = jsonl(ok(run(team_db, "boss", "export", "-f", "audit")))
    bob_span = [e for e in audit if e["annotator"] == "bob" and e["entity"] in ("span", "spans")]
    assert bob_span
    assert all(e["actor"] == "boss" for e in bob_span)
    alice_span = [e for e in audit if e["annotator"] == "alice" and e["entity"] == "span"]
    assert alice_span
    assert all(e["actor"] == "alice" for e in alice_span)
    assert all(isinstance(e["action_id"], int) for e in audit)


def test_annotator_docs_are_blind(team_db: Path) -> None:
    ok(run(team_db, "boss", "assign", "d1", "d3", "--to", "alice"))
    ok(run(team_db, "boss", "settings", "allow_unassigned", "no"))
    docs = json.loads(ok(run(team_db, "alice", "docs", "--format", "json")).stdout)
    assert [d["id"] for d in docs] == ["d1", "d3"]
    assert docs[0]["annotators"] == {"alice": {"status": "in_progress", "spans": 1,
                                               "assigned": True}}
    table = ok(run(team_db, "alice", "docs")).stdout
    assert "bob" not in table
    assert "d2" not in table


def test_lead_docs_show_assignment_per_person(team_db: Path) -> None:
    ok(run(team_db, "boss", "assign", "--all", "--to", "alice,bob", "--overlap", "2"))
    docs = json.loads(ok(run(team_db, "boss", "docs", "--format", "json")).stdout)
    assert [sorted(d["annotators"]) for d in docs] == [["alice", "bob"]] * 3
    assert all(a["assigned"] for d in docs for a in d["annotators"].values())
    assert "▸" in ok(run(team_db, "boss", "docs")).stdout


def test_annotate_refuses_unassigned_documents_when_the_project_says_so(team_db: Path) -> None:
    ok(run(team_db, "boss", "assign", "d1", "--to", "alice"))
    ok(run(team_db, "boss", "settings", "allow_unassigned", "no"))
    r = run(team_db, "alice", "annotate", "d2")
    assert r.exit_code == 1
    assert "'d2' is not assigned to you" in r.stderr
    r = run(team_db, "alice", "annotate", "--as", "bob")
    assert r.exit_code == 1
    assert "not as bob" in r.stderr


def test_next_document_follows_assignment(team_db: Path) -> None:
    with Store(team_db) as s:
        assert s.next_document("alice") == "d1"  # nothing assigned: import order
    ok(run(team_db, "boss", "assign", "d3", "d2", "--to", "alice"))
    with Store(team_db) as s:
        assert s.next_document("alice") == "d2"
        assert s.next_document("alice", after="d2") == "d3"
        s.set_status("alice", "d2", Status.DONE)
        s.set_status("alice", "d3", Status.DONE)
        assert s.next_document("alice") == "d1"  # unassigned work allowed (the default)
    ok(run(team_db, "boss", "settings", "allow_unassigned", "no"))
    with Store(team_db) as s:
        assert s.next_document("alice") is None


def test_flags_listed_resolved_and_exported(team_db: Path) -> None:
    ok(run(team_db, "alice", "flag", "add", "d1", "guideline", "unclear"))
    ok(run(team_db, "bob", "flag", "add", "d2", "text garbled"))
    mine = ok(run(team_db, "alice", "flag", "list")).stdout
    assert "guideline unclear" in mine
    assert "garbled" not in mine
    everyone = ok(run(team_db, "boss", "flag", "list")).stdout.splitlines()
    assert len(everyone) == 2
    assert "⚑1" in ok(run(team_db, "boss", "docs")).stdout
    r = run(team_db, "alice", "flag", "resolve", "1")
    assert r.exit_code == 1
    assert "for leads" in r.stderr
    ok(run(team_db, "boss", "flag", "resolve", "1"))
    assert "guideline" not in ok(run(team_db, "boss", "flag", "list")).stdout
    rows = jsonl(ok(run(team_db, "boss", "export", "-f", "jsonl")))
    notes = {r["annotator"]: r.get("notes") for r in rows}
    assert notes["alice"][0]["note"] == "guideline unclear"
    assert notes["alice"][0]["resolved_by"] == "boss"
    assert notes["bob"][0]["resolved_at"] is None


def test_last_lead_cannot_be_removed_or_demoted(team_db: Path) -> None:
    r = run(team_db, "boss", "users", "set-role", "boss", "--role", "annotator")
    assert r.exit_code == 1
    assert "last lead" in r.stderr
    ok(run(team_db, "boss", "users", "set-role", "alice", "--role", "lead"))
    ok(run(team_db, "alice", "users", "remove", "boss"))
    assert run(team_db, "boss", "docs").exit_code == 1


def test_users_add_key_writes_authorized_keys_atomically(team_db: Path, tmp_path: Path) -> None:
    keys = tmp_path / "authorized_keys"
    keys.write_text("ssh-rsa AAAAB3Nza other@host\n")
    pub = tmp_path / "alice.pub"
    pub.write_text(KEY + "\n")
    env = {"ANNOTATOR_AUTHORIZED_KEYS": str(keys), "ANNOTATOR_SSH_COMMAND": "annotator"}
    ok(run(team_db, "boss", "users", "add", "alice", "--key", str(pub), **env))
    ok(run(team_db, "boss", "users", "add", "alice", "--key", str(pub), **env))  # replaced
    lines = keys.read_text().splitlines()
    assert lines == ["ssh-rsa AAAAB3Nza other@host",
                     f'command="annotator --db {team_db.resolve()} serve-session alice",'
                     f"restrict,pty {KEY}"]
    assert keys.stat().st_mode & 0o777 == 0o600
    ok(run(team_db, "boss", "users", "remove", "alice", **env))
    assert keys.read_text().splitlines() == ["ssh-rsa AAAAB3Nza other@host"]


def test_users_add_refuses_a_key_file_that_is_not_one_public_key(team_db: Path,
                                                                  tmp_path: Path) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text('command="sh" ' + KEY + "\n")
    keys = tmp_path / "authorized_keys"
    r = run(team_db, "boss", "users", "add", "carol", "--key", str(bad),
            ANNOTATOR_AUTHORIZED_KEYS=str(keys))
    assert r.exit_code == 1
    assert "not one OpenSSH public key line" in r.stderr
    assert not keys.exists()
    assert run(team_db, "boss", "users", "add", "x;rm").exit_code == 2


@pytest.mark.parametrize(("command", "why"), [
    ("cat /etc/passwd", "`cat` is not a command you can run here"),
    ("export -f jsonl --db /tmp/other.db", "--db is fixed by your SSH key"),
    ("export -f jsonl --as=bob", "--as is fixed by your SSH key"),
    ("export -f jsonl -o /tmp/x.jsonl", "-o names a file on the server"),
    ("export -f jsonl --output=/tmp/x.jsonl", "--output names a file on the server"),
    ("annotate --labels /etc/shadow", "--labels names a file on the server"),
    ("users list", "`users` is for leads"),
    ("export 'unclosed", "cannot read the command"),
    ("docs; sh", "not a command you can run here"),
])
def test_serve_session_refuses(team_db: Path, command: str, why: str) -> None:
    r = run(team_db, "alice", ssh=command)
    assert r.exit_code == 1
    assert why in r.stderr
    assert r.stdout == ""


def test_serve_session_runs_the_allowed_command_as_the_key_owner(team_db: Path) -> None:
    # $USER says bob: the forced command's name wins
    r = ok(run(team_db, "alice", ssh="annotator export --format jsonl", USER="bob"))
    assert [(x["id"], x["annotator"]) for x in jsonl(r)] == [("d1", "alice")]
    r = ok(run(team_db, "boss", ssh="export -f jsonl"))
    assert len(jsonl(r)) == 2
    assert run(team_db, "mallory", ssh="docs").exit_code == 1


def test_personal_database_has_no_team_checks(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\nAcme Corp.\n")
    db = tmp_path / "p.db"
    ok(run(db, "me", "import", str(tmp_path / "a.txt"), "--as", "someone"))
    ok(run(db, "me", "export", "-f", "jsonl", "--as", "someone"))
    ok(run(db, "me", "assign", "a", "--to", "x"))  # a personal database: anyone may assign
    # export and docs never needed to know who you are, and still don't
    with Store(db) as s:
        s.add_span("someone", "a", 2, 6, "ORG")
    assert jsonl(ok(run(db, "not a name", "export", "-f", "jsonl")))[0]["annotator"] == "someone"
    assert "someone" in ok(run(db, "not a name", "docs")).stdout


def test_backup_is_a_consistent_copy(team_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    ok(run(team_db, "boss", "backup", str(copy)))
    con = sqlite3.connect(copy)
    assert con.execute("SELECT count(*) FROM spans").fetchone()[0] == 2
    con.close()
    assert run(team_db, "alice", "backup", str(tmp_path / "c2.db")).exit_code == 1
    r = run(team_db, "boss", "backup", str(team_db))
    assert r.exit_code == 1
    assert "the database itself" in r.stderr


def test_users_add_refuses_a_forced_command_that_would_break_its_quotes(team_db: Path,
                                                                       tmp_path: Path) -> None:
    pub = tmp_path / "carol.pub"
    pub.write_text(KEY + "\n")
    keys = tmp_path / "authorized_keys"
    r = run(team_db, "boss", "users", "add", "carol", "--key", str(pub),
            ANNOTATOR_AUTHORIZED_KEYS=str(keys), ANNOTATOR_SSH_COMMAND='sh -c "id"')
    assert r.exit_code == 1
    assert "must not contain quotes" in r.stderr
    assert not keys.exists()
    users = json.loads(ok(run(team_db, "boss", "users", "list", "--format", "json")).stdout)
    assert "carol" not in [u["name"] for u in users]  # nothing half-done



def test_store_refuses_an_annotators_work_on_unassigned_documents(team_db: Path) -> None:
    ok(run(team_db, "boss", "assign", "d3", "--to", "alice"))
    with Store(team_db) as s:
        s.add_span("alice", "d2", 6, 15, "ORG")  # allowed: unassigned work is, by default
    ok(run(team_db, "boss", "settings", "allow_unassigned", "no"))
    with Store(team_db) as s:
        with pytest.raises(StoreError, match="d1 is not assigned to you"):
            s.add_span("alice", "d1", 16, 21, "ORG")  # whatever opened it (the picker lists all)
        with pytest.raises(StoreError, match="d2 is not assigned to you"):
            s.set_status("alice", "d2", Status.DONE)
        s.add_span("alice", "d3", 6, 15, "ORG")
        s.add_span("boss", "d1", 6, 15, "ORG")  # a lead is not bound by assignment
        assert [(x.doc_id, x.annotator) for x in s.spans("d1", "alice")] == [("d1", "alice")]
        assert [x.label for x in s.spans("d3", "alice")] == ["ORG"]
        assert len(s.spans("d1", "boss")) == 1
