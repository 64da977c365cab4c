"""What the annotation screen's start imports: a library or module that only later work needs
(a schema's `[[suggest]]` patterns, Textual's version from package metadata) is imported
when that work comes, not before the first frame. How long the start takes is measured by
`make bench` (bench/slate.py: time to text against SLATE, bench/startup.py), never here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LATER = ("regex", "importlib.metadata")


def _imported_by(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(' '.join(m for m in {LATER!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return done.stdout.split()


@pytest.mark.slow
def test_the_tui_and_the_default_schema_load_without_later_libraries() -> None:
    code = ("import annotator.tui.app\n"
            "from annotator.labels import load_default_schema\n"
            "assert load_default_schema().labels")
    assert _imported_by(code) == []


@pytest.mark.slow
def test_a_schema_with_a_pattern_still_checks_it_with_regex(tmp_path: Path) -> None:
    """The lazy import changes when `regex` comes, not what a bad pattern gets: the error."""
    schema = tmp_path / "s.toml"
    schema.write_text('name = "s"\n[[labels]]\nname = "ORG"\nkey = "1"\n'
                      '[[suggest]]\nlabel = "ORG"\npattern = "(unclosed"\n', encoding="utf-8")
    code = ("from annotator.labels import SchemaError, load_schema\n"
            "try:\n"
            f"    load_schema({str(schema)!r})\n"
            "except SchemaError as err:\n"
            "    assert 'pattern is not a valid regular expression' in str(err), err\n"
            "else:\n"
            "    raise SystemExit('no error')")
    assert _imported_by(code) == ["regex"]


def _loaded_after(code: str, extras: tuple[str, ...]) -> tuple[int, list[str], str]:
    """Run `code` in a fresh interpreter: its exit status, which of `extras` it left loaded,
    and its stderr. Each extra that is installed is then imported (it still can be)."""
    probe = (f"import importlib, importlib.util, sys\n{code}\n"
             f"print(' '.join(m for m in {extras!r} if m in sys.modules))\n"
             f"for name in {extras!r}:\n"
             "    if importlib.util.find_spec(name):\n"
             "        importlib.import_module(name)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT)
    return done.returncode, done.stdout.split(), done.stderr


@pytest.mark.slow
def test_the_unit_dictionary_loads_without_spacy() -> None:
    """lemminflect imports spaCy whenever it is installed (the `spacy` extra), for token
    extensions this tool never uses: 0.9 s in the TUI's preload thread and ~50,000 objects
    for every garbage collection. The dictionary loads without it, and spaCy, if installed,
    still imports after."""
    code = ("from annotator import units\n"
            "units.preload()\n"
            "assert units.singular('children') == 'child'  # from lemminflect's dictionary")
    assert _loaded_after(code, ("spacy",)) == (0, [], "")


@pytest.mark.slow
def test_a_new_database_is_migrated_without_pandas_or_numpy(tmp_path: Path) -> None:
    """sqlite-utils imports pandas and numpy whenever they are installed (to store their
    values; 0.45 s of a new database's first open); the migrations run without them, and
    they still import after."""
    code = ("from annotator.store import Store\n"
            f"with Store({str(tmp_path / 'new.db')!r}) as s:\n"
            "    assert s.documents() == []\n"
            "assert 'sqlite_utils' in sys.modules  # the migrations ran")
    assert _loaded_after(code, ("pandas", "numpy")) == (0, [], "")
