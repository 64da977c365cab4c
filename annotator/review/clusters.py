"""Span clusters of one document: where the annotators' versions meet, and how they differ
(docs/review.md, "Clusters"). Plain Python: no SQL, no Textual.

The rule, in two steps:
1. Spans with the same offsets (start, end) form an *offset group*, whoever marked them.
2. Two offset groups are joined when their extents overlap and no annotator has a span in
   both; clusters are the connected components of that graph.
So different annotators' overlapping spans land in one cluster (a boundary disagreement), while
one annotator's nested spans (an ORG with a LOC inside it, both marked by everyone) stay in
separate clusters, each agreed on its own.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from annotator.model import Decision, Span
from annotator.sanitize import cut, safe_line

Kind = Literal["agreed", "missing", "boundary", "label", "attributes"]
KIND_TEXT: dict[str, str] = {
    "agreed": "agreed by all", "missing": "missing in some", "boundary": "boundary differs",
    "label": "label differs", "attributes": "attributes differ",
}
DISAGREEMENTS: tuple[Kind, ...] = ("missing", "boundary", "label", "attributes")


@dataclass(frozen=True)
class Cluster:
    """Every annotator's spans at one place of a document, and what gold has there."""

    key: str  # stable id: f"{doc_id}:{start}:{end}" of the cluster's extent
    doc_id: str
    start: int
    end: int  # extent: the union of its spans
    kind: Kind
    versions: tuple[tuple[str, Span], ...]  # (annotator, span) for every annotator span in it
    missing: tuple[str, ...]  # annotators with no span in it
    gold: tuple[Span, ...]  # gold spans overlapping it
    decided: bool  # a decision (accept/reject/edit) covers it

    @property
    def disagreement(self) -> bool:
        return self.kind != "agreed"

    def spans_of(self, annotator: str) -> tuple[Span, ...]:
        return tuple(s for who, s in self.versions if who == annotator)

    @property
    def annotators(self) -> tuple[str, ...]:
        """Who has a span in it, in order of names."""
        return tuple(sorted({who for who, _ in self.versions}))

    def describe(self) -> str:
        """Status-bar text, e.g. "label differs: alice PERSON, bob ORG"."""
        parts = []
        if self.kind == "agreed":
            s = self.versions[0][1]
            parts.append(f"agreed by all: {s.label} {s.start}-{s.end}")
        else:
            if self.missing:
                parts.append("missing: " + ", ".join(self.missing))
            shown: list[str] = []
            for who in self.annotators:
                spans = self.spans_of(who)
                shown.append(f"{who} " + " + ".join(_brief(s, self.kind) for s in spans))
            what = self.kind if self.kind != "missing" else "marked"
            parts.append(f"{KIND_TEXT.get(what, what)}: " + ", ".join(shown))
        if self.decided:
            parts.append("decided")
        return safe_line("; ".join(parts), 300)


def _brief(s: Span, kind: str) -> str:
    if kind == "boundary":
        return f"{s.label} {s.start}-{s.end}"
    if kind == "attributes":
        attrs = ", ".join(f"{k}={v}" for k, v in sorted(s.attrs.items()))
        return f"{s.label} {{{cut(attrs, 60)}}}"
    return s.label


def _norm_attrs(span: Span, by_id: Mapping[str, Span]) -> tuple[tuple[str, Any], ...]:
    """Attributes as compared across annotators: a value naming another span of the same set
    (a CLAIM's speaker) compares by that span's offsets, not its id."""
    out: list[tuple[str, Any]] = []
    for k, v in sorted(span.attrs.items()):
        if isinstance(v, str) and v in by_id:
            ref = by_id[v]
            out.append((k, ("span", ref.start, ref.end)))
        else:
            out.append((k, repr(v)))  # 1 and 1.0 and True compare apart, as in JSON
    return tuple(out)


def signature(span: Span, by_id: Mapping[str, Span]) -> tuple[Any, ...]:
    """What "the same span" means between annotators: offsets, label, attributes."""
    return (span.start, span.end, span.label, _norm_attrs(span, by_id))


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _components(sets: Mapping[str, Sequence[Span]]) -> list[list[tuple[str, Span]]]:
    """The clustering rule (module docstring): offset groups, joined when they overlap and
    share no annotator."""
    groups: dict[tuple[int, int], list[tuple[str, Span]]] = {}
    for who, spans in sets.items():
        for s in spans:
            groups.setdefault((s.start, s.end), []).append((who, s))
    order = sorted(groups)
    who_in = [frozenset(w for w, _ in groups[k]) for k in order]
    uf = _Union(len(order))
    # sweep by start: a group overlaps the earlier groups whose end is past its start
    active: list[int] = []
    for i, (start, _) in enumerate(order):
        active = [j for j in active if order[j][1] > start]
        for j in active:
            if not (who_in[i] & who_in[j]):
                uf.join(i, j)
        active.append(i)
    comps: dict[int, list[tuple[str, Span]]] = {}
    for i, k in enumerate(order):
        comps.setdefault(uf.find(i), []).extend(groups[k])
    return list(comps.values())


def _kind(members: list[tuple[str, Span]], annotators: Sequence[str],
          by_id: Mapping[str, Mapping[str, Span]]) -> tuple[Kind, tuple[str, ...]]:
    present = {w for w, _ in members}
    missing = tuple(a for a in annotators if a not in present)
    if missing:
        return "missing", missing
    counts: dict[str, int] = {}
    for w, _ in members:
        counts[w] = counts.get(w, 0) + 1
    if len({(s.start, s.end) for _, s in members}) > 1 or any(n > 1 for n in counts.values()):
        # more than one span for someone at the same offsets is a label question
        if len({(s.start, s.end) for _, s in members}) > 1:
            return "boundary", missing
        return "label", missing
    if len({s.label for _, s in members}) > 1:
        return "label", missing
    if len({_norm_attrs(s, by_id[w]) for w, s in members}) > 1:
        return "attributes", missing
    return "agreed", missing


def clusters(doc_id: str, sets: Mapping[str, Sequence[Span]], gold: Sequence[Span],
             decisions: Sequence[Decision]) -> list[Cluster]:
    """The clusters of one document, sorted by start (then end): `sets` maps each annotator
    to their spans on it (an annotator with an empty set still counts: their spans are
    missing everywhere); `gold` is the gold set's spans, `decisions` the review's decisions
    on the document (docs/review.md says when a cluster counts as decided)."""
    annotators = sorted(sets)
    by_id = {w: {s.id: s for s in spans} for w, spans in sets.items()}
    comps = _components(sets)
    comps.sort(key=lambda m: (min(s.start for _, s in m), max(s.end for _, s in m)))
    extents = [(min(s.start for _, s in m), max(s.end for _, s in m)) for m in comps]
    owner = _gold_owners(comps, extents, gold)
    decided_keys = {d.key for d in decisions if d.entity == "span"}
    in_gold = _Ranges([(g.start, g.end) for g in gold])
    out = []
    for i, members in enumerate(comps):
        start, end = extents[i]
        key = f"{doc_id}:{start}:{end}"
        kind, missing = _kind(members, annotators, by_id)
        members.sort(key=lambda m: (m[0], m[1].start, m[1].end, m[1].label, m[1].id))
        overlapping = tuple(gold[j] for j in in_gold.overlapping(start, end))
        out.append(Cluster(key, doc_id, start, end, kind, tuple(members), missing, overlapping,
                           key in decided_keys or i in owner))
    return out


class _Ranges:
    """Ranges (start, end) found by overlap without a scan of them all: sorted by start,
    a candidate starts at most the longest range's length before the place asked about."""

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self.ranges = ranges
        self.order = sorted(range(len(ranges)), key=lambda i: ranges[i])
        self.starts = [ranges[i][0] for i in self.order]
        self.longest = max((b - a for a, b in ranges), default=0)

    def overlapping(self, start: int, end: int) -> list[int]:
        """The indexes of the ranges sharing a character with [start, end), in order."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return sorted(i for i in self.order[lo:hi] if self.ranges[i][1] > start)


def _gold_owners(comps: list[list[tuple[str, Span]]], extents: list[tuple[int, int]],
                 gold: Sequence[Span]) -> set[int]:
    """The clusters a gold span decides: those with a version at its offsets (or whose
    extent it is: a union); else the smallest cluster whose extent holds it; else every
    cluster it overlaps."""
    owned: set[int] = set()
    at: dict[tuple[int, int], set[int]] = {}
    for i, members in enumerate(comps):
        for _, s in members:
            at.setdefault((s.start, s.end), set()).add(i)
        at.setdefault(extents[i], set()).add(i)
    places = _Ranges(extents)
    for g in gold:
        if (g.start, g.end) in at:
            owned |= at[(g.start, g.end)]
            continue
        near = places.overlapping(g.start, g.end)
        holding = [i for i in near if extents[i][0] <= g.start and g.end <= extents[i][1]]
        if holding:
            owned.add(min(holding, key=lambda i: extents[i][1] - extents[i][0]))
            continue
        owned |= set(near)
    return owned


def next_cluster(found: Sequence[Cluster], offset: int, direction: int = 1,
                 only_disagreements: bool = True) -> Cluster | None:
    """The first cluster starting after `offset` (direction 1) or before it (-1), skipping
    agreed ones when only_disagreements; None at the end (no wrapping)."""
    pool = [c for c in found if c.disagreement or not only_disagreements]
    if direction >= 0:
        return next((c for c in pool if c.start > offset), None)
    return next((c for c in reversed(pool) if c.start < offset), None)
