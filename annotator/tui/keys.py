"""The editor's Textual bindings, built from the one key table (annotator/keymap.py).

Every key that acts on a document is a *priority* binding of the focused DocumentView, so
Textual runs it the moment the app reads the key, in the order keys arrive. Non-priority
bindings only run after the key has bubbled up to the app, and a key handled on the way up
would overtake them: over a slow SSH link "G 7" arrives as one burst, and 7 would label the
word at the old cursor. Label keys come from the schema and are bound the same way.
"""

from __future__ import annotations

from textual.binding import Binding

from annotator.keymap import Key, Where, entries
from annotator.model import LabelSchema


def _binding(entry: Key, action: str | None = None, priority: bool | None = None) -> Binding:
    assert entry.action is not None
    return Binding(entry.keys, action or entry.action, entry.name, show=entry.footer,
                   priority=entry.priority if priority is None else priority)


def bindings(where: Where) -> list[Binding]:
    """The bindings of one screen, dialog or widget, as the key table lists them."""
    return [_binding(e) for e in entries(where) if e.action is not None]


def screen_bindings() -> list[Binding]:
    """The annotation screen's own: they work wherever the focus is (the span list, no
    document open)."""
    return bindings("screen")


def view_bindings() -> list[Binding]:
    """A document view's: its motions and the screen's actions, all priority, so every key
    acts in arrival order."""
    return [*bindings("document"),
            *(_binding(e, f"screen.{e.action}", priority=True)
              for e in entries("screen") if e.on_document)]


def review_view_bindings() -> list[Binding]:
    """The review screen's keys on its gold pane's view: priority, as the screen's are."""
    return [_binding(e, f"screen.{e.action}", priority=True) for e in entries("review")
            if e.action is not None]


# What the search box does with a key it captures (see AnnotateScreen.capture_key).
SEARCH_EDITING = {e.keys: e.action for e in entries("search box") if e.action is not None}


def label_bindings(schema: LabelSchema) -> list[Binding]:
    """A priority binding for each label key of the schema."""
    return [
        Binding("comma" if lab.key == "," else lab.key, f"screen.label_key({i})", lab.name,
                show=False, priority=True)
        for i, lab in enumerate(schema.labels) if lab.key
    ]
