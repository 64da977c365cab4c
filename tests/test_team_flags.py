"""Flags from the annotation screen (issue #11): `!` flags the span under the cursor, or the
document, with a note typed in a small dialog; the flag is stored at once, shows in the side
panel, and reaches the leads (`flag list`, `docs`) and the native export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Static

from annotator.cli import main
from annotator.keymap import reserved_keys
from annotator.store import Store
from annotator.store.team import flags
from annotator.team import NOTE_MAX, flag_note
from annotator.tui.screens.flagging import FlagDialog
from tests.tui_support import add_span, app_for, find, screen, status

pytestmark = pytest.mark.documents


def as_user(db_path: Path):
    """`cli(user, *args)`: the command as that user on db_path; its output (exit code 0)."""
    def cli(user: str, *args: str) -> str:
        r = CliRunner().invoke(main, ["--db", str(db_path), *args], env={"USER": user})
        assert r.exit_code == 0, r.output
        return r.stdout

    return cli


def side_flags(app) -> str:
    box = screen(app).side.flag_box
    return str(box.rows.render()) if box.display and box.has_class("-shown") else ""


async def test_bang_flags_the_document_with_a_note_and_the_side_panel_shows_it(
        store: Store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        assert side_flags(app) == ""  # no flags: no box
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, FlagDialog)
        assert "the document alpha" in str(app.screen.query_one("#what", Static).render())
        await pilot.press(*"text  garbled", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, FlagDialog)
        assert "flagged the document for the leads (flag 1): text garbled" in status(app)
        assert side_flags(app) == "⚑ document: text garbled"
    [flag] = flags(store, "alice", doc_id="alpha")
    assert (flag.span_id, flag.note, flag.resolved_at) == (None, "text garbled", None)


async def test_bang_on_a_span_flags_that_span(store: Store) -> None:
    span_id = add_span(store, "alpha", "Quellby", "LOC")
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await find(pilot, "Quellby")
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert "LOC “Quellby”" in str(app.screen.query_one("#what", Static).render())
        await pilot.press(*"guideline unclear", "enter")
        await pilot.pause()
        assert side_flags(app) == "⚑ LOC “Quellby”: guideline unclear"
    [flag] = flags(store, "alice")
    assert (flag.doc_id, flag.span_id, flag.note) == ("alpha", span_id, "guideline unclear")


async def test_an_empty_note_keeps_the_dialog_open_and_escape_flags_nothing(
        store: Store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FlagDialog)
        assert "a note cannot be empty" in str(app.screen.query_one("#why", Static).render())
        assert app.screen.query_one("#note", Input).max_length == NOTE_MAX
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FlagDialog)
        await pilot.press("u")  # a flag is no action to undo; nothing else happened either
        assert "nothing to undo" in status(app)
    assert flags(store, open_only=False) == []


async def test_resolved_flags_show_dimmed_with_who_resolved_them(store: Store,
                                                                db_path: Path) -> None:
    from annotator.store.team import add_flag, resolve_flag

    add_flag(store, "alice", "alpha", "first")
    add_flag(store, "alice", "alpha", "second")
    add_flag(store, "bob", "alpha", "bob's own")  # blind: not in alice's panel
    resolve_flag(store, 1, "boss")
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert side_flags(app).splitlines() == ["⚑ document: second",
                                                "✓ document: first (resolved by boss)"]


def test_a_note_is_one_clean_line() -> None:
    assert flag_note("  guideline\n\tunclear  ") == "guideline unclear"
    assert flag_note("x" * NOTE_MAX) == "x" * NOTE_MAX
    with pytest.raises(ValueError, match=f"at most {NOTE_MAX} characters"):
        flag_note("x" * (NOTE_MAX + 1))
    with pytest.raises(ValueError, match="control or invisible characters"):
        flag_note("look \x1b]0;pwned\x07 here")
    with pytest.raises(ValueError, match="control or invisible characters"):
        flag_note("evil\u202etxt")
    with pytest.raises(ValueError, match="cannot be empty"):
        flag_note(" \n ")


def test_the_cli_refuses_the_same_notes(store: Store, db_path: Path) -> None:
    r = CliRunner().invoke(main, ["--db", str(db_path), "flag", "add", "alpha", "a\x1b[2Jb"])
    assert r.exit_code == 2
    assert "control or invisible characters (U+001B)" in r.stderr
    assert flags(store, open_only=False) == []


def test_bang_is_reserved_for_flags() -> None:
    assert reserved_keys()["!"] == "flag for the leads"


async def test_the_lead_sees_a_flag_from_the_screen_in_list_docs_and_export(
        store: Store, db_path: Path) -> None:
    cli = as_user(db_path)
    cli("boss", "users", "add", "boss", "--role", "lead")
    cli("boss", "users", "add", "alice")
    app = app_for(store, "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("exclamation_mark", *"garbled", "enter")
        await pilot.pause()
    assert cli("boss", "flag", "list").split() == ["1", "beta", "alice", "open", "garbled"]
    assert "⚑1" in cli("boss", "docs")
    rows = [json.loads(x) for x in cli("boss", "export", "-f", "jsonl").splitlines()]
    notes = {(r["id"], r["annotator"]): r.get("notes") for r in rows}
    assert [n["note"] for n in notes["beta", "alice"]] == ["garbled"]


def test_a_flag_on_an_untouched_document_is_exported_as_a_todo_set_in_order(
        store: Store, db_path: Path) -> None:
    import io

    from annotator.export import export
    from annotator.store.team import add_flag

    add_span(store, "alpha", "Quellby", "LOC")
    store.set_status("alice", "messy", "done")
    add_flag(store, "alice", "beta", "text garbled")  # no set of alice's on beta
    add_flag(store, "alice", "alpha", "guideline unclear")

    def lines(**kw: object) -> list[tuple[str, str, list[str] | None]]:
        out = io.StringIO()
        export(store, "jsonl", out, **kw)
        rows = [json.loads(x) for x in out.getvalue().splitlines()]
        return [(r["id"], r["status"], [n["note"] for n in r["notes"]] if "notes" in r
                 else None) for r in rows]

    assert lines() == [("alpha", "in_progress", ["guideline unclear"]),
                       ("beta", "todo", ["text garbled"]),
                       ("messy", "done", None)]
    assert lines(status="done") == [("messy", "done", None)]
    assert lines(annotator="bob") == []


def test_flag_list_names_the_flagged_span_by_label_and_text(store: Store, db_path: Path) -> None:
    from annotator.store.team import add_flag

    kept = add_span(store, "alpha", "Quellby", "LOC")
    gone = add_span(store, "alpha", "Monday", "DATE")
    add_flag(store, "alice", "alpha", "is a town a LOC?", kept)
    add_flag(store, "alice", "alpha", "which Monday?", gone)
    store.delete_span("alice", gone)
    r = CliRunner().invoke(main, ["--db", str(db_path), "flag", "list"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"1 alpha span {kept} LOC “Quellby” alice open is a town a LOC?",
        f"2 alpha span {gone} (deleted since) alice open which Monday?"]


def test_flag_list_as_json_for_scripts(store: Store, db_path: Path) -> None:
    """`--format json`: one array, a flag an object, the span's label and text (or that it was
    deleted), resolved ones with --resolved; a note's control characters come out escaped."""
    from annotator.store.team import add_flag, resolve_flag

    kept = add_span(store, "alpha", "Quellby", "LOC")
    gone = add_span(store, "alpha", "Monday", "DATE")
    add_flag(store, "alice", "alpha", "is a town a LOC? \x1b[2J", kept)
    add_flag(store, "alice", "alpha", "which Monday?", gone)
    add_flag(store, "alice", "beta", "text garbled")
    store.delete_span("alice", gone)
    resolve_flag(store, 3, "alice")

    def listed(*extra: str) -> list[dict[str, object]]:
        r = CliRunner().invoke(main, ["--db", str(db_path), "flag", "list", "--format", "json",
                                      *extra])
        assert r.exit_code == 0, r.output
        assert "\x1b" not in r.stdout  # escaped: \u001b
        rows: list[dict[str, object]] = json.loads(r.stdout)
        return rows

    rows = listed()
    assert [(f["id"], f["doc_id"], f["span"], f["note"], f["resolved_by"]) for f in rows] == [
        (1, "alpha", {"id": kept, "label": "LOC", "text": "Quellby"},
         "is a town a LOC? \x1b[2J", None),
        (2, "alpha", {"id": gone, "deleted": True}, "which Monday?", None)]
    assert {k for f in rows for k in f} == {"id", "doc_id", "span", "annotator", "flagged_by",
                                            "note", "created_at", "resolved_by", "resolved_at"}
    [done] = [f for f in listed("--resolved") if f["id"] == 3]
    assert (done["span"], done["resolved_by"]) == (None, "alice")
    assert done["resolved_at"]


async def test_a_lead_flagging_in_bobs_set_is_named_as_who_flagged(store: Store,
                                                                  db_path: Path) -> None:
    """The flag is in bob's set, but the lead made it (annotate --as bob): `flag list`, the
    export's notes and the backup say so; before, the flag was credited to bob."""
    from annotator.labels import load_default_schema
    from annotator.tui.app import make_app

    cli = as_user(db_path)
    cli("boss", "users", "add", "boss", "--role", "lead")
    cli("boss", "users", "add", "bob")
    store.actor = "boss"  # as Store.for_session sets it for the lead's screen
    app = make_app(store, "bob", load_default_schema(), ["beta"], actor="boss")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("exclamation_mark", *"garbled", "enter")
        await pilot.pause()
    [flag] = flags(store)
    assert (flag.annotator, flag.flagged_by) == ("bob", "boss")
    assert cli("boss", "flag", "list").split() == ["1", "beta", "bob", "(by", "boss)", "open",
                                                   "garbled"]
    rows = [json.loads(x) for x in cli("boss", "export", "-f", "jsonl").splitlines()]
    [note] = next(r["notes"] for r in rows if (r["id"], r["annotator"]) == ("beta", "bob"))
    assert (note["note"], note["flagged_by"]) == ("garbled", "boss")
