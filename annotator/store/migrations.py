"""The database schema, as sqlite-utils migrations applied in order on open.

sqlite-utils takes a noticeable part of start-up to import, and a database opened for the
second time needs none of it: NAMES says with plain Python which migrations exist, so the store
can see from `_sqlite_migrations` that all are applied; `apply` imports sqlite-utils only when
one is missing. A new migration is a function below decorated with @step, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "annotator"  # the migration_set column of _sqlite_migrations
STEPS: list[Callable[[Database], None]] = []


def step(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    STEPS.append(fn)
    return fn


@step
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE schemas (
            ref TEXT PRIMARY KEY,              -- "name@version"
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            source TEXT NOT NULL,              -- the TOML text as used
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,              -- import order, for "next document"
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            length INTEGER NOT NULL,           -- len(text) in code points
            meta TEXT NOT NULL DEFAULT '{}',
            schema_ref TEXT REFERENCES schemas(ref),
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX documents_seq ON documents(seq);
        CREATE TABLE annotators (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        );
        CREATE TABLE spans (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL REFERENCES annotators(name),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            attrs TEXT NOT NULL DEFAULT '{}',
            origin TEXT NOT NULL DEFAULT 'manual',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX spans_set ON spans(doc_id, annotator, start, "end", label);
        CREATE INDEX spans_annotator ON spans(annotator, doc_id);
        CREATE TABLE links (
            id TEXT PRIMARY KEY,
            annotator TEXT NOT NULL REFERENCES annotators(name),
            type TEXT NOT NULL,
            from_span TEXT NOT NULL REFERENCES spans(id),
            to_span TEXT NOT NULL REFERENCES spans(id),
            from_doc TEXT NOT NULL REFERENCES documents(id),
            to_doc TEXT NOT NULL REFERENCES documents(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX links_from_span ON links(from_span);
        CREATE INDEX links_to_span ON links(to_span);
        CREATE INDEX links_from_doc ON links(annotator, from_doc);
        CREATE INDEX links_to_doc ON links(annotator, to_doc);
        CREATE TABLE statuses (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL REFERENCES annotators(name),
            status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator)
        );
        CREATE INDEX statuses_annotator ON statuses(annotator, status);
        -- One user action (or one import); its changes are the events that name it.
        -- state tracks the undo stack: done | undone | dead (undone, then superseded).
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            annotator TEXT NOT NULL,
            kind TEXT NOT NULL,                -- do | undo | redo | import
            name TEXT NOT NULL,                -- add_span, delete_span, ...
            target INTEGER REFERENCES actions(id),   -- for undo/redo: the action undone/redone
            state TEXT NOT NULL DEFAULT 'done',
            stack_seq INTEGER NOT NULL DEFAULT 0,   -- last time it moved on the undo stack
            created_at TEXT NOT NULL
        );
        CREATE INDEX actions_stack ON actions(annotator, state, stack_seq);
        -- Append-only log: every change to spans, links, statuses (and every import),
        -- with the row before and after. Current state can be rebuilt from it.
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            ts TEXT NOT NULL,
            annotator TEXT NOT NULL,
            action_id INTEGER NOT NULL REFERENCES actions(id),
            action TEXT NOT NULL,
            entity TEXT NOT NULL,              -- span | link | status | document | spans | links
            entity_id TEXT NOT NULL,
            doc_id TEXT,
            before TEXT,                       -- JSON row, NULL when it did not exist
            after TEXT                         -- JSON row, NULL when it no longer exists
        );
        CREATE INDEX events_action ON events(action_id);
        CREATE INDEX events_doc ON events(doc_id);
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        -- Per-annotator UI state (open panes, cursors): not annotation data, not logged.
        CREATE TABLE ui_state (
            annotator TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (annotator, key)
        );
        """
    )


@step
def m002_document_cards(db: Database) -> None:
    # A row's columns after `text` sit behind its overflow pages: reading `length` of a 5 MB
    # document read 5 MB. Covering indexes answer the small lookups (every span action checks
    # the range; the picker lists every document) without touching the text.
    db.executescript(
        """
        CREATE INDEX documents_card ON documents(id, length, sha256, schema_ref, seq);
        CREATE INDEX documents_order ON documents(seq, id, title, length);
        """
    )


@step
def m099_team(db: Database) -> None:
    # Teams (DESIGN §9): people and roles (none: a personal database), assignments, project
    # settings, flags with notes; and who acted in each action (the SSH identity or local user),
    # besides whose set it changed (actions.annotator / events.annotator). NULL actor: the set's
    # annotator acted (every action before this migration).
    db.executescript(
        """
        CREATE TABLE team_users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('annotator', 'lead')),
            created_at TEXT NOT NULL
        );
        CREATE TABLE assignments (
            doc_id TEXT NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            assigned_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, annotator)
        );
        CREATE INDEX assignments_annotator ON assignments(annotator, doc_id);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE flags (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            span_id TEXT,                      -- NULL: the flag is on the whole document
            annotator TEXT NOT NULL,           -- who flagged it (in their own set)
            note TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_by TEXT,
            resolved_at TEXT
        );
        CREATE INDEX flags_doc ON flags(doc_id, annotator);
        ALTER TABLE actions ADD COLUMN actor TEXT;
        """
    )


NAMES: tuple[str, ...] = tuple(fn.__name__ for fn in STEPS)  # every migration, in order


def migrations() -> Migrations:
    """The steps as a sqlite-utils migration set (imports sqlite-utils)."""
    from sqlite_utils.migrations import Migrations

    found = Migrations(MIGRATION_SET)
    for fn in STEPS:
        found()(fn)
    return found


def apply(conn: sqlite3.Connection) -> None:
    """Apply the missing migrations on `conn` (inside the caller's write transaction)."""
    from sqlite_utils import Database

    migrations().apply(Database(conn))
