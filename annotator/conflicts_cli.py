"""`annotator conflicts`: figures that disagree across outlets (docs/conflicts.md). Registered
on cli.main; the helpers (fail, say, open_store ...) are the CLI's, looked up when it runs."""

from __future__ import annotations

import sys

import click

from annotator.conflicts.compat import TOLERANCE
from annotator.team_cli import fail, identity, personal, say


def _percent(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not 0 <= value <= 100:
        raise click.BadParameter("a percentage from 0 to 100")
    return value / 100


@click.command(short_help="Figures that disagree across outlets: clusters of linked claims.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table per cluster for people, or JSON for scripts.")
@click.option("--as", "as_", metavar="NAME", help="Only this annotator's set.")
@click.option("--gold", is_flag=True, help="Only the gold set (@gold).")
@click.option("--all", "everything", is_flag=True,
              help="Also the clusters whose figures agree (or have one figure).")
@click.option("--tolerance", metavar="PERCENT", type=float, default=TOLERANCE * 100,
              callback=_percent, show_default=True,
              help="How far an approximate figure may be from another, in percent of it.")
@click.pass_obj
def conflicts(db: str, fmt: str, as_: str | None, gold: bool, everything: bool,
              tolerance: float) -> None:
    """Clusters of claims and numbers joined by links (across documents), each figure's
    outlet, text, value, qualifier, unit and speaker; clusters whose figures cannot all be
    true first. Each annotator's set is its own (links are per annotator); an annotator on a
    team sees only their own. docs/conflicts.md says when two figures conflict."""
    from annotator.cli import open_store, to_stdout
    from annotator.conflicts.load import clusters_of
    from annotator.conflicts.report import as_json, dumps, summary, tables
    from annotator.model import GOLD
    from annotator.sanitize import escape_json_controls

    if as_ is not None and gold:
        raise click.UsageError("--as and --gold cannot be combined")
    with open_store(db, must_exist=True, read_only_ok=True) as store:
        names = store.annotators()
        sets = _sets(store, as_, gold, names)
        if as_ is not None and as_ not in names:
            fail(f"no annotator {as_!r} in {db}; there are: {', '.join(names) or 'none'}")
        if gold and GOLD not in names:
            say(f"Note: {db} has no gold set yet, so there is nothing to compare", err=True)
        found = clusters_of(store, sets, tolerance)
    shown = found if everything else [c for c in found if c.in_conflict]
    with to_stdout():
        if fmt == "json":  # data: exact, but DEL and C1 escaped (the same JSON value)
            click.echo(escape_json_controls(dumps(as_json(shown, sets, tolerance))))
            return
        from rich.console import Console

        console = Console(file=sys.stdout)
        if shown:
            console.print(tables(shown))
        elif not found:
            say("No clusters yet: link claims or numbers across documents (L in the"
                " annotation screen) to compare their figures.")
        say(summary(found, len(shown), tolerance))


def _sets(store: object, as_: str | None, gold: bool, names: list[str]) -> list[str]:
    """Whose sets to read: --as's, the gold set, or every set; an annotator on a team only
    ever their own (as `export` does)."""
    from annotator.model import GOLD
    from annotator.store import Store

    assert isinstance(store, Store)
    if not personal(store):
        me, who = identity(store, as_)
        if not me.is_lead:
            if gold:
                fail(f"the gold set is for leads; you ({me.name}) see your own work")
            return [who]
    if gold:
        return [GOLD]
    if as_ is not None:
        return [as_]
    return [n for n in names if store.links(n)]  # a set without links has no cluster
