"""What the review screen shows, Textual-free: whether the annotators' versions fit side by side,
each version's spans drawn by disagreement kind, the compact table of who marked what, and the
cluster a decision key acts on. The rules of the decisions are annotator.review's."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from annotator.model import Span
from annotator.review.clusters import Cluster
from annotator.sanitize import safe_line

PANE_MIN = 40
"""Columns a version pane needs to be read: with `n` annotators the versions and the gold pane
sit side by side when n + 1 panes of PANE_MIN fit (3 annotators at 160 columns, 1 at 80);
with more, the gold pane and the table of who marked what."""

DECIDED = "decided"
KIND_COLORS: dict[str, str] = {
    "agreed": "#4caf50",      # green: all annotators the same
    "missing": "#e53935",     # red: some marked nothing there
    "boundary": "#fb8c00",    # orange: the same label, other offsets
    "label": "#8e24aa",       # purple: other labels
    "attributes": "#1e88e5",  # blue: value, unit, speaker, stance ...
    DECIDED: "#757575",       # grey: a decision covers it
}
"""The colour of a version's span: its cluster's kind, grey once decided (the legend)."""

KIND_WORDS: dict[str, str] = {
    "agreed": "agreed", "missing": "missing", "boundary": "boundary", "label": "label",
    "attributes": "attrs", DECIDED: "decided",
}


def side_by_side(width: int, annotators: int) -> bool:
    """The versions and the gold pane fit side by side in `width` columns."""
    return annotators + 1 <= max(1, width // PANE_MIN)


def kind_of(cluster: Cluster) -> str:
    return DECIDED if cluster.decided else cluster.kind


def version_kinds(annotator: str, clusters: Sequence[Cluster]) -> list[tuple[Span, str]]:
    """`annotator`'s spans, each with its cluster's kind (drawn in KIND_COLORS)."""
    out: list[tuple[Span, str]] = []
    for cluster in clusters:
        kind = kind_of(cluster)
        out.extend((span, kind) for who, span in cluster.versions if who == annotator)
    return out


def drawn_as(span: Span, kind: str) -> Span:
    """The span as a version pane draws it: labelled with its kind."""
    return replace(span, label=kind)


class Clusters:
    """A document's clusters (sorted by start) as the screen asks about them on every key:
    the one at the cursor without a walk through all of them, how many are decided."""

    def __init__(self, clusters: Sequence[Cluster] = ()) -> None:
        self.all = list(clusters)
        self.starts = [c.start for c in self.all]
        self.longest = max((c.end - c.start for c in self.all), default=0)
        self.decided = sum(c.decided for c in self.all)

    def __len__(self) -> int:
        return len(self.all)

    def at(self, offset: int) -> Cluster | None:
        """The cluster whose extent holds `offset` (the innermost, the first by start)."""
        best: Cluster | None = None
        i = bisect_right(self.starts, offset)
        while i > 0 and self.starts[i - 1] + self.longest > offset:  # it may reach offset
            i -= 1
            c = self.all[i]
            if c.start <= offset < c.end and (best is None
                                              or c.end - c.start <= best.end - best.start):
                best = c
        return best


def short_attrs(attrs: Mapping[str, Any], width: int = 18) -> str:
    shown = " ".join(f"{k}={v}" for k, v in sorted(attrs.items()) if v not in (None, "", []))
    return safe_line(shown, width)


def cell(span: Span | None, cluster: Cluster, text: str) -> str:
    """What one annotator marked in a cluster, in the table: the label, plus what differs."""
    if span is None:
        return "—"
    out = safe_line(span.label, 20)
    if cluster.kind == "boundary" or (span.start, span.end) != (cluster.start, cluster.end):
        out += f" “{safe_line(text[span.start:span.end], 14)}”"
    if cluster.kind == "attributes" and span.attrs:
        out += " " + short_attrs(span.attrs)
    return out


@dataclass(frozen=True, slots=True)
class Row:
    """A row of the who-marked-what table: the cluster, its kind, its text and a cell for each
    annotator (their spans in it, joined) and for gold."""

    key: str
    kind: str
    text: str
    cells: tuple[str, ...]
    gold: str


def table_rows(clusters: Sequence[Cluster], annotators: Sequence[str],
               text: str) -> list[Row]:
    rows = []
    for cluster in clusters:
        cells = []
        for who in annotators:
            mine = [s for w, s in cluster.versions if w == who]
            cells.append(", ".join(cell(s, cluster, text) for s in mine) if mine else "—")
        gold = ", ".join(cell(s, cluster, text) for s in cluster.gold) or "—"
        rows.append(Row(cluster.key, kind_of(cluster),
                        safe_line(" ".join(text[cluster.start:cluster.end].split()), 24),
                        tuple(cells), gold))
    return rows


def window(rows: Sequence[Row], current: str | None, height: int) -> tuple[int, int]:
    """[first, last) of the rows to show in `height` lines, with `current` in view."""
    if len(rows) <= height:
        return 0, len(rows)
    at = next((i for i, r in enumerate(rows) if r.key == current), 0)
    first = max(0, min(at - height // 3, len(rows) - height))
    return first, first + height
