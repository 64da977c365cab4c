"""What could be slow runs off the UI thread: the picker reads the documents in a worker, the
layout a cursor move changes is written in one. Tests wait for the workers, never sleep."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import OptionList, Static

from annotator.model import DocumentSummary
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.picker import DocumentPicker
from tests.test_screens import Host
from tests.tui_support import app_for, make_store, until

pytestmark = pytest.mark.asyncio


def _status(screen: DocumentPicker) -> str:
    content = screen.query_one("#status", Static).content
    return content.plain if isinstance(content, Content) else str(content)


async def test_the_picker_reads_the_documents_in_a_thread_and_lists_them() -> None:
    release, threads = threading.Event(), []

    def documents() -> list[DocumentSummary]:
        threads.append(threading.current_thread())
        release.wait(10)  # a slow database: the dialog is up and says so meanwhile
        return [DocumentSummary(f"doc-{i}", f"Report {i}", 100) for i in range(3)]

    app = Host(lambda: DocumentPicker(documents, "alice", set()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, DocumentPicker)
        assert _status(picker).startswith("loading documents…")
        await pilot.press("2")  # typed while loading: the filter applies once they are read
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert threads[0] is not threading.main_thread()
        assert _status(picker).startswith("1 of 3 documents")
        assert picker.query_one("#documents", OptionList).option_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "doc-2"


async def test_the_picker_says_when_the_documents_cannot_be_read() -> None:
    import sqlite3

    def documents() -> list[DocumentSummary]:
        raise sqlite3.OperationalError("disk I/O error")

    app = Host(lambda: DocumentPicker(documents, "alice", set()))
    async with app.run_test(size=(100, 30)) as pilot:
        # the worker starts once the picker is mounted: wait for what it says, not for workers
        await until(pilot, lambda: isinstance(app.screen, DocumentPicker)
                    and not _status(app.screen).startswith("loading"), "the list tried")
        assert _status(app.screen) == "could not read the documents: disk I/O error"


async def test_o_opens_the_picker_listing_the_database(tmp_path: Path) -> None:
    store = make_store(tmp_path / "a.db")
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, DocumentPicker)
        picker = app.screen  # its list is read by a worker it starts once it is mounted
        await until(pilot, lambda: not _status(picker).startswith("loading"), "the list read")
        assert _status(picker).startswith("3 of 3 documents")
    store.close()


async def test_a_moved_cursor_is_saved_by_a_worker(tmp_path: Path) -> None:
    store = make_store(tmp_path / "a.db")
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("w", "w", "w")
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        cursor = screen.active.view.cursor if screen.active else -1
        screen.layout_memory.save_in_background()  # what the timer calls, a second after the keys
        await app.workers.wait_for_complete()
        assert [w.name for w in app.workers] == []
    layout = store.get_ui_state("alice", "layout")
    assert layout["docs"] == ["alpha", "beta"]
    assert layout["cursors"]["alpha"] == cursor > 0
    store.close()


async def test_a_late_background_write_does_not_undo_a_newer_layout(tmp_path: Path) -> None:
    store = make_store(tmp_path / "a.db")
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        old = screen.layout_memory.snapshot()  # taken for a background write that is slow to run
        assert old is not None
        await pilot.press("ctrl+w")  # closes alpha: saved at once
        screen.layout_memory.write(*old)  # the old write lands after it
    assert store.get_ui_state("alice", "layout")["docs"] == ["beta"]
    store.close()


BIG = "\n\n".join(f"Paragraph {i}: " + "Minister Halina Marović spoke in Quellby. " * 8
                  for i in range(3000))  # about 1 MB: longer than the first wrap


async def test_a_long_document_is_drawn_before_all_of_it_is_wrapped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.tui.widgets.document_view import FIRST_WRAP, DocumentView

    store = make_store(tmp_path / "a.db", {"big": BIG})
    firsts: list[int] = []
    first = DocumentView._first_layout

    def recorded(view: DocumentView, width: int):  # type: ignore[no-untyped-def]
        layout = first(view, width)  # what the first frame is drawn from
        firsts.append(len(layout.text))
        return layout

    monkeypatch.setattr(DocumentView, "_first_layout", recorded)
    app = app_for(store, "big")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.screen.query_one(DocumentView)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert firsts
        assert FIRST_WRAP <= firsts[0] < len(BIG) // 4
        assert len(view.text_layout.text) == len(BIG)  # the rest, wrapped by the worker
        assert view.virtual_size.height == len(view.text_layout) > 10_000
        await pilot.press("G")
        assert view.cursor == len(BIG)
        assert view.cursor_line == len(view.text_layout) - 1
    store.close()


async def test_g_before_the_rest_is_wrapped_goes_to_the_real_end(tmp_path: Path) -> None:
    from annotator.tui.widgets.document_view import DocumentView

    store = make_store(tmp_path / "a.db", {"big": BIG})
    app = app_for(store, "big")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.screen.query_one(DocumentView)
        await pilot.press("G")  # may arrive before the worker is done: the view wraps it all
        assert view.cursor == len(BIG)
        assert len(view.text_layout.text) == len(BIG)

        def cursor_on_screen() -> bool:
            top = view.scroll_offset.y
            return top <= view.cursor_line < top + view.scrollable_content_region.height

        await until(pilot, cursor_on_screen, "scrolled to the end")  # after the next refresh
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert view.cursor_line == len(view.text_layout) - 1
    store.close()


@pytest.mark.parametrize("docs", [("alpha", "beta"), ()], ids=["asked", "saved-or-next"])
async def test_the_first_frame_of_the_screen_has_the_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docs: tuple[str, ...]) -> None:
    """The panes are composed with the screen: its first layout and frame have the text. They
    were mounted after it, and each cost the screen another layout and frame: the text came in
    the fourth frame, after an empty one went to the terminal."""
    from textual.screen import Screen

    from annotator.tui.widgets.document_view import DocumentView

    store = make_store(tmp_path / "a.db")
    events: list[str] = []
    refresh, draw = Screen._compositor_refresh, DocumentView.render_line

    def frame(screen: Screen[object]) -> None:
        if isinstance(screen, AnnotateScreen):
            events.append("frame")
        refresh(screen)

    def line(view: DocumentView, y: int):  # type: ignore[no-untyped-def]
        if events and events[-1] == "frame":
            events.append(f"text of {view.document.id}")
        return draw(view, y)

    monkeypatch.setattr(Screen, "_compositor_refresh", frame)
    monkeypatch.setattr(DocumentView, "render_line", line)
    app = app_for(store, *docs)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(events) > 1, "a frame with text")
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert [p.document.id for p in screen.panes] == list(docs or ["alpha"])
        assert events[0] == "frame"
        assert events[1].startswith("text of ")  # drawn in that first frame
        assert screen.focused is screen.panes[0].view
    store.close()
