"""Team commands (users, assign, unassign, settings, flag, backup, serve-session) and the
identity and role checks the other commands ask for (DESIGN §9). Registered on cli.main.

Who you are: under `serve-session NAME` (the forced command of an SSH key) NAME, and nothing
the client sends can change it; otherwise $USER (or --as) as always. On a team database (someone
was added with `users add`) a local $USER must be on the team, and only a lead may act as
another name (--as): file permissions, not this check, keep other local users out (docs/team.md).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from annotator.team import (
    ROLES,
    Identity,
    Refused,
    Role,
    flag_note,
    parse_people,
    session_argv,
)

if TYPE_CHECKING:
    from annotator.model import DocumentSummary
    from annotator.store import Store
    from annotator.store import team as team_store

# Set by serve-session alone (never from the environment): the SSH key's identity.
SESSION: Identity | None = None
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"  # compiled when used: start-up time
KEY_PATTERN = (r"(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)"
               r" [A-Za-z0-9+/=]+( [^\x00-\x1f\x7f\"]*)?")
SERVE_TAG = " serve-session "


# annotator.cli imports this module to register its commands: its helpers are looked up when a
# command runs (`python -m annotator.cli` runs a second copy of it as __main__).
def fail(message: str) -> NoReturn:
    from annotator.cli import fail as cli_fail

    cli_fail(message)


def say(line: object, err: bool = False) -> None:
    from annotator.cli import say as cli_say

    cli_say(line, err)


def open_store(db: str, must_exist: bool = False) -> AbstractContextManager[Store]:
    from annotator.cli import open_store as cli_open_store

    return cli_open_store(db, must_exist)


def to_stdout() -> AbstractContextManager[None]:
    from annotator.cli import to_stdout as cli_to_stdout

    return cli_to_stdout()


def resolve_identity(name: str | None) -> str:
    from annotator.cli import resolve_identity as cli_resolve_identity

    return cli_resolve_identity(name)


def identity(store: Store, as_: str | None = None) -> tuple[Identity, str]:
    """(who acts, whose set): refused with one line when the person may not act as `as_`.
    Sets the store's actor, so the audit names who acted."""
    from annotator.store import team

    if SESSION is not None:
        role = team.role_of(store, SESSION.name)
        if role is None:
            fail(f"{SESSION.name} is no longer on this project's team")
        me = Identity(SESSION.name, role, via_ssh=True)
    elif not team.is_team(store):
        name = resolve_identity(as_)
        store.actor = name
        return Identity(name, None), name
    else:
        name = resolve_identity(None)
        role = team.role_of(store, name)
        if role is None:
            fail(f"you ({name}, from $USER) are not on this project's team; a lead adds you:"
                 f" annotator users add {name} --role annotator")
        me = Identity(name, role)
    target = me.name if as_ is None else resolve_identity(as_)
    if not me.may_act_as(target):
        fail(f"you are {me.name} (an annotator): you may only work as yourself, not as {target}")
    store.actor = me.name
    return me, target


def personal(store: Store) -> bool:
    """A personal database, outside an SSH session: nobody to check."""
    from annotator.store import team

    return SESSION is None and not team.is_team(store)


def require_lead(me: Identity, what: str) -> None:
    if not me.is_lead:
        fail(f"{what} is for leads; you ({me.name}) are an annotator")


@contextmanager
def lead_store(db: str, what: str) -> Iterator[tuple[Store, Identity]]:
    """The database, once the caller is known to be a lead (anyone, on a personal one)."""
    with open_store(db, must_exist=True) as store:
        me, _ = identity(store)
        require_lead(me, what)
        yield store, me


# -- the checks existing commands make --------------------------------------------------

def may_annotate(store: Store, as_: str | None, doc_ids: tuple[str, ...]) -> tuple[str, str]:
    """(whose set the annotation screen opens, who acts in it: the audit's actor); an annotator
    only opens what they may."""
    from annotator.store import team

    me, who = identity(store, as_)
    refused = [d for d in doc_ids if not team.may_open(store, who, d)]
    if refused and not me.is_lead:
        fail(f"{', '.join(map(repr, refused[:5]))} {'is' if len(refused) == 1 else 'are'} not"
             " assigned to you, and this project does not allow unassigned work")
    return who, store.actor or who


def may_import(store: Store, as_: str | None) -> str:
    """Who is credited for records that name no annotator: on a team only leads import (into
    anyone's set: the audit names the lead as the actor)."""
    me, who = identity(store, as_)
    require_lead(me, "import")
    return who


def export_scope(store: Store, as_: str | None, gold: bool) -> str | None:
    """Whose work an export may hold: an annotator's own only (blind), a lead's anything.
    On a personal database --as stays a filter and nobody needs to be named."""
    if personal(store):
        return as_
    me, who = identity(store, as_)
    if me.is_lead:
        return as_
    if gold:
        fail(f"the gold set is for leads; you ({me.name}) may export your own work")
    if who not in store.annotators():  # nothing yet: an empty export, not an error
        say(f"Note: you ({who}) have no work in this project yet, so the export is empty",
            err=True)
        click.get_current_context().exit(0)
    return who


@dataclass
class DocsTeam:
    """What `annotator docs` adds on a team: assignments and open flags per document."""

    assigned: dict[str, list[str]] = field(default_factory=dict)
    open_flags: dict[str, int] = field(default_factory=dict)

    def people(self, d: DocumentSummary) -> list[str]:
        return sorted(d.statuses.keys() | d.span_counts.keys() | set(self.assigned.get(d.id, ())))

    def mark(self, doc_id: str, who: str) -> str:
        return "▸" if who in self.assigned.get(doc_id, ()) else ""

    @property
    def caption(self) -> str:
        return ("; ▸ assigned" if self.assigned else "") + \
            ("; ⚑ open flags" if self.open_flags else "")

    def json_extra(self, doc_id: str, who: str) -> dict[str, bool]:
        return {"assigned": who in self.assigned.get(doc_id, ())} if self.assigned else {}

    def json_flags(self, doc_id: str) -> dict[str, int]:
        return {"open_flags": self.open_flags.get(doc_id, 0)} if self.open_flags else {}


def docs_view(store: Store, summaries: list[DocumentSummary]
              ) -> tuple[list[DocumentSummary], DocsTeam]:
    """A lead sees everything; an annotator only their own column, on the documents they may
    open (blind: nobody else's status or counts)."""
    from annotator.model import DocumentSummary, Status
    from annotator.store import team

    me = Identity("", None) if personal(store) else identity(store)[0]
    assigned = team.assignments(store)
    flags = team.flags(store, None if me.is_lead else me.name)
    open_flags: dict[str, int] = {}
    for f in flags:
        open_flags[f.doc_id] = open_flags.get(f.doc_id, 0) + 1
    if me.is_lead:
        return summaries, DocsTeam(assigned, open_flags)
    anything = team.may_open(store, me.name, "")
    mine = [
        DocumentSummary(d.id, d.title, d.length,
                        {me.name: d.statuses.get(me.name, Status.TODO)},
                        {me.name: d.span_counts.get(me.name, 0)})
        for d in summaries if anything or me.name in assigned.get(d.id, ())
    ]
    return mine, DocsTeam({d: [me.name] for d, ps in assigned.items() if me.name in ps},
                          open_flags)


# -- users --------------------------------------------------------------------------------

@click.group(short_help="Team members and roles (leads).")
def users() -> None:
    """People and roles: annotator (blind: their own work) or lead (everything)."""


def _check_name(name: str, param_hint: str = "'NAME'") -> str:
    if not re.fullmatch(NAME_PATTERN, name):
        raise click.BadParameter(f"{name!r}: a user name is letters, digits, '.', '_' and '-'"
                                 " (at most 64, not starting with '.' or '-')",
                                 param_hint=param_hint)
    return name


def authorized_keys_path() -> Path:
    return Path(os.environ.get("ANNOTATOR_AUTHORIZED_KEYS")
                or Path.home() / ".ssh" / "authorized_keys")


def serve_command(db: str, name: str) -> str:
    """The forced command for `name`'s key: this annotator program, the database fixed."""
    prefix = os.environ.get("ANNOTATOR_SSH_COMMAND") or shlex.join(
        [sys.executable, "-m", "annotator"])
    command = f"{prefix} --db {shlex.quote(str(Path(db).resolve()))}{SERVE_TAG}{name}"
    if any(c in command for c in '"\\') or not command.isprintable():
        # authorized_keys' command="..." would end early, or mean something else
        fail(f"cannot write a forced command for {command!r}: the database path and"
             " $ANNOTATOR_SSH_COMMAND must not contain quotes, backslashes or control characters")
    return command


def read_key(path: str) -> str:
    try:
        lines = [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines()
                 if ln.strip() and not ln.startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read the public key ({exc})")
    if len(lines) != 1 or not re.fullmatch(KEY_PATTERN, lines[0]):
        fail(f"{path}: not one OpenSSH public key line (like `ssh-ed25519 AAAA... name`);"
             " give the .pub file")
    return lines[0]


def write_authorized_keys(name: str, line: str | None) -> Path:
    """Replace `name`'s lines (None: remove them), keeping every other line; atomically."""
    path = authorized_keys_path()
    try:
        old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read it ({exc})")
    mine = f"{SERVE_TAG}{name}\""
    kept = [ln for ln in old if mine not in ln]
    new = kept + ([line] if line else [])
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(ln + "\n" for ln in new))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@users.command("add")
@click.argument("name", callback=lambda c, p, v: _check_name(v))
@click.option("--role", type=click.Choice(ROLES), default="annotator", show_default=True)
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="Their SSH public key: writes the authorized_keys line with the forced"
              " command (~/.ssh/authorized_keys, else $ANNOTATOR_AUTHORIZED_KEYS).")
@click.pass_obj
def users_add(db: str, name: str, role: str, key_file: str | None) -> None:
    """Add NAME to the team. The first `users add` on a database makes you its first lead."""
    from annotator.store import team

    key = read_key(key_file) if key_file else None
    line = f'command="{serve_command(db, name)}",restrict,pty {key}' if key else None
    with open_store(db) as store:
        me, _ = identity(store)
        require_lead(me, "users add")
        first = not team.is_team(store)
        if not team.add_user(store, name, Role(role), creator=me.name):
            if line is None:
                fail(f"{name} is already on the team (users set-role changes the role)")
        elif first and me.name != name:
            say(f"{me.name} is the first lead of {db}", err=True)
        final = team.role_of(store, name)
    say(f"{name}: {final}", err=True)
    if line:
        say(f"Wrote {name}'s key to {write_authorized_keys(name, line)}", err=True)


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_obj
def users_list(db: str, fmt: str) -> None:
    """People on the team and their roles."""
    import json

    from annotator.store import team

    with lead_store(db, "users list") as (store, _):
        people = team.users(store)
    with to_stdout():
        if fmt == "json":
            click.echo(json.dumps([{"name": n, "role": str(r)} for n, r in people.items()]))
            return
        if not people:
            say(f"Nobody is on a team in {db}: it is a personal database (users add starts one)")
        for n, r in people.items():
            say(f"{n}\t{r}")


@users.command("remove")
@click.argument("name")
@click.pass_obj
def users_remove(db: str, name: str) -> None:
    """Remove NAME from the team, their assignments and their key (their work stays)."""
    from annotator.store import team

    with lead_store(db, "users remove") as (store, _):
        try:
            team.remove_user(store, name)
        except (LookupError, ValueError) as exc:
            fail(str(exc.args[0]))
    if re.fullmatch(NAME_PATTERN, name) and authorized_keys_path().exists():
        write_authorized_keys(name, None)
    say(f"Removed {name}", err=True)


@users.command("set-role")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.pass_obj
def users_set_role(db: str, name: str, role: str) -> None:
    """Make NAME an annotator or a lead."""
    from annotator.store import team

    with lead_store(db, "users set-role") as (store, _):
        try:
            team.set_role(store, name, Role(role))
        except (LookupError, ValueError) as exc:
            fail(str(exc.args[0]))
    say(f"{name}: {role}", err=True)


# -- assignment ---------------------------------------------------------------------------

def _doc_selection(store: Store, doc_ids: tuple[str, ...], all_: bool, unassigned: bool
                   ) -> list[str]:
    from annotator.store import team

    if sum(map(bool, (doc_ids, all_, unassigned))) != 1:
        raise click.UsageError("give DOC_IDs, --all or --unassigned (one of them)")
    known = store.document_ids()
    if doc_ids:
        missing = [d for d in doc_ids if d not in set(known)]
        if missing:
            fail(f"no document {', '.join(map(repr, missing[:5]))}")
        return list(dict.fromkeys(doc_ids))
    if all_:
        return known
    taken = team.assignments(store)
    return [d for d in known if d not in taken]


@click.command(short_help="Hand out documents: --to A,B --overlap N (leads).")
@click.argument("doc_ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every document.")
@click.option("--unassigned", is_flag=True, help="Documents nobody is assigned yet.")
@click.option("--to", "to", required=True, metavar="A,B,...", help="The people to assign.")
@click.option("--overlap", type=click.IntRange(min=1),
              help="How many of them each document gets (default: all of them for DOC_IDs"
              " given by hand, else 1).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Ties between equally loaded people are broken by this seed.")
@click.pass_obj
def assign(db: str, doc_ids: tuple[str, ...], all_: bool, unassigned: bool, to: str,
           overlap: int | None, seed: int) -> None:
    """Assign documents so that each has --overlap of the --to people, loads balanced (they
    differ by at most one), the same for the same seed; assignments already made are kept."""
    from annotator.store import team
    from annotator.team import plan_assignment

    try:
        people = [_check_name(p, "'--to'") for p in parse_people(to)]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--to'") from None
    with lead_store(db, "assign") as (store, me):
        if team.is_team(store):
            members = team.users(store)
            strangers = [p for p in people if p not in members]
            if strangers:
                fail(f"not on the team: {', '.join(strangers)} (users add NAME first)")
        docs = _doc_selection(store, doc_ids, all_, unassigned)
        try:
            plan = plan_assignment(docs, people, overlap or (len(people) if doc_ids else 1),
                                   seed, team.assignments(store), team.loads(store))
        except ValueError as exc:
            fail(str(exc))
        n = team.assign(store, plan, me.name)
        loads = team.loads(store)
    say(f"Assigned {n} (document, person) pair{'s' if n != 1 else ''} over {len(plan)}"
        f" document{'s' if len(plan) != 1 else ''}; load: "
        + ", ".join(f"{p} {loads.get(p, 0)}" for p in people), err=True)


@click.command(short_help="Take documents back (leads).")
@click.argument("doc_ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every document.")
@click.option("--from", "from_", metavar="A,B,...", help="Only these people (default: all).")
@click.pass_obj
def unassign(db: str, doc_ids: tuple[str, ...], all_: bool, from_: str | None) -> None:
    """Take documents back (their annotations stay)."""
    from annotator.store import team

    if bool(doc_ids) == all_:
        raise click.UsageError("give DOC_IDs or --all (one of them)")
    with lead_store(db, "unassign") as (store, _):
        n = team.unassign(store, doc_ids or None, parse_people(from_) if from_ else None)
    say(f"Removed {n} assignment{'s' if n != 1 else ''}", err=True)


@click.command(short_help="Project settings (leads).")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.pass_obj
def settings(db: str, key: str | None, value: str | None) -> None:
    """Project settings: `settings` lists them, `settings KEY VALUE` sets one.

    allow_unassigned yes|no: whether annotators may open documents not assigned to them."""
    from annotator.store import team

    with lead_store(db, "settings") as (store, _):
        if key is not None and key not in team.SETTINGS:
            fail(f"no setting {key!r}; there are: {', '.join(team.SETTINGS)}")
        if key is not None and value is not None:
            if value not in team.SETTINGS[key]:
                fail(f"{key} is one of: {', '.join(team.SETTINGS[key])}")
            team.set_setting(store, key, value)
        shown = {k: team.setting(store, k) for k in ([key] if key else team.SETTINGS)}
    with to_stdout():
        for k, v in shown.items():
            say(f"{k} {v}")


# -- flags --------------------------------------------------------------------------------

@click.group(short_help="Flag a document or span with a note; list, resolve.")
def flag() -> None:
    """Flags: a short note on a document or span ("guideline unclear"), for the leads."""


@flag.command("add")
@click.argument("doc_id")
@click.argument("note", nargs=-1, required=True)
@click.option("--span", "span_id", metavar="SPAN_ID", help="On this span of yours (see export).")
@click.pass_obj
def flag_add(db: str, doc_id: str, note: tuple[str, ...], span_id: str | None) -> None:
    """Flag DOC_ID (or one of your spans in it) with NOTE."""
    from annotator.store import team

    try:
        text = flag_note(" ".join(note))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'NOTE'") from None
    with open_store(db, must_exist=True) as store:
        me, _ = identity(store)
        try:
            flag_id = team.add_flag(store, me.name, doc_id, text, span_id)
        except LookupError as exc:
            fail(str(exc.args[0]))
    say(f"Flag {flag_id} on {doc_id}{f' span {span_id}' if span_id else ''}", err=True)


@flag.command("list")
@click.option("--resolved", is_flag=True, help="Resolved flags too.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_obj
def flag_list(db: str, resolved: bool, fmt: str) -> None:
    """Open flags: a lead sees everyone's, an annotator their own."""
    import json

    from annotator.store import team

    with open_store(db, must_exist=True) as store:
        me, _ = identity(store)
        found = team.flags(store, None if me.is_lead else me.name, open_only=not resolved)
        # JSON in ASCII: a control character in a note is written as an escape
        lines = [json.dumps([_flag_json(store, f) for f in found])] if fmt == "json" else [
            _flag_line(store, f) for f in found]
    with to_stdout():
        for line in lines:
            say(line)


def _flag_line(store: Store, f: team_store.Flag) -> str:
    """A flag as the table gives it: id, document (and span), who, state, the note."""
    where = f.doc_id + (f" {_span_words(store, f.span_id)}" if f.span_id else "")
    state = f"resolved by {f.resolved_by}" if f.resolved_at else "open"
    who = f.annotator + (f" (by {f.flagged_by})" if f.flagged_by else "")
    return f"{f.id}\t{where}\t{who}\t{state}\t{f.note}"


def _flag_json(store: Store, f: team_store.Flag) -> dict[str, object]:
    """A flag as `flag list --format json` gives it: the flagged span's label and text, or
    `"deleted": true` for a span deleted since, `null` for a flag on the whole document."""
    span: dict[str, object] | None = None
    if f.span_id:
        found = _flagged_span(store, f.span_id)
        span = ({"id": f.span_id, "deleted": True} if found is None else
                {"id": f.span_id, "label": found[0], "text": found[1]})
    return {"id": f.id, "doc_id": f.doc_id, "span": span, "annotator": f.annotator,
            "flagged_by": f.flagged_by, "note": f.note, "created_at": f.created_at,
            "resolved_by": f.resolved_by, "resolved_at": f.resolved_at}


def _flagged_span(store: Store, span_id: str) -> tuple[str, str] | None:
    """A flagged span's label and text; None when it was deleted since."""
    span = store.span(span_id)
    doc = store.get_document(span.doc_id) if span is not None else None
    return None if span is None or doc is None else (span.label, span.text_in(doc.text))


def _span_words(store: Store, span_id: str) -> str:
    """A flagged span as a lead reads it: its label and text (and id), or that it is gone."""
    found = _flagged_span(store, span_id)
    if found is None:
        return f"span {span_id} (deleted since)"
    label, text = found
    shown = text if len(text) <= 40 else text[:39] + "…"
    return f"span {span_id} {label} “{' '.join(shown.split())}”"


@flag.command("resolve")
@click.argument("flag_id", type=int)
@click.pass_obj
def flag_resolve(db: str, flag_id: int) -> None:
    """Mark a flag as dealt with (leads)."""
    from annotator.store import team

    with lead_store(db, "flag resolve") as (store, me):
        try:
            team.resolve_flag(store, flag_id, me.name)
        except (LookupError, ValueError) as exc:
            fail(str(exc.args[0]))
    say(f"Flag {flag_id} resolved", err=True)


# -- backup and the SSH forced command ----------------------------------------------------

@click.command(short_help="Copy the database safely while people work (leads).")
@click.argument("target", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(db: str, target: str) -> None:
    """Copy the database to TARGET while people keep working (SQLite's online backup)."""
    from annotator.store import team

    if Path(target).resolve() == Path(db).resolve():
        fail(f"{target} is the database itself; give another path")
    with lead_store(db, "backup") as (store, _):
        team.backup(store, target)
    say(f"Backed up {db} to {target}", err=True)


def start_session(db: str, name: str, original: str | None) -> tuple[Identity, list[str]]:
    """serve-session's checks: NAME is on the team, and its role may run the command the client
    asked for. Returns the identity and the command line to run."""
    from annotator.store import team

    with open_store(db, must_exist=True) as store:
        role = team.role_of(store, name)
    if role is None:
        fail(f"{name} is not on this project's team; ask a lead")
    try:
        return Identity(name, role, via_ssh=True), session_argv(original, role)
    except Refused as exc:
        fail(str(exc))


@click.command("serve-session", short_help="The forced command of a person's SSH key.")
@click.argument("name")
@click.pass_obj
def serve_session(db: str, name: str) -> None:
    """The forced command of NAME's SSH key (authorized_keys, written by `users add --key`):
    runs the subcommand in $SSH_ORIGINAL_COMMAND (none: the annotation screen) as NAME, if
    NAME's role allows it. --db and --as cannot be given by the client."""
    global SESSION

    SESSION, argv = start_session(db, name, os.environ.get("SSH_ORIGINAL_COMMAND"))
    root = click.get_current_context().find_root().command
    try:
        with root.make_context("annotator", ["--db", db, *argv]) as ctx:
            root.invoke(ctx)
    finally:
        SESSION = None  # one session a process; a caller in-process (tests) is itself again


COMMANDS = (users, assign, unassign, settings, flag, backup, serve_session)
