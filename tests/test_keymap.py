"""One key table (annotator/keymap.py) feeds the bindings, the reserved keys and the `?` screen:
every binding the app makes is in it, every entry is bound or documented, and the help shows
every entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Static

from annotator.display import STATUS_GLYPHS
from annotator.keymap import BOUND, KEYMAP, reserved_keys, shown
from annotator.labels import RESERVED_KEYS, load_default_schema, parse_schema
from annotator.model import Status
from annotator.tui import keys
from annotator.tui.screens.attributes import AttributeForm
from annotator.tui.screens.help import HelpScreen, key_groups, key_text
from annotator.tui.screens.link_type import LinkTypeChooser
from annotator.tui.screens.picker import DocumentPicker
from annotator.tui.text_layout import clip
from annotator.tui.widgets.document_view import DocumentView, labelled_view
from annotator.tui.widgets.span_list import SpanList

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _bound() -> set[tuple[str, str, str]]:
    """(where, key, action) for every Binding the app's classes declare."""
    from annotator.tui.screens.annotate import AnnotateScreen
    from annotator.tui.screens.dashboard import DashboardScreen
    from annotator.tui.screens.figures import FiguresScreen
    from annotator.tui.screens.review import ReviewScreen

    sources = {
        "screen": AnnotateScreen.BINDINGS, "help": HelpScreen.BINDINGS,
        "picker": DocumentPicker.BINDINGS, "attributes": AttributeForm.BINDINGS,
        "link type": LinkTypeChooser.BINDINGS, "span list": SpanList.BINDINGS,
        "dashboard": DashboardScreen.BINDINGS, "figures": FiguresScreen.BINDINGS,
        "review": [b for b in ReviewScreen.BINDINGS if b not in AnnotateScreen.BINDINGS],
    }  # fmt: skip
    found = set()
    for where, bindings in sources.items():
        for b in bindings:
            assert isinstance(b, Binding)
            found |= {(where, k.strip(), b.action) for k in b.key.split(",")}
    for b in DocumentView.BINDINGS:
        assert isinstance(b, Binding)
        where = "screen" if b.action.startswith("screen.") else "document"
        found |= {(where, k.strip(), b.action.removeprefix("screen.")) for k in b.key.split(",")}
    return found


def test_every_binding_is_in_the_keymap_and_every_bound_entry_is_bound() -> None:
    table = {(e.where, k, e.action) for e in KEYMAP if e.where in BOUND and e.action
             for k in e.key_names}
    assert _bound() == table


def test_document_keys_and_screen_keys_on_the_document_are_priority() -> None:
    """Keys act in arrival order (docs/keys.md): every key bound on the document view is."""
    assert all(b.priority for b in DocumentView.BINDINGS if isinstance(b, Binding))


def test_label_keys_are_class_bindings_of_a_per_schema_view() -> None:
    schema = load_default_schema()
    view = labelled_view(keys.label_bindings(schema))
    assert issubclass(view, DocumentView)
    assert view.__name__ == "DocumentView"
    merged = view._merged_bindings
    assert merged is not None
    assert [b.action for b in merged.key_to_bindings["1"]] == ["screen.label_key(0)"]
    assert merged.key_to_bindings["w"][0].action == "word(1)"  # the motions are kept
    assert DocumentView._merged_bindings is not None
    assert "1" not in DocumentView._merged_bindings.key_to_bindings  # the base is untouched


def test_reserved_keys_are_the_annotation_screens_keys() -> None:
    assert reserved_keys() == RESERVED_KEYS
    on_screen = {shown(k) for e in KEYMAP if e.where in ("document", "screen")
                 for k in e.key_names}
    single = {k for k in on_screen if len(k) == 1}
    assert single <= set(RESERVED_KEYS)
    assert RESERVED_KEYS["j"] == "move down"
    assert RESERVED_KEYS["}"] == "next paragraph"


def test_a_schema_cannot_take_a_key_added_to_the_keymap() -> None:
    """A key the table binds on the document is refused as a label key, with what it does."""
    source = ('name = "s"\nversion = 1\n[[labels]]\nname = "A"\nkind = "entity"\nkey = "n"\n')
    with pytest.raises(Exception, match='key "n" is reserved for next match'):
        parse_schema(source, "s.toml")


def test_the_help_lists_every_keymap_entry() -> None:
    rows = {(group, keys_shown, line)
            for group, lines in key_groups() for keys_shown, line in lines}
    for entry in KEYMAP:
        row = next((r for r in rows if r[0] == entry.group and r[2] == entry.help), None)
        assert row is not None, entry
        assert all(key_text(k) in row[1] for k in entry.key_names), (entry, row)


@pytest.mark.asyncio
async def test_the_help_screen_shows_every_row() -> None:
    from textual.app import App

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(HelpScreen(load_default_schema()))

    app = Host()
    async with app.run_test(size=(150, 60)) as pilot:
        await pilot.pause()
        shown_text = [str(w.render()) for w in app.screen.query(Static)]
        for _group, lines in key_groups():
            for keys_shown, line in lines:
                assert keys_shown.replace("label key", "1–8") in shown_text
                assert line in shown_text


def test_key_text_writes_keys_as_typed() -> None:
    assert [key_text(k) for k in ("right_curly_bracket", "ctrl+left", "question_mark", "up")] \
        == ["}", "ctrl+←", "?", "↑"]


def test_status_glyphs_are_shared_by_pane_picker_and_cli() -> None:
    assert STATUS_GLYPHS == {Status.TODO: "○", Status.IN_PROGRESS: "◐", Status.DONE: "●"}


@pytest.mark.parametrize(("text", "cells", "expected"), [
    ("short", 10, "short"),
    ("a  b\n\tc", 10, "a b c"),
    ("abcdefghij", 5, "abcd…"),
    ("東洋放送です", 5, "東洋…"),  # wide characters: two cells each, never split
    ("a\x1b[2Jb", 10, "a␛[2Jb"),
])  # fmt: skip
def test_clip_cuts_to_cells_with_an_ellipsis(text: str, cells: int, expected: str) -> None:
    assert clip(text, cells) == expected
