"""`annotator review`: adjudicate documents into the gold set (docs/review.md). Registered on
cli.main. Leads only on a team database; anyone on a personal one."""

from __future__ import annotations

import importlib
import json
import sys
from typing import TYPE_CHECKING

import click

from annotator import team_cli
from annotator.sanitize import escape_json_controls, safe_line

if TYPE_CHECKING:
    from annotator.review.queue import DocRow

SCREEN = "annotator.tui.review_app"  # run_review(db, actor, doc_ids) -> exit code


@click.command(short_help="Adjudicate disagreements into the gold set (leads).")
@click.option("--as", "as_", metavar="NAME", help="Who you are (default: $USER).")
@click.option("--list", "list_", is_flag=True,
              help="Print the queue (worst agreement first) instead of opening the screen.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="With --list: a table for people, or JSON for scripts.")
@click.option("--status", type=click.Choice(["done", "any"]), default="done",
              show_default=True,
              help="Which annotators' sets make a document's agreement figure in the queue.")
@click.option("--all", "all_", is_flag=True,
              help="With --list: also the documents already adjudicated.")
@click.argument("doc_ids", nargs=-1)
@click.pass_obj
def review(db: str, as_: str | None, list_: bool, fmt: str, status: str, all_: bool,
           doc_ids: tuple[str, ...]) -> None:
    """Review DOC_IDs side by side, one pane per annotator plus the gold being built; with
    none, the queue: every document with two or more annotators' sets, worst agreement first,
    skipping those already adjudicated. --list prints the queue and opens nothing."""
    from annotator.review.queue import worst_first

    if list_ and doc_ids:
        raise click.UsageError("--list takes no document ids")
    with team_cli.open_store(db, must_exist=True) as store:
        me, _ = team_cli.identity(store, as_)
        team_cli.require_lead(me, "review")
        known = set(store.document_ids())
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            team_cli.fail(f"no document {', '.join(map(repr, unknown))} in {db}"
                          " (annotator docs lists them)")
        queue = [] if doc_ids else worst_first(store, status, include_decided=all_)
    if list_:
        with team_cli.to_stdout():
            _print_queue(db, queue, fmt)
        return
    if not doc_ids and not queue:
        team_cli.say(f"Nothing to review in {db}: no document has two annotators' sets"
                     f"{' marked done' if status == 'done' else ''} left to adjudicate"
                     + (" (--status any counts unfinished sets too)" if status == "done" else ""))
        return
    try:  # the screen is its own module (annotator/tui/review_app.py)
        screen = importlib.import_module(SCREEN)
    except ModuleNotFoundError as exc:
        if exc.name != SCREEN:
            raise
        team_cli.fail("the review screen is not in this build; `annotator review --list`"
                      " prints the queue")
    code = screen.run_review(db, me.name, list(doc_ids) or [d.doc_id for d in queue])
    if code:
        sys.exit(code)


def _f1(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _print_queue(db: str, queue: list[DocRow], fmt: str) -> None:
    if fmt == "json":
        click.echo(escape_json_controls(json.dumps([d.to_json() for d in queue],
                                                   ensure_ascii=False, indent=2)))
        return
    if not queue:
        team_cli.say(f"Nothing to review in {db}.")
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=sys.stdout)
    console.print(Text(safe_line(f"{len(queue)} to review in {db}, worst agreement first")))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False,
                  caption="F1: mean exact span F1 over annotator pairs (overlap: overlap F1);"
                  " differ: clusters that disagree; open: clusters not decided yet",
                  caption_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("id", no_wrap=True)
    table.add_column("title", ratio=1, min_width=5, no_wrap=True, overflow="ellipsis")
    for name in ("sets", "F1", "overlap", "differ", "open"):
        table.add_column(name, justify="right", no_wrap=True)
    for n, d in enumerate(queue, 1):
        table.add_row(str(n), Text(safe_line(d.doc_id)), Text(safe_line(d.title, 200)),
                      str(len(d.annotators)), _f1(d.exact_f1), _f1(d.overlap_f1),
                      str(d.disagreements), f"{d.undecided}/{d.clusters}")
    console.print(table)
