"""The review screen (issue #12): a lead turns alice's and bob's versions of a document into
gold with the keys, and gold in the database (and its export) is what was decided."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from annotator.cli import main
from annotator.labels import load_default_schema
from annotator.model import GOLD
from annotator.store import Store
from annotator.store import team as store_team
from annotator.team import Role
from annotator.tui.review_app import ReviewApp, make_review_app
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.versions import WhoTable
from tests.pty_support import python_terminal
from tests.tui_support import THEME, app_for, find, make_store, resize, status, until

# alpha: "Minister Halina Marović said “no troops will be deployed” on Monday. About 7,000
# residents left Quellby; 38 staff stayed behind."
VERSIONS: dict[str, list[tuple[str, str, dict[str, object]]]] = {
    "alice": [("Halina Marović", "PERSON", {}), ("Monday", "DATE", {}),
              ("Quellby", "LOC", {}), ("38 staff", "NUMBER", {"value": 38, "unit": "staff"})],
    "bob": [("Halina Marović", "ORG", {}), ("Monday", "DATE", {}),
            ("About 7,000 residents", "NUMBER", {"value": 7000}), ("Quellby", "LOC", {}),
            ("38", "NUMBER", {"value": 38})],
    "carol": [("Halina Marović", "PERSON", {}), ("Monday", "DATE", {}), ("Quellby", "LOC", {})],
}


def mark(store: Store, who: str, doc_id: str, needle: str, label: str,
         attrs: dict[str, object] | None = None) -> str:
    doc = store.get_document(doc_id)
    assert doc is not None
    start = doc.text.index(needle)
    result = store.add_span(who, doc_id, start, start + len(needle), label, attrs or {})
    return next(c.after["id"] for c in result.changes if c.entity == "span" and c.after)


def build(path: Path, people: tuple[str, ...] = ("alice", "bob")) -> Store:
    store = make_store(path)
    for who in people:
        for needle, label, attrs in VERSIONS[who]:
            mark(store, who, "alpha", needle, label, attrs)
    return store


@pytest.fixture
def two(tmp_path: Path) -> Store:
    store = build(tmp_path / "review.db")
    yield store
    store.close()


def review_app(store: Store, *doc_ids: str, who: str = "lead") -> ReviewApp:
    app = make_review_app(store, who, list(doc_ids or ("alpha",)), load_default_schema())
    app.theme = THEME
    return app


def gold(store: Store, doc_id: str = "alpha") -> list[tuple[str, str]]:
    doc = store.get_document(doc_id)
    assert doc is not None
    return [(s.label, doc.text[s.start:s.end]) for s in store.spans(doc_id, GOLD)]


def review(app: ReviewApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen), app.screen
    return app.screen


def shown(widget: Static) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=80, color_system=None)
    with console.capture() as out:
        console.print(widget.content)  # type: ignore[arg-type]
    return out.get()


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def test_the_versions_sit_side_by_side_and_follow_the_gold_cursor(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = review(app)
        assert [p.annotator for p in screen.versions] == ["alice", "bob"]
        assert not screen.query_one(WhoTable).display
        await press(pilot, "ctrl+n")  # the first disagreement: alice PERSON, bob ORG
        text = two.get_document("alpha").text
        assert screen.gold_view().cursor == text.index("Halina")
        assert all(p.view.cursor == text.index("Halina") for p in screen.versions)
        assert "label differs: alice PERSON, bob ORG" in status(app)
        await press(pilot, "ctrl+n")  # Monday is agreed: skipped
        assert screen.gold_view().cursor == text.index("About 7,000")
        assert "missing: alice" in status(app)
        await press(pilot, "ctrl+p")
        assert screen.gold_view().cursor == text.index("Halina")


async def test_at_80_columns_two_annotators_make_the_table(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = review(app)
        assert screen.query_one(WhoTable).display
        assert not screen.query_one("#versions").display
        await press(pilot, "ctrl+n")
        rows = shown(screen.query_one(WhoTable)).splitlines()
        assert rows[0].split() == ["text", "1", "alice", "2", "bob", "gold"]
        current = next(r for r in rows if "Halina" in r).split()
        assert current[-4:] == ["Marović", "PERSON", "ORG", "—"]


async def test_accept_one_annotators_version(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press(pilot, "ctrl+n", "y")
        assert "accept whose version? 1 alice, 2 bob" in status(app)
        await press(pilot, "2")  # bob's: ORG, not a label key here
        assert gold(two) == [("ORG", "Halina Marović")]
        assert [s for s in two.spans("alpha", "bob") if s.label == "ORG"]  # bob's stays
        assert "decided" in status(app)


async def test_y_then_a_number_with_no_version_accepts_nothing(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press(pilot, "ctrl+n", "y", "7")
        assert gold(two) == []
        assert "no version 7: accepted nothing" in status(app)
        await press(pilot, "y", "escape")
        assert gold(two) == []


async def test_accept_all_agreed_in_one_action_and_undo_it(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press(pilot, "Y")
        assert gold(two) == [("DATE", "Monday"), ("LOC", "Quellby")]
        await press(pilot, "u")  # one action: one undo takes both back
        assert gold(two) == []
        await press(pilot, "ctrl+r")
        assert gold(two) == [("DATE", "Monday"), ("LOC", "Quellby")]


async def test_reject_records_the_decision_and_the_reason(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = review(app)
        await press(pilot, "ctrl+n", "ctrl+n")  # bob's "About 7,000 residents", alice none
        await press(pilot, "W", "3")  # annotator error
        assert "reason: annotator error" in str(screen.query_one("#review-head").render())
        await press(pilot, "X")
        assert gold(two) == []
        here = screen.current()
        assert here is not None
        assert here.decided
        decisions = two.review_decisions("alpha")
        assert [d.reason for d in decisions] == ["annotator_error"]
        assert screen.reason is None  # one decision's
        await press(pilot, "ctrl+n")  # decided: the next one is the boundary at "38"
        assert screen.gold_view().cursor == two.get_document("alpha").text.index("38")


async def test_union_and_intersection(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await find(pilot, "38")
        await press(pilot, "I")  # "38 staff" and "38": the intersection is "38"
        assert gold(two) == [("NUMBER", "38")]
        await press(pilot, "u", "U")
        assert gold(two) == [("NUMBER", "38 staff")]


async def test_an_edit_in_the_gold_pane_is_recorded_as_edited(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await find(pilot, "Quellby")
        await press(pilot, "2")  # ORG: the gold pane takes the label keys
        assert gold(two) == [("ORG", "Quellby")]
        await press(pilot, "u")
        assert gold(two) == []


async def test_r_on_the_annotation_screen_opens_the_review_for_a_lead(two: Store) -> None:
    app = app_for(two, "alpha", who="alice")  # a personal database: anyone may review
    async with app.run_test(size=(160, 48)) as pilot:
        await press(pilot, "R")
        screen = review(app)
        assert screen.doc_id == "alpha"
        await press(pilot, "q")  # back to the annotation screen
        assert not isinstance(app.screen, ReviewScreen)


async def test_r_is_refused_to_an_annotator_on_a_team_database(two: Store) -> None:
    store_team.add_user(two, "boss", Role.LEAD)
    store_team.add_user(two, "alice", Role.ANNOTATOR)
    app = app_for(two, "alpha", who="alice")
    async with app.run_test(size=(160, 48)) as pilot:
        await press(pilot, "R")
        assert not isinstance(app.screen, ReviewScreen)
        assert "the review is for leads" in status(app)


async def test_a_link_across_two_documents_is_adjudicated(tmp_path: Path) -> None:
    store = make_store(tmp_path / "links.db")
    claim_a = "Minister Halina Marović said “no troops will be deployed”"
    claim_b = "Deputy Łukasz Wróbel said troops will be deployed as soon as possible"
    for who in ("alice", "bob"):
        a = mark(store, who, "alpha", claim_a, "CLAIM")
        b = mark(store, who, "beta", claim_b, "CLAIM")
        if who == "alice":  # bob saw no link
            store.add_link(who, "CONTRADICTS", a, b)
    app = review_app(store, "beta", "alpha")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press(pilot, "Y")  # beta's claim into gold
        assert gold(store, "beta") == [("CLAIM", claim_b)]
        await press(pilot, "D")  # the next of the queue: alpha
        assert review(app).doc_id == "alpha"
        await press(pilot, "Y")  # alpha's claim into gold; the link is still to decide
        await press(pilot, "ctrl+l")
        assert "CONTRADICTS" in status(app)
        await press(pilot, "y", "1")  # alice's link
        links = store.links(GOLD)
        assert [(lk.type, lk.from_doc, lk.to_doc) for lk in links] == [
            ("CONTRADICTS", "alpha", "beta")]
    store.close()


async def test_the_gold_export_is_what_was_decided(two: Store, tmp_path: Path) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press(pilot, "Y")  # Monday, Quellby
        await press(pilot, "ctrl+n", "y", "1")  # alice's PERSON
        await press(pilot, "ctrl+n", "W", "2", "X")  # bob's 7,000: rejected, ambiguous
        await press(pilot, "ctrl+n", "y", "2")  # bob's "38" ...
        await press(pilot, "greater_than_sign")  # ... grown to "38 staff" in the gold pane
    text = two.get_document("alpha").text
    decided = [("DATE", "Monday"), ("LOC", "Quellby"), ("NUMBER", "38 staff"),
               ("PERSON", "Halina Marović")]
    assert sorted(gold(two)) == decided
    made = {(d.kind, text[d.start:d.end], d.provenance, d.reason)
            for d in two.review_decisions("alpha")}
    assert made == {("accept", "Monday", ("alice", "bob"), None),
                    ("accept", "Quellby", ("alice", "bob"), None),
                    ("accept", "Halina Marović", ("alice",), None),
                    ("reject", "About 7,000 residents", ("bob",), "ambiguous_text"),
                    ("edit", "38 staff", ("edited",), None)}
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(main, ["--db", two.path, "export", "--gold", "-f", "jsonl",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    alpha = next(r for r in records if "alpha" in (r.get("id"), r.get("doc_id")))
    assert sorted((s["label"], text[s["start"]:s["end"]]) for s in alpha["spans"]) == decided
    number = next(s for s in alpha["spans"] if s["label"] == "NUMBER")
    assert number["attrs"]["value"] == 38


def test_kill_9_mid_review_keeps_every_decision_shown(two: Store) -> None:
    """The decisions the status bar acknowledged are in the database after a SIGKILL, and
    the review opened again counts them as decided."""
    code = ("from annotator.tui.review_app import run_review;"
            f"run_review({two.path!r}, 'lead', ['alpha'])")
    term = python_terminal(code)
    try:
        term.wait_for("0/5 decided")
        term.type("Y")
        term.wait_for("2/5 decided")  # the head line counts what the database has
        term.type("\x0e")  # ctrl+n: alice PERSON, bob ORG
        term.wait_for("label differs")
        term.type("y2")
        term.wait_for("3/5 decided")
    finally:
        term.kill()
    assert gold(two) == [("ORG", "Halina Marović"), ("DATE", "Monday"), ("LOC", "Quellby")]
    assert two.replay_log() == two.current_state()
    term = python_terminal(code)
    try:
        term.wait_for("3/5 decided")
    finally:
        term.kill()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("people", [("alice", "bob"), ("alice", "bob", "carol")],
                         ids=["two", "three"])
def test_snapshot_review(snap_compare, tmp_path: Path, people: tuple[str, ...],
                         size: tuple[int, int]) -> None:
    """Two annotators side by side at 160 columns, the table at 80; three: side by side at
    160, the table at 80. The cursor on the label disagreement, one cluster decided."""
    store = build(tmp_path / "snap.db", people)

    async def before(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("Y", "ctrl+n")
        await pilot.pause()

    assert snap_compare(review_app(store), terminal_size=size, run_before=before)


async def test_a_click_in_a_version_moves_the_gold_cursor_there(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = review(app)
        bob = screen.versions[1].view
        await pilot.click(bob, offset=(2, 2))  # the third line: "Minister Halina ..."
        await pilot.pause()
        text = two.get_document("alpha").text
        assert screen.gold_view().cursor == text.index("Minister") + 2
        assert screen.focused is screen.gold_view()
        assert "label differs" not in status(app)  # "Mi": no cluster there


async def test_narrowing_the_terminal_turns_the_versions_into_the_table(two: Store) -> None:
    app = review_app(two)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = review(app)
        await press(pilot, "ctrl+n")
        await resize(pilot, 80, 24)
        table = screen.query_one(WhoTable)
        await until(pilot, lambda: table.display and shown(table).strip(), "the table shown")
        assert "Halina" in shown(table)
        await resize(pilot, 160, 48)
        await until(pilot, lambda: not table.display, "the table hidden")


async def test_names_and_text_with_markup_and_escapes_are_shown_as_typed(tmp_path: Path) -> None:
    store = make_store(tmp_path / "hostile.db")
    hostile = "[bold]x\x1b[2J"
    mark(store, hostile, "alpha", "Quellby", "LOC")
    mark(store, "bob", "alpha", "Quellby", "ORG")
    app = review_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await press(pilot, "ctrl+n")
        screen = review(app)
        title = str(screen.versions[0].title_bar.render())
        assert "[bold]x␛[2J" in title
        assert "label differs: [bold]x␛[2J LOC, bob ORG" in status(app)
        await press(pilot, "y")
        assert "1 [bold]x␛[2J" in status(app)
        await resize(pilot, 80, 24)
        table = screen.query_one(WhoTable)
        await until(pilot, lambda: table.display and shown(table).strip(), "the table shown")
        assert "[bold]x␛[2J" in shown(table).splitlines()[0]
    store.close()


async def test_a_review_with_one_version_and_with_none(tmp_path: Path) -> None:
    store = make_store(tmp_path / "few.db")
    mark(store, "alice", "alpha", "Quellby", "LOC")
    app = review_app(store, "alpha", "beta")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = review(app)
        assert [p.annotator for p in screen.versions] == ["alice"]
        assert not screen.query_one(WhoTable).display  # one version and gold fit at 80
        await press(pilot, "D")  # beta: nobody marked anything
        screen = review(app)
        assert screen.doc_id == "beta"
        assert screen.versions == []
        assert "0/0 decided" in str(screen.query_one("#review-head").render())
        await press(pilot, "ctrl+n")
        assert "no next disagreement" in status(app)
        await press(pilot, "D")
        assert "no other document in the queue" in status(app)
    store.close()


async def test_a_read_only_database_is_reviewed_for_viewing_only(tmp_path: Path,
                                                                 unprivileged: None) -> None:
    path = tmp_path / "ro.db"
    build(path).close()
    path.chmod(0o444)
    try:
        with Store(path, read_only_ok=True) as store:
            app = review_app(store)
            async with app.run_test(size=(160, 48)) as pilot:
                await pilot.pause()
                for keys in (["ctrl+n", "y"], ["Y"], ["X"], ["U"], ["u"]):
                    await press(pilot, *keys)
                    assert "read-only" in status(app)
                    assert isinstance(app.screen, ReviewScreen)
            assert gold(store) == []
    finally:
        path.chmod(0o644)


def test_hostile_names_never_reach_the_terminal_in_the_review(tmp_path: Path) -> None:
    """An annotator name and a document with escape sequences, through the version titles,
    the table, the status bar and the accept prompt, on a real terminal."""
    db = tmp_path / "hostile.db"
    text = "Hostile\x1b]0;pwned-text\x07 report: Quellby.\n"
    store = make_store(db, {"alpha": text})
    who = "eve\x1b]0;pwned-name\x07[/]"
    mark(store, who, "alpha", "Quellby", "LOC")
    mark(store, "bob", "alpha", "Hostile\x1b]0;pwned-text\x07 report", "ORG")
    store.close()
    term = python_terminal("from annotator.tui.review_app import run_review;"
                           f"run_review({str(db)!r}, 'lead', ['alpha'])")
    try:
        term.wait_for("eve␛]0;pwned-name␇[/]")
        # the cursor opens on bob's span, which eve did not mark: the status bar says so
        term.wait_for("missing: eve␛]0;pwned-name␇[/]")
        term.type("y")
        term.wait_for("2 eve␛]0;pwne…")
    finally:
        term.kill()
    assert b"pwned-name" in term.raw
    assert b"\x1b]0;pwned" not in term.raw
