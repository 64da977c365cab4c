"""Shared set-up for the TUI tests: a database with a few small, messy documents."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from annotator.labels import load_default_schema
from annotator.model import Document, LabelSchema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp, make_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.document_view import DocumentView
from tests.db_template import new_store

DOCS = {
    "alpha": (
        "Alpha report\n\n"
        "Minister Halina Marović said “no troops will be deployed” on Monday.\n\n"
        "About 7,000 residents left Quellby; 38 staff stayed behind.\n"
    ),
    "beta": (
        "Beta report\n\n"
        "Deputy Łukasz Wróbel said troops will be deployed as soon as possible.\n\n"
        "A 2,000-strong force arrived with 35 officers.\n"
    ),
    "messy": (
        "Messy: 東洋放送 and emoji 🙄 👍\n\n"
        "Zoë’s note: e\u0301 combined, tab\there, ESC\x1b]0;pwned\x07 and \x1b[2J clear.\n"
        "CJK line 東洋放送東洋放送東洋放送 then Nguyễn Thị Lan.\n"
    ),
}


@cache
def default_schema() -> LabelSchema:
    """The default schema, read and checked once per test process (a frozen dataclass)."""
    return load_default_schema()


def fill(store: Store, docs: dict[str, str] | None = None) -> Store:
    """Import the default schema and docs (DOCS if None), titled by their first lines."""
    schema = default_schema()
    with store.import_session("importer") as imp:
        imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
        for doc_id, text in (DOCS if docs is None else docs).items():
            imp.add_document(Document(doc_id, text, text.split("\n", 1)[0], schema=schema.ref))
    return store


def make_store(path: Path, docs: dict[str, str] | None = None) -> Store:
    """A store of its own at path (the `store` fixture, marked `documents`, is the usual way)."""
    return fill(new_store(path), docs)


def add_span(store: Store, doc_id: str, needle: str, label: str, nth: int = 0,
             **attrs: object) -> str:
    """Label the nth occurrence of needle in the document as alice; the new span's id."""
    text = store.get_document(doc_id).text
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    result = store.add_span("alice", doc_id, start, start + len(needle), label, attrs)
    return next(c.after["id"] for c in result.changes if c.entity == "span")


THEME = "textual-dark"  # pinned: $TEXTUAL_THEME (the README suggests it) must not change a test


TOAST_SECONDS = 600.0  # a toast stays up until the test looks (see app_for)


def app_for(store: Store, *doc_ids: str, who: str = "alice") -> AnnotatorApp:
    """The app as the CLI makes it, its theme pinned, and every toast kept on screen: under
    load (the suite on 2 busy cores) a 3 s toast was gone before the test looked at it."""
    app = make_app(store, who, default_schema(), list(doc_ids))
    app.theme = THEME
    notify = app.notify

    def lasting(message: str, **options: Any) -> None:
        notify(message, **{**options, "timeout": TOAST_SECONDS})

    app.notify = lasting  # type: ignore[method-assign]
    return app


def status(app: App) -> str:
    """The status bar's text."""
    return str(app.screen.query_one("#status").render())


def toasts(app: App) -> list[str]:
    """The notifications on screen, oldest first."""
    return [str(t.render()) for t in app.screen.query("Toast")]


def screen(app: App) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen), app.screen
    return app.screen


def view(app: App) -> DocumentView:
    """The active pane's document view."""
    active = screen(app).active
    assert active is not None
    return active.view


async def find(pilot: Pilot, needle: str) -> None:
    """Search for needle: the cursor goes to its first match (or the status says none), and
    the spans are there (a worker reads them once the text is drawn): a picture is the same
    each time."""
    await pilot.press("slash", *needle, "enter")
    await workers_done(pilot)


async def workers_done(pilot: Pilot) -> None:
    """Every worker finished, also those a finished one started (the spans' worker, then the
    suggestions' search of a big document)."""
    quiet = 0
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # a finished worker's message starts the next one a moment later (the spans, then
        # the suggestions): quiet three times over, not once
        quiet = 0 if any(w.is_running for w in pilot.app.workers) else quiet + 1
        if quiet == 3:
            return


async def until(pilot: Pilot, ready: Callable[[], object], what: str = "") -> None:
    """Pause until `ready()` is true: what a worker, a timer or a resize does comes a few
    pauses later on a loaded machine. Fails, saying what it waited for, after ~500 pauses."""
    for _ in range(500):
        if ready():
            return
        await pilot.pause()
    raise AssertionError(f"still not true after 500 pauses: {what or ready}")


async def open_document(pilot: Pilot, doc_id: str) -> None:
    """`o`, the id, enter: the picker reads its list in a worker and enter waits for that, so
    the document's pane is there some pauses later on a loaded machine, not after one."""
    app = pilot.app
    await pilot.press("o", *doc_id, "enter")
    await until(pilot, lambda: isinstance(app.screen, AnnotateScreen)
                and any(p.document.id == doc_id for p in app.screen.panes),
                f"the picker gone and {doc_id} in a pane")


async def resize(pilot: Pilot, width: int, height: int) -> None:
    """Resize the terminal and wait until the screen has the new size (Textual applies a
    resize on a timer, 1/120 s later) and has laid itself out for it."""
    await pilot.resize_terminal(width, height)
    await until(pilot, lambda: tuple(pilot.app.screen.size) == (width, height),
                f"the screen at {width}x{height}")
    await pilot.pause()


def span_texts(store: Store, doc_id: str, who: str = "alice") -> list[tuple[str, str]]:
    doc = store.get_document(doc_id)
    assert doc is not None
    return [(s.label, doc.text[s.start : s.end]) for s in store.spans(doc_id, who)]
