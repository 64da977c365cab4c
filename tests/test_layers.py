"""Layers that can be seen: the domain and the store never import Textual, and only the store
speaks SQL (docs/architecture.md)."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import annotator

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "annotator"
STORE = PACKAGE / "store"

TUI = "annotator.tui"


def _modules() -> list[str]:
    """Every module of the package, found on disk (a new module is checked without a list)."""
    found = ["annotator"]
    for info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        found.append(info.name)
    return sorted(found)


def _core_modules() -> list[str]:
    """Everything but the TUI: these must load without Textual (harlequin's test)."""
    return [m for m in _modules() if m != TUI and not m.startswith(TUI + ".")]


def test_the_modules_are_found_on_disk() -> None:
    core, every = _core_modules(), _modules()
    assert {"annotator.cli", "annotator.labels", "annotator.store.importer"} <= set(core)
    assert "annotator.tui.screens.annotate" in every
    on_disk = {p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    assert len(every) == len(on_disk)  # a module walk_packages missed would go unchecked


def test_core_modules_do_not_import_textual() -> None:
    """Import the core modules one after another in a fresh interpreter: the first one after
    which Textual is loaded is the one that imports it (directly or not)."""
    code = (
        "import importlib, sys\n"
        f"for name in {_core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "    assert 'textual' not in sys.modules, f'importing {name} imports textual'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_cli_help_does_not_import_textual() -> None:
    """`annotator --help` stays fast: the TUI is imported by the command that needs it."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from annotator.cli import main\n"
        "r = CliRunner().invoke(main, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'textual' not in sys.modules, 'textual imported by --help'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def _package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _outside_store() -> list[Path]:
    return [p for p in _package_files() if STORE not in p.parents]


# Upper-case SQL as it is written in queries; "select" or "update" in prose does not match.
SQL = re.compile(
    r"\bSELECT\s+[\w*\"(]|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bCREATE\s+(?:UNIQUE\s+)?"
    r"(?:TABLE|INDEX|TRIGGER|VIEW)\b|\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b|\bPRAGMA\s+\w|"
    r"\bALTER\s+TABLE\b|\bDROP\s+TABLE\b|\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED)\b"
)


def test_the_sql_pattern_finds_sql() -> None:
    for sql in ("SELECT id FROM spans", "SELECT * FROM x", "INSERT INTO spans",
                "INSERT OR IGNORE INTO a", "CREATE TABLE t", "DELETE FROM spans",
                "UPDATE spans SET label = ?", "PRAGMA journal_mode", "BEGIN IMMEDIATE",
                "SELECT count(*) FROM spans"):
        assert SQL.search(sql), sql
    for prose in ("select a span", "Select the text, then press a label key", "update the view"):
        assert not SQL.search(prose), prose


def test_sql_lives_only_in_the_store() -> None:
    offenders = []
    for path in _outside_store():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "SQL outside annotator/store/:\n" + "\n".join(offenders)


def _is_error_name(name: str) -> bool:
    return name.endswith(("Error", "Warning"))


def test_only_the_store_uses_sqlite() -> None:
    """Outside the store, sqlite3 may be imported only to catch its exceptions."""
    offenders = []
    for path in _outside_store():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = f"{path.relative_to(ROOT)}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    root = alias.name.split(".")[0]
                    if root in ("sqlite_utils", "apsw"):
                        offenders.append(f"{where}:{node.lineno}: import {alias.name}")
                    if root == "sqlite3" and alias.asname:
                        offenders.append(f"{where}:{node.lineno}: import sqlite3 as ...")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                root = node.module.split(".")[0]
                if root in ("sqlite_utils", "apsw"):
                    offenders.append(f"{where}:{node.lineno}: from {node.module} import ...")
                if root == "sqlite3":
                    offenders += [
                        f"{where}:{node.lineno}: from sqlite3 import {a.name}"
                        for a in node.names if not _is_error_name(a.name)
                    ]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id == "sqlite3" and not _is_error_name(node.attr)):
                offenders.append(f"{where}:{node.lineno}: sqlite3.{node.attr}")
    assert not offenders, "database access outside annotator/store/:\n" + "\n".join(offenders)


def test_the_store_never_imports_the_tui() -> None:
    offenders = []
    for path in sorted(STORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "textual" or name.startswith("annotator.tui"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: import {name}")
    assert not offenders, "\n".join(offenders)
