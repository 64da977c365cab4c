"""Make the README's pictures from the sample corpus: `.venv/bin/python docs/screenshots.py`.

Imports data/ into a temporary database, labels a few spans and links two claims across two
reports as an annotator would (through the same Store calls the TUI makes), then drives the
app headless and saves what it shows as SVG.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from annotator.ingest import import_paths
from annotator.labels import load_default_schema
from annotator.model import Status
from annotator.session import Session
from annotator.store import Store
from annotator.tui.app import make_app

ROOT = Path(__file__).resolve().parent.parent
LEFT, RIGHT = "national-courier", "meridian-wire"
SPANS = {
    LEFT: [("2,000-strong force", "NUMBER"), ("Halina Marović", "PERSON"),
           ("some 6,800 residents", "NUMBER"), ("Tervane Dam", "LOC"),
           ("“Troops will be deployed as soon as possible, and they will stay as long as they "
            "are needed,”", "CLAIM"), ("thirty-eight officers", "NUMBER"),
           ("Major General Ivo Sarrant", "PERSON")],
    RIGHT: [("About 7,000 residents", "NUMBER"), ("Quellby", "LOC"),
            ("Civil Protection Agency", "ORG"), ("1,960 people", "NUMBER"),
            ("Tervane Dam", "LOC"), ("José Núñez", "PERSON")],
}


def _label(store: Store, doc_id: str, needle: str, label: str, who: str = "alice"
           ) -> str | None:
    text = store.get_document(doc_id).text
    if needle not in text:
        return None
    start = text.index(needle)
    session = Session(store, who, load_default_schema())  # NUMBER values, as in the TUI
    result = session.label(doc_id, text, start, start + len(needle), label, None)
    return next(c.after["id"] for c in result.changes if c.entity == "span")


async def _shoot(store: Store) -> str:
    app = make_app(store, "alice", load_default_schema(), [LEFT, RIGHT])
    async with app.run_test(size=(160, 44)) as pilot:
        await pilot.press("slash", *"thirty-eight", "enter")
        await pilot.pause()
        return app.export_screenshot(title="annotator")


# bob and carol annotate the same two reports, agreeing on some spans, not on others
OTHERS = {
    "bob": {LEFT: [("2,000-strong force", "NUMBER"), ("Halina Marović", "PERSON"),
                   ("Tervane Dam", "ORG"), ("Ivo Sarrant", "PERSON")],
            RIGHT: [("About 7,000 residents", "NUMBER"), ("Quellby", "LOC"),
                    ("Civil Protection Agency", "ORG"), ("José Núñez", "PERSON")]},
    "carol": {LEFT: [("2,000-strong force", "NUMBER"), ("Halina Marović", "PERSON"),
                     ("some 6,800 residents", "NUMBER"), ("Tervane Dam", "LOC")],
              RIGHT: [("7,000 residents", "NUMBER"), ("Civil Protection Agency", "ORG")]},
}


async def _shoot_dashboard(store: Store) -> str:
    app = make_app(store, "alice", load_default_schema(), [LEFT], dashboard=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return app.export_screenshot(title="annotator dashboard")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "shots.db")
        import_paths(store, [ROOT / "data"], load_default_schema(), "importer")
        ids = {doc: [_label(store, doc, n, lab) for n, lab in spans]
               for doc, spans in SPANS.items()}
        courier, wire = ids[LEFT][2], ids[RIGHT][0]
        if courier and wire:
            store.add_link("alice", "CONTRADICTS", courier, wire)
        svg = asyncio.run(_shoot(store))
        (ROOT / "docs" / "side-by-side.svg").write_text(svg, encoding="utf-8")
        for who, docs in OTHERS.items():
            for doc, spans in docs.items():
                for needle, lab in spans:
                    _label(store, doc, needle, lab, who)
        for who in ("alice", *OTHERS):
            for doc in (LEFT, RIGHT):
                store.set_status(who, doc, Status.DONE)
        svg = asyncio.run(_shoot_dashboard(store))
        (ROOT / "docs" / "dashboard.svg").write_text(svg, encoding="utf-8")
        store.close()


if __name__ == "__main__":
    main()
