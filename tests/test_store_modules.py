"""The store's modules talk to each other through public names: no module reaches into
another object's private attributes (`store._query`, `self.store._lock`, ...). Checked on the
source with the ast, like tests/test_layers.py, so a new module is covered without a list."""

from __future__ import annotations

import ast
from pathlib import Path

from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "annotator").rglob("*.py"), *(ROOT / "bench").rglob("*.py")])


def _foreign_private(path: Path) -> list[str]:
    """`x._name` where x is not self or cls (an attribute another object keeps to itself);
    `self.a._name` counts too. Dunders and module-level helpers (`mod._x`) are not attributes
    of an object: a module's own private helpers are imported by name, not reached through."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def _store_private_names() -> set[str]:
    """Every private attribute a Store has (methods, and what __init__ sets)."""
    names = {n for cls in Store.__mro__ for n in vars(cls) if n.startswith("_")
             and not n.startswith("__")}
    return names | {"_lock", "_query", "_snapshot", "_begin", "_retry"}  # the old names too


def test_no_module_uses_a_store_private_name() -> None:
    private = _store_private_names()
    used = [hit for path in SOURCES for hit in _foreign_private(path)
            if hit.rsplit(".", 1)[-1] in private]
    assert used == []

