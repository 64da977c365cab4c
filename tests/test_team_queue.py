"""An annotator's work queue on a team (issue #11): the picker lists the documents assigned to
them first, marked ▸, then the rest only where the project allows unassigned work; `D` goes to
the next assigned, unfinished document and says when all of them are done."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.content import Content
from textual.widgets import OptionList, Static

from annotator.cli import main
from annotator.labels import load_default_schema
from annotator.session import Session
from annotator.store import Store
from annotator.tui.screens.picker import DocumentPicker
from tests.tui_support import app_for, status, workers_done

pytestmark = pytest.mark.documents  # alpha, beta, messy, in that order


def cli(db: Path, user: str, *args: str) -> None:
    r = CliRunner().invoke(main, ["--db", str(db), *args], env={"USER": user})
    assert r.exit_code == 0, r.output


@pytest.fixture
def team(store: Store, db_path: Path) -> Store:
    """boss (lead), alice and bob; beta and messy assigned to alice, alpha to bob."""
    cli(db_path, "boss", "users", "add", "boss", "--role", "lead")
    cli(db_path, "boss", "users", "add", "alice")
    cli(db_path, "boss", "users", "add", "bob")
    cli(db_path, "boss", "assign", "messy", "beta", "--to", "alice")
    cli(db_path, "boss", "assign", "alpha", "--to", "bob")
    return store


def rows(picker: DocumentPicker) -> list[str]:
    options = picker.query_one("#documents", OptionList)
    out = []
    for i in range(options.option_count):
        prompt = options.get_option_at_index(i).prompt
        out.append(prompt.plain if isinstance(prompt, Content) else str(prompt))
    return out


async def picker_rows(store: Store, who: str = "alice") -> tuple[list[str], str]:
    app = app_for(store, who=who)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await workers_done(pilot)  # the picker reads the documents in a worker it starts
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        footer = picker.query_one("#status", Static).content
        return rows(picker), footer.plain if isinstance(footer, Content) else str(footer)


def ids(found: list[str]) -> list[tuple[str, str]]:
    """(mark, document id) of each row."""
    out = []
    for row in found:
        words = row.split()
        doc_id = next(w for w in ("alpha", "beta", "messy") if w in words)
        out.append(("▸" if row.startswith("▸") else "", doc_id))
    return out


async def test_the_picker_lists_my_assigned_documents_first_and_marks_them(team: Store) -> None:
    found, footer = await picker_rows(team)
    assert ids(found) == [("▸", "beta"), ("▸", "messy"), ("", "alpha")]
    assert "3 of 3 documents, 2 assigned to you" in footer
    assert "▸ assigned" in footer


async def test_the_picker_lists_only_assigned_documents_when_the_project_says_so(
        team: Store, db_path: Path) -> None:
    cli(db_path, "boss", "settings", "allow_unassigned", "no")
    found, _ = await picker_rows(team)
    assert ids(found) == [("▸", "beta"), ("▸", "messy")]
    found, _ = await picker_rows(team, who="boss")  # a lead: everything, nothing assigned
    assert ids(found) == [("", "alpha"), ("", "beta"), ("", "messy")]


async def test_on_a_personal_database_the_picker_is_as_it_was(store: Store) -> None:
    found, footer = await picker_rows(store)
    assert ids(found) == [("", "alpha"), ("", "beta"), ("", "messy")]
    assert "assigned" not in footer


async def test_d_opens_the_next_assigned_document_then_says_all_of_mine_are_done(
        team: Store, db_path: Path) -> None:
    cli(db_path, "boss", "settings", "allow_unassigned", "no")
    app = app_for(team, who="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.active.document.id == "beta"  # the first assigned one, not alpha
        assert "alice  0/2 done" in status(app)  # of her two documents, not of all three
        await pilot.press("D")
        await pilot.pause()
        assert app.screen.active.document.id == "messy"
        assert "alice  1/2 done" in status(app)
        await pilot.press("D")
        await pilot.pause()
        assert status(app).endswith("marked messy done; every document assigned to you is done")
    assert team.status("beta", "alice") == team.status("messy", "alice") == "done"


def test_progress_counts_my_documents_assigned_or_worked_on(team: Store) -> None:
    session = Session(team, "alice", load_default_schema())
    assert session.progress() == (0, 2)
    team.set_status("alice", "alpha", "done")  # unassigned work, where allowed, counts too
    assert session.progress() == (1, 3)
    assert Session(team, "boss", load_default_schema()).progress() == (0, 3)  # nothing assigned


def test_done_on_a_document_not_mine_is_refused_and_says_so(team: Store,
                                                            db_path: Path) -> None:
    cli(db_path, "boss", "settings", "allow_unassigned", "no")
    outcome = Session(team, "alice", load_default_schema()).done_rule("alpha", {"alpha"})
    assert outcome.refused == ("alpha is not assigned to you, and this project does not allow"
                               " unassigned work")
    assert outcome.message == ""
    assert outcome.open_next is None
    assert team.status("alpha", "alice") == "todo"
