"""Open documents are kept out of the garbage collector's full passes (tui/long_lived.py), and
handed back when their pane closes or the app ends, so nothing is kept that should be freed."""

from __future__ import annotations

import gc

import pytest

from tests.tui_support import app_for, make_store

pytestmark = pytest.mark.documents


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
        await pilot.pause()
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
