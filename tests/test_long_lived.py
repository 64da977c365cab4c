"""Open documents are kept out of the garbage collector's full passes (tui/long_lived.py), and
handed back when their pane closes or the app ends, so nothing is kept that should be freed."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tests.tui_support import app_for, make_store, open_document, until

pytestmark = pytest.mark.documents


@pytest.fixture(autouse=True)
def _managed() -> Iterator[None]:
    """The policy is on, as `annotator annotate` turns it on for its process, and nothing is
    frozen yet (the suite freezes between tests: tests/conftest.py, _young_heap)."""
    from annotator.tui import long_lived

    gc.unfreeze()
    long_lived.manage()
    yield
    long_lived.manage(False)


async def test_open_documents_are_frozen_until_a_pane_closes_or_the_app_ends(store):
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        first, second = screen.panes
        assert gc.get_freeze_count() > 0
        assert all(gc.is_tracked(p.view.index) for p in (first, second))
        screen.activate(second)
        await pilot.press("ctrl+w")
        assert gc.get_freeze_count() == 0  # handed back at once: its widgets are cycles
        await pilot.press("o")  # opening another document freezes again
        await pilot.press(*"beta", "enter")
        await until(pilot, lambda: not screen.pane_manager.settling,
                    "settled after its first frame")
        assert [p.document.id for p in screen.panes] == ["alpha", "beta"]
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # and the app's end hands everything back


@pytest.mark.parametrize("docs", [("alpha",), ()])
async def test_collection_held_for_start_up_resumes_once_drawn(tmp_path, docs):
    """`annotator annotate` holds the collector while Textual loads; the first frame turns it
    back on, also when there is no document to open."""
    from annotator.store import Store
    from annotator.tui import long_lived

    s = make_store(tmp_path / "b.db") if docs else Store(tmp_path / "empty.db")
    try:
        long_lived.hold()
        assert not gc.isenabled()
        app = app_for(s, *docs)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(200):  # the first frame; on a loaded machine, a few pauses away
                await pilot.pause()
                if gc.isenabled():
                    break
                await pilot.pause(0.01)
            assert gc.isenabled()
            assert bool(app.screen.panes) == bool(docs)
    finally:
        gc.enable()
        s.close()


async def test_the_full_collection_waits_until_the_text_is_drawn(store, monkeypatch):
    """settle() runs a full collection of all that start-up made (tens of ms on a big
    document): after the document's first screen of text is drawn, not in front of it."""
    from annotator.tui import long_lived

    drawn_at_settle: list[int] = []
    settle = long_lived.settle
    app = app_for(store, "alpha")

    def recording_settle() -> None:
        panes = getattr(app.screen, "panes", [])
        drawn_at_settle.append(sum(len(p.view.painter.drawn) for p in panes))
        settle()

    monkeypatch.setattr(long_lived, "settle", recording_settle)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.panes[0].view.painter.drawn  # the text is on screen
    assert drawn_at_settle  # it ran
    assert drawn_at_settle[0] > 0  # with lines of text drawn already


async def test_an_app_in_a_process_that_did_not_ask_leaves_its_collector_alone(store,
                                                                             monkeypatch):
    """A test, or a script embedding the TUI, keeps its own collector: nothing frozen, no
    collection held, and no full collection run by the app."""
    from annotator.tui import long_lived

    long_lived.manage(False)
    gc.freeze()  # what the process froze itself stays frozen (fewer as they are freed)
    frozen = gc.get_freeze_count()
    collections: list[tuple[int, ...]] = []
    collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or collect(*a))
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.panes[0].view.painter.drawn  # drawn: a managed app settles here
        assert gc.isenabled()
        assert 0 < gc.get_freeze_count() <= frozen
        await pilot.press("ctrl+w")  # closes alpha
        await open_document(pilot, "alpha")
        assert len(app.screen.panes) == 2
        assert gc.isenabled()
        assert 0 < gc.get_freeze_count() <= frozen
    assert 0 < gc.get_freeze_count() <= frozen
    assert collections == []


def test_annotate_turns_the_policy_on_for_its_process(store, db_path, monkeypatch):
    from click.testing import CliRunner

    import annotator.tui.app as tui_app
    from annotator.cli import main
    from annotator.tui import long_lived

    long_lived.manage(False)
    seen: list[tuple[bool, bool]] = []
    monkeypatch.setattr(tui_app, "run_tui", lambda **_: seen.append(
        (long_lived.managed(), gc.isenabled())) or 0)
    result = CliRunner().invoke(main, ["--db", str(db_path), "annotate", "--as", "alice",
                                       "alpha"])
    gc.enable()  # the app would have, once drawn
    assert result.exit_code == 0, result.output
    assert seen == [(True, False)]  # managed, and held until the first frame
