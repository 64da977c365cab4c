"""A session where every name and value the screen shows is hostile: escape sequences, C1
controls, bidi overrides and Rich markup in the document id and title, a label name, a link
type name, attribute values and the annotator's name (issue #8, points 6 and 7).

`prepare(db)` writes the database; `run(db)` runs the app on it (in a pty's subprocess). The
schema is built in code, past labels.py's checks that now refuse such names: the screen must
be safe on its own, whatever the schema says.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from annotator.labels import load_default_schema
from annotator.model import Document, LabelSchema
from annotator.store import Store
from tests.tui_support import make_store

OSC = "\x1b]0;pwned-{}\x07"
CLEAR = "\x1b[2J"
CSI8 = "\x9b31m"
RLO = "\u202e"
DOC_ID = f"doc{OSC.format('id')}[/]"
TITLE = f"Title{OSC.format('title')}[sic]{RLO}"
LABEL = f"NUM{OSC.format('label')}[/]{RLO}"
LINK = f"CONTRA{OSC.format('link')}[/]"
UNIT = f"staff{OSC.format('attr')}[bold]u[/bold]{CSI8}{RLO}"
QUALIFIER = f"exact{CLEAR}[@click=app.quit]"
WHO = "eve[/]"
TEXT = "Hostile report\n\nAbout 7,000 residents left Quellby; 38 staff stayed behind.\n"


def schema() -> LabelSchema:
    base = load_default_schema()
    labels = tuple(replace(lab, name=LABEL) if lab.name == "NUMBER" else lab
                   for lab in base.labels)
    links = tuple(replace(lt, name=LINK, from_labels=(LABEL,), to_labels=(LABEL,))
                  if lt.name == "CONTRADICTS" else lt for lt in base.links)
    return replace(base, labels=labels, links=links)


def prepare(db: Path) -> None:
    store = make_store(db, {})
    with store.import_session("importer") as imp:
        imp.add_document(Document(DOC_ID, TEXT, TITLE, schema=load_default_schema().ref))
    a, b = TEXT.index("7,000 residents"), TEXT.index("38 staff")
    first = store.add_span(WHO, DOC_ID, a, a + 15, LABEL,
                           {"unit": UNIT, "qualifier": QUALIFIER}).changes[0].after
    second = store.add_span(WHO, DOC_ID, b, b + 8, LABEL, {"unit": "staff"}).changes[0].after
    assert first is not None
    assert second is not None
    store.add_link(WHO, LINK, first["id"], second["id"])
    store.close()


def run(db: str) -> None:
    from annotator.tui.app import make_app

    with Store(db) as store:
        make_app(store, WHO, schema(), [DOC_ID]).run()
