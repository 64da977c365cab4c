"""People, roles, assignments, project settings and flags: the team tables (DESIGN §9).

A database with nobody in team_users is a personal one: every check here then says yes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.store import rows as R
from annotator.team import Role

if TYPE_CHECKING:
    from annotator.store.connection import Connection

ALLOW_UNASSIGNED = "allow_unassigned"
SETTINGS = {ALLOW_UNASSIGNED: ("yes", "no")}  # key -> allowed values (the first: the default)


@dataclass(frozen=True, slots=True)
class Flag:
    id: int
    doc_id: str
    span_id: str | None
    annotator: str
    note: str
    created_at: str
    resolved_by: str | None
    resolved_at: str | None
    flagged_by: str | None = None  # who flagged it, when not `annotator` (a lead --as bob)


_FLAG_COLS = ("id, doc_id, span_id, annotator, note, created_at, resolved_by, resolved_at,"
              " flagged_by")


# -- people -------------------------------------------------------------------------------

def users(store: Connection) -> dict[str, Role]:
    return {n: Role(r) for n, r in store.query("SELECT name, role FROM team_users ORDER BY name")}


def is_team(store: Connection) -> bool:
    return bool(store.query("SELECT 1 FROM team_users LIMIT 1"))


def role_of(store: Connection, name: str) -> Role | None:
    rows = store.query("SELECT role FROM team_users WHERE name = ?", [name])
    return Role(rows[0][0]) if rows else None


def add_user(store: Connection, name: str, role: Role, creator: str | None = None) -> bool:
    """Add `name` (False: already there, role unchanged). On a personal database the creator
    (who runs the first `users add`) is added first, as its first lead."""
    with store.write() as conn:
        now = R.now()
        empty = conn.execute("SELECT 1 FROM team_users LIMIT 1").fetchone() is None
        if empty and creator is not None and creator != name:
            conn.execute("INSERT INTO team_users (name, role, created_at) VALUES (?, 'lead', ?)",
                         [creator, now])
        if empty and creator == name:
            role = Role.LEAD
        cur = conn.execute(
            "INSERT OR IGNORE INTO team_users (name, role, created_at) VALUES (?, ?, ?)",
            [name, str(role), now])
        return cur.rowcount > 0


def _leads_left(conn: sqlite3.Connection, without: str) -> int:
    return int(conn.execute("SELECT count(*) FROM team_users WHERE role = 'lead' AND name != ?",
                            [without]).fetchone()[0])


def remove_user(store: Connection, name: str) -> None:
    """Remove `name` and their assignments (their annotations stay: they are the record)."""
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM team_users WHERE name = ?", [name]).fetchone() is None:
            raise LookupError(f"no user {name!r}")
        if _leads_left(conn, name) == 0:
            raise ValueError(f"{name} is the last lead; make someone else a lead first")
        conn.execute("DELETE FROM team_users WHERE name = ?", [name])
        conn.execute("DELETE FROM assignments WHERE annotator = ?", [name])


def set_role(store: Connection, name: str, role: Role) -> None:
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM team_users WHERE name = ?", [name]).fetchone() is None:
            raise LookupError(f"no user {name!r}")
        if role != Role.LEAD and _leads_left(conn, name) == 0:
            raise ValueError(f"{name} is the last lead; make someone else a lead first")
        conn.execute("UPDATE team_users SET role = ? WHERE name = ?", [str(role), name])


# -- settings -----------------------------------------------------------------------------

def setting(store: Connection, key: str) -> str:
    rows = store.query("SELECT value FROM settings WHERE key = ?", [key])
    return rows[0][0] if rows else SETTINGS[key][0]


def set_setting(store: Connection, key: str, value: str) -> None:
    with store.write() as conn:
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [key, value])


# -- assignments --------------------------------------------------------------------------

def assignments(store: Connection) -> dict[str, list[str]]:
    """document id -> the people it is assigned to (sorted)."""
    out: dict[str, list[str]] = {}
    for doc_id, who in store.query(
            "SELECT doc_id, annotator FROM assignments ORDER BY doc_id, annotator"):
        out.setdefault(doc_id, []).append(who)
    return out


def assigned_to(store: Connection, annotator: str) -> frozenset[str]:
    """The documents assigned to `annotator`."""
    return frozenset(r[0] for r in store.query(
        "SELECT doc_id FROM assignments WHERE annotator = ?", [annotator]))


def queue_progress(store: Connection, annotator: str) -> tuple[int, int] | None:
    """(done, of) the annotator's documents on a team: those assigned to them and those they
    worked on besides; None when nothing is assigned to them (then every document counts)."""
    if not store.query("SELECT 1 FROM assignments WHERE annotator = ? LIMIT 1", [annotator]):
        return None
    done, total = store.query(
        "SELECT count(CASE WHEN s.status = 'done' THEN 1 END), count(*) FROM ("
        " SELECT doc_id FROM assignments WHERE annotator = ?"
        f" UNION SELECT doc_id FROM statuses WHERE annotator = ? AND {R.VISIBLE}) m"
        f" JOIN documents d INDEXED BY documents_card ON d.id = m.doc_id AND d.{R.DOC_VISIBLE}"
        " LEFT JOIN statuses s ON s.doc_id = m.doc_id AND s.annotator = ?",
        [annotator, annotator, annotator])[0]
    return int(done), int(total)


def loads(store: Connection) -> dict[str, int]:
    return dict(store.query("SELECT annotator, count(*) FROM assignments GROUP BY annotator"))


def assign(store: Connection, pairs: dict[str, list[str]], by: str) -> int:
    """Add (document, person) pairs in one transaction; returns how many were new."""
    with store.write() as conn:
        known = {r[0] for r in conn.execute(f"SELECT id FROM {R.DOC_CARD} WHERE {R.DOC_VISIBLE}")}
        missing = [d for d in pairs if d not in known]
        if missing:
            raise LookupError(f"no document {', '.join(map(repr, missing[:5]))}")
        now, n = R.now(), 0
        for doc_id, people in pairs.items():
            for who in people:
                n += conn.execute(
                    "INSERT OR IGNORE INTO assignments (doc_id, annotator, assigned_by,"
                    " created_at) VALUES (?, ?, ?, ?)", [doc_id, who, by, now]).rowcount
        return n


def unassign(store: Connection, doc_ids: Iterable[str] | None, people: Iterable[str] | None) -> int:
    """Remove assignments of doc_ids (all when None) to people (everyone when None)."""
    where, params = [], []
    for col, values in (("doc_id", doc_ids), ("annotator", people)):
        if values is not None:
            vals = list(values)
            where.append(f"{col} IN ({', '.join('?' for _ in vals)})")
            params += vals
    with store.write() as conn:
        return conn.execute("DELETE FROM assignments" +
                            (" WHERE " + " AND ".join(where) if where else ""), params).rowcount


def may_open(store: Connection, annotator: str, doc_id: str) -> bool:
    """Whether the annotator may annotate doc_id: assigned, or unassigned work is allowed
    (and always on a personal database, and always for a lead)."""
    if role_of(store, annotator) in (None, Role.LEAD) or \
            setting(store, ALLOW_UNASSIGNED) == "yes":
        return True
    return bool(store.query("SELECT 1 FROM assignments WHERE doc_id = ? AND annotator = ?",
                             [doc_id, annotator]))


def refuse_unassigned(conn: sqlite3.Connection, annotator: str, doc_id: str) -> None:
    """Inside an action: an annotator may not change their set on a document not assigned to
    them when the project allows no unassigned work (whatever screen or command asked)."""
    from annotator.store import StoreError

    if conn.execute(
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM team_users WHERE name = ? AND role = 'annotator')"
        " AND EXISTS (SELECT 1 FROM settings WHERE key = ? AND value = 'no')"
        " AND NOT EXISTS (SELECT 1 FROM assignments WHERE doc_id = ? AND annotator = ?)",
        [annotator, ALLOW_UNASSIGNED, doc_id, annotator],
    ).fetchone():
        raise StoreError(f"{doc_id} is not assigned to you, and this project does not allow"
                         " unassigned work")


def next_assigned(store: Connection, annotator: str, after_seq: int) -> str | None:
    """For Store.next_document: the annotator's next assigned, unfinished document (after
    after_seq, wrapping); "" when none is left and unassigned work is not allowed; None to let
    the store pick among all documents as it always has."""
    sql = ("SELECT d.id FROM assignments a JOIN documents d INDEXED BY documents_card"
           " ON d.id = a.doc_id"
           " LEFT JOIN statuses s ON s.doc_id = d.id AND s.annotator = a.annotator"
           " WHERE a.annotator = ? AND (s.status IS NULL OR s.status != 'done') AND d.seq > ?"
           f" AND d.{R.DOC_VISIBLE} ORDER BY d.seq LIMIT 1")
    rows = store.query(sql, [annotator, after_seq]) or store.query(sql, [annotator, -1])
    if rows:
        return str(rows[0][0])
    return None if may_open(store, annotator, "") else ""


# -- flags --------------------------------------------------------------------------------

def add_flag(store: Connection, annotator: str, doc_id: str, note: str,
             span_id: str | None = None) -> int:
    with store.write() as conn:
        if conn.execute(f"SELECT 1 FROM {R.DOC_CARD} WHERE id = ? AND {R.DOC_VISIBLE}",
                        [doc_id]).fetchone() is None:
            raise LookupError(f"no document {doc_id!r}")
        if span_id is not None and conn.execute(
                "SELECT 1 FROM spans WHERE id = ? AND doc_id = ? AND annotator = ?",
                [span_id, doc_id, annotator]).fetchone() is None:
            raise LookupError(f"no span {span_id!r} of yours in {doc_id!r}")
        by = store.actor if store.actor not in (None, annotator) else None
        cur = conn.execute(
            "INSERT INTO flags (doc_id, span_id, annotator, note, created_at, flagged_by)"
            " VALUES (?, ?, ?, ?, ?, ?)", [doc_id, span_id, annotator, note, R.now(), by])
        return int(cur.lastrowid or 0)


def flags(store: Connection, annotator: str | None = None, open_only: bool = True,
          doc_id: str | None = None) -> list[Flag]:
    where, params = [], []
    if annotator is not None:
        where.append("annotator = ?")
        params.append(annotator)
    if doc_id is not None:
        where.append("doc_id = ?")
        params.append(doc_id)
    if open_only:
        where.append("resolved_at IS NULL")
    sql = f"SELECT {_FLAG_COLS} FROM flags" + (" WHERE " + " AND ".join(where) if where else "")
    return [Flag(*r) for r in store.query(sql + " ORDER BY id", params)]


def resolve_flag(store: Connection, flag_id: int, by: str) -> None:
    with store.write() as conn:
        row = conn.execute("SELECT resolved_at FROM flags WHERE id = ?", [flag_id]).fetchone()
        if row is None:
            raise LookupError(f"no flag {flag_id}")
        if row[0] is not None:
            raise ValueError(f"flag {flag_id} is already resolved")
        conn.execute("UPDATE flags SET resolved_by = ?, resolved_at = ? WHERE id = ?",
                     [by, R.now(), flag_id])


# -- backup -------------------------------------------------------------------------------

def backup(store: Connection, target: str | Path) -> None:
    """A consistent copy of the database while others keep writing (SQLite's online backup),
    written beside the target and renamed into place."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    dest = sqlite3.connect(tmp)
    try:
        with store.lock:
            store.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dest.close()
    tmp.replace(target)
