"""Query plans: the lookups a keystroke or a list makes never read a document's text."""

from __future__ import annotations

import pytest

from annotator.store import Store
from annotator.store import rows as R


@pytest.mark.parametrize("sql", [
    f"SELECT length FROM {R.DOC_CARD} WHERE id = ?",
    f"SELECT sha256 FROM {R.DOC_CARD} WHERE id = ?",
    f"SELECT schema_ref FROM {R.DOC_CARD} WHERE id = ?",
])
def test_small_document_lookups_use_the_covering_index(store: Store, sql: str) -> None:
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, ["x"]))
    assert "COVERING INDEX documents_card" in plan


def test_document_list_in_import_order_uses_the_covering_index(store: Store) -> None:
    sql = "SELECT id, title, length FROM documents ORDER BY seq"
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert "COVERING INDEX documents_order" in plan


def test_reads_that_skip_unfinished_imports_still_never_read_a_document_row(
        store: Store) -> None:
    """The visibility filter (rows.DOC_VISIBLE, rows.VISIBLE) keeps the lists and lookups on
    covering indexes: a document's row holds its text."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        store.documents()
        store.document_ids()
        store.document_length("x")
        store.document_schema_ref("x")
        store.progress("alice")
        store.next_document("alice", after="x")
    finally:
        store.conn.set_trace_callback(None)
    for sql in statements:
        plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        for step in plan:
            if " documents" in step or " d " in step:
                assert "COVERING INDEX" in step, (sql, plan)
        if "FROM spans" in sql:
            assert any("COVERING INDEX spans_set" in step for step in plan), (sql, plan)
