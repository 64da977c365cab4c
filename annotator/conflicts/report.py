"""The conflicts report: a compact Rich table per cluster (for people) and JSON (for scripts),
docs/conflicts.md. Every text cell is untrusted document text, sanitised here; the JSON keeps
the exact text."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from annotator.conflicts.clusters import Cluster, FigureRow
from annotator.sanitize import safe_line

CONFLICT, AGREES = "✗", "✓"
STATE_STYLES = {"conflict": "bold red", "consistent": "green", "unchecked": "dim"}
STATE_WORDS = {"conflict": "figures in conflict", "consistent": "figures agree",
               "unchecked": "fewer than two figures to compare"}


def number(value: float | None) -> int | float | None:
    """A value as JSON shows it: whole numbers as integers."""
    if value is None:
        return None
    return int(value) if value.is_integer() and abs(value) < 2**63 else value


def shown_value(value: float | None) -> str:
    if value is None:
        return "?"
    n = number(value)
    return f"{n:,}" if isinstance(n, int) else f"{n:,.6g}"


def figure_label(f: FigureRow) -> str:
    """`39 exact` / `7,000 approximate`: a figure in a sentence."""
    return f"{shown_value(f.value)} {f.qualifier}"


def _cell(text: str | None, limit: int = 40, style: str = "") -> Text:
    return Text(safe_line(text or "—", limit), style=style if text else "dim", no_wrap=True,
                overflow="ellipsis")


def title(cluster: Cluster, number_: int | None = None) -> Text:
    state = cluster.state
    docs = len(cluster.documents)
    head = Text()
    if number_ is not None:
        head.append(f"#{number_} ", "bold")
    head.append(STATE_WORDS[state], STATE_STYLES[state])
    head.append(f" · {safe_line(cluster.annotator, 40)} · {docs} document{'s' * (docs != 1)}")
    if cluster.link_types:
        head.append(" · " + ", ".join(safe_line(t, 30) for t in cluster.link_types), "dim")
    return head


def cluster_table(cluster: Cluster, number_: int | None = None) -> Table:
    """One cluster: a row per figure (outlet, figure as written, value, qualifier, unit,
    speaker), ✗ on those that conflict with another; a cluster without figures lists its
    claims instead."""
    table = Table(title=title(cluster, number_), title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, caption_justify="left")
    table.add_column("", no_wrap=True, width=1)
    table.add_column("outlet", no_wrap=True, max_width=24)
    table.add_column("figure as written", min_width=12, max_width=40)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("qualifier", no_wrap=True)
    table.add_column("unit", no_wrap=True, max_width=16)
    table.add_column("speaker", max_width=30)
    for i, f in enumerate(cluster.figures):
        mark = (Text(CONFLICT, "bold red") if cluster.conflicting(i) else
                Text(AGREES, "green") if cluster.compared and f.figure else Text(""))
        table.add_row(mark, _cell(f.outlet, 24), _cell(f.written),
                      Text(shown_value(f.value), "bold red" if cluster.conflicting(i) else ""),
                      _cell(f.qualifier, 12), _cell(f.unit, 16), _cell(f.speaker, 30))
    if not cluster.figures:
        for c in cluster.claims:
            table.add_row("", _cell(c.outlet, 24), _cell(c.written, 40, "italic"), "—", "", "",
                          _cell(c.speaker, 30))
    if cluster.conflicts:
        table.caption = conflict_caption(cluster)
    return table


def conflict_caption(cluster: Cluster, most: int = 3) -> Text:
    """The pairs that cannot both be true: `✗ 39 exact (wire) vs 35 exact (ledger)`."""
    lines = Text(style="red")
    for n, (a, b) in enumerate(cluster.conflicts[:most]):
        fa, fb = cluster.figures[a], cluster.figures[b]
        if n:
            lines.append("\n")
        lines.append(f"{CONFLICT} {figure_label(fa)} ({safe_line(fa.outlet, 24)}) vs"
                     f" {figure_label(fb)} ({safe_line(fb.outlet, 24)})")
    if len(cluster.conflicts) > most:
        lines.append(f"\n… and {len(cluster.conflicts) - most} more pairs")
    return lines


def in_brief(cluster: Cluster, most: int = 4) -> str:
    """One line: whose set, the outlets, and the figures (✗ on those in conflict)."""
    outlets = ", ".join(dict.fromkeys(f.outlet for f in cluster.figures))
    figures = ", ".join(f"{CONFLICT + ' ' if cluster.conflicting(i) else ''}{figure_label(f)}"
                        for i, f in enumerate(cluster.figures[:most]))
    more = f" (+{len(cluster.figures) - most})" if len(cluster.figures) > most else ""
    return f"{cluster.annotator} · {outlets}: {figures}{more}"


def tables(clusters: list[Cluster]) -> RenderableType:
    return Group(*(item for i, c in enumerate(clusters, 1)
                   for item in (cluster_table(c, i), Text(""))))


def summary(clusters: list[Cluster], shown: int, tolerance: float) -> str:
    conflicts = sum(c.in_conflict for c in clusters)
    hidden = len(clusters) - shown
    line = (f"{conflicts} of {len(clusters)} cluster{'s' * (len(clusters) != 1)} in conflict"
            f" (approximate figures within {tolerance:.0%})")
    if hidden:
        line += f"; {hidden} more agree or have one figure (--all shows them)"
    return line


def as_json(clusters: list[Cluster], sets: list[str], tolerance: float) -> dict[str, Any]:
    return {
        "tolerance": tolerance,
        "sets": sets,
        "clusters": [_cluster_json(i, c) for i, c in enumerate(clusters, 1)],
    }


def _cluster_json(index: int, c: Cluster) -> dict[str, Any]:
    return {
        "id": index,
        "set": c.annotator,
        "state": c.state,
        "link_types": list(c.link_types),
        "documents": c.documents,
        "units": c.units(),
        "figures": [{
            "span": f.span.id, "doc": f.span.doc_id, "outlet": f.outlet, "start": f.span.start,
            "end": f.span.end, "text": f.written, "value": number(f.value),
            "qualifier": f.qualifier, "unit": f.unit, "speaker": f.speaker, "claim": f.claim,
            "conflicts_with": c.conflicting(i),
        } for i, f in enumerate(c.figures)],
        "claims": [{
            "span": r.span.id, "doc": r.span.doc_id, "outlet": r.outlet, "start": r.span.start,
            "end": r.span.end, "text": r.written, "speaker": r.speaker,
        } for r in c.claims],
        "conflicts": [list(pair) for pair in c.conflicts],
    }


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
