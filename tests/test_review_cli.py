"""`annotator review` (docs/review.md, docs/cli.md): the queue worst agreement first, leads only
on a team database, and the screen it opens."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from annotator import review_cli
from annotator.cli import main
from annotator.labels import load_default_schema
from annotator.model import Status
from annotator.review.queue import worst_first
from annotator.review.session import ReviewSession
from annotator.store import Store
from tests.review_support import WIRE, find, review_db


def run(db: Path, *args: str, user: str = "lena", columns: int = 200) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args],
                              env={"USER": user, "COLUMNS": str(columns)})


@pytest.fixture
def db(db_path: Path, store: Store) -> Path:
    """wire: three annotators who disagree; ledger: three who agree; wire2: alice and bob
    agree on everything; solo: only alice."""
    review_db(store)
    with store.import_session("importer") as imp:
        from annotator.model import Document

        ref = load_default_schema().ref
        imp.add_document(Document("wire2", WIRE, "\x1b[31mRED[/] title", schema=ref))
        imp.add_document(Document("solo", WIRE, "Solo", schema=ref))
    for who in ("alice", "bob"):
        store.add_span(who, "wire2", *find(WIRE, "Akar"), "PERSON")
        store.set_status(who, "wire2", Status.DONE)
    store.add_span("alice", "solo", *find(WIRE, "Akar"), "PERSON")
    store.set_status("alice", "solo", Status.DONE)
    return db_path


def test_the_queue_is_worst_agreement_first_and_skips_single_sets(db: Path) -> None:
    with Store(db) as store:
        rows = worst_first(store)
    assert [r.doc_id for r in rows] == ["wire", "ledger", "wire2"]
    assert rows[0].annotators == ("alice", "bob", "carol")
    assert (rows[0].clusters, rows[0].disagreements, rows[0].undecided) == (5, 3, 5)
    assert rows[0].exact_f1 is not None
    assert rows[0].exact_f1 < 1.0
    assert rows[1].exact_f1 == rows[2].exact_f1 == 1.0  # a tie: by id


def test_the_queue_skips_documents_whose_clusters_are_all_decided(db: Path) -> None:
    with Store(db) as store:
        ReviewSession(store, "lena", "wire2").accept_agreed()
        assert [r.doc_id for r in worst_first(store)] == ["wire", "ledger"]
        assert [r.doc_id for r in worst_first(store, include_decided=True)] == [
            "wire", "ledger", "wire2"]


def test_the_queue_counts_unfinished_sets_with_status_any(db: Path) -> None:
    with Store(db) as store:
        store.set_status("bob", "wire2", Status.IN_PROGRESS)
        assert "wire2" not in [r.doc_id for r in worst_first(store)]
        assert "wire2" in [r.doc_id for r in worst_first(store, "any")]


def test_review_list_prints_the_queue_as_a_table(db: Path) -> None:
    r = run(db, "review", "--list")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == f"3 to review in {db}, worst agreement first"
    body = [ln.split() for ln in lines[1:] if ln.strip()[:1].isdigit()]
    assert [row[1] for row in body] == ["wire", "ledger", "wire2"]
    assert body[0][-1] == "5/5"  # undecided / clusters
    assert "\x1b" not in r.output  # a hostile title is shown, never obeyed
    assert "␛[31mRED[/] title" in r.output


def test_review_list_json_for_scripts(db: Path) -> None:
    r = run(db, "review", "--list", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [x["id"] for x in rows] == ["wire", "ledger", "wire2"]
    assert rows[2] == {"id": "wire2", "title": "\x1b[31mRED[/] title",
                       "annotators": ["alice", "bob"], "exact_f1": 1.0, "overlap_f1": 1.0,
                       "clusters": 1, "disagreements": 0, "undecided": 1}
    assert "\x1b" not in r.output  # escaped in the JSON text, the same value


def test_review_with_nothing_left_says_so(db: Path) -> None:
    with Store(db) as store:
        for doc in ("wire", "ledger", "wire2"):
            rs = ReviewSession(store, "lena", doc)
            for c in rs.clusters():
                rs.reject(c)
    r = run(db, "review")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Nothing to review in {db}: no document has two annotators'"
                               " sets marked done left to adjudicate")
    assert run(db, "review", "--list").output.strip() == f"Nothing to review in {db}."


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The review screen, stood in for: it records how it was called."""
    calls: list[tuple[Any, ...]] = []
    module = types.ModuleType("fake_review_app")
    module.run_review = lambda *a: calls.append(a) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_review_app", module)
    monkeypatch.setattr(review_cli, "SCREEN", "fake_review_app")
    return calls


def test_review_opens_the_screen_on_the_queue_worst_first(db: Path,
                                                         screen: list[tuple[Any, ...]]) -> None:
    r = run(db, "review")
    assert r.exit_code == 0, r.output
    assert screen == [(str(db), "lena", ["wire", "ledger", "wire2"])]


def test_review_of_named_documents_opens_those(db: Path, screen: list[tuple[Any, ...]]) -> None:
    assert run(db, "review", "ledger", "solo").exit_code == 0
    assert screen == [(str(db), "lena", ["ledger", "solo"])]


def test_review_of_an_unknown_document_is_refused(db: Path, screen: list[tuple[Any, ...]]
                                                 ) -> None:
    r = run(db, "review", "wire", "nope")
    assert (r.exit_code, screen) == (1, [])
    assert "no document 'nope' in" in r.output


def test_list_takes_no_document_ids(db: Path) -> None:
    r = run(db, "review", "--list", "wire")
    assert r.exit_code == 2
    assert "--list takes no document ids" in r.output


def test_without_the_screen_in_the_build_it_says_what_works(db: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(review_cli, "SCREEN", "annotator.tui.no_such_review_screen")
    r = run(db, "review")
    assert r.exit_code == 1
    assert "the review screen is not in this build; `annotator review --list`" in r.output


def test_on_a_team_database_only_leads_review(db: Path, screen: list[tuple[Any, ...]]) -> None:
    assert run(db, "users", "add", "alice", user="boss").exit_code == 0  # boss: the first lead
    r = run(db, "review", "--list", user="alice")
    assert r.exit_code == 1
    assert "review is for leads; you (alice) are an annotator" in r.output
    assert run(db, "review", "wire", user="alice").exit_code == 1
    assert screen == []
    assert run(db, "review", "wire", user="boss").exit_code == 0
    assert screen == [(str(db), "boss", ["wire"])]
