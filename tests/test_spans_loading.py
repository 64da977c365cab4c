"""A document's spans are read and indexed off the UI thread, after its text is drawn: the
first screen of a long document does not wait for 20,000 spans. Keys pressed meanwhile act on
all of the spans (they wait for the index), and the spans are drawn once they are there."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from annotator.session import Session
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.span_loading import SpanLoading
from tests.tui_support import add_span, app_for, make_store, status

pytestmark = pytest.mark.asyncio


def _gate_spans(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """Session.spans held until the UI thread asks for an index that is not built yet (so the
    keys pressed are sure to come before the spans): (asked, threads that read the spans)."""
    asked, readers = threading.Event(), []
    read, get = Session.spans, SpanLoading.get

    def spans(self: Session, doc_id: str):  # type: ignore[no-untyped-def]
        readers.append(threading.current_thread().name)
        asked.wait(30)  # released by the UI thread's first get() below
        return read(self, doc_id)

    def waiting_get(self: SpanLoading):  # type: ignore[no-untyped-def]
        if self.ready() is None:
            asked.set()
        return get(self)

    monkeypatch.setattr(Session, "spans", spans)
    monkeypatch.setattr(SpanLoading, "get", waiting_get)
    return asked, readers


async def test_the_text_is_drawn_before_the_spans_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path / "a.db")
    add_span(store, "alpha", "Quellby", "LOC")
    asked, readers = _gate_spans(monkeypatch)
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert screen.active is not None
        view = screen.active.view
        assert "Quellby" in "".join(view.render_line(y).text for y in range(6))
        assert view.spans.ready() is None  # drawn without its spans: they are still coming
        asked.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(readers) == 1  # read once, by a worker thread
        assert readers[0] != threading.main_thread().name
        assert [s.label for s in view.shown_index.spans()] == ["LOC"]
        assert screen.side.span_list.index.counts == {"LOC": 1}  # the side panel has them
    store.close()


def _two_spans_held(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, AnnotatorApp]:
    """alpha with a DATE on Monday and a LOC on Quellby, whose spans wait for the first key
    that needs them."""
    store = make_store(path)
    add_span(store, "alpha", "Quellby", "LOC")
    add_span(store, "alpha", "Monday", "DATE")
    _gate_spans(monkeypatch)
    return store, app_for(store, "alpha")


async def test_keys_pressed_while_the_spans_load_act_on_all_of_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, app = _two_spans_held(tmp_path / "a.db", monkeypatch)
    text = store.get_document("alpha").text
    async with app.run_test(size=(120, 40)) as pilot:
        # ] to the first span (Monday), x deletes it; ] to the next (Quellby), 2 labels it
        # ORG: a relabel of the span that is there, not a second span over the same word
        await pilot.press("]", "x", "]", "2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "ORG" in status(app)
    spans = Store(tmp_path / "a.db").spans("alpha", "alice")
    assert [(text[s.start:s.end], s.label) for s in spans] == [("Quellby", "ORG")]
    store.close()


async def test_the_span_list_reached_while_the_spans_load_lists_all_of_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, app = _two_spans_held(tmp_path / "a.db", monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab", "j", "j", "enter")  # the list's second row: Quellby
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert screen.active is not None
        view = screen.active.view
        assert app.focused is view
        assert view.text[view.cursor:].startswith("Quellby")
    store.close()
