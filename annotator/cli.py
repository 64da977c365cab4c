"""The `annotator` command line: thin click commands over the library modules.

Heavy modules (the store, rich, Textual) are imported inside the commands that need them,
so `annotator --help` stays fast.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from annotator import __version__
from annotator.sanitize import escape_json_controls, safe, safe_line

if TYPE_CHECKING:
    from annotator.model import DocumentSummary, LabelSchema
    from annotator.store import Store

DEFAULT_DB = "annotations.db"
# = export.FORMATS (not imported from there: `annotator --help` stays fast)
FORMATS = ("jsonl", "audit", "prodigy", "doccano", "labelstudio", "spacy", "datasets")
STATUSES = ("done", "in_progress", "todo", "any")
MAX_PROBLEMS = 50
SCHEMA_MAX_BYTES = 1024 * 1024  # a schema is a few KiB; more is the wrong file
Update = Callable[..., None]


def fail(message: str) -> NoReturn:
    """Bad input: `Error: message` on stderr, exit code 1 (control characters made visible)."""
    raise click.ClickException(safe(message))


def say(line: object, err: bool = False) -> None:
    """One line for a person: text from documents and files may carry control characters."""
    click.echo(safe_line(str(line)), err=err)


def resolve_identity(name: str | None) -> str:
    """Who is annotating: --as NAME, else $USER, else the login name; unusable names refused."""
    from annotator.jsonl_shapes import annotator_name_problem

    if name is not None:
        if why := annotator_name_problem(name):
            raise click.BadParameter(why, param_hint="'--as'")
        return name
    name = os.environ.get("USER")
    if not name:
        import getpass

        try:
            name = getpass.getuser()
        except Exception:  # no $USER, $LOGNAME or passwd entry (e.g. a bare container)
            fail("cannot tell who you are: pass --as NAME or set $USER")
    if why := annotator_name_problem(name):
        fail(f"{why} (it comes from $USER); pass --as NAME")
    return name


@contextmanager
def open_store(db: str, must_exist: bool = False, read_only_ok: bool = False
               ) -> Iterator[Store]:
    """The store; with read_only_ok (commands that only read) a file that cannot be written
    opens for reading."""
    import sqlite3

    from annotator.store import Store

    if must_exist and not Path(db).exists():
        fail(f"no database at {db}; import documents first: {import_hint(db)}")
    if why := _not_a_database_file(db):
        fail(f"{db}: {why}")
    try:
        store = Store(db, read_only_ok=read_only_ok)
    except sqlite3.DatabaseError as exc:
        fail(f"{db}: cannot open it as an annotator database ({exc})")
    with store:
        yield store


def import_hint(db: str) -> str:
    """The import command for this database (a placeholder path: no folder is assumed)."""
    import shlex

    return f"annotator --db {shlex.quote(db)} import FILE_OR_FOLDER..."


def _not_a_database_file(db: str) -> str | None:
    """Why `db` cannot be a database file (a folder, a pipe, a device), before SQLite says
    "unable to open database file" or "disk I/O error"."""
    from annotator.file_kinds import special_kind

    try:
        mode = os.stat(db).st_mode
    except OSError:
        return None  # missing (it will be created), or SQLite says why
    if stat.S_ISDIR(mode):
        return "this is a folder; give the database file's path (--db PATH)"
    if what := special_kind(mode):
        return f"this is {what}, not a database file"
    return None


def _not_a_schema_file(path: str) -> str | None:
    """Why `path` cannot hold a label schema: a pipe or device (reading it would wait or never
    end), a huge file, an SQLite database, UTF-16 text."""
    from annotator.file_kinds import not_text, special_kind

    try:
        st = os.stat(path)
        if what := special_kind(st.st_mode):
            return f"this is {what}, not a label schema file"
        if st.st_size > SCHEMA_MAX_BYTES:
            return (f"{st.st_size} bytes is too big for a label schema"
                    f" (at most {SCHEMA_MAX_BYTES // 1024} KiB)")
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None  # load_schema says why it cannot be read
    return why.replace("not text", "not a label schema (TOML)") if (why := not_text(head)) \
        else None


def load_labels(path: str | None) -> LabelSchema:
    from annotator.labels import SchemaError, load_default_schema, load_schema

    if path and (why := _not_a_schema_file(path)):
        fail(f"{path}: {why}")
    try:
        return load_schema(path) if path else load_default_schema()
    except SchemaError as exc:
        _problems(exc.problems)
        fail(f"{path}: the label schema is not valid")


def _problems(lines: list[Any], total: int | None = None) -> None:
    for line in lines[:MAX_PROBLEMS]:
        say(line, err=True)
    total = len(lines) if total is None else total
    if total > MAX_PROBLEMS:
        say(f"... and {total - MAX_PROBLEMS} more", err=True)


@contextmanager
def progress_bar(description: str, total: int | None = None,
                 transfer: bool = False) -> Iterator[Update | None]:
    """A rich progress bar on stderr when it is a terminal; yields update(done, total=None)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    count = DownloadColumn() if transfer else MofNCompleteColumn()
    with Progress(TextColumn("{task.description}"), BarColumn(), count, TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, new_total: int | None = None) -> None:
            if new_total:
                bar.update(task, completed=done, total=new_total)
            else:
                bar.update(task, completed=done)

        yield update


def _db_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # sqlite would open "" and ":memory:" as a throw-away database: the work would vanish
    if value.strip() in ("", ":memory:"):
        raise click.BadParameter(f"{value!r} is not a file; give the database's path")
    return value


class _Commands(click.Group):
    """The top-level group: an unexpected failure is one line on stderr, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get("ANNOTATOR_DEBUG"):
                raise
            import sqlite3

            if isinstance(exc, sqlite3.Error):  # a full disk, a damaged or read-only file, ...
                fail(f"{ctx.obj}: the database refused: {exc}")
            if isinstance(exc, OSError) and exc.strerror:
                fail(f"{exc.filename or ctx.obj}: {exc.strerror}")
            fail(f"unexpected {type(exc).__name__}: {exc}. This is a bug; please report it with"
                 " the command you ran (ANNOTATOR_DEBUG=1 shows where it happened)")


@click.group("annotator", cls=_Commands, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="ANNOTATOR_DB", default=DEFAULT_DB, show_default=True,
              metavar="PATH", callback=_db_path,
              help="The annotation database (else $ANNOTATOR_DB).")
@click.version_option(__version__, "--version", prog_name="annotator")
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    """Annotate documents in the terminal: entities, numbers, claims and the links between
    them, for several annotators sharing one SQLite database.

    \b
    annotator import data/        load documents (.txt, .md, folders, .jsonl)
    annotator                     annotate (the same as `annotator annotate`)
    annotator docs                who has done what
    annotator export --format jsonl -o out.jsonl

    You are --as NAME (on annotate, import, export), else $USER.

    Exit codes: 0 done, 1 bad input (each problem on stderr as file:line), 2 bad usage.
    """
    ctx.obj = db
    if ctx.invoked_subcommand is None:
        ctx.invoke(annotate)


@main.command(short_help="Open the annotation screen (the default command).")
@click.option("--as", "as_", metavar="NAME", help="Who you are (default: $USER).")
@click.option("--labels", type=click.Path(exists=True, dir_okay=False),
              help="Label schema (TOML; default: the news schema).")
@click.argument("doc_ids", nargs=-1)
@click.pass_obj
def annotate(db: str, as_: str | None, labels: str | None, doc_ids: tuple[str, ...]) -> None:
    """Open the annotation screen; DOC_IDs given open side by side."""
    who = resolve_identity(as_)
    if labels:
        load_labels(labels)  # refuse a broken schema before the screen takes over
    with open_store(db, must_exist=True, read_only_ok=True) as store:
        known = store.document_ids()
        who, actor = team_cli.may_annotate(store, as_, doc_ids)
    if not known:
        fail(f"{db} has no documents yet; import some first: annotator import data/")
    unknown = [d for d in doc_ids if d not in set(known)]
    if unknown:
        listed = ", ".join(known[:20]) + (f" (and {len(known) - 20} more)" if len(known) > 20
                                          else "")
        fail(f"no document {', '.join(map(repr, unknown))} in {db}; the ids are: {listed}")
    from annotator.tui import long_lived

    long_lived.manage()  # this process is the annotator's: see long_lived
    long_lived.hold()  # no garbage collection while Textual loads; the app settles it when drawn
    from annotator.tui.app import run_tui

    code = run_tui(db_path=db, annotator=who, labels_path=labels, doc_ids=list(doc_ids),
                   actor=actor)
    if code:  # a crash: Textual has printed the traceback
        sys.exit(code)


@main.command(short_help="The lead dashboard: progress and agreement, live (leads).")
@click.option("--as", "as_", metavar="NAME", help="Who you are (default: $USER).")
@click.pass_obj
def dashboard(db: str, as_: str | None) -> None:
    """Open the lead dashboard: progress per annotator, agreement figures, a pair heatmap,
    per-label bars and the documents sorted by disagreement; it refreshes when anyone
    commits. On a team database only leads may open it."""
    with open_store(db, must_exist=True, read_only_ok=True) as store:
        if not store.document_ids():
            fail(f"{db} has no documents yet; import some first: annotator import data/")
        me, who = team_cli.identity(store, as_)
        team_cli.require_lead(me, "the dashboard")
    from annotator.tui.app import run_tui

    code = run_tui(db_path=db, annotator=who, dashboard=True, actor=me.name)
    if code:
        sys.exit(code)


@main.command("import", short_help="Import .txt/.md files, folders, .jsonl and .json.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--labels", type=click.Path(exists=True, dir_okay=False),
              help="Label schema to validate against (default: the news schema).")
@click.option("--as", "as_", metavar="NAME",
              help="Annotator for doccano/Prodigy/Label Studio records that name none"
                   " (default: $USER).")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid records and list the others, instead of importing nothing.")
@click.option("--as-suggestions", is_flag=True,
              help="Keep the records' spans as suggestions for every annotator, not as"
                   " annotations (docs/suggestions.md).")
@click.pass_obj
def import_(db: str, paths: tuple[str, ...], labels: str | None, as_: str | None,
            skip_invalid: bool, as_suggestions: bool) -> None:
    """Import .txt/.md files, folders, .jsonl (ours, doccano, Prodigy, Label Studio, plain
    {"text"}) and .json (Label Studio's JSON export).

    A .txt or .md file is one document: its id is the file name without the extension, its
    title the first line. Folders are read recursively. A .jsonl file is in one shape, told
    from its records: our export, doccano ({"text", "label": [[start, end, label]]} or
    "entities" and "relations"), Prodigy ({"text", "spans": [...]}; only "accept" answers are
    annotations), Label Studio tasks ({"data": {"text"}, "annotations"}) or plain ({"text"});
    a .json file is an array of them. Spans must fit the text and the schema. A doccano
    record's "annotator" (Prodigy: "_annotator_id", else "_session_id"; Label Studio:
    "completed_by") names whose spans they are; records without one are --as's. What was
    read but not imported (rejected answers, predictions, links to sets a filtered export
    left out) is counted on stderr.

    All or nothing: any invalid record is reported as file:line and nothing is imported,
    unless --skip-invalid. Importing the same files again changes nothing."""
    from annotator.ingest import IngestError, import_paths
    from annotator.labels import default_schema_path

    who = resolve_identity(as_)
    if _restore_backup(db, [Path(p) for p in paths]):
        return
    schema = load_labels(labels)
    try:
        with open_store(db) as store, progress_bar("Importing", transfer=True) as update:
            who = team_cli.may_import(store, as_)
            report = import_paths(store, paths, schema, who, skip_invalid=skip_invalid,
                                  progress=update, schema_path=labels or str(default_schema_path()),
                                  as_suggestions=as_suggestions)
    except IngestError as exc:
        _problems(exc.problems, exc.total)
        fail(f"{exc.total} problem{'s' if exc.total != 1 else ''}; nothing was imported"
             " (--skip-invalid imports the valid records)")
    except OSError as exc:
        fail(f"{exc.filename or db}: {exc.strerror or exc}")
    for line in report.lines(limit=MAX_PROBLEMS):
        say(line, err=True)


def _restore_backup(db: str, paths: list[Path]) -> bool:
    """A backup (`export --all`) is restored whole into an empty database; False: not one."""
    from annotator.restore import RestoreError, is_backup, restore_file

    backups = [p for p in paths if p.is_file() and is_backup(p)]
    if not backups:
        return False
    if len(paths) > 1:
        fail(f"{backups[0]} is a backup (export --all): restore it alone, into an empty"
             " database, then import the other files")
    path = backups[0]
    try:
        with open_store(db) as store:
            counts = restore_file(store, path)
    except RestoreError as exc:
        fail(safe_line(str(exc)))
    except OSError as exc:
        fail(f"{exc.filename or path}: {exc.strerror or exc}")
    say(f"Restored {_n(counts['documents'], 'document')}, {_n(counts['spans'], 'span')},"
        f" {_n(counts['links'], 'link')}"
        f" and {_n(counts['events'], 'event')} from {path}.", err=True)
    return True


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@main.command(short_help="Export annotations (JSONL and other tools' shapes).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), required=True,
              help="jsonl: ours (round-trips); audit: the event log; or another tool's shape.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write this file (atomically) instead of standard output; never the"
              " database, another SQLite file or a symbolic link.")
@click.option("--force", is_flag=True,
              help="Replace the -o file if it exists (keeping its permissions).")
@click.option("--as", "as_", metavar="NAME", help="Only this annotator's work.")
@click.option("--gold", is_flag=True, help="Only the gold set (annotator @gold, imported).")
@click.option("--status", type=click.Choice(STATUSES), default="any", show_default=True,
              help="Only annotation sets with this status.")
@click.option("--all", "everything", is_flag=True,
              help="A full backup (-f jsonl): also documents nobody annotated, the schemas and"
              " the event log; `import` restores it into an empty database.")
@click.pass_obj
def export(db: str, fmt: str, output: str | None, force: bool, as_: str | None, gold: bool,
           status: str, everything: bool) -> None:
    """Export annotations, one line per document and annotator, in a stable order.

    Each annotator's work on a document is one line (documents nobody has annotated are
    not exported, except with --all); `jsonl` imports back unchanged. `audit` is the event
    log, one event a line (--as keeps one annotator's events; --status does not apply).
    `labelstudio` is one JSON array, one task per document. What a format cannot hold
    (attributes, cross-document links) is counted on one line of standard error.

    \b
    annotator export -f jsonl --status done -o exports/done.jsonl
    annotator export -f jsonl --as alice | jq .id
    annotator export -f jsonl --all -o backup.jsonl

    -o refuses the database and its -wal/-shm/-journal files, any other SQLite file and a
    symbolic link, and an existing file unless --force; a named pipe or /dev/stdout is
    written into."""
    from annotator import export as ex
    from annotator.model import GOLD

    if as_ is not None and gold:
        raise click.UsageError("--as and --gold cannot be combined")
    if fmt == "audit" and status != "any":
        raise click.UsageError("--status does not apply to the audit log (it has every event)")
    if fmt == "spacy":
        if not ex.spacy_available():
            fail(ex.SPACY_MISSING)
        if output is None:
            raise click.UsageError("the spacy format is binary: give -o FILE.spacy")
    if force and output is None:
        raise click.UsageError("--force applies to -o FILE (standard output is never replaced)")
    if everything and (fmt != "jsonl" or as_ is not None or gold or status != "any"):
        raise click.UsageError("--all is a backup of the whole database in -f jsonl; it takes"
                               " no --as, --gold or --status")
    losses = ex.Losses()
    with open_store(db, must_exist=True, read_only_ok=True) as store:
        as_ = team_cli.export_scope(store, as_, gold)
        if everything and as_ is not None:
            fail("--all is a backup of every annotator's work: only a lead may take it")
        if as_ is not None and as_ not in (names := store.annotators()):
            fail(f"no annotator {as_!r} in {db}; there are: {', '.join(names) or 'none'}")
        if gold and GOLD not in store.annotators():
            # not an error: a pipeline may export gold before any adjudication
            say(f"Note: {db} has no gold set yet, so the export is empty (a gold set is"
                f' made with `annotator review`, or imported: JSONL lines with "annotator":'
                f' "{GOLD}")', err=True)
        try:
            if output is None:
                with suppress(ValueError, io.UnsupportedOperation):  # no file descriptor
                    ex.refuse_database_stream(sys.stdout.fileno(), db, "standard output")
                _to_stdout(lambda out: ex.export(store, fmt, out, as_, gold, status,
                                                 losses=losses, everything=everything))
                _say_losses(losses)
                return
            total = (None if fmt == "audit" or everything or fmt == "labelstudio"
                     else ex.count_sets(store, as_, status, gold))
            with progress_bar(f"Exporting {fmt}", total) as update, \
                    ex.atomic_output(output, fmt == "spacy", force, db) as out:
                n = ex.export(store, fmt, out, as_, gold, status, progress=update, losses=losses,
                              everything=everything)
        except (ex.ExportError, ex.OutputRefused) as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or output or 'standard output'}: {exc.strerror or exc}")
    what = {"labelstudio": "task", "spacy": "document"}.get(fmt, "line")
    say(f"Wrote {n} {what if n == 1 else what + 's'} to {output}", err=True)
    _say_losses(losses)


def _say_losses(losses: Any) -> None:
    """Each span spaCy could not align, then one line of what the format could not hold."""
    for detail in losses.details[:MAX_PROBLEMS]:
        say(f"not aligned: {safe_line(detail)}", err=True)
    if len(losses.details) > MAX_PROBLEMS:
        say(f"... and {len(losses.details) - MAX_PROBLEMS} more not aligned", err=True)
    if line := losses.line():
        say(line, err=True)


def _to_stdout(write: Callable[[io.TextIOWrapper], int]) -> None:
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    try:
        with to_stdout():
            write(stream)
            stream.flush()
    finally:
        with suppress(ValueError, OSError):
            stream.detach()


@contextmanager
def to_stdout() -> Iterator[None]:
    """Output for a person or a pipe. A reader that left (`| head`) ends the command quietly
    (exit 1); a full disk is one line about standard output (it named the database)."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        with suppress(OSError, ValueError, io.UnsupportedOperation):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error
        sys.exit(1)
    except OSError as exc:
        if exc.filename:
            raise
        with suppress(OSError, ValueError, io.UnsupportedOperation):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        fail(f"standard output: {exc.strerror or exc}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table for people, or JSON for scripts.")
@click.pass_obj
def docs(db: str, fmt: str) -> None:
    """List documents with each annotator's status and span count."""
    with open_store(db, must_exist=True, read_only_ok=True) as store:
        summaries, team = team_cli.docs_view(store, store.documents())
    with to_stdout():
        _docs_report(db, fmt, summaries, team)


def _docs_report(db: str, fmt: str, summaries: list[DocumentSummary],
                 team: team_cli.DocsTeam | None = None) -> None:
    team = team or team_cli.DocsTeam()
    if fmt == "json":  # data for scripts: exact, but DEL and C1 escaped (the same JSON value)
        click.echo(escape_json_controls(json.dumps([
            {"id": d.id, "title": d.title, "length": d.length,
             "annotators": {who: {"status": str(d.statuses.get(who, "todo")),
                                  "spans": d.span_counts.get(who, 0)}
                            | team.json_extra(d.id, who)
                            for who in team.people(d)}} | team.json_flags(d.id)
            for d in summaries
        ], ensure_ascii=False, indent=2)))
        return
    if not summaries:
        say(f"No documents in {db} yet. Import some: {import_hint(db)}")
        return
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(file=sys.stdout)
    names = sorted({w for d in summaries for w in team.people(d)})
    table = _docs_table(db, summaries, names, wide=True, team=team)
    title = table.columns[1]
    title.max_width = title.min_width  # measure with the title at its narrowest
    unbounded = console.options.update(width=10**6, max_width=10**6)
    too_wide = Measurement.get(console, unbounded, table).minimum > console.width
    title.max_width = None
    if too_wide:
        table = _docs_table(db, summaries, names, wide=False, team=team)  # a row per annotator
    console.print(table)


def _docs_table(db: str, summaries: list[DocumentSummary], names: list[str],
                wide: bool, team: team_cli.DocsTeam) -> Any:
    """Wide: a column per annotator. Narrow: a row per document and annotator.

    Ids, titles and names are plain Text (not markup) with control characters made visible."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from annotator.display import STATUS_GLYPHS, STATUS_KEY, STATUS_STYLES, status_of

    def plain(text: str) -> Text:
        return Text(safe_line(text), no_wrap=True, overflow="ellipsis")

    count = f"{len(summaries)} document{'' if len(summaries) == 1 else 's'}"
    table = Table(title=Text(safe_line(f"{count} in {db}")), title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False,
                  caption=f"{STATUS_KEY}; the number is the span count"
                  + team.caption if names else None, caption_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("title", min_width=10)  # the one column that gives way when narrow
    if wide:
        table.add_column("length", justify="right", no_wrap=True)

    def cell(d: DocumentSummary, who: str) -> Text:
        status = status_of(d.statuses.get(who))
        return Text.assemble(f"{team.mark(d.id, who)}{d.span_counts.get(who, 0)} ",
                             (STATUS_GLYPHS[status], STATUS_STYLES[status]))

    if not wide:
        table.add_column("annotator", no_wrap=True)
        table.add_column("spans", justify="right", no_wrap=True)
    for who in names if wide else ():
        table.add_column(plain(who), justify="right", no_wrap=True)
    for d in summaries:
        doc_id, title = plain(d.id), plain(d.title)
        if flagged := team.open_flags.get(d.id):
            title = Text.assemble((f"⚑{flagged} ", "red"), title)
        present = [who for who in names if who in team.people(d)]
        if wide:
            table.add_row(doc_id, title, str(d.length),
                          *[cell(d, who) if who in present else "" for who in names])
            continue
        for i, who in enumerate(present or [""]):
            table.add_row(*((doc_id, title) if i == 0 else ("", "")), plain(who),
                          cell(d, who) if who else "")
    return table


@main.command(short_help="Inter-annotator agreement: spans, tokens, attributes, links.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True,
              help="A table for people, JSON for scripts, CSV (one row per document and pair).")
@click.option("--label", metavar="L", help="Only spans of this label (and links touching them).")
@click.option("--status", type=click.Choice(["done", "any"]), default="done", show_default=True,
              help="Compare the sets annotators marked done, or every set.")
@click.option("--against", type=click.Choice(["gold"]),
              help="Score each annotator against the gold set instead.")
@click.option("--without-suggested", is_flag=True,
              help="Leave out spans accepted from suggestions (origin suggested).")
@click.pass_obj
def agreement(db: str, fmt: str, label: str | None, status: str, against: str | None,
              without_suggested: bool) -> None:
    """Agreement between annotators on the documents at least two of them have done.

    Span precision/recall/F1 (exact, and overlap by maximum matching), Cohen's and Fleiss'
    κ and Krippendorff's α over tokens, attribute and link agreement; per pair, label and
    document and pooled over the corpus, with 95% bootstrap intervals (5+ documents).
    Undefined figures are n/a (null in JSON). docs/agreement.md defines every figure.

    --against gold: each annotator against the gold set (@gold) on the documents both have:
    span P/R/F1 (exact and overlap), per label, attribute accuracy, link P/R/F1."""
    from annotator.agreement import compute_agreement

    if against == "gold":
        _against_gold(db, fmt, label, status, without_suggested)
        return
    with open_store(db, must_exist=True) as store:
        report = compute_agreement(store, status=status, label=label,
                                   without_suggested=without_suggested)
    if fmt == "json":  # data: exact, but DEL and C1 escaped (the same JSON value)
        _to_stdout(lambda out: report.write_json(lambda s: out.write(escape_json_controls(s))))
        return
    if fmt == "csv":
        from annotator.agreement.report import write_csv

        _to_stdout(lambda out: write_csv(report, out))
        return
    from rich.console import Console

    from annotator.agreement.report import print_table

    print_table(report, Console(file=sys.stdout))


def _against_gold(db: str, fmt: str, label: str | None, status: str,
                  without_suggested: bool) -> None:
    from annotator.agreement.gold import compute_against_gold
    from annotator.agreement.gold_report import print_gold_table, write_gold_csv

    with open_store(db, must_exist=True) as store:
        report = compute_against_gold(store, status=status, label=label,
                                      without_suggested=without_suggested)
    if fmt == "json":
        _to_stdout(lambda out: out.write(escape_json_controls(
            json.dumps(report.to_json(), ensure_ascii=False)) + "\n"))
    elif fmt == "csv":
        _to_stdout(lambda out: write_gold_csv(report, out))
    else:
        from rich.console import Console

        print_gold_table(report, Console(file=sys.stdout))


@main.group()
def labels() -> None:
    """Label schemas (labels/*.toml)."""


@labels.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def labels_check(file: str) -> None:
    """Validate the label schema FILE (TOML): every problem as file:line, or a summary
    of its labels, keys and link types."""
    schema = load_labels(file)
    with to_stdout():
        say(f"OK: {file}: schema {schema.ref}, {len(schema.labels)} labels,"
            f" {len(schema.links)} link types")
        for lab in schema.labels:
            attrs = ", ".join(f"{a.name} ({a.type})" for a in lab.attributes)
            say(f"  {lab.key}  {lab.name:<12} {lab.kind:<7}  {attrs}".rstrip())
        for lt in schema.links:
            ends = f"{'/'.join(lt.from_labels) or 'any'} -> {'/'.join(lt.to_labels) or 'any'}"
            say(f"  {lt.key}  {lt.name:<12} {ends}{', symmetric' if lt.symmetric else ''}")


from annotator import team_cli  # noqa: E402  (it looks up this module's helpers when run)
from annotator.conflicts_cli import conflicts  # noqa: E402

for _command in (*team_cli.COMMANDS, conflicts):
    main.add_command(_command)

from annotator.review_cli import review  # noqa: E402  (as team_cli)

main.add_command(review)

if __name__ == "__main__":
    main()
