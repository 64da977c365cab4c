"""The database schema, as sqlite-utils migrations applied in order on open.

sqlite-utils takes a noticeable part of start-up to import, and a database opened for the
second time needs none of it: NAMES says with plain Python which migrations exist, so the store
can see from `_sqlite_migrations` that all are applied; `apply` imports sqlite-utils only when
one is missing. A new migration is a function below decorated with @step, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from annotator.optional_imports import without

if TYPE_CHECKING:
    import sqlite3

    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "annotator"  # the migration_set column of _sqlite_migrations
STEPS: list[Callable[[Database], None]] = []


def step(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    STEPS.append(fn)
    return fn


def statements(sql: str) -> Iterator[str]:
    """The complete SQL statements of a script, in order: cut at a `;` only where SQLite
    says what came before is one (`sqlite3.complete_statement`: not inside a string, a
    comment or a trigger's BEGIN ... END). sqlite-utils' `executescript`, inside a
    transaction, tries every character instead, joining the statement so far each time: for
    these scripts that was ~40 ms of a new database's 54 ms of CPU (16 s of the test suite)."""
    import sqlite3

    start = cut = 0
    while (cut := sql.find(";", cut) + 1) > 0:
        if sqlite3.complete_statement(sql[start:cut]):
            if chunk := sql[start:cut].strip():
                yield chunk
            start = cut
    if rest := sql[start:].strip():
        yield rest


def script(db: Database, sql: str) -> None:
    """Run a migration's SQL in the migration's transaction (sqlite3's own `executescript`
    would commit first), one statement at a time."""
    for statement in statements(sql):
        db.execute(statement)


@step
def m001_initial(db: Database) -> None:
    script(db,
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
    script(db,
        """
        CREATE INDEX documents_card ON documents(id, length, sha256, schema_ref, seq);
        CREATE INDEX documents_order ON documents(seq, id, title, length);
        """
    )


ABORT_LOG = "SELECT RAISE(ABORT, 'the event log is append-only')"
ABORT_ACTIONS = "SELECT RAISE(ABORT, 'the action log is append-only')"
ABORT_FIXED = "SELECT RAISE(ABORT, 'documents and schemas are never changed or removed')"
ABANDONED = "SELECT 1 FROM imports WHERE state = 'abandoned' AND id = "


@step
def m003_append_only_and_staged_imports(db: Database) -> None:
    """The logs become append-only against every SQL path, and an import becomes invisible
    until it finishes (store/importer.py).

    - events: no UPDATE, no DELETE, and a new row's seq is above every existing one (a BEFORE
      INSERT check defeats INSERT OR REPLACE and UPSERT, whose implicit delete fires no delete
      trigger; an AFTER INSERT check refuses a row put into the past).
    - actions: no DELETE, no replacing insert; an UPDATE may only move a do-action on its
      undo stack (state done <-> undone -> dead, stack_seq); every other column is fixed.
    - documents and schemas: never updated, never replaced, never deleted.
    - The one exception to all of these: the rows of an import that never finished (its
      `imports` row is 'abandoned'); they were never visible, and removing them is the clean-up.
    - imports: one row per import (id = its action); state running -> done | abandoned. Rows it
      writes carry import_id (documents also lie at seq >= first_seq); readers skip rows whose
      import is not done, so a whole import appears at once, in its last short transaction.
    Out of scope: a schema change (DROP TRIGGER, DROP TABLE, writable_schema) can undo any of
    this; the store refuses to open a database whose triggers are missing (TRIGGERS below).
    """
    script(db,
        f"""
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY REFERENCES actions(id),
            state TEXT NOT NULL CHECK (state IN ('running', 'done', 'abandoned')),
            first_seq INTEGER NOT NULL,        -- its documents have seq >= first_seq
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX imports_unfinished ON imports(id, first_seq) WHERE state != 'done';
        ALTER TABLE documents ADD COLUMN import_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE schemas ADD COLUMN import_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE annotators ADD COLUMN import_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE spans ADD COLUMN import_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE links ADD COLUMN import_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE statuses ADD COLUMN import_id INTEGER NOT NULL DEFAULT 0;
        -- span counts per annotation set skip unfinished imports without reading the rows
        DROP INDEX spans_set;
        CREATE INDEX spans_set ON spans(doc_id, annotator, start, "end", label, import_id);

        DROP TRIGGER events_append_only_update;
        DROP TRIGGER events_append_only_delete;
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN {ABORT_LOG}; END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            WHEN NOT EXISTS ({ABANDONED} OLD.action_id)
            BEGIN {ABORT_LOG}; END;
        CREATE TRIGGER events_append_only_insert BEFORE INSERT ON events
            WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
            BEGIN {ABORT_LOG}; END;
        CREATE TRIGGER events_append_only_order AFTER INSERT ON events
            WHEN EXISTS (SELECT 1 FROM events WHERE seq > NEW.seq)
            BEGIN {ABORT_LOG}; END;

        CREATE TRIGGER actions_append_only_insert BEFORE INSERT ON actions
            WHEN EXISTS (SELECT 1 FROM actions WHERE id = NEW.id)
            BEGIN {ABORT_ACTIONS}; END;
        CREATE TRIGGER actions_append_only_update BEFORE UPDATE ON actions
            WHEN NEW.id IS NOT OLD.id OR NEW.annotator IS NOT OLD.annotator
              OR NEW.kind IS NOT OLD.kind OR NEW.name IS NOT OLD.name
              OR NEW.target IS NOT OLD.target OR NEW.created_at IS NOT OLD.created_at
              OR (NEW.state IS NOT OLD.state AND (OLD.kind != 'do' OR (OLD.state, NEW.state)
                  NOT IN (VALUES ('done', 'undone'), ('undone', 'done'), ('undone', 'dead'))))
            BEGIN {ABORT_ACTIONS}; END;
        CREATE TRIGGER actions_append_only_delete BEFORE DELETE ON actions
            WHEN NOT EXISTS ({ABANDONED} OLD.id)
            BEGIN {ABORT_ACTIONS}; END;

        CREATE TRIGGER imports_insert BEFORE INSERT ON imports
            WHEN NEW.state != 'running' OR EXISTS (SELECT 1 FROM imports WHERE id = NEW.id)
              OR NOT EXISTS (SELECT 1 FROM actions WHERE id = NEW.id AND kind = 'import')
              OR EXISTS (SELECT 1 FROM events WHERE action_id = NEW.id)
            BEGIN SELECT RAISE(ABORT, 'an import is registered once, before its first event');
            END;
        CREATE TRIGGER imports_update BEFORE UPDATE ON imports
            WHEN NEW.id IS NOT OLD.id OR NEW.first_seq IS NOT OLD.first_seq
              OR NEW.started_at IS NOT OLD.started_at
              OR (NEW.state IS NOT OLD.state AND OLD.state != 'running')
            BEGIN SELECT RAISE(ABORT, 'a finished import stays finished'); END;
        CREATE TRIGGER imports_delete BEFORE DELETE ON imports
            WHEN OLD.state != 'abandoned'
            BEGIN SELECT RAISE(ABORT, 'a finished import stays finished'); END;

        {_immutable("documents", "id = NEW.id OR seq = NEW.seq")}
        {_immutable("schemas", "ref = NEW.ref")}
        """
    )


def _immutable(table: str, same_key: str) -> str:
    """Triggers that refuse to update, replace or delete a row of `table` (except the rows of
    an abandoned import: its clean-up)."""
    return f"""
        CREATE TRIGGER {table}_fixed_insert BEFORE INSERT ON {table}
            WHEN EXISTS (SELECT 1 FROM {table} WHERE {same_key})
            BEGIN {ABORT_FIXED}; END;
        CREATE TRIGGER {table}_fixed_update BEFORE UPDATE ON {table}
            BEGIN {ABORT_FIXED}; END;
        CREATE TRIGGER {table}_fixed_delete BEFORE DELETE ON {table}
            WHEN NOT EXISTS ({ABANDONED} OLD.import_id)
            BEGIN {ABORT_FIXED}; END;
        """


@step
def m004_team(db: Database) -> None:
    # Teams (docs/team.md): people and roles (none: a personal database), assignments, project
    # settings, flags with notes; and who acted in each action (the SSH identity or local user),
    # besides whose set it changed (actions.annotator / events.annotator). NULL actor: the set's
    # annotator acted (every action before this migration).
    script(db,
        f"""
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

        -- m003's guard names every fixed column of actions; actor is one now
        DROP TRIGGER actions_append_only_update;
        CREATE TRIGGER actions_append_only_update BEFORE UPDATE ON actions
            WHEN NEW.id IS NOT OLD.id OR NEW.annotator IS NOT OLD.annotator
              OR NEW.kind IS NOT OLD.kind OR NEW.name IS NOT OLD.name
              OR NEW.target IS NOT OLD.target OR NEW.created_at IS NOT OLD.created_at
              OR NEW.actor IS NOT OLD.actor
              OR (NEW.state IS NOT OLD.state AND (OLD.kind != 'do' OR (OLD.state, NEW.state)
                  NOT IN (VALUES ('done', 'undone'), ('undone', 'done'), ('undone', 'dead'))))
            BEGIN {ABORT_ACTIONS}; END;
        """
    )


@step
def m005_review(db: Database) -> None:
    # Review (docs/review.md): every adjudication decision on the gold set (@gold), one row
    # each: an accepted or edited gold span or link carries its provenance (the annotators its
    # version came from, or ["edited"]) and an optional reason code; a reject has no target.
    # Written by actions like every other row, as entity "decision" in the event log, so undo,
    # redo and the audit trail cover it.
    script(db,
        """
        CREATE TABLE review_decisions (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            key TEXT NOT NULL,                 -- the cluster decided (docs/review.md)
            entity TEXT NOT NULL CHECK (entity IN ('span', 'link')),
            kind TEXT NOT NULL CHECK (kind IN ('accept', 'reject', 'edit')),
            target TEXT,                       -- the gold span or link; NULL for a reject
            start INTEGER NOT NULL,            -- the cluster's extent (span decisions) or
            "end" INTEGER NOT NULL,            -- the from-span's (link decisions)
            provenance TEXT NOT NULL DEFAULT '[]',   -- JSON list of annotators, or ["edited"]
            reason TEXT CHECK (reason IS NULL OR reason IN
                               ('guideline_gap', 'ambiguous_text', 'annotator_error')),
            created_at TEXT NOT NULL,
            import_id INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX review_decisions_doc ON review_decisions(doc_id, key);
        CREATE INDEX review_decisions_target ON review_decisions(target);
        """
    )


@step
def m006_suggestions(db: Database) -> None:
    # Suggestions (docs/suggestions.md): the ones an annotator rejected (so they do not come
    # back on that document), and pre-annotations imported as suggestions (`import
    # --as-suggestions`), offered to every annotator of the document. Not annotations: not
    # logged, not exported as spans.
    script(db,
        """
        CREATE TABLE suggestion_rejections (
            annotator TEXT NOT NULL,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (annotator, doc_id, start, "end", label)
        );
        CREATE TABLE imported_suggestions (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            attrs TEXT NOT NULL DEFAULT '{}',
            source TEXT NOT NULL,              -- the file they came from
            created_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start),
            UNIQUE (doc_id, start, "end", label)
        );
        """
    )


@step
def m007_team_sessions(db: Database) -> None:
    # Each TUI (and each SSH session) is a session with its own undo stack (docs/team.md,
    # "Two terminals"): actions.session names it; NULL: an action from no session (the CLI, an
    # import, every action before this migration), undone only by a caller with no session.
    # A do-action another session changed under it leaves its stack (done -> dead) when undo
    # finds that out, so one conflict does not block the rest of the stack for good.
    script(db,
        f"""
        ALTER TABLE actions ADD COLUMN session TEXT;
        DROP INDEX actions_stack;
        CREATE INDEX actions_stack ON actions(annotator, session, state, stack_seq);
        DROP TRIGGER actions_append_only_update;
        CREATE TRIGGER actions_append_only_update BEFORE UPDATE ON actions
            WHEN NEW.id IS NOT OLD.id OR NEW.annotator IS NOT OLD.annotator
              OR NEW.kind IS NOT OLD.kind OR NEW.name IS NOT OLD.name
              OR NEW.target IS NOT OLD.target OR NEW.created_at IS NOT OLD.created_at
              OR NEW.actor IS NOT OLD.actor OR NEW.session IS NOT OLD.session
              OR (NEW.state IS NOT OLD.state AND (OLD.kind != 'do' OR (OLD.state, NEW.state)
                  NOT IN (VALUES ('done', 'undone'), ('undone', 'done'), ('undone', 'dead'),
                                 ('done', 'dead'))))
            BEGIN {ABORT_ACTIONS}; END;
        """
    )


@step
def m008_flag_actor(db: Database) -> None:
    # Who flagged, when not the annotator whose set the flag is in (a lead working --as bob);
    # NULL: the annotator (every flag before this migration).
    script(db, "ALTER TABLE flags ADD COLUMN flagged_by TEXT;")


NAMES: tuple[str, ...] = tuple(fn.__name__ for fn in STEPS)  # every migration, in order
SCHEMA_VERSION = len(NAMES)  # PRAGMA user_version of a database this code migrated
# Every trigger the last migration leaves: one missing was dropped outside annotator.
TRIGGERS = frozenset({
    "events_append_only_update", "events_append_only_delete", "events_append_only_insert",
    "events_append_only_order", "actions_append_only_insert", "actions_append_only_update",
    "actions_append_only_delete", "imports_insert", "imports_update", "imports_delete",
    "documents_fixed_insert", "documents_fixed_update", "documents_fixed_delete",
    "schemas_fixed_insert", "schemas_fixed_update", "schemas_fixed_delete",
})


def migrations() -> Migrations:
    """The steps as a sqlite-utils migration set (imports sqlite-utils, without the pandas and
    numpy it would load for nothing: 0.45 s of a new database's first open)."""
    with without("pandas", "numpy"):
        from sqlite_utils.migrations import Migrations

    found = Migrations(MIGRATION_SET)
    for fn in STEPS:
        found()(fn)
    return found


def apply(conn: sqlite3.Connection) -> None:
    """Apply the missing migrations on `conn` (inside the caller's write transaction)."""
    found = migrations()
    from sqlite_utils import Database  # loaded by migrations()

    found.apply(Database(conn))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
