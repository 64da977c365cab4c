"""The TUI's modules talk to each other through public names: no module reaches into another
object's private attributes (`screen._write_layout`, `view._layout`), imports another
module's private names, or (as a mixin) uses a private `self._name` that another module
defines. Textual's own private names are used in one place only, annotator/tui/textual_compat.py
(guarded by the Textual version). Checked on the source with the ast, so a new module is
covered without a list."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUI = ROOT / "annotator" / "tui"
COMPAT = TUI / "textual_compat.py"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _own_names(tree: ast.Module) -> set[str]:
    """Names the module itself defines: functions, classes, variables, `self.x = ...`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            names.add(node.attr)
    return names


def foreign_private(source: str, where: str = "<source>") -> list[str]:
    """Every use in `source` of a private name that belongs to another module or object."""
    tree = ast.parse(source, where)
    own = _own_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [f"{where}:{node.lineno}: import {a.name}" for a in node.names
                      if _private(a.name)]
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        mine = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if not mine or node.attr not in own:
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_each_kind_of_reach() -> None:
    source = """
from annotator.tui.screens.annotate import _helper
class Memory:
    def __init__(self, screen):
        self.screen = screen
        self._timer = None
    def save(self):
        self.screen._write_layout()
        self._timer = self._view()._layout
        self._goal = self._goal_column
"""
    assert sorted(hit.split(": ", 1)[1] for hit in foreign_private(source)) == [
        "import _helper", "self._goal_column", "self._view", "self._view()._layout",
        "self.screen._write_layout",
    ]


def test_no_tui_module_uses_another_modules_private_names() -> None:
    used = [hit for path in sorted(TUI.rglob("*.py")) if path != COMPAT
            for hit in foreign_private(path.read_text(encoding="utf-8"),
                                       str(path.relative_to(ROOT)))]
    assert used == []
