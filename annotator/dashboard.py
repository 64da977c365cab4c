"""What the lead dashboard shows (docs/agreement.md, "The dashboard"), Textual-free: progress
per annotator, the agreement report and the open flags, read in one go from a database path
(so a worker thread reads through its own connection).

Spans per hour: the spans an annotator created in the last 60 minutes that still exist
(a span deleted since does not count; an imported span counts at its import time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotator.agreement import AgreementReport, compute_agreement
from annotator.agreement.gold import GoldReport, compute_against_gold
from annotator.conflicts.clusters import Cluster
from annotator.conflicts.load import clusters_of
from annotator.store import Store
from annotator.store import team as store_team
from annotator.store.team import Flag
from annotator.team import Role

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Progress:
    annotator: str
    todo: int
    in_progress: int
    done: int
    spans_per_hour: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    seq: int  # the change counter it was read at (Store.last_event_seq)
    documents: int
    progress: list[Progress]
    report: AgreementReport
    flags: list[Flag]
    conflicts: list[Cluster]  # clusters whose figures conflict, every set (docs/conflicts.md)
    gold: GoldReport | None = None  # each annotator against gold, once gold exists


def may_see(store: Store, name: str) -> bool:
    """On a team database only leads see the dashboard; on a personal one anyone. `name` is
    who is acting (the identity), not the set they work in (a lead may annotate --as bob)."""
    return not store_team.is_team(store) or store_team.role_of(store, name) == Role.LEAD


def since(now: datetime | None = None) -> str:
    """The start of the spans-per-hour window, as the store writes timestamps."""
    start = (now or datetime.now(UTC)) - HOUR
    return start.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def progress(store: Store, now: datetime | None = None) -> list[Progress]:
    """Every annotator with a set (or on the team), by name, not gold: todo is the documents
    they have not started (every document, or on a team with assignments, their assigned
    ones)."""
    total = len(store.document_ids())
    assigned = store_team.loads(store)
    counts = store.progress_all(since(now))
    # the gold set (@gold, any name starting with @) is not an annotator: no progress row
    names = sorted(n for n in set(counts) | set(store_team.users(store))
                   if not n.startswith("@"))
    rows = []
    for who in names:
        started, done, recent = counts.get(who, (0, 0, 0))
        scope = assigned.get(who, total) if assigned else total
        rows.append(Progress(who, max(scope - started - done, 0), started, done, recent))
    return rows


def read(store: Store) -> Dashboard:
    seq = store.last_event_seq()
    rows = progress(store)
    report = compute_agreement(store)
    flags = store_team.flags(store)  # open ones: a personal database's too (its `!`)
    linked = [who for who in store.annotators() if store.links(who)]
    conflicts = [c for c in clusters_of(store, linked) if c.in_conflict]
    gold = compute_against_gold(store)
    return Dashboard(seq, len(store.document_ids()), rows, report, flags, conflicts,
                     gold if gold.annotators else None)


def gather(path: str | Path) -> Dashboard:
    """Everything the dashboard shows, read through a connection of its own (a worker thread
    must not share the app's connection, whose transactions are the UI's)."""
    if str(path) == ":memory:":
        raise ValueError("an in-memory database has no second connection")
    with Store(path, read_only_ok=True) as store:
        return read(store)


def top_line(data: Dashboard, width: int) -> str:
    """The dashboard's top line in at most `width` cells: what it covers first, then how
    fresh it is; the least needed parts go first when the terminal is narrow."""
    people, docs = len(data.progress), data.report.documents
    parts = ["dashboard", f"{people} annotator{'s' * (people != 1)}",
             f"{docs} of {data.documents} document{'s' * (data.documents != 1)} compared",
             f"up to change {data.seq}", "refreshes when anyone commits"]
    while len(parts) > 3 and len(" · ".join(parts)) > width:
        parts.pop()
    line = " · ".join(parts)
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"
