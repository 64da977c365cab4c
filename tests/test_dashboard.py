"""The lead dashboard (issue #10 point 4): opens from ctrl+d and from `annotator dashboard`,
shows progress and agreement of two or three annotators' done sets, refreshes when another
connection commits, and is refused to an annotator on a team database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from annotator.cli import main
from annotator.dashboard import progress
from annotator.labels import load_default_schema
from annotator.model import GOLD, Status
from annotator.store import Store
from annotator.store import team as store_team
from annotator.team import Role
from annotator.tui.app import AnnotatorApp, make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.dashboard import DashboardScreen
from tests.tui_support import THEME, make_store, status, until, workers_done

# alice and bob agree on alpha's PERSON, disagree on beta; carol did alpha only
SETS = {"alice": {"alpha": [("Halina Marović", "PERSON"), ("Quellby", "LOC")],
                  "beta": [("Łukasz Wróbel", "PERSON")]},
        "bob": {"alpha": [("Halina Marović", "PERSON"), ("Quellby", "ORG")],
                "beta": [("Wróbel", "ORG")]},
        "carol": {"alpha": [("Halina Marović", "PERSON")]}}


def label(store: Store, who: str, doc_id: str, needle: str, lab: str) -> None:
    text = store.get_document(doc_id).text
    start = text.index(needle)
    store.add_span(who, doc_id, start, start + len(needle), lab, {})


def build(path: Path) -> Store:
    store = make_store(path)
    for who, docs in SETS.items():
        for doc_id, spans in docs.items():
            for needle, lab in spans:
                label(store, who, doc_id, needle, lab)
            store.set_status(who, doc_id, Status.DONE)
    return store


@pytest.fixture
def db(tmp_path: Path) -> Store:
    store = build(tmp_path / "dash.db")
    yield store
    store.close()


def app_for(store: Store, who: str = "alice", dashboard: bool = False) -> AnnotatorApp:
    app = make_app(store, who, load_default_schema(), ["alpha"], dashboard)
    app.theme = THEME
    return app


async def settle(app: AnnotatorApp, pilot: Pilot) -> DashboardScreen:
    """The dashboard up, and its figures computed (a thread worker, started once it is
    mounted, then shown from the UI thread): not one pause, which a loaded machine outruns."""
    await until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    await workers_done(pilot)
    await until(pilot, lambda: "computing" not in text(screen, "#dash-state"),
                "the figures computed")
    return screen


def text(screen: DashboardScreen, selector: str) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, color_system=None)
    with console.capture() as out:
        console.print(screen.query_one(selector, Static).content)  # type: ignore[arg-type]
    return out.get()


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_progress_counts_todo_in_progress_done_and_recent_spans(db: Store) -> None:
    label(db, "dave", "messy", "Zoë", "PERSON")  # in progress, one span
    rows = {p.annotator: p for p in progress(db)}
    assert (rows["alice"].todo, rows["alice"].in_progress, rows["alice"].done) == (1, 0, 2)
    assert (rows["carol"].todo, rows["carol"].done) == (2, 1)
    assert (rows["dave"].todo, rows["dave"].in_progress, rows["dave"].done) == (2, 1, 0)
    assert (rows["alice"].spans_per_hour, rows["dave"].spans_per_hour) == (3, 1)


async def test_ctrl_d_opens_the_dashboard_with_the_figures(db: Store) -> None:
    app = app_for(db)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
        screen = await settle(app, pilot)
        rows = cells(screen.query_one("#dash-progress", DataTable))
        assert ["alice", "1", "0", "2", "3"] in rows
        assert ["carol", "2", "0", "1", "1"] in rows
        assert "documents compared  2 of 3" in text(screen, "#dash-overall")
        heat = text(screen, "#dash-heatmap")
        assert heat.splitlines()[0].split() == ["exact", "F1", "alice", "bob", "carol"]
        assert "PERSON" in text(screen, "#dash-labels")
        worst = cells(screen.query_one("#dash-worst", DataTable))
        assert [r[0] for r in worst] == ["beta", "alpha"]  # beta: alice and bob disagree
        assert worst[0][2] == "0.00"
        await pilot.press("enter")  # opens the review of beta
        await pilot.pause()
        from annotator.tui.screens.review import ReviewScreen

        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.doc_id == "beta"
        assert [p.annotator for p in app.screen.versions] == ["alice", "bob"]


async def test_the_dashboard_refreshes_after_another_connection_commits(db: Store) -> None:
    app = app_for(db, dashboard=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(app, pilot)
        before = screen.data
        screen.poll()  # nothing changed: no recomputation
        await app.workers.wait_for_complete()
        assert screen.data is before
        with Store(db.path) as other:
            label(other, "bob", "messy", "Nguyễn Thị Lan", "PERSON")
        screen.poll()
        await settle(app, pilot)
        assert screen.data is not before
        assert ["bob", "0", "1", "2", "4"] in cells(screen.query_one("#dash-progress",
                                                                     DataTable))


async def test_escape_closes_the_dashboard(db: Store) -> None:
    app = app_for(db, dashboard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)


async def test_an_annotator_on_a_team_database_is_refused(db: Store) -> None:
    store_team.add_user(db, "boss", Role.LEAD)
    store_team.add_user(db, "alice", Role.ANNOTATOR)
    app = app_for(db)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert "the dashboard is for leads" in status(app)


def test_the_command_refuses_an_annotator_on_a_team_database(db: Store) -> None:
    store_team.add_user(db, "boss", Role.LEAD)
    store_team.add_user(db, "alice", Role.ANNOTATOR)
    result = CliRunner().invoke(main, ["--db", db.path, "dashboard"], env={"USER": "alice"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: the dashboard is for leads; you (alice) are an annotator"]


def test_the_command_opens_the_app_on_the_dashboard(db: Store, monkeypatch) -> None:
    seen = {}

    def fake_run_tui(**kwargs: object) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("annotator.tui.app.run_tui", fake_run_tui)
    result = CliRunner().invoke(main, ["--db", db.path, "dashboard"], env={"USER": "alice"})
    assert result.exit_code == 0, result.output
    assert (seen["dashboard"], seen["annotator"]) == (True, "alice")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_dashboard(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    store = build(tmp_path / "snap.db")

    async def before(pilot: Pilot) -> None:
        await settle(pilot.app, pilot)  # type: ignore[arg-type]

    assert snap_compare(app_for(store, dashboard=True), terminal_size=size, run_before=before)


async def test_untrusted_names_are_shown_as_typed(db: Store) -> None:
    evil = "[red]x\x1b[2J"
    label(db, evil, "alpha", "Quellby", "LOC")
    db.set_status(evil, "alpha", Status.DONE)
    app = app_for(db, dashboard=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(app, pilot)
        rows = cells(screen.query_one("#dash-progress", DataTable))
        assert ["[red]x␛[2J", "2", "0", "1", "1"] in rows
        assert "[red]x␛[2J" in text(screen, "#dash-heatmap")


async def test_a_failed_computation_is_said_on_the_top_line(db: Store, monkeypatch) -> None:
    def broken(path: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("annotator.tui.screens.dashboard.gather", broken)
    app = app_for(db, dashboard=True)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await settle(app, pilot)
        assert text(screen, "#dash-state").strip() == (
            "could not compute the figures: database disk image is malformed")
        assert app.is_running


async def test_the_top_line_fits_80_columns(db: Store) -> None:
    app = app_for(db, dashboard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(app, pilot)
        line = text(screen, "#dash-state").strip()
        assert line == "dashboard · 3 annotators · 2 of 3 documents compared · up to change 20"
        assert len(line) <= 78  # the screen less the line's padding
    async with app_for(db, dashboard=True).run_test(size=(160, 48)) as pilot:
        screen = await settle(pilot.app, pilot)  # type: ignore[arg-type]
        assert text(screen, "#dash-state").strip().endswith(
            "up to change 20 · refreshes when anyone commits")


async def test_a_lead_working_as_an_annotator_still_gets_the_dashboard(db: Store) -> None:
    """The role of who is acting decides, not the set they work in."""
    store_team.add_user(db, "boss", Role.LEAD)
    store_team.add_user(db, "alice", Role.ANNOTATOR)
    app = make_app(db, "alice", load_default_schema(), ["alpha"], actor="boss")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
        screen = await settle(app, pilot)
        assert "documents compared  2 of 3" in text(screen, "#dash-overall")


def test_annotate_as_another_set_hands_the_tui_who_is_acting(db: Store, monkeypatch) -> None:
    store_team.add_user(db, "boss", Role.LEAD)
    store_team.add_user(db, "alice", Role.ANNOTATOR)
    seen = {}

    def fake_run_tui(**kwargs: object) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("annotator.tui.app.run_tui", fake_run_tui)
    result = CliRunner().invoke(main, ["--db", db.path, "annotate", "--as", "alice"],
                                env={"USER": "boss"})
    assert result.exit_code == 0, result.output
    assert (seen["annotator"], seen["actor"]) == ("alice", "boss")
    result = CliRunner().invoke(main, ["--db", db.path, "dashboard", "--as", "alice"],
                                env={"USER": "boss"})
    assert result.exit_code == 0, result.output
    assert (seen["annotator"], seen["actor"], seen["dashboard"]) == ("alice", "boss", True)


async def test_against_gold_is_shown_once_gold_exists(db: Store) -> None:
    app = app_for(db, dashboard=True)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await settle(app, pilot)
        assert not screen.query_one("#dash-gold", Static).display  # no gold yet
        with Store(db.path) as other:  # gold agrees with alice on alpha
            label(other, GOLD, "alpha", "Halina Marović", "PERSON")
            label(other, GOLD, "alpha", "Quellby", "LOC")
            other.set_status(GOLD, "alpha", Status.DONE)
        screen.poll()
        await settle(app, pilot)
        assert screen.query_one("#dash-gold", Static).display
        rows = [line.split() for line in text(screen, "#dash-gold").splitlines()]
        # bob's Quellby is ORG (gold: LOC); carol has only the person; no attributes, links
        assert ["alice", "1", "1.00", "1.00", "n/a", "n/a"] in rows
        assert ["bob", "1", "0.50", "0.50", "n/a", "n/a"] in rows
        assert ["carol", "1", "0.67", "0.67", "n/a", "n/a"] in rows
        progress_rows = cells(screen.query_one("#dash-progress", DataTable))
        assert [r[0] for r in progress_rows] == ["alice", "bob", "carol"]  # gold is no one


def test_a_personal_database_lists_its_open_flags(db: Store) -> None:
    """`!` works on a database with no team: the dashboard listed its flags as none."""
    from annotator.dashboard import read

    assert not store_team.is_team(db)
    store_team.add_flag(db, "alice", "alpha", "is the minister a PERSON or an ORG?")
    assert [f.note for f in read(db).flags] == ["is the minister a PERSON or an ORG?"]
