"""The editor's key bindings (docs/keys.md), in one place.

Every key that acts on a document is a *priority* binding of the focused DocumentView, so
Textual runs it the moment the app reads the key, in the order keys arrive. Non-priority
bindings only run after the key has bubbled up to the app, and a key handled on the way up
would overtake them: over a slow SSH link "G 7" arrives as one burst, and 7 would label the
word at the old cursor. Label keys come from the schema and are bound the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding, BindingsMap

from annotator.model import LabelSchema

# (keys, action on the document view, description)
MOTIONS: tuple[tuple[str, str, str], ...] = (
    ("left,h", "move(-1)", "left"),
    ("right,l", "move(1)", "right"),
    ("up,k", "line(-1)", "up"),
    ("down,j", "line(1)", "down"),
    ("w,ctrl+right", "word(1)", "next word"),
    ("b,ctrl+left", "word(-1)", "previous word"),
    ("right_curly_bracket", "paragraph(1)", "next paragraph"),
    ("left_curly_bracket", "paragraph(-1)", "previous paragraph"),
    ("g,ctrl+home", "edge(-1)", "start"),
    ("G,ctrl+end", "edge(1)", "end"),
    ("home", "line_edge(-1)", "line start"),
    ("end", "line_edge(1)", "line end"),
    ("pageup", "page(-1)", "page up"),
    ("pagedown", "page(1)", "page down"),
    ("shift+left", "extend('move', -1)", "select left"),
    ("shift+right", "extend('move', 1)", "select right"),
    ("shift+up", "extend('line', -1)", "select up"),
    ("shift+down", "extend('line', 1)", "select down"),
    ("v", "toggle_select", "select"),
    ("c", "toggle_precise", "char/word"),
    ("escape", "clear_selection", "clear"),
    ("right_square_bracket", "span(1)", "next span"),
    ("left_square_bracket", "span(-1)", "previous span"),
    ("n", "search_next(1)", "next match"),
    ("N", "search_next(-1)", "previous match"),
)  # fmt: skip

# (keys, action on the annotation screen, description)
SCREEN_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("question_mark", "help", "help"),
    ("o", "open_document", "open"),
    ("ctrl+w", "close_pane", "close pane"),
    ("x,delete", "delete_span", "delete"),
    ("greater_than_sign", "resize(True)", "grow"),
    ("less_than_sign", "resize(False)", "shrink"),
    ("e", "edit_attributes", "attributes"),
    ("L", "link", "link"),
    ("slash", "search", "search"),
    ("u", "undo", "undo"),
    ("ctrl+r", "redo", "redo"),
    ("D", "done", "done+next"),
    ("ctrl+b", "toggle_side", "side panel"),
    ("q", "quit", "quit"),
)  # fmt: skip


# What the search box does with a key it captures (see AnnotateScreen.capture_key).
SEARCH_EDITING = {
    "backspace": "delete_left", "delete": "delete_right", "left": "cursor_left",
    "right": "cursor_right", "home": "home", "end": "end", "ctrl+w": "delete_left_word",
}


def screen_bindings() -> list[Binding]:
    """The screen's own: they work wherever the focus is (the span list, no document open)."""
    return [
        Binding("tab", "cycle_pane(1)", "next pane", show=False, priority=True),
        Binding("shift+tab", "cycle_pane(-1)", "previous pane", show=False, priority=True),
        *(Binding(keys, action, what, show=False) for keys, action, what in SCREEN_ACTIONS),
        Binding("escape", "cancel", "cancel", show=False),
    ]


def view_bindings() -> list[Binding]:
    """A document view's: its motions and the screen's actions, all in arrival order."""
    return [
        *(Binding(keys, action, what, show=False, priority=True)
          for keys, action, what in MOTIONS),
        *(Binding(keys, f"screen.{action}", what, show=False, priority=True)
          for keys, action, what in SCREEN_ACTIONS),
    ]


def label_bindings(schema: LabelSchema) -> BindingsMap:
    """A priority binding for each label key of the schema (BindingsMap names the keys)."""
    keys: Sequence[Binding] = [
        Binding("comma" if lab.key == "," else lab.key, f"screen.label_key({i})", lab.name,
                show=False, priority=True)
        for i, lab in enumerate(schema.labels) if lab.key
    ]
    return BindingsMap(keys)
