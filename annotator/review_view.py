"""What the review screen shows, Textual-free: whether the annotators' versions fit side by side,
each version's spans drawn by disagreement kind, the compact table of who marked what, and the
cluster a decision key acts on. The rules of the decisions are annotator.review's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from annotator.model import Span
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


class ClusterLike(Protocol):
    """annotator.review.clusters.Cluster, as far as the screen reads it."""

    @property
    def key(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def versions(self) -> tuple[tuple[str, Span], ...]: ...
    @property
    def missing(self) -> tuple[str, ...]: ...
    @property
    def gold(self) -> tuple[Span, ...]: ...
    @property
    def decided(self) -> bool: ...
    def describe(self) -> str: ...


def side_by_side(width: int, annotators: int) -> bool:
    """The versions and the gold pane fit side by side in `width` columns."""
    return annotators + 1 <= max(1, width // PANE_MIN)


def kind_of(cluster: ClusterLike) -> str:
    return DECIDED if cluster.decided else cluster.kind


def version_spans(annotator: str, clusters: Sequence[ClusterLike]) -> list[Span]:
    """`annotator`'s spans, each labelled with its cluster's kind (drawn in KIND_COLORS)."""
    out: list[Span] = []
    for cluster in clusters:
        kind = kind_of(cluster)
        out.extend(replace(span, label=kind) for who, span in cluster.versions
                   if who == annotator)
    return out


def cluster_at(clusters: Sequence[ClusterLike], offset: int) -> ClusterLike | None:
    """The cluster whose extent holds `offset` (the innermost, the first by start)."""
    best: ClusterLike | None = None
    for cluster in clusters:
        if cluster.start <= offset < cluster.end and (
                best is None or cluster.end - cluster.start < best.end - best.start):
            best = cluster
    return best


def short_attrs(attrs: Mapping[str, Any], width: int = 18) -> str:
    shown = " ".join(f"{k}={v}" for k, v in sorted(attrs.items()) if v not in (None, "", []))
    return safe_line(shown, width)


def cell(span: Span | None, cluster: ClusterLike, text: str) -> str:
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


def table_rows(clusters: Sequence[ClusterLike], annotators: Sequence[str],
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
