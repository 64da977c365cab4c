"""The command line (docs/cli.md): flags, environment, exit codes, messages a person reads."""

from __future__ import annotations

import gc
import io
import json
import os
import shlex
import sqlite3
import stat
import subprocess
import sys
import threading
import types
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from annotator import __version__, export
from annotator.cli import FORMATS, main
from annotator.model import Status
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent
TEXT = "General Akar said 38 staff were evacuated from Quellby on Monday."


def run(*args: str, **kw: Any) -> Result:
    """The command as a user runs it, but a bug raises here instead of becoming a message."""
    kw.setdefault("env", {"ANNOTATOR_DEBUG": "1"})
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "akar.txt").write_text("Akar briefing\n\n" + TEXT, encoding="utf-8")
    (folder / "notes.md").write_text("# Notes\n\nNothing yet.", encoding="utf-8")
    return folder


def doccano(path: Path, *labels: list[Any], text: str = TEXT) -> Path:
    path.write_text(json.dumps({"id": "d1", "text": text, "label": list(labels)}) + "\n",
                    encoding="utf-8")
    return path


# -- help, version, speed ---------------------------------------------------------------------


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("annotate", "import", "export", "docs", "labels"):
        assert f"  {command} " in result.output
    assert "$ANNOTATOR_DB" in result.output
    assert "--db PATH" in result.output
    assert "$USER" in result.output
    commands = result.output.split("Commands:\n")[1].splitlines()
    assert not [line for line in commands if line.endswith("...")]  # no cut-off summaries


@pytest.mark.parametrize("command", [["annotate"], ["import"], ["export"], ["docs"],
                                     ["labels", "check"]])
def test_each_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: annotator " + " ".join(command) in result.output
    cmd: Any = main
    for name in command:
        cmd = cmd.commands[name]
    assert [p.name for p in cmd.params if isinstance(p, click.Option) and not p.help] == []


def test_version() -> None:
    assert run("--version").output == f"annotator, version {__version__}\n"


def test_formats_match_the_exporter() -> None:
    assert FORMATS == export.FORMATS


@pytest.mark.slow
def test_help_is_light() -> None:
    """`annotator --help` must not import the store, rich or Textual (DESIGN: start-up speed).
    How fast it is, is measured by `make bench` (bench/startup.py, against `python -c pass`):
    a wall-clock limit here failed on a loaded machine."""
    code = ("import sys; from annotator.cli import main\n"
            "try: main(['--help'])\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('textual', 'rich', 'sqlite_utils', 'annotator.store')"
            " if m in sys.modules]\n"
            "print(repr(heavy), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stderr.strip() == "[]"


@pytest.mark.slow
def test_python_dash_m_annotator_is_the_command(tmp_path: Path, corpus: Path) -> None:
    """`python -m annotator ...` works like the `annotator` script (it had no __main__)."""
    def python_m(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "annotator", "--db", str(tmp_path / "m.db"),
                               *args], capture_output=True, text=True, cwd=ROOT, check=False)

    helped = python_m("--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("Usage: annotator [OPTIONS] [COMMAND] [ARGS]...")
    assert python_m("import", str(corpus)).stderr.startswith("Imported 2 new documents")
    listed = python_m("docs", "--format", "json")
    assert [d["id"] for d in json.loads(listed.stdout)] == ["akar", "notes"]
    assert python_m("export").returncode == 2  # usage errors keep their exit code


# -- the database and the identity ------------------------------------------------------------


def test_db_option_and_environment(tmp_path: Path, corpus: Path) -> None:
    env_db = Path(os.environ["ANNOTATOR_DB"])  # set by the autouse fixture
    assert run("import", str(corpus)).exit_code == 0
    assert env_db.exists()
    flag_db = tmp_path / "flag.db"
    assert run("--db", str(flag_db), "import", str(corpus / "akar.txt")).exit_code == 0
    with Store(flag_db) as s:
        assert s.document_ids() == ["akar"]
    with Store(env_db) as s:
        assert s.document_ids() == ["akar", "notes"]


@pytest.mark.parametrize("db", ["", " ", ":memory:"])
def test_a_database_that_would_vanish_is_refused(corpus: Path, db: str) -> None:
    result = run("--db", db, "import", str(corpus))
    assert result.exit_code == 2
    assert f"Invalid value for '--db': {db!r} is not a file" in result.stderr


def test_default_db_is_in_the_current_folder(tmp_path: Path, corpus: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATOR_DB")
    monkeypatch.chdir(tmp_path)
    assert run("import", str(corpus)).exit_code == 0
    assert (tmp_path / "annotations.db").exists()


def test_as_and_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = doccano(tmp_path / "d.jsonl", [0, 12, "PERSON"])
    assert run("import", str(path)).exit_code == 0
    assert run("import", str(path), "--as", "alice").exit_code == 0
    monkeypatch.setenv("USER", "carol")
    assert run("import", str(path)).exit_code == 0
    with Store(os.environ["ANNOTATOR_DB"]) as s:
        assert {who for who in s.annotators()} >= {"tester", "alice", "carol"}
        assert [len(s.spans("d1", who)) for who in ("tester", "alice", "carol")] == [1, 1, 1]


@pytest.mark.parametrize("name", ["@gold", "", "two words", "tab\there", "bell\x07"])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    path = doccano(tmp_path / "d.jsonl")
    result = run("import", str(path), "--as", name)
    assert result.exit_code == 2
    assert "Invalid value for '--as'" in result.stderr


def test_bad_user_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "@root")
    result = run("import", str(doccano(tmp_path / "d.jsonl")))
    assert result.exit_code == 1
    assert result.stderr == ("Error: annotator name '@root' starts with @, which is reserved"
                             " (the gold set is @gold) (it comes from $USER); pass --as NAME\n")


# -- import -----------------------------------------------------------------------------------


def test_import_reports_on_stderr(corpus: Path) -> None:
    (corpus / "crlf.txt").write_bytes(b"Title\r\nbody\r\n")
    result = run("import", str(corpus))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Imported 3 new documents, 0 spans and 0 links from 3 files (schema news@2).",
        f"{corpus / 'crlf.txt'}: CRLF line endings normalised to LF",
    ]
    again = run("import", str(corpus))
    assert again.stderr.splitlines()[1] == ("Unchanged (already there): 3 documents, 0 spans"
                                            " and 0 links.")


def test_import_mentions_broken_links(tmp_path: Path, corpus: Path) -> None:
    (corpus / "moved.txt").symlink_to(tmp_path / "elsewhere.txt")
    result = run("import", str(corpus))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1:] == [
        f"Skipped broken link: {corpus / 'moved.txt'} -> {tmp_path / 'elsewhere.txt'}"]


def test_import_refusal_lists_problems_and_imports_nothing(tmp_path: Path, corpus: Path) -> None:
    bad = doccano(tmp_path / "bad.jsonl", [0, 12, "PEOPLE"], [30, 20, "ORG"])
    result = run("import", str(corpus), str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:1: span #1 (0-12 PEOPLE): unknown label 'PEOPLE' (the schema has PERSON, ORG,"
        " LOC, DATE, NUMBER, CLAIM, EQUIPMENT, EVENT)",
        f"{bad}:1: span #2 (30-20 ORG): offsets 30-20 are not a range inside the text"
        f" (length {len(TEXT)}; start must be before end)",
        "Error: 2 problems; nothing was imported (--skip-invalid imports the valid records)",
    ]
    assert "Traceback" not in result.output
    with Store(os.environ["ANNOTATOR_DB"]) as s:
        assert s.document_ids() == []


def test_at_most_fifty_problem_lines(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("not json\n" * 120, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 52
    assert lines[0] == f"{path}:1: not valid JSON: Expecting value at column 1"
    assert lines[49].startswith(f"{path}:50: ")
    assert lines[50] == "... and 70 more"
    assert lines[51].startswith("Error: 120 problems;")


def test_skip_invalid(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"id": "a", "text": "fine"}\n{"id": "b"}\n{"id": "c", "text": "ok"}\n',
                    encoding="utf-8")
    result = run("import", str(path), "--skip-invalid")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-2:] == ["Skipped 1 invalid record:",
                                               f"  {path}:2: missing text"]


def test_import_usage_errors(tmp_path: Path) -> None:
    assert run("import").exit_code == 2
    missing = run("import", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


def test_import_with_a_bad_schema(tmp_path: Path, corpus: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nversion = 1\n[[labels]]\nname = "A"\nkind = "thing"\nkey = "1"\n',
                   encoding="utf-8")
    result = run("import", str(corpus), "--labels", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{bad}:5: ")
    assert result.stderr.splitlines()[-1] == f"Error: {bad}: the label schema is not valid"


def test_not_a_database(tmp_path: Path, corpus: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    result = run("--db", str(junk), "import", str(corpus))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {junk}: cannot open it as an annotator database")
    other = tmp_path / "app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    conn.close()
    result = run("--db", str(other), "docs")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {other}: cannot open it as an annotator database (it holds"
                             " another program's tables: users)\n")


# -- export -----------------------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = doccano(tmp_path / "d.jsonl", [0, 12, "PERSON"], [18, 26, "NUMBER"])
    assert run("import", str(path), "--as", "alice").exit_code == 0
    assert run("import", str(path), "--as", "bob").exit_code == 0
    with Store(os.environ["ANNOTATOR_DB"]) as s:
        s.set_status("alice", "d1", Status.DONE)
    return Path(os.environ["ANNOTATOR_DB"])


def test_export_to_stdout(filled: Path) -> None:
    result = run("export", "--format", "jsonl")
    assert result.exit_code == 0
    assert result.stderr == ""
    rows = [json.loads(line) for line in result.stdout.split("\n")[:-1]]
    assert [(r["annotator"], r["status"]) for r in rows] == [("alice", "done"),
                                                             ("bob", "in_progress")]
    only = run("export", "-f", "jsonl", "--status", "done")
    assert [json.loads(x)["annotator"] for x in only.stdout.split("\n")[:-1]] == ["alice"]
    bob = run("export", "-f", "doccano", "--as", "bob")
    assert [(e["start_offset"], e["end_offset"], e["label"])
            for e in json.loads(bob.stdout)["entities"]] == [(0, 12, "PERSON"), (18, 26, "NUMBER")]
    assert run("export", "-f", "audit").stdout.count("\n") == len(
        list(Store(filled).events()))


def test_export_to_a_file(tmp_path: Path, filled: Path) -> None:
    out = tmp_path / "out" / "all.jsonl"
    out.parent.mkdir()
    result = run("export", "-f", "jsonl", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Wrote 2 lines to {out}\n"
    assert out.read_text(encoding="utf-8") == run("export", "-f", "jsonl").stdout
    assert sorted(p.name for p in out.parent.iterdir()) == ["all.jsonl"]


def test_export_file_is_atomic(tmp_path: Path, filled: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "all.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    real = export.export

    def dies_half_way(store: Any, fmt: str, f: Any, *args: Any, **kw: Any) -> int:
        f.write('{"id": "d1", "te')
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "export", dies_half_way)
    result = CliRunner().invoke(main, ["export", "-f", "jsonl", "-o", str(out), "--force"])
    assert result.exit_code == 1  # click: Aborted!
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db") == [
        "all.jsonl", "d.jsonl"]
    monkeypatch.setattr(export, "export", real)


def test_export_errors(tmp_path: Path, filled: Path) -> None:
    both = run("export", "-f", "jsonl", "--as", "alice", "--gold")
    assert both.exit_code == 2
    assert "--as and --gold cannot be combined" in both.stderr
    assert run("export").exit_code == 2  # --format is required
    assert run("export", "-f", "csv").exit_code == 2
    audit = run("export", "-f", "audit", "--status", "done")
    assert audit.exit_code == 2
    assert "--status does not apply to the audit log" in audit.stderr
    nobody = run("export", "-f", "jsonl", "--as", "zed")
    assert nobody.exit_code == 1
    assert nobody.stderr == f"Error: no annotator 'zed' in {filled}; there are: alice, bob\n"
    missing = tmp_path / "missing"
    nowhere = run("export", "-f", "jsonl", "-o", str(missing / "x.jsonl"))
    assert nowhere.exit_code == 1
    assert nowhere.stderr == (f"Error: {missing / 'x.jsonl'}: there is no folder"
                              f" {str(missing)!r}\n")
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    under_a_file = run("export", "-f", "jsonl", "-o", str(tmp_path / "file" / "x.jsonl"))
    assert under_a_file.exit_code == 1
    assert under_a_file.stderr.startswith(f"Error: {tmp_path / 'file' / 'x.jsonl'}: ")
    no_db = run("--db", str(tmp_path / "none.db"), "export", "-f", "jsonl")
    assert no_db.exit_code == 1
    assert "no database at" in no_db.stderr
    assert not (tmp_path / "none.db").exists()


def test_export_gold_is_empty_until_there_is_one_and_the_note_says_how(
        tmp_path: Path, filled: Path) -> None:
    result = run("export", "-f", "jsonl", "--gold")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (f"Note: {filled} has no gold set yet, so the export is empty (a"
                             " gold set is made with `annotator review`, or imported: JSONL"
                             ' lines with "annotator": "@gold")\n')
    assert run("review", "--help").exit_code == 0  # the command the note names exists
    gold = tmp_path / "gold.jsonl"  # what the note says, done
    gold.write_text(json.dumps({"id": "d1", "text": TEXT, "annotator": "@gold", "spans": [
        {"start": 0, "end": 12, "label": "PERSON"}]}) + "\n", encoding="utf-8")
    assert run("import", str(gold)).exit_code == 0
    [line] = run("export", "-f", "jsonl", "--gold").stdout.splitlines()
    assert json.loads(line)["spans"][0]["text"] == "General Akar"


# -- what export -o will not write over (issue #8, point 1) ---------------------------------


def test_export_refuses_the_database_and_its_companions(tmp_path: Path, filled: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`export -o live.db` replaced the database with JSONL (exit 0): every way of naming the
    database, or one of its -wal/-shm/-journal files, is refused and leaves it whole."""
    monkeypatch.chdir(filled.parent)
    (filled.parent / "sub").mkdir()
    os.link(filled, filled.parent / "hard.db")
    before = filled.read_bytes()
    names = {
        str(filled): "the database", filled.name: "the database",
        f"sub/../{filled.name}": "the database", "hard.db": "the database",
        f"{filled.name}-wal": "the database's write-ahead log",
        f"{filled.name}-shm": "the database's shared-memory index",
        f"{filled.name}-journal": "the database's rollback journal",
    }
    for name, what in names.items():
        for force in ([], ["--force"]):
            result = run("--db", str(filled), "export", "-f", "jsonl", "-o", name, *force)
            assert result.exit_code == 1, name
            assert result.stderr == f"Error: {name} is {what}; the export would destroy it\n"
    assert filled.read_bytes() == before
    assert not (filled.parent / f"{filled.name}-journal").exists()
    assert [p for p in filled.parent.iterdir() if p.name.endswith(".part")] == []
    assert run("docs").exit_code == 0


def test_export_refuses_any_sqlite_file(tmp_path: Path, filled: Path) -> None:
    other = tmp_path / "notes.jsonl"  # the name says nothing: the first 16 bytes do
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    wal = tmp_path / "notes.jsonl-wal"
    assert wal.exists()  # kept open: the log holds the insert
    before = {p: p.read_bytes() for p in (other, wal)}
    for name, said in ((other, "an SQLite database; the export never replaces one"),
                       (wal, "an SQLite write-ahead log; the export never replaces one")):
        result = run("export", "-f", "jsonl", "-o", str(name), "--force")
        assert result.exit_code == 1
        assert result.stderr == f"Error: {name} is {said}\n"
    shm = tmp_path / "notes.jsonl-shm"
    result = run("export", "-f", "jsonl", "-o", str(shm), "--force")
    assert result.stderr == (f"Error: {shm} belongs to the SQLite database {other}; the export"
                             " never replaces it\n")
    assert {p: p.read_bytes() for p in (other, wal)} == before
    assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    conn.close()


def test_export_replaces_an_existing_file_only_with_force(tmp_path: Path, filled: Path) -> None:
    out = tmp_path / "all.jsonl"
    out.write_text("yesterday's export\n", encoding="utf-8")
    out.chmod(0o600)
    result = run("export", "-f", "jsonl", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out} exists; --force replaces it\n"
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"
    result = run("export", "-f", "jsonl", "-o", str(out), "--force")
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == run("export", "-f", "jsonl").stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # was 644 after the export
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db") == [
        "all.jsonl", "d.jsonl"]
    assert run("export", "-f", "jsonl", "--force").exit_code == 2  # nothing to replace


def test_export_refuses_to_write_through_a_symlink(tmp_path: Path, filled: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("old\n", encoding="utf-8")
    for link, to in ((tmp_path / "latest.jsonl", real), (tmp_path / "dangling.jsonl",
                                                         tmp_path / "nowhere.jsonl"),
                     (tmp_path / "db-link.jsonl", filled)):
        link.symlink_to(to)
        for force in ([], ["--force"]):
            result = run("export", "-f", "jsonl", "-o", str(link), *force)
            assert result.exit_code == 1
            what = ("the database; the export would destroy it" if to == filled else
                    f"a symbolic link (to {to}); the export does not write through links: give"
                    " the file's own path")
            assert result.stderr == f"Error: {link} is {what}\n"
        assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "old\n"
    assert not (tmp_path / "nowhere.jsonl").exists()


def test_export_into_a_folder_is_a_clear_error(tmp_path: Path, filled: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in (str(out), f"{out}/"):  # click's check: a usage error
        result = run("export", "-f", "jsonl", "-o", name)
        assert result.exit_code == 2
        assert f"Invalid value for '-o' / '--output': File '{name}' is a directory." in (
            result.stderr)
    new = f"{tmp_path / 'new'}/"  # wrote a file named `new`
    result = run("export", "-f", "jsonl", "-o", new)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {new} names a folder; give a file name, such as {new}export.jsonl\n")
    assert not (tmp_path / "new").exists()
    assert list(out.iterdir()) == []


def test_export_to_standard_output_that_is_the_database(filled: Path) -> None:
    """`annotator export >> annotations.db` (or -o /dev/stdout) would append JSON to it."""
    before = filled.read_bytes()
    for extra in ([], ["-o", "/dev/stdout"]):
        with filled.open("ab") as db:
            done = subprocess.run([sys.executable, "-m", "annotator", "--db", str(filled),
                                   "export", "-f", "jsonl", *extra], stdout=db,
                                  stderr=subprocess.PIPE, text=True, cwd=ROOT)
        assert done.returncode == 1
        where = extra[-1] if extra else "standard output"
        assert done.stderr == f"Error: {where} is the database; the export would destroy it\n"
    assert filled.read_bytes() == before


def test_export_to_dev_stdout_that_is_a_file(tmp_path: Path, filled: Path) -> None:
    out = tmp_path / "redirected.jsonl"
    with out.open("wb") as f:
        done = subprocess.run([sys.executable, "-m", "annotator", "--db", str(filled),
                               "export", "-f", "jsonl", "-o", "/dev/stdout"], stdout=f,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == run("export", "-f", "jsonl").stdout


def test_export_to_a_named_pipe_writes_into_it(tmp_path: Path, filled: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "-f", "jsonl", "-o", str(fifo))
    reader.join(timeout=10)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file
    assert got == [run("export", "-f", "jsonl").stdout.encode()]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_standard_output_is_one_line(filled: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "annotator.cli", "--db", str(filled),
                               "export", "-f", "jsonl"], stdout=full, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "ANNOTATOR_DEBUG": ""})
    assert done.returncode == 1
    assert done.stderr == "Error: standard output: No space left on device\n"


@pytest.mark.parametrize("command", [["docs"], ["docs", "--format", "json"],
                                     ["labels", "check", str(ROOT / "labels" / "news.toml")]])
def test_reports_on_a_full_or_closed_standard_output(filled: Path, command: list[str]) -> None:
    """`docs > /dev/full` said "Error: annotations.db: No space left on device": the
    database was fine, standard output was full. A reader that left (`| head`) is no error
    message at all."""
    argv = [sys.executable, "-m", "annotator", "--db", str(filled), *command]
    env = {**os.environ, "ANNOTATOR_DEBUG": "", "COLUMNS": "100"}
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True,
                                  env=env, cwd=ROOT, check=False)
        assert (done.returncode, done.stderr) == (
            1, "Error: standard output: No space left on device\n")
    read, write = os.pipe()
    os.close(read)  # the reader left before the first line
    try:
        done = subprocess.run(argv, stdout=write, stderr=subprocess.PIPE, text=True, env=env,
                              cwd=ROOT, check=False)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (1, "")


@pytest.mark.parametrize(("error", "message"), [
    (sqlite3.OperationalError("disk I/O error"), "{db}: the database refused: disk I/O error"),
    (PermissionError(13, "Permission denied", "/x/y"), "/x/y: Permission denied"),
    (RuntimeError("boom"), "unexpected RuntimeError: boom. This is a bug; please report it with"
     " the command you ran (ANNOTATOR_DEBUG=1 shows where it happened)"),
])
def test_an_unexpected_failure_is_one_line_not_a_traceback(
        filled: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, message: str) -> None:
    def broken(*args: Any, **kw: Any) -> Any:
        raise error

    monkeypatch.setattr(Store, "documents", broken)
    result = run("docs", env={"ANNOTATOR_DEBUG": None})
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message.format(db=filled)}\n"
    with pytest.raises(type(error)):
        run("docs")  # ANNOTATOR_DEBUG=1: the traceback, for whoever fixes it


def test_spacy_without_the_extra(tmp_path: Path, filled: Path) -> None:
    if export.spacy_available():  # asked here, not by every process collecting the tests:
        pytest.skip("spaCy is installed")  # importing spaCy takes 0.9 s
    result = run("export", "-f", "spacy", "-o", str(tmp_path / "x.spacy"))
    assert result.exit_code == 1
    assert result.stderr == ("Error: the spacy format needs spaCy, which is not installed; in"
                             " the annotator checkout run: .venv/bin/pip install -e '.[spacy]'\n")
    assert not (tmp_path / "x.spacy").exists()


# -- what reaches the terminal ----------------------------------------------------------------

HOSTILE = "Title\x1b]0;PWNED TITLE\x07 cleared\x1b[2J 8-bit\x9b31m del\x7f [red]markup[/]"
RAW = ("\x1b", "\x07", "\x9b", "\x7f")


def raw_controls(output: str) -> list[str]:
    return [c for c in RAW if c in output]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A document whose id, title and annotator carry escape sequences and rich markup."""
    path = tmp_path / "hostile.jsonl"
    record = {"id": "doc\x1b[31m[bold]", "text": HOSTILE + "\n\nBody.", "title": HOSTILE,
              "label": [[0, 5, "PERSON"]]}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run("import", str(path), "--as", "alice").exit_code == 0
    return path


@pytest.mark.parametrize("columns", ["120", "40"])
def test_docs_never_writes_control_characters_raw(hostile: Path, columns: str) -> None:
    result = run("docs", env={"COLUMNS": columns, "ANNOTATOR_DEBUG": "1"})
    assert result.exit_code == 0
    assert raw_controls(result.output) == []
    assert "doc␛[31m[bold]" in result.stdout  # shown as it is, not taken as markup
    if columns == "120":
        assert "Title␛]0;PWNED TITLE␇ cleared␛[2J 8-bit␦31m del␡ [red]markup[/]" in result.stdout


def test_docs_json_keeps_the_exact_text_but_escapes_every_control(hostile: Path) -> None:
    result = run("docs", "--format", "json")
    assert raw_controls(result.stdout) == []
    assert "\\u009b" in result.stdout
    assert json.loads(result.stdout)[0]["title"] == HOSTILE


def test_exports_keep_the_exact_text(hostile: Path) -> None:
    """Data outputs are not for people: sanitising them would change the data."""
    line = json.loads(run("export", "--format", "jsonl").stdout)
    assert line["text"].startswith(HOSTILE)
    assert line["id"] == "doc\x1b[31m[bold]"


def test_import_messages_never_write_control_characters_raw(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\x1b[2J.csv").write_text("x", encoding="utf-8")
    (folder / "evil\x9b.txt").write_bytes(b"Title\r\nbody")
    ours = folder / "ours.jsonl"
    ours.write_text(json.dumps({"id": "d", "text": "text", "annotator": "alice", "spans": [
        {"id": "s\x1b]0;x\x07", "start": 3, "end": 99, "label": "PERSON"}]}) + "\n",
        encoding="utf-8")
    refused = run("import", str(folder))
    assert refused.exit_code == 1
    assert "span s␛]0;x␇: offsets 3-99" in refused.stderr
    assert raw_controls(refused.output) == []
    ours.unlink()
    report = run("import", str(folder))
    assert report.exit_code == 0
    assert "evil␛[2J.csv" in report.stderr
    assert "evil␦.txt: CRLF line endings normalised to LF" in report.stderr
    assert raw_controls(report.output) == []


def test_usage_errors_quoting_paths_never_write_control_characters_raw(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "gone\x1b]0;x\x07.txt"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr  # click escapes the path itself
    assert raw_controls(result.output) == []


def test_errors_quoting_ids_never_write_control_characters_raw(
        hostile: Path, fake_tui: list[dict[str, Any]]) -> None:
    result = run("annotate", "--as", "alice", "nope")
    assert result.exit_code == 1
    assert "the ids are: doc␛[31m[bold]" in result.stderr
    assert raw_controls(result.output) == []


def test_labels_check_never_writes_control_characters_raw(tmp_path: Path) -> None:
    schema = tmp_path / "evil.toml"
    schema.write_text('name = "x\\u001b]0;t\\u0007"\nversion = 1\n[[labels]]\nname = "A\\u009b"\n'
                      'kind = "entity"\nkey = "1"\n', encoding="utf-8")
    refused = run("labels", "check", str(schema))  # names with controls are refused (#8)
    assert refused.exit_code == 1
    assert raw_controls(refused.output) == []
    assert ("evil.toml:1: schema name \"x\\u001b]0;t\\u0007\" contains control, bidi or"
            " invisible characters (U+001B, U+0007)") in refused.stderr
    assert "evil.toml:4: label \"A␦\": name \"A\\u009b\" contains" in refused.stderr
    schema.write_text(schema.read_text(encoding="utf-8") + 'colour = "red\\u001b"\n',
                      encoding="utf-8")
    bad = run("labels", "check", str(schema))
    assert bad.exit_code == 1
    assert raw_controls(bad.output) == []


# -- docs, labels check, annotate -------------------------------------------------------------


def test_docs_table_and_json(filled: Path) -> None:
    table = run("docs")
    assert table.exit_code == 0
    assert "1 document in" in table.stdout
    header = next(line for line in table.stdout.splitlines() if "title" in line)
    assert header.split() == ["id", "title", "length", "alice", "bob"]
    row = next(line for line in table.stdout.splitlines() if line.strip().startswith("d1"))
    assert row.split()[-4:] == ["2", "●", "2", "◐"]
    data = json.loads(run("docs", "--format", "json").stdout)
    assert data == [{"id": "d1", "title": TEXT, "length": len(TEXT), "annotators": {
        "alice": {"status": "done", "spans": 2}, "bob": {"status": "in_progress", "spans": 2}}}]


def test_docs_with_more_annotators_than_columns(filled: Path) -> None:
    names = ["carol.long-name", "dmitri-the-reviewer", "@gold"]
    with Store(filled) as s:
        for who in names:
            s.set_status(who, "d1", Status.DONE)
    def table(columns: int) -> list[str]:
        lines = run("docs", env={"COLUMNS": str(columns), "ANNOTATOR_DEBUG": "1"}).stdout
        return lines[lines.index(" id "):].splitlines()  # below the title

    wide = table(120)
    assert wide[0].split() == ["id", "title", "length", "@gold", "alice", "bob", *names[:2]]
    narrow = table(60)
    assert narrow[0].split() == ["id", "title", "annotator", "spans"]  # a row per annotator
    rows = [line.split()[-3:] for line in narrow[2:2 + 5]]
    assert rows == [["@gold", "0", "●"], ["alice", "2", "●"], ["bob", "2", "◐"],
                    [names[0], "0", "●"], [names[1], "0", "●"]]
    assert max(map(len, narrow)) <= 60


def test_docs_on_an_empty_database(tmp_path: Path, corpus: Path) -> None:
    """The hint imports into this database (it said `annotator import data/`: another
    database unless --db is the default, and a data/ folder only the checkout has)."""
    db = tmp_path / "my notes.db"
    Store(db).close()
    result = run("--db", str(db), "docs")
    assert result.exit_code == 0
    hint = f"annotator --db '{db}' import FILE_OR_FOLDER..."
    assert result.stdout == f"No documents in {db} yet. Import some: {hint}\n"
    missing = run("--db", str(tmp_path / "none.db"), "export", "-f", "jsonl")
    assert missing.stderr == (f"Error: no database at {tmp_path / 'none.db'}; import documents"
                              f" first: annotator --db {tmp_path / 'none.db'} import"
                              " FILE_OR_FOLDER...\n")
    args = hint.removeprefix("annotator ").replace("FILE_OR_FOLDER...", str(corpus))
    assert run(*shlex.split(args)).exit_code == 0  # what it says works
    assert "akar" in run("--db", str(db), "docs").stdout


def test_a_database_path_that_is_not_a_file(tmp_path: Path) -> None:
    """SQLite said "unable to open database file" or "disk I/O error"."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    said = {tmp_path: "this is a folder; give the database file's path (--db PATH)",
            fifo: "this is a named pipe, not a database file"}
    if Path("/dev/null").exists():
        said[Path("/dev/null")] = "this is a character device, not a database file"
    for db, why in said.items():
        for command in (["docs"], ["export", "-f", "jsonl"], ["import", str(tmp_path)]):
            result = run("--db", str(db), *command)
            assert (result.exit_code, result.stderr) == (1, f"Error: {db}: {why}\n")


def test_labels_check() -> None:
    ok = run("labels", "check", str(ROOT / "labels" / "news.toml"))
    assert ok.exit_code == 0
    lines = ok.stdout.splitlines()
    assert lines[0].endswith("news.toml: schema news@2, 8 labels, 4 link types")
    assert lines[1].split() == ["1", "PERSON", "entity"]
    assert "qualifier (choice)" in ok.stdout
    assert "SAME_CLAIM" in ok.stdout


def test_labels_check_on_files_that_are_no_schema(tmp_path: Path, filled: Path) -> None:
    """A pipe made it wait forever, /dev/zero read until memory ran out; a database or UTF-16
    file was "not valid UTF-8". The same for --labels on import."""
    fifo = tmp_path / "schema.toml"
    os.mkfifo(fifo)
    utf16 = tmp_path / "utf16.toml"
    utf16.write_text('name = "news"\n', encoding="utf-16")
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (1024 * 1024 + 1))
    said = {fifo: "this is a named pipe, not a label schema file",
            filled: "this is an SQLite database, not a label schema (TOML)",
            utf16: "this is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as"
                   " UTF-8",
            huge: "1048577 bytes is too big for a label schema (at most 1024 KiB)"}
    if Path("/dev/zero").exists():
        said[Path("/dev/zero")] = "this is a character device, not a label schema file"
    for path, why in said.items():
        for command in (["labels", "check", str(path)],
                        ["import", "--labels", str(path), str(tmp_path / "d.jsonl")]):
            result = run(*command)
            assert (result.exit_code, result.stderr) == (1, f"Error: {path}: {why}\n")


def test_labels_check_refuses_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nversion = 1\n[[labels]]\nname = "A"\nkind = "entity"\n'
                   'key = "j"\n', encoding="utf-8")
    result = run("labels", "check", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f'{bad}:6: label "A": key "j" is reserved for move down',
        f"Error: {bad}: the label schema is not valid",
    ]


@pytest.fixture
def fake_tui(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    module = types.ModuleType("annotator.tui.app")
    module.run_tui = lambda **kw: calls.append(kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "annotator.tui.app", module)
    return calls


def test_annotate_starts_the_tui(filled: Path, fake_tui: list[dict[str, Any]]) -> None:
    assert run("annotate", "--as", "alice", "d1").exit_code == 0
    assert run().exit_code == 0  # no command: annotate
    assert fake_tui == [
        {"db_path": str(filled), "annotator": "alice", "labels_path": None, "doc_ids": ["d1"],
         "actor": "alice"},
        {"db_path": str(filled), "annotator": "tester", "labels_path": None, "doc_ids": [],
         "actor": "tester"},
    ]


def test_annotate_refuses_unknown_documents(filled: Path, fake_tui: list[dict[str, Any]]) -> None:
    result = run("annotate", "d1", "d9", "x")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no document 'd9', 'x' in {filled}; the ids are: d1\n"
    assert fake_tui == []


def test_annotate_without_documents(tmp_path: Path, fake_tui: list[dict[str, Any]]) -> None:
    missing = run("--db", str(tmp_path / "new.db"))
    assert missing.exit_code == 1
    assert "import documents first: annotator --db" in missing.stderr
    assert not (tmp_path / "new.db").exists()
    Store(tmp_path / "new.db").close()
    empty = run("--db", str(tmp_path / "new.db"), "annotate")
    assert empty.exit_code == 1
    assert "has no documents yet" in empty.stderr
    assert fake_tui == []


def test_annotate_checks_the_schema_first(tmp_path: Path, filled: Path,
                                          fake_tui: list[dict[str, Any]]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")
    result = run("annotate", "--labels", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:1: TOML syntax error")
    assert fake_tui == []


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.cli import progress_bar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with progress_bar("Importing") as update:
        assert update is None  # stderr is not a terminal under pytest
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with progress_bar("Importing", transfer=True) as update:
        assert update is not None
        update(10, 100)
        update(100)
    assert "Importing" in screen.getvalue()


def test_an_import_into_a_read_only_database_is_one_clean_error(
        tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It printed `Exception ignored ... Traceback` after the error (the import's transaction
    was left open and finalised on a closed connection)."""
    db = tmp_path / "ro.db"
    assert run("--db", str(db), "import", str(corpus / "akar.txt")).exit_code == 0
    opened = Store.__init__

    def read_only(self: Store, path: Any, **kwargs: Any) -> None:
        """A file SQLite opened read-only (chattr +i, a read-only mount) lets the transaction
        begin and refuses the first write: deny every INSERT the same way."""
        opened(self, path, **kwargs)
        self.conn.set_authorizer(lambda action, *_: sqlite3.SQLITE_DENY
                                 if action == sqlite3.SQLITE_INSERT else sqlite3.SQLITE_OK)

    monkeypatch.setattr(Store, "__init__", read_only)
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    result = run("--db", str(db), "import", str(corpus), env={"ANNOTATOR_DEBUG": None})
    said = (result.exit_code, result.stderr)
    del result  # its exception chain holds the import's frames: let them be collected
    gc.collect()
    assert said == (1, f"Error: {db}: the database refused: not authorized\n")
    assert [u.exc_value for u in unraisable] == []
    monkeypatch.undo()
    with Store(db) as store:
        assert store.document_ids() == ["akar"]
