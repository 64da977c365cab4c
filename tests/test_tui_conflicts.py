"""Conflicts in the annotation screen (docs/conflicts.md): tag two figures in two panes, link
them, and the status bar and the report say they conflict; `=` shows the cluster and offers
the candidates of the other open documents, linked only with enter."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.store import Store
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.figures import FiguresScreen
from tests.tui_support import app_for, find, screen, span_texts, status

pytestmark = pytest.mark.documents


async def settled(app, pilot) -> None:
    """The clusters are recomputed by a worker once the keys are quiet: start it now rather
    than wait for the quiet, wait for it, then the frame."""
    await pilot.pause()
    screen(app).figures.flush()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def figures_in_conflict(app, pilot):
    """`=` on the span under the cursor: the figures view opens on a cluster in conflict."""
    await pilot.press("=")
    await pilot.pause()
    assert isinstance(app.screen, FiguresScreen)
    shown = app.screen.cluster
    assert shown is not None
    assert shown.in_conflict
    return shown


async def test_two_figures_linked_across_panes_conflict_in_the_status_bar_and_report(
        store, db_path):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await find(pilot, "38 staff")
        await pilot.press("v", "w", "5", "L")  # NUMBER “38 staff”, and a link starts there
        assert "conflict" not in status(app)
        await pilot.press("tab")
        await find(pilot, "35 officers")
        await pilot.press("v", "w", "5")
        await pilot.pause()
        assert span_texts(store, "beta") == [("NUMBER", "35 officers")]
        assert "conflict" not in status(app)  # not linked yet: no cluster
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("d")  # CONTRADICTS: the news schema's one type from NUMBER to NUMBER
        await settled(app, pilot)
        assert [(lk.type, lk.from_doc, lk.to_doc) for lk in store.links("alice")] == [
            ("CONTRADICTS", "alpha", "beta")]
        assert "✗ conflict: 35 exact vs 38 exact (= shows)" in status(app)
        shown = await figures_in_conflict(app, pilot)
        assert [(f.written, f.value) for f in shown.figures] == [("38 staff", 38),
                                                                   ("35 officers", 35)]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        await pilot.press("u")  # undo the link: no cluster, no conflict
        await settled(app, pilot)
        assert "conflict" not in status(app)
        await pilot.press("ctrl+r")
        await settled(app, pilot)
        assert "✗ conflict" in status(app)
        watch = screen(app).figures.watch
        computed = watch.computed
        await pilot.press("left", "right", "w", "b", "[", "]")  # moving computes nothing
        await find(pilot, "Wróbel")
        await pilot.press("1")  # nor does a PERSON span: it is in no cluster
        await settled(app, pilot)
        assert watch.computed == computed
    result = CliRunner().invoke(main, ["--db", str(db_path), "conflicts", "--format", "json"])
    assert result.exit_code == 0, result.output
    [cluster] = json.loads(result.stdout)["clusters"]
    assert cluster["state"] == "conflict"
    assert cluster["link_types"] == ["CONTRADICTS"]
    assert [(f["text"], f["value"], f["qualifier"], f["unit"]) for f in cluster["figures"]] == [
        ("38 staff", 38, "exact", "staff"), ("35 officers", 35, "exact", "officer")]
    table = CliRunner().invoke(main, ["--db", str(db_path), "conflicts"], env={"COLUMNS": "120"})
    assert "✗ 38 exact (alpha) vs 35 exact (beta)" in table.stdout


@pytest.mark.documents({"one": "One\n\nAbout 7,000 residents left Quellby.\n",
                        "two": "Two\n\nSome 6,800 residents fled.\n"})
async def test_a_candidate_is_linked_only_with_enter_through_the_claims_around_it(store):
    app = app_for(store, "one", "two")
    async with app.run_test(size=(140, 40)) as pilot:
        await find(pilot, "About")
        await pilot.press("v", "w", "w", "w", "w", "6", "escape")  # CLAIM (its form: later)
        await find(pilot, "About")
        await pilot.press("v", "w", "w", "5")  # NUMBER, inside it
        await pilot.press("tab")
        await find(pilot, "Some")
        await pilot.press("v", "w", "w", "w", "6", "escape")
        await find(pilot, "Some")
        await pilot.press("v", "w", "w", "5")
        await pilot.pause()
        assert span_texts(store, "two") == [("NUMBER", "Some 6,800 residents"),
                                            ("CLAIM", "Some 6,800 residents fled")]
        await find(pilot, "6,800")
        await pilot.press("=")
        await pilot.pause()
        figures = app.screen
        assert isinstance(figures, FiguresScreen)
        assert figures.cluster is None
        [candidate] = figures.candidates
        assert candidate.link is not None
        kind, a, b = candidate.link
        assert (kind, a.label, b.label) == ("SAME_CLAIM", "CLAIM", "CLAIM")
        assert store.links("alice") == []  # offered, not made
        await pilot.press("enter")
        await settled(app, pilot)
        assert isinstance(app.screen, AnnotateScreen)
        [link] = store.links("alice")
        assert (link.type, link.from_doc, link.to_doc) == ("SAME_CLAIM", "two", "one")
        assert "linked CLAIM SAME_CLAIM CLAIM" in status(app)
        assert "conflict" not in status(app)  # about 7,000 and some 6,800 agree
        assert screen(app).figures.watch.cluster_of(link.from_span) is not None


async def test_the_dashboard_lists_the_clusters_in_conflict(tmp_path):
    from tests.test_dashboard import app_for as dashboard_app
    from tests.test_dashboard import build, label, settle, text

    store = build(tmp_path / "dash.db")
    label(store, "bob", "alpha", "38 staff", "NUMBER")
    label(store, "bob", "beta", "35 officers", "NUMBER")
    a, b = (s.id for d in ("alpha", "beta") for s in store.spans(d, "bob") if s.label == "NUMBER")
    for span_id, value in ((a, 38), (b, 35)):
        store.update_span("bob", span_id, attrs={"value": value, "qualifier": "exact"})
    app = dashboard_app(store, dashboard=True)
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await settle(app, pilot)
        assert "no figures in conflict" in text(screen, "#dash-conflicts")
        store.add_link("bob", "CONTRADICTS", a, b)
        screen.poll()
        await settle(app, pilot)
        shown = text(screen, "#dash-conflicts")
        assert "1 cluster in conflict (annotator conflicts lists them)" in shown
        assert "bob · alpha, beta: ✗ 38 exact, ✗ 35 exact" in shown
    store.close()


async def test_a_burst_of_changes_is_one_computation_once_the_keys_are_quiet(store):
    """Each change that can move the clusters used to start its own worker, and threads
    cannot be cancelled: on a 5 MB document several ran at once and took the CPU the keys
    needed. Now the changes of a burst wait for quiet keys and are computed once."""
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await find(pilot, "38 staff")
        await pilot.press("v", "w", "5", "L")
        await pilot.press("tab")
        await find(pilot, "35 officers")
        await pilot.press("v", "w", "5", "L", "d")  # NUMBER, then CONTRADICTS: a conflict
        await settled(app, pilot)
        watch = screen(app).figures.watch
        assert "✗ conflict" in status(app)
        computed = watch.computed
        await pilot.press("u", "u", "ctrl+r", "ctrl+r", "u")  # five changes in a burst
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert watch.computed == computed  # nothing yet: the keys are not quiet
        assert watch.dirty
        # the quiet timer, not a flush: the status bar follows by itself
        await pilot.wait_for_scheduled_animations()
        for _ in range(200):
            if not watch.dirty:
                break
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert watch.computed == computed + 1
        assert "conflict" not in status(app)  # the last undo took the link away


async def test_equals_reads_the_set_again_so_another_terminals_link_shows(store, db_path):
    """The clusters are built from the set as this screen's own changes left it; `=` reads
    it again, so a link made in another terminal (another connection) is in the view."""
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await find(pilot, "38 staff")
        await pilot.press("v", "w", "5")
        await pilot.press("tab")
        await find(pilot, "35 officers")
        await pilot.press("v", "w", "5")
        await settled(app, pilot)
        a, b = (s.id for d in ("alpha", "beta") for s in store.spans(d, "alice"))
        with Store(db_path) as other:  # the second terminal
            other.add_link("alice", "CONTRADICTS", a, b)
        shown = await figures_in_conflict(app, pilot)
        assert [f.written for f in shown.figures] == ["38 staff", "35 officers"]
