"""Imports never freeze annotators (issue #8, point 9): an import writes in short transactions,
readers see all of it or none of it, and a killed or failed import leaves nothing visible that
the next import does not clean up or complete."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import annotator.store.connection as connection_module
from annotator.ingest import IngestError, import_paths
from annotator.model import Document, LabelSchema, Link, Span, Status, sha256_text
from annotator.store import Store, StoreError
from annotator.store.import_lock import ImportBusy, ImportLock
from annotator.store.importer import ImportSession

WORDS = ["General", "Akar", "said", "38", "staff", "were", "evacuated", "from", "Quellby", "on",
         "Monday"]


def text_of(i: int) -> str:
    return " ".join(WORDS[(i + k) % len(WORDS)] for k in range(30)) + f" (report {i})."


def record(i: int, ref: str, annotator: str = "alice", status: str = "in_progress") -> dict:
    text = text_of(i)
    spans, pos = [], 0
    for k, word in enumerate(text.split(" ")[:6]):
        spans.append({"id": f"s{i}-{k}", "start": pos, "end": pos + len(word), "text": word,
                      "label": "PERSON", "attrs": {}})
        pos += len(word) + 1
    return {"id": f"doc{i:05d}", "text": text, "sha256": sha256_text(text),
            "annotator": annotator, "status": status, "spans": spans, "links": [],
            "meta": {"schema": ref}}


def write_corpus(path: Path, n: int, ref: str, start: int = 0, bad_last: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(start, start + n):
            f.write(json.dumps(record(i, ref), ensure_ascii=False) + "\n")
        if bad_last:
            f.write('{"id": "broken", "text": \n')
    return path


def raw_count(path: Path, table: str) -> int:
    """Rows in the file, visible or not, as a plain sqlite3 client sees them."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def seen(store: Store) -> tuple:
    """Everything a reader of the store can see."""
    return (store.document_ids(), store.current_state(), len(list(store.events())),
            store.annotators(), store.schema_refs(), store.progress("alice"),
            [(d.id, d.statuses, d.span_counts) for d in store.documents()])


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of a few rows, so that a small import has many of them."""
    monkeypatch.setattr(ImportSession, "BATCH_ROWS", 20)
    monkeypatch.setattr(ImportSession, "YIELD_SECONDS", 0.0)


def commit_sizes(store: Store, run: Any) -> list[int]:
    """Rows changed by each transaction the store's connection committed while `run` ran."""
    sizes: list[int] = []
    last = [store.conn.total_changes]

    def trace(sql: str) -> None:
        if sql.strip().upper() == "COMMIT":
            sizes.append(store.conn.total_changes - last[0])
            last[0] = store.conn.total_changes

    store.conn.set_trace_callback(trace)
    try:
        run()
    finally:
        store.conn.set_trace_callback(None)
    return sizes


# -- short transactions -----------------------------------------------------------------------


def test_an_import_commits_in_batches_of_bounded_size(tmp_path: Path, store: Store,
                                                      schema: LabelSchema,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImportSession, "BATCH_ROWS", 100)
    src = write_corpus(tmp_path / "c.jsonl", 200, schema.ref)  # 200 documents, 1,200 spans
    sizes = commit_sizes(store, lambda: import_paths(store, [src], schema, "lead"))
    assert len(sizes) >= 1400 // 100
    # a batch ends at the first record that takes it to BATCH_ROWS rows; a record here is a
    # document, its event, 6 spans, their event and a status and its event: under 20 changes
    assert max(sizes) < 100 + 20
    assert len(store.document_ids()) == 200


def test_annotators_with_a_short_timeout_write_during_an_import(
        tmp_path: Path, store: Store, other: Store, schema: LabelSchema,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Default batch sizes: an annotator waiting at most 1 s for the write lock never fails."""
    with store.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text with words."))
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 1000)
    other.conn.execute("PRAGMA busy_timeout = 1000")
    src = write_corpus(tmp_path / "c.jsonl", 3000, schema.ref)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            import_paths(store, [src], schema, "lead")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    importer = threading.Thread(target=run)
    importer.start()
    while importer.is_alive() and raw_count(Path(store.path), "documents") <= 1:
        time.sleep(0.005)  # until the import has written (committed) its first batch
    during = 0  # actions done while the import was written in part, not yet visible
    while importer.is_alive():
        other.add_span("bob", "old", 0, 3, "PERSON")  # "database is locked" would fail here
        other.undo("bob")
        during += other.document_ids() == ["old"]
    importer.join()
    assert not errors
    assert during >= 3
    assert len(other.document_ids()) == 3001
    assert other.spans("old", "bob") == []
    assert other.replay_log() == other.current_state()


# -- all or nothing, as readers see it ----------------------------------------------------------


def test_readers_see_nothing_of_an_import_until_it_is_done(
        tmp_path: Path, store: Store, other: Store, schema: LabelSchema,
        small_batches: None) -> None:
    with store.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text with Akar in it."))
        imp.add_annotation_set("old", "alice", [Span("o1", "old", "alice", 0, 3, "PERSON")], [],
                               Status.IN_PROGRESS)
    before = seen(other)
    src = write_corpus(tmp_path / "c.jsonl", 1100, schema.ref)
    written: list[int] = []

    def progress(done: int, total: int) -> None:
        if done < total:
            assert seen(other) == before  # nothing of the import yet ...
            written.append(raw_count(Path(store.path), "documents"))

    import_paths(store, [src], schema, "lead", progress=progress)
    assert written  # ... though its rows were committed, in batches
    assert written[-1] > 1
    assert len(other.document_ids()) == 1101  # then all of it at once
    assert other.status("doc00007", "alice") == Status.IN_PROGRESS
    assert other.replay_log() == other.current_state()


def test_status_changes_to_visible_documents_wait_for_the_end(
        store: Store, other: Store, small_batches: None) -> None:
    with store.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text."))
    store.set_status("alice", "old", Status.IN_PROGRESS)
    with store.import_session("lead") as imp:
        imp.add_annotation_set("old", "alice", [], [], Status.DONE)
        imp.add_annotation_set("old", "bob", [], [], Status.DONE)
        for i in range(30):
            imp.add_document(Document(f"n{i}", text_of(i)))
        assert imp.commits > 0
        assert other.status("old", "alice") == Status.IN_PROGRESS
        assert other.status("old", "bob") == Status.TODO
        assert other.document_ids() == ["old"]
    assert other.status("old", "alice") == Status.DONE
    assert other.status("old", "bob") == Status.DONE
    assert len(other.document_ids()) == 31
    assert other.replay_log() == other.current_state()


@pytest.mark.slow
def test_a_second_process_polling_sees_all_or_none(tmp_path: Path, schema: LabelSchema) -> None:
    db = tmp_path / "a.db"
    with Store(db) as s, s.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text."))
    src = write_corpus(tmp_path / "c.jsonl", 1000, schema.ref)
    proc = _import_process(db, src, batch_rows=50)
    counts: set[int] = set()
    with Store(db) as reader:
        while proc.poll() is None:
            counts.add(len(reader.documents()))
            spans = sum(sum(d.span_counts.values()) for d in reader.documents())
            assert spans in (0, 6000)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    with Store(db) as reader:
        counts.add(len(reader.documents()))
    assert counts <= {1, 1001}
    assert 1001 in counts


# -- killed, failed and concurrent imports --------------------------------------------------------


@pytest.mark.slow
def test_a_killed_import_leaves_nothing_visible_and_the_next_one_completes(
        tmp_path: Path, schema: LabelSchema) -> None:
    db = tmp_path / "a.db"
    with Store(db) as s:
        with s.import_session("setup") as imp:
            imp.add_document(Document("old", "Old text."))
        s.add_span("alice", "old", 0, 3, "PERSON")
        before = seen(s)
        tables_before = {t: raw_count(db, t) for t in ("documents", "spans", "events",
                                                        "actions", "statuses", "annotators")}
    src = write_corpus(tmp_path / "c.jsonl", 3000, schema.ref)
    proc = _import_process(db, src, batch_rows=50)
    deadline = time.monotonic() + 60
    while raw_count(db, "documents") < 200 and time.monotonic() < deadline:
        assert proc.poll() is None, "the import finished before it could be killed"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert raw_count(db, "documents") > 1  # its batches are in the file ...
    with Store(db) as s:
        assert seen(s) == before  # ... and invisible
        s.add_span("alice", "old", 4, 8, "PERSON")  # annotators carry on
        report = import_paths(s, [src], schema, "lead")  # the same import, again
        assert report.total("documents") == 3000
        assert len(s.document_ids()) == 3001
        assert s.replay_log() == s.current_state()
        assert s.conn.execute("SELECT state, count(*) FROM imports GROUP BY state").fetchall() \
            == [("done", 2)]
    # nothing of the killed import is left, not even hidden: a fresh database gets the same
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as f:
        import_paths(f, [src], schema, "lead")
    assert raw_count(db, "spans") == tables_before["spans"] + 1 + raw_count(fresh, "spans")
    assert raw_count(db, "events") == tables_before["events"] + 1 + raw_count(fresh, "events")
    assert not Path(str(db) + "-import.lock").exists()


def test_a_refused_import_removes_the_batches_it_wrote(tmp_path: Path, store: Store,
                                                       schema: LabelSchema,
                                                       small_batches: None) -> None:
    with store.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text."))
    before = seen(store)
    tables = ("documents", "spans", "events", "actions", "statuses", "annotators", "imports")
    raw_before = {t: raw_count(Path(store.path), t) for t in tables}
    src = write_corpus(tmp_path / "c.jsonl", 300, schema.ref, bad_last=True)
    sizes = commit_sizes(store, lambda: pytest.raises(IngestError, import_paths, store, [src],
                                                      schema, "lead"))
    assert len(sizes) > 10  # it had written batches
    assert seen(store) == before
    assert {t: raw_count(Path(store.path), t) for t in tables} == raw_before
    assert not store.conn.in_transaction
    import_paths(store, [write_corpus(tmp_path / "c.jsonl", 300, schema.ref)], schema, "lead")
    assert len(store.document_ids()) == 301
    assert [e["seq"] for e in store.events()] == list(range(1, raw_count(Path(store.path),
                                                                         "events") + 1))


def test_one_import_at_a_time(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 200)
    held = ImportLock(store.path)
    held.acquire(1)
    try:
        with pytest.raises(ImportBusy, match="another import is running"):
            store.import_session("lead").__enter__()
    finally:
        held.release()
    with store.import_session("lead") as imp:
        imp.add_document(Document("d", "Now it runs."))
    assert store.document_ids() == ["d"]


def test_a_span_a_running_import_links_to_cannot_be_deleted(
        store: Store, other: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImportSession, "BATCH_ROWS", 1)  # every record its own batch
    with store.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text here."))
    sid = next(c.after["id"] for c in other.add_span("alice", "old", 0, 3, "PERSON").changes
               if c.entity == "span" and c.after)
    with store.import_session("lead") as imp:
        imp.add_annotation_set("old", "alice", [Span("n1", "old", "alice", 4, 8, "PERSON")],
                               [Link("l1", "alice", "SAME", "n1", sid, "old", "old")], None)
        assert imp.commits > 0
        with pytest.raises(StoreError, match="an import that is still running refers"):
            other.delete_span("alice", sid)
    other.delete_span("alice", sid)  # and the import's link goes with it
    assert other.links("alice") == []
    assert other.replay_log() == other.current_state()


def _import_process(db: Path, src: Path, batch_rows: int) -> subprocess.Popen[str]:
    code = (
        "import sys\n"
        "from annotator.ingest import import_paths\n"
        "from annotator.labels import load_default_schema\n"
        "from annotator.store import Store\n"
        "from annotator.store.importer import ImportSession\n"
        f"ImportSession.BATCH_ROWS = {batch_rows}\n"
        "with Store(sys.argv[1]) as s:\n"
        "    import_paths(s, [sys.argv[2]], load_default_schema(), 'lead')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    return subprocess.Popen([sys.executable, "-c", code, str(db), str(src)], env=env,
                            stderr=subprocess.PIPE, text=True)


def test_a_stream_of_events_or_annotation_sets_is_one_snapshot(
        tmp_path: Path, store: Store, other: Store, schema: LabelSchema) -> None:
    """An import that finishes while an export streams is in none of it (its events have
    seqs from when they were written, below the ones already streamed)."""
    import_paths(store, [write_corpus(tmp_path / "a.jsonl", 600, schema.ref)], schema, "lead")
    third = Store(store.path)  # one stream per connection (a stream is one read transaction)
    n_events, n_sets = len(list(other.events())), len(list(third.annotation_sets()))
    events, sets = other.events(), third.annotation_sets()
    first = [next(events), next(sets)]
    import_paths(store, [write_corpus(tmp_path / "b.jsonl", 600, schema.ref, start=600)], schema,
                 "lead")
    assert 1 + sum(1 for _ in events) == n_events
    assert 1 + sum(1 for _ in sets) == n_sets
    assert first[1][0].id == "doc00000"
    assert len(list(other.events())) > n_events  # a new stream sees it
    third.close()


def test_the_cli_says_when_another_import_is_running(
        tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from annotator.cli import main

    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 200)
    doc = tmp_path / "new.txt"
    doc.write_text("A new document.\n", encoding="utf-8")
    Store(db_path).close()
    held = ImportLock(str(db_path))
    held.acquire(1)
    try:
        result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(doc)])
    finally:
        held.release()
    assert result.exit_code == 1
    assert "another import is running on this database" in result.stderr
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(doc)])
    assert result.exit_code == 0, result.stderr


def test_an_import_that_cannot_get_the_write_lock_leaves_the_store_usable(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.import_session("setup") as imp:
        imp.add_document(Document("old", "Old text."))
    monkeypatch.setattr(connection_module, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(ImportSession, "BATCH_ROWS", 1)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    def blocked_import() -> None:
        with store.import_session("lead") as imp:
            imp.add_document(Document("first", "A batch of its own."))
            assert not store.conn.in_transaction
            blocker.execute("BEGIN IMMEDIATE")  # someone holds the write lock for too long
            try:
                imp.add_document(Document("new", "New text."))
            finally:
                blocker.execute("ROLLBACK")

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        blocked_import()
    blocker.close()
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(
        store.add_span("alice", "old", 0, 3, "PERSON").action_id), daemon=True)
    worker.start()
    worker.join(10)  # the store's thread lock was not left held by the failed import
    assert done
    assert store.document_ids() == ["old"]
