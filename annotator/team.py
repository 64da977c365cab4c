"""Teams: roles, what each role may run, and assignment of documents with controlled overlap.

Plain Python, no SQL: the store keeps people, assignments and flags (annotator/store/team.py);
the CLI asks here what a role may do.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar


class Role(StrEnum):
    ANNOTATOR = "annotator"
    LEAD = "lead"


ROLES = tuple(r.value for r in Role)

# Subcommands a role may run through the forced command (`annotator serve-session NAME`).
# Leads run everything but serve-session itself; annotators annotate, see their own work and flag.
ANNOTATOR_COMMANDS = frozenset({"annotate", "export", "docs", "flag", "conflicts"})
LEAD_COMMANDS = ANNOTATOR_COMMANDS | {"import", "users", "assign", "unassign", "settings",
                                      "backup", "labels", "review"}
# Options that choose the database or the identity: the forced command fixes both (a lead's
# --as only names whose set to work in: the lead stays the actor, annotator.team_cli.identity).
SESSION_FIXED_OPTIONS = ("--db", "--as")
LEAD_FREE_OPTIONS = ("--as",)
# Options that write or read a file on the server as the service account (its database, its
# authorized_keys, anything it can read): not for annotators over SSH.
SERVER_FILE_OPTIONS = ("-o", "--output", "--labels")


class Refused(Exception):
    """What a person may not do (a one-line, user-facing message)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is acting: the name, the role on a team database (None on a personal one) and
    whether the name comes from an SSH key (the forced command) rather than $USER or --as."""

    name: str
    role: Role | None
    via_ssh: bool = False

    @property
    def is_lead(self) -> bool:
        """A lead, or anyone on a personal database (nobody added: everyone may do everything)."""
        return self.role is None or self.role == Role.LEAD

    def may_act_as(self, other: str) -> bool:
        return self.is_lead or other == self.name


def session_argv(original: str | None, role: Role) -> list[str]:
    """The subcommand and arguments an SSH client asked for (SSH_ORIGINAL_COMMAND), checked
    against the role. No shell ever sees the string: it is split like a shell would split it
    and handed to the CLI as a list. Empty: the annotation screen."""
    try:
        argv = shlex.split(original or "")
    except ValueError as exc:
        raise Refused(f"cannot read the command: {exc}") from None
    if argv[:1] == ["annotator"]:
        argv = argv[1:]  # `ssh host annotator export ...` means `ssh host export ...`
    if not argv:
        return ["annotate"]
    if argv[0] in ("-h", "--help", "--version"):
        return argv[:1]
    for arg in argv:
        for opt in SESSION_FIXED_OPTIONS:
            if role == Role.LEAD and opt in LEAD_FREE_OPTIONS:
                continue
            if arg == opt or arg.startswith(opt + "="):
                raise Refused(f"{opt} is fixed by your SSH key on this server; leave it out")
    command = argv[0]
    allowed = LEAD_COMMANDS if role == Role.LEAD else ANNOTATOR_COMMANDS
    if command not in allowed:
        if command in LEAD_COMMANDS:
            raise Refused(f"`{command}` is for leads; you are an annotator")
        raise Refused(f"`{command}` is not a command you can run here; you may run:"
                      f" {', '.join(sorted(allowed))}")
    if role != Role.LEAD:
        for arg in argv:
            for opt in SERVER_FILE_OPTIONS:
                if arg == opt or arg.startswith(opt + "=") or (opt == "-o" and arg.startswith(opt)):
                    raise Refused(f"{opt} names a file on the server, which is not yours to"
                                  " read or write; over SSH the output comes to you:"
                                  " `ssh HOST export ... > FILE`")
    return argv


# -- assignment ---------------------------------------------------------------------------


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


D = TypeVar("D", bound=_HasId)


def work_queue(documents: Sequence[D], assigned: Collection[str], others: bool) -> list[D]:
    """The documents an annotator picks from: those assigned to them first, then (`others`:
    the project allows unassigned work, or a lead, or a personal database) the rest, each part
    in the given order."""
    mine = [d for d in documents if d.id in assigned]
    return mine + ([d for d in documents if d.id not in assigned] if others else [])


def _tie(seed: int, doc_id: str, person: str) -> bytes:
    """A deterministic pseudo-random order of people per document, from the seed alone (not from
    the other documents: adding documents later does not move earlier choices)."""
    import hashlib  # not at import: `annotator --help` loads this module

    return hashlib.sha256(f"{seed}\0{doc_id}\0{person}".encode()).digest()


def plan_assignment(doc_ids: Sequence[str], people: Sequence[str], overlap: int, seed: int = 0,
                    existing: Mapping[str, Iterable[str]] | None = None,
                    loads: Mapping[str, int] | None = None) -> dict[str, list[str]]:
    """New (document -> people) pairs so that each of doc_ids has `overlap` distinct people among
    `people`, counting those it already has (`existing`), each time giving the document to the
    least-loaded people (`loads`: their assignments so far), ties broken by the seed. Starting
    from equal loads the loads end up differing by at most one. Existing pairs are kept."""
    people = list(dict.fromkeys(people))
    if overlap < 1:
        raise ValueError("--overlap must be at least 1")
    if overlap > len(people):
        raise ValueError(f"--overlap {overlap} needs at least {overlap} people in --to"
                         f" (there {'is' if len(people) == 1 else 'are'} {len(people)})")
    load = {p: (loads or {}).get(p, 0) for p in people}
    have = {d: set(ps) for d, ps in (existing or {}).items()}
    plan: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        already = have.get(doc_id, set())
        need = overlap - len(already & set(people))
        if need <= 0:
            continue
        free = sorted((p for p in people if p not in already),
                      key=lambda p: (load[p], _tie(seed, doc_id, p)))
        chosen = free[:need]
        for p in chosen:
            load[p] += 1
        plan[doc_id] = sorted(chosen)
    return plan


def parse_people(value: str) -> list[str]:
    """`alice,bob, carol` -> ["alice", "bob", "carol"] (order kept, duplicates dropped)."""
    names = [n.strip() for n in value.split(",")]
    if not all(names):
        raise ValueError(f"--to {value!r}: an empty name (write names separated by commas)")
    return list(dict.fromkeys(names))


# -- flags --------------------------------------------------------------------------------

NOTE_MAX = 500  # code points of a flag's note at most


def flag_note(text: str) -> str:
    """A flag's note as stored: one line (runs of whitespace, newlines and tabs included, made
    one space), at most NOTE_MAX code points. ValueError, with what is wrong, for an empty
    note, a longer one, or one with control or invisible characters (a note is shown on the
    leads' terminals: it must not carry escape sequences or hide text)."""
    from annotator.sanitize import UNSAFE

    note = " ".join(text.split())
    if not note:
        raise ValueError("a note cannot be empty: say what is wrong")
    if len(note) > NOTE_MAX:
        raise ValueError(f"a note is at most {NOTE_MAX} characters (this one has {len(note)})")
    if (bad := UNSAFE.search(note)) is not None:
        raise ValueError(f"a note cannot contain control or invisible characters"
                         f" (U+{ord(bad.group()):04X})")
    return note

