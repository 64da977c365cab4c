"""Untrusted text on screen (issue #8, points 6, 7 and 10): markup in user text is shown as it
is, never parsed; a huge attribute value is never laid out whole; the TUI draws every string
through one helper, and nothing in its code goes around it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rich.text import Text
from textual.geometry import Region
from textual.widgets import Input, Static

from annotator.jsonl_shapes import ATTR_TEXT_MAX
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.attributes import AttributeForm
from tests.tui_support import DOCS, app_for, status, toasts

TUI = Path(__file__).parent.parent / "annotator" / "tui"


pytestmark = pytest.mark.documents({**DOCS, "x[/]y": "Doc [/] report\n\nQuellby said so.\n"})


async def test_a_search_with_markup_then_n_shows_it_and_does_not_crash(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("slash", *"zz[/]", "enter", "n")
        await pilot.pause()
        assert toasts(app) == ["not found: zz[/]", "not found: zz[/]"]
        await pilot.press("slash", *"[sic]", "enter")
        await pilot.pause()
        assert toasts(app)[-1] == "not found: [sic]"
        await pilot.press("slash", *"[bold]x[/bold]", "enter")
        await pilot.pause()
        assert toasts(app)[-1] == "not found: [bold]x[/bold]"
    assert app.return_code in (None, 0)


async def test_undo_in_a_closed_document_whose_id_has_markup(store):
    app = app_for(store, "x[/]y", "alpha")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("slash", *"Quellby", "enter", "3", "ctrl+w", "u")
        await pilot.pause()
        assert toasts(app)[-1] == "undid add span in x[/]y"
        assert status(app).endswith("undid add span")
        assert store.spans("x[/]y", "alice") == []


async def test_a_huge_attribute_value_in_the_database_is_never_laid_out_whole(store):
    """A 10 MB value put straight into the store (an old import, another tool): the side
    panel, the span list and the attribute form show a cut of it, and saving the form without
    touching the field keeps the value as it was."""
    text = store.get_document("alpha").text
    start = text.index("7,000 residents")
    huge = "x" * 10_000_000
    store.add_span("alice", "alpha", start, start + 15, "NUMBER", {"unit": huge, "value": 7000})
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.press("slash", *"7,000", "enter")
        detail = str(screen.side.detail.render())
        assert "unit=xxx" in detail
        assert len(detail) < 500
        row = screen.side.span_list.render_line(0)
        assert "7000 xxx" in row.text  # the value and unit lead the row, cut at its width
        assert len(row.text) == screen.side.span_list.scrollable_content_region.width
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, AttributeForm)
        unit = form.query_one("#attr-1", Input)
        assert len(unit.value) == ATTR_TEXT_MAX
        assert unit.value.endswith("…")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
    (span,) = store.spans("alpha", "alice")
    assert span.attrs["unit"] == huge


async def test_an_edited_text_attribute_is_kept_to_the_import_limit(store):
    text = store.get_document("alpha").text
    start = text.index("38 staff")
    store.add_span("alice", "alpha", start, start + 8, "NUMBER", {"unit": "staff\x1b[2J"})
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("slash", *"38", "enter", "e")
        unit = app.screen.query_one("#attr-1", Input)
        assert unit.value == "staff␛[2J"  # shown with its placeholder, never raw
        assert unit.max_length == ATTR_TEXT_MAX
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert store.spans("alpha", "alice")[0].attrs["unit"] == "staff\x1b[2J"  # untouched


# -- nothing in the TUI's code goes around plain() / one_line() ------------------------------

def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield name, node


def scan(path: Path) -> list[str]:
    """Calls in `path` that parse markup or show a built string: Static("…"),
    Static.update("…"), notify() without markup=False, Label, str tooltips,
    Text.from_markup and Content.from_markup."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for name, call in _calls(tree):
        where = f"{path.name}:{call.lineno}"
        keywords = {k.arg: k.value for k in call.keywords}
        markup = keywords.get("markup")
        if name in ("from_markup", "render_markup", "Label", "Markdown"):
            problems.append(f"{where}: {name}(...) parses markup")
        if name == "notify" and not (isinstance(markup, ast.Constant) and markup.value is False):
            problems.append(f"{where}: notify() without markup=False (use plain.toast)")
        if isinstance(markup, ast.Constant) and markup.value is True:
            problems.append(f"{where}: markup=True")
        if name in ("Static", "update") and call.args and isinstance(
                call.args[0], ast.JoinedStr | ast.BinOp):
            problems.append(f"{where}: {name}() given a built string: markup is parsed")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Attribute) and t.attr == "tooltip"
                        for t in node.targets)
                and isinstance(node.value, ast.JoinedStr | ast.BinOp | ast.Constant)
                and not (isinstance(node.value, ast.Constant) and node.value.value is None)):
            problems.append(f"{path.name}:{node.lineno}: a str tooltip is parsed as markup")
    return problems


@pytest.mark.parametrize("path", sorted(TUI.rglob("*.py")), ids=lambda p: p.name)
def test_no_tui_code_parses_markup_or_shows_a_built_string(path: Path) -> None:
    """The TUI gives markup-parsing calls only literals, or Content/Text built through
    plain() / one_line(); toasts go through plain.toast."""
    assert scan(path) == []


def test_the_scan_finds_each_pattern(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "self.notify(f'no document {doc_id}')\n"
        "self.notify(x, markup=True)\n"
        "Static(f'{name}')\n"
        "box.update('x' + name)\n"
        "w.tooltip = f'{title}'\n"
        "Text.from_markup(x)\n"
        "self.notify(x, markup=False)\n"
        "Static(plain(name))\n", encoding="utf-8")
    assert [p.split(": ")[0] for p in scan(sample)] == [
        "sample.py:1", "sample.py:2", "sample.py:2", "sample.py:3", "sample.py:4",
        "sample.py:6", "sample.py:5"]


async def test_a_widget_that_forgets_plain_still_writes_no_raw_control(store):
    """The line filter every line passes through: a Static given raw text (a new widget that
    forgot plain()) is drawn with placeholders all the same."""
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        forgot = Static(Text("a\x1b]0;x\x07b\x9bc\u202ed"), id="forgot")
        await app.screen.mount(forgot)
        await pilot.pause()
        drawn = "".join(seg.text for strip in forgot.render_lines(Region(0, 0, 20, 1))
                        for seg in strip)
        assert drawn.startswith("a␛]0;xb␦c·d")  # (Rich drops the BEL itself)
