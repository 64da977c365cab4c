"""The conflicts of the annotator at work, for the annotation screen (Textual-free): the
clusters of their set, recomputed only after a committed change (never per keystroke), what
the status bar says about the span under the cursor, and the candidates the `=` view offers.

Candidates: NUMBER spans of other open documents with the same unit as a figure of the
cluster, not already in it. Which link joins a candidate (docs/conflicts.md): the schema's
SAME_CLAIM when it allows the two numbers; else SAME_CLAIM between the claims around them
(the default schema's SAME_CLAIM is CLAIM → CLAIM only); else CONTRADICTS between the numbers
when their figures conflict. Nothing is linked until the annotator picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from annotator.conflicts.clusters import Cluster, build_clusters, enclosing_claims
from annotator.conflicts.compat import TOLERANCE, Figure, compatible, qualifier_of, value_of
from annotator.conflicts.kept_set import Frozen, KeptSet, set_data_from
from annotator.conflicts.load import Kinds, label_kinds, set_data
from annotator.conflicts.report import figure_label
from annotator.model import Document, Kind, LabelSchema, Link, Span
from annotator.store import Change, Store

SAME_CLAIM, CONTRADICTS = "SAME_CLAIM", "CONTRADICTS"


def near_clusters(clusters: Iterable[Cluster], kept: KeptSet | None
                  ) -> dict[str, list[tuple[int, int]]]:
    """By document, the ranges a change must stay clear of to leave the clusters as they are:
    every span of a cluster, and the claim around each of its figures (a second figure
    leaving that claim joins the claim to the first)."""
    near: dict[str, list[tuple[int, int]]] = {}
    for cluster in clusters:
        spans = [*(f.span for f in cluster.figures), *(c.span for c in cluster.claims)]
        if kept is not None:
            spans += [kept.spans[f.claim] for f in cluster.figures
                      if f.claim is not None and f.claim in kept.spans]
        for s in spans:
            near.setdefault(s.doc_id, []).append((s.start, s.end))
    return near


@dataclass(frozen=True, slots=True)
class Computed:
    """Clusters as a worker computed them, and what the watch keeps from the computation:
    the set itself after a full read, or the speakers it had to read."""

    clusters: list[Cluster]
    kept: KeptSet | None = None
    speakers: Mapping[str, Span] | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A NUMBER span that may be the same quantity as `figure`, and the link that would say
    so (None, with `why`, when the schema has none for the two)."""

    figure: Span  # a figure of the cluster (or the span the view was opened on)
    number: Span  # the candidate, in another open document
    conflicts: bool  # whether its figure conflicts with `figure`'s
    link: tuple[str, Span, Span] | None  # (type, from, to)
    why: str = ""


def _figure(span: Span) -> Figure | None:
    value = value_of(span.attrs.get("value"))
    return None if value is None else Figure(value, qualifier_of(span.attrs.get("qualifier")))


def _unit(span: Span) -> str | None:
    unit = span.attrs.get("unit")
    return unit if isinstance(unit, str) and unit else None


def link_for(schema: LabelSchema, a: Span, b: Span, claims: Mapping[str, Span],
             conflicts: bool) -> tuple[tuple[str, Span, Span] | None, str]:
    """The link that would join numbers a and b (see the module docstring), or why none."""
    def allows(name: str, x: Span, y: Span) -> bool:
        kind = schema.link_type(name)
        return kind is not None and kind.allows(x.label, y.label)

    if allows(SAME_CLAIM, a, b):
        return (SAME_CLAIM, a, b), ""
    ca, cb = claims.get(a.id), claims.get(b.id)
    if ca is not None and cb is not None and ca.id != cb.id and allows(SAME_CLAIM, ca, cb):
        return (SAME_CLAIM, ca, cb), ""
    if conflicts and allows(CONTRADICTS, a, b):
        return (CONTRADICTS, a, b), ""
    return None, "mark the claims around both (CLAIM) to link them SAME_CLAIM"


class ConflictWatch:
    """One annotator's clusters. A committed change that touches a claim, a number, a speaker
    or a link makes them stale (`changed`); they are recomputed by `compute` (a worker may run
    it through a connection of its own, then `install` the result) or, when a question needs
    them fresh (`=`), at once. The status bar reads the last ones computed (`latest`)."""

    def __init__(self, store: Store, annotator: str, schema: LabelSchema,
                 tolerance: float = TOLERANCE) -> None:
        self.store, self.annotator, self.schema, self.tolerance = (store, annotator, schema,
                                                                    tolerance)
        self._clusters: list[Cluster] | None = None
        self._kinds: Kinds | None = None  # the labels of kind number and claim, read once
        self._documents: dict[str, Document] = {}  # read once: a document's text never changes
        self._by_span: dict[str, Cluster] = {}
        self._kept: KeptSet | None = None  # the set as last read, kept in step with changes
        self._near: dict[str, list[tuple[int, int]]] = {}  # see near_clusters
        self._linked: set[str] = set()  # the kept set's link ends when the clusters were made
        self.version = 0  # bumped by each relevant change; a result for an older one is stale
        self.dirty = True
        self.computed = 0  # how many times the clusters were computed (tests, benchmarks)

    def stale(self) -> None:
        self.version += 1
        self.dirty = True

    def changed(self, changes: Iterable[Change]) -> bool:
        """Mark the clusters stale if a change can move them (a link, a claim or number that
        `_cannot_move` does not rule out, a span named as a speaker); whether it did. The set
        kept is brought in step either way."""
        changes = list(changes)
        if self._kept is not None:
            self._kept.apply(changes)
        numbers_claims = self.kinds[0] | self.kinds[1]
        speakers = {f.speaker_id for c in self._clusters or () for f in c.claims}
        for change in changes:
            for row in (change.old, change.new):
                if isinstance(row, Link) or (isinstance(row, Span) and (
                        row.id in speakers or (row.label in numbers_claims
                                               and not self._cannot_move(row)))):
                    self.stale()
                    return True
        return False

    def _cannot_move(self, span: Span) -> bool:
        """Whether a claim or number span (as it was or is now) can be left out: the clusters
        are fresh and the set kept, and the span is in no cluster, is no link's end, and
        touches none of a cluster's spans nor a claim around a cluster's figure, in its
        document. Such a span can only make a claim and its one figure, which is no cluster
        until one of them is linked (on a set with no links, no label recomputes anything)."""
        if self.dirty or self._kept is None or self._clusters is None:
            return False
        if span.id in self._by_span or span.id in self._linked:
            return False
        return not any(span.start <= end and start <= span.end
                       for start, end in self._near.get(span.doc_id, ()))

    @property
    def kinds(self) -> Kinds:
        if self._kinds is None:
            self._kinds = label_kinds(self.store)
        return self._kinds

    def plan(self) -> Frozen | None:
        """What the next computation starts from (on the UI thread: a copy of the set kept),
        or None when the set must be read."""
        return None if self._kept is None else self._kept.frozen()

    def compute(self, store: Store | None = None, plan: Frozen | None = None) -> Computed:
        """The set's clusters, from `plan` (the set kept) or read whole through `store`
        (another connection) or the watch's own."""
        store = store or self.store
        if self._kinds is None:
            self._kinds = label_kinds(store)
        kinds = self._kinds
        self.computed += 1
        if plan is not None:
            data, read = set_data_from(plan, self.annotator, kinds, store, self._documents)
            return Computed(build_clusters(data, self.tolerance), speakers=read)
        doc_ids = store.document_ids()
        data = set_data(store, self.annotator, kinds, self._documents)
        return Computed(build_clusters(data, self.tolerance),
                        kept=KeptSet(self.annotator, kinds, data, doc_ids))

    def install(self, computed: Computed, version: int) -> bool:
        """Keep clusters computed for `version`; False (dropped) when a change came since."""
        if version != self.version:
            return False
        self._clusters, self.dirty = computed.clusters, False
        self._by_span = {i: c for c in computed.clusters for i in c.span_ids}
        if computed.kept is not None:
            self._kept = computed.kept
        elif computed.speakers and self._kept is not None:
            self._kept.speakers.update(computed.speakers)
        self._near = near_clusters(computed.clusters, self._kept)
        # fresh until the next change that is not left out: a link change never is
        self._linked = set() if self._kept is None else self._kept.link_ends()
        return True

    @property
    def latest(self) -> list[Cluster] | None:
        """The last clusters computed (None before the first), fresh or not."""
        return self._clusters

    @property
    def clusters(self) -> list[Cluster]:
        """The clusters, computed now if stale."""
        if self.dirty or self._clusters is None:
            self.install(self.compute(), self.version)
        assert self._clusters is not None
        return self._clusters

    def reread(self) -> None:
        """Read the set whole now (what another program changed too) and keep it."""
        self.stale()
        self.install(self.compute(), self.version)

    def cluster_of(self, span_id: str, fresh: bool = True) -> Cluster | None:
        if fresh:
            _ = self.clusters
        return self._by_span.get(span_id)

    def note(self, span: Span | None) -> str | None:
        """The status bar's words when `span` is part of a conflict, else None (from the
        last clusters computed: never a computation on a keystroke)."""
        if span is None:
            return None
        cluster = self.cluster_of(span.id, fresh=False)
        if cluster is None or not cluster.in_conflict:
            return None
        mine = next((i for i, f in enumerate(cluster.figures) if f.span.id == span.id), None)
        if mine is not None and cluster.conflicting(mine):
            others = ", ".join(figure_label(cluster.figures[j])
                               for j in cluster.conflicting(mine)[:3])
            return f"conflict: {figure_label(cluster.figures[mine])} vs {others} (= shows)"
        n = len(cluster.conflicts)
        return f"in a cluster whose figures conflict ({n} pair{'' if n == 1 else 's'}; = shows)"

    def candidates(self, span: Span, open_spans: Iterable[Span]) -> list[Candidate]:
        """NUMBER spans of the other open documents with the unit of one of the figures (the
        cluster's in open documents, else `span`'s own, else the numbers inside the claim
        `span`), not in its cluster already, in the order of `open_spans`."""
        spans = list(open_spans)
        kinds = {lab.name: lab.kind for lab in self.schema.labels}
        cluster = self.cluster_of(span.id)
        if cluster is not None:
            shown = {s.id for s in spans}
            figures = [f.span for f in cluster.figures if f.span.id in shown]
            taken = set(cluster.span_ids)
        elif kinds.get(span.label) == Kind.NUMBER:
            figures, taken = [span], {span.id}
        else:
            figures = [s for s in spans if s.doc_id == span.doc_id and span.start <= s.start
                       and s.end <= span.end and kinds.get(s.label) == Kind.NUMBER]
            taken = {span.id, *(s.id for s in figures)}
        claims_all = [s for s in spans if kinds.get(s.label) == Kind.CLAIM]
        numbers = [s for s in spans if kinds.get(s.label) == Kind.NUMBER]
        around = enclosing_claims([*numbers, *figures], claims_all)
        docs = {f.doc_id for f in figures}
        out: list[Candidate] = []
        for number in numbers:
            if number.id in taken or number.doc_id in docs:
                continue
            source = next((f for f in figures if _unit(f) and _unit(f) == _unit(number)), None)
            if source is None:
                continue
            a, b = _figure(source), _figure(number)
            clash = a is not None and b is not None and not compatible(a, b, self.tolerance)
            link, why = link_for(self.schema, source, number, around, clash)
            out.append(Candidate(source, number, clash, link, why))
        return out
