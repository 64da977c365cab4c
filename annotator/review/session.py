"""A lead reviewing one document: its clusters, where the next disagreement is, and every
decision (accept a side, union, intersection, reject, accept all agreed, links), each one
action of the gold set answered with an Outcome the review screen only renders
(docs/review.md). No widgets, no SQL: the store writes (store/review.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar, cast

from annotator.model import GOLD, Decision, Link, Span
from annotator.review.clusters import KIND_TEXT, Cluster, next_cluster, signature
from annotator.review.links import LinkCluster, ends, link_clusters, link_key
from annotator.review.state import Plan, ReviewState, read_state
from annotator.session import SHORT, Location, Outcome, refusal
from annotator.store import ActionResult, Store, StoreError
from annotator.store.review import NewLink, NewSpan, Ref, Verdict

Reason = Literal["guideline_gap", "ambiguous_text", "annotator_error"]
REASON_TEXT: dict[str, str] = {"guideline_gap": "guideline gap",
                               "ambiguous_text": "ambiguous text",
                               "annotator_error": "annotator error"}

READ_ONLY = "this database is read-only"
Place = TypeVar("Place", Cluster, LinkCluster)  # a span cluster or a link cluster


class ReviewSession:
    """A lead (`actor`) adjudicating `doc_id` into the gold set."""

    def __init__(self, store: Store, actor: str, doc_id: str) -> None:
        self.store = store
        self.actor = actor
        self.doc_id = doc_id
        if store.actor is None:
            store.actor = actor  # every decision's action records who decided
        self._state: ReviewState | None = None
        self._seq = -1
        self._gold: dict[str, list[Span]] = {}
        self._symmetric: frozenset[str] | None = None

    # -- reads ----------------------------------------------------------------------------

    @property
    def annotators(self) -> list[str]:
        """The annotators with a set on the document (gold aside), by name."""
        return self.store.review_sets(self.doc_id)

    def refresh(self) -> None:
        """Forget what was read: the next question reads the database again (another lead's
        decisions, an annotator's late edit)."""
        self._state = None
        self._gold.clear()

    def _read(self) -> ReviewState:
        """The document as of the newest commit (one cheap query when nothing changed: an
        edit in the gold pane, another lead's decision or an annotator's late change all log
        an event)."""
        seq = self.store.last_event_seq()
        if self._state is None or seq != self._seq:
            self._gold.clear()
            self._state = read_state(self.store, self.doc_id)
            self._gold[self.doc_id] = self._state.gold
            self._seq = seq
        return self._state

    def _now(self) -> ReviewState:
        """The state the decision under way read (no second look at the database)."""
        return self._state if self._state is not None else self._read()

    def gold_spans(self, doc_id: str) -> list[Span]:
        if doc_id not in self._gold:
            self._gold[doc_id] = self.store.spans(doc_id, GOLD)
        return self._gold[doc_id]

    def clusters(self) -> list[Cluster]:
        return self._read().found

    def decisions(self) -> list[Decision]:
        return self._read().decisions

    def cluster(self, key: str) -> Cluster | None:
        return next((c for c in self.clusters() if c.key == key), None)

    def cluster_at(self, offset: int) -> Cluster | None:
        """The innermost cluster whose extent holds offset."""
        here = [c for c in self.clusters() if c.start <= offset < c.end]
        return min(here, key=lambda c: c.end - c.start) if here else None

    def next(self, offset: int, direction: int = 1, only_disagreements: bool = True,
             undecided: bool = False) -> Cluster | None:
        """The next cluster after offset (direction 1) or before it (-1); `undecided`: skip
        decided ones too."""
        found = [c for c in self.clusters() if not (undecided and c.decided)]
        return next_cluster(found, offset, direction, only_disagreements)

    def counts(self) -> dict[str, int]:
        """Clusters per kind, and how many are decided (the status line's summary)."""
        out = dict.fromkeys(KIND_TEXT, 0) | {"decided": 0, "clusters": 0}
        for c in self.clusters():
            out[c.kind] += 1
            out["decided"] += c.decided
            out["clusters"] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{c[k]} {KIND_TEXT[k]}" for k in KIND_TEXT if c[k]]
        return f"{c['decided']}/{c['clusters']} decided" + (": " + ", ".join(parts)
                                                            if parts else "")

    # -- span decisions -------------------------------------------------------------------

    def accept(self, cluster: Cluster, annotator: str, reason: Reason | None = None) -> Outcome:
        """Gold takes `annotator`'s span(s) in the cluster, with their attributes and their
        links whose other end is in gold (here or in another document)."""
        got = self._side(cluster, annotator)
        if isinstance(got, Outcome):
            return got
        fresh, spans = got
        plan = Plan(self)
        by_sig = self._by_signature(fresh)
        for n, s in enumerate(spans):
            self._accept_span(plan, fresh, s, by_sig[self._sig(annotator, s)], reason,
                              replace=n == 0)
        self._add_links(plan, {annotator}, [s.id for s in spans])
        what = " + ".join(f"{s.label} {s.start}-{s.end}" for s in spans)
        return self._act("accept", plan, f"accepted {annotator}'s {what}", fresh.start, reason)

    def accept_union(self, cluster: Cluster, reason: Reason | None = None) -> Outcome:
        """One gold span over the cluster's whole extent."""
        return self._merged(cluster, reason, "union")

    def accept_intersection(self, cluster: Cluster, reason: Reason | None = None) -> Outcome:
        """One gold span over what every span of the cluster covers."""
        return self._merged(cluster, reason, "intersection")

    def reject(self, cluster: Cluster, reason: Reason | None = None) -> Outcome:
        """Nothing of the cluster goes to gold (what gold had in it goes); recorded, so the
        cluster counts as decided."""
        fresh = self._fresh(cluster)
        if isinstance(fresh, Outcome):
            return fresh
        plan = Plan(self)
        plan.add(Verdict(self.doc_id, fresh.key, "span", "reject", fresh.start, fresh.end,
                         fresh.annotators, reason, **self._replacing(fresh)))
        return self._act("reject", plan, f"rejected {fresh.start}-{fresh.end}"
                         f" ({KIND_TEXT[fresh.kind]})", fresh.start, reason)

    def accept_agreed(self) -> Outcome:
        """Every agreed, undecided cluster of the document into gold, as ONE action (with the
        links every annotator drew between them or to gold)."""
        if self.store.read_only:
            return refusal(READ_ONLY, bell=True)
        todo = [c for c in self.clusters() if c.kind == "agreed" and not c.decided]
        if not todo:
            return refusal("nothing agreed is left to accept", SHORT)
        plan = Plan(self)
        everyone = set(self.annotators)
        # a span whose attribute names another span (a speaker) after the one it names
        todo.sort(key=lambda c: _refers(c.versions[0][1], self._now().by_id))
        for c in todo:
            self._accept_span(plan, c, c.versions[0][1], c.annotators, None, replace=True)
        ids = [s.id for c in todo for _, s in c.versions]
        self._add_links(plan, everyone, ids, agreed_only=True)
        return self._act("accept_agreed", plan, f"accepted {len(todo)} agreed"
                         f" span{'s' if len(todo) != 1 else ''}", todo[0].start)

    # -- link decisions ---------------------------------------------------------------------

    def links(self) -> list[LinkCluster]:
        """The link clusters touching the document (each annotator's links by type and the
        offsets of their ends)."""
        who = self.annotators
        links = {w: self.store.links(w, [self.doc_id]) for w in who}
        gold = self.store.links(GOLD, [self.doc_id])
        ids = {i for lks in [*links.values(), gold] for lk in lks
               for i in (lk.from_span, lk.to_span)}
        spans = self._spans_by_id(ids)
        return link_clusters(self.doc_id, links, spans, gold, self.decisions(), self.symmetric)

    def accept_link(self, lc: LinkCluster, annotator: str,
                    reason: Reason | None = None) -> Outcome:
        """Gold takes `annotator`'s link between those two places: both ends must be gold
        spans already (here, or in the other document's gold)."""
        got = self._side(lc, annotator)
        if isinstance(got, Outcome):
            return got
        fresh, mine = got
        plan = Plan(self)
        for n, lk in enumerate(mine):
            refs = self._link_refs(plan, lk)
            if isinstance(refs, str):
                return refusal(refs)
            same = tuple(sorted({w for w, o in fresh.versions if o.type == lk.type}))
            plan.add(Verdict(self.doc_id, fresh.key, "link", "accept", fresh.source[1],
                             fresh.source[2], same, reason, link=NewLink(lk.type, *refs),
                             **(self._replacing_link(fresh) if n == 0 else {})))
        return self._act("accept_link", plan, f"accepted {annotator}'s link"
                         f" {mine[0].type}", fresh.source[1] if fresh.source[0] == self.doc_id
                         else fresh.target[1], reason)

    def reject_link(self, lc: LinkCluster, reason: Reason | None = None) -> Outcome:
        fresh = self._fresh(lc)
        if isinstance(fresh, Outcome):
            return fresh
        plan = Plan(self)
        who = tuple(sorted({w for w, _ in fresh.versions}))
        plan.add(Verdict(self.doc_id, fresh.key, "link", "reject", fresh.source[1],
                         fresh.source[2], who, reason, **self._replacing_link(fresh)))
        return self._act("reject_link", plan, "rejected the link", fresh.source[1]
                         if fresh.source[0] == self.doc_id else fresh.target[1], reason)

    # -- history ----------------------------------------------------------------------------

    def undo(self) -> Outcome:
        """Undo the gold set's last action (a decision, or an edit in the gold pane)."""
        return self._history(self.store.undo, "undid", "nothing to undo")

    def redo(self) -> Outcome:
        return self._history(self.store.redo, "redid", "nothing to redo")

    def _history(self, step: Callable[[str], ActionResult | None], verb: str,
                 nothing: str) -> Outcome:
        if self.store.read_only:
            return refusal(READ_ONLY, bell=True)
        try:
            result = step(GOLD)
        except StoreError as err:
            return refusal(str(err), bell=True)
        if result is None:
            return refusal(nothing, SHORT)
        return Outcome(f"{verb} {result.name.replace('_', ' ')}", tuple(result.changes),
                       goto=_where(result, self.doc_id))

    # -- building blocks --------------------------------------------------------------------

    @property
    def symmetric(self) -> frozenset[str]:
        """The symmetric link types of the document's schema."""
        if self._symmetric is None:
            from annotator.labels import SchemaError, parse_schema

            ref = self.store.document_schema_ref(self.doc_id)
            source = self.store.schema_source(ref) if ref else None
            try:
                schema = parse_schema(source, ref or "") if source else None
            except SchemaError:
                schema = None
            self._symmetric = frozenset(lt.name for lt in schema.links if lt.symmetric) \
                if schema else frozenset()
        return self._symmetric

    def _fresh(self, item: Place) -> Place | Outcome:
        """The span or link cluster as the database has it now (another lead or a late edit
        may have changed the place since it was shown)."""
        if self.store.read_only:
            return refusal(READ_ONLY, bell=True)
        found: Sequence[Cluster | LinkCluster] = \
            self.clusters() if isinstance(item, Cluster) else self.links()
        now = next((x for x in found if x.key == item.key), None)
        if now is None:
            what = "spans" if isinstance(item, Cluster) else "links"
            return refusal(f"the {what} here changed since: look again", bell=True)
        return cast(Place, now)

    def _side(self, item: Place, annotator: str) -> tuple[Place, tuple[Any, ...]] | Outcome:
        """The fresh cluster and `annotator`'s spans (or links) in it, or why not."""
        fresh = self._fresh(item)
        if isinstance(fresh, Outcome):
            return fresh
        mine = tuple(x for who, x in fresh.versions if who == annotator)
        if not mine:
            what = "nothing" if isinstance(item, Cluster) else "no link"
            return refusal(f"{annotator} has {what} here", SHORT)
        return fresh, mine

    def _sig(self, who: str, s: Span) -> tuple[Any, ...]:
        return signature(s, self._now().by_id.get(who, {}))

    def _by_signature(self, c: Cluster) -> dict[tuple[Any, ...], tuple[str, ...]]:
        """Which annotators have each version of the cluster (its provenance)."""
        out: dict[tuple[Any, ...], set[str]] = {}
        for who, s in c.versions:
            out.setdefault(self._sig(who, s), set()).add(who)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def _replacing(self, c: Cluster) -> dict[str, Any]:
        """What a new decision on the cluster replaces: gold spans inside its extent, and
        its earlier decisions."""
        inside = tuple(g.id for g in c.gold if c.start <= g.start and g.end <= c.end)
        return {"remove_spans": inside, "replaces": tuple(self._now().by_key.get(c.key, ()))}

    def _replacing_link(self, lc: LinkCluster) -> dict[str, Any]:
        return {"remove_links": tuple(lk.id for lk in lc.gold),
                "replaces": tuple(self._now().by_key.get(lc.key, ()))}

    def _accept_span(self, plan: Plan, c: Cluster, s: Span, provenance: Sequence[str],
                     reason: str | None, replace: bool) -> int:
        attrs, refs = self._split_refs(plan, s)
        return plan.add(Verdict(self.doc_id, c.key, "span", "accept", c.start, c.end,
                                tuple(provenance), reason,
                                span=NewSpan(s.start, s.end, s.label, attrs, refs),
                                **(self._replacing(c) if replace else {})))

    def _split_refs(self, plan: Plan, s: Span) -> tuple[dict[str, Any], dict[str, Ref]]:
        """A span's attributes, and those naming another span of its set (a CLAIM's
        speaker) pointed at the gold span at the same place; left out when gold has none."""
        mine = self._now().by_id.get(s.annotator, {})
        attrs: dict[str, Any] = {}
        refs: dict[str, Ref] = {}
        for k, v in s.attrs.items():
            if isinstance(v, str) and v in mine:
                r = mine[v]
                ref = plan.gold_ref(r.doc_id, r.start, r.end, r.label)
                if ref is None:
                    plan.left_out.append(f"{k} (its span {r.start}-{r.end} is not in gold yet)")
                else:
                    refs[k] = ref
            else:
                attrs[k] = v
        return attrs, refs

    def _spans_by_id(self, ids: Iterable[str]) -> dict[str, Span]:
        out: dict[str, Span] = {}
        for mine in self._now().by_id.values():
            out.update(mine)
        out.update((g.id, g) for g in self.gold_spans(self.doc_id))
        for i in ids:
            if i not in out and (s := self.store.span(i)) is not None:
                out[i] = s
        return out

    def _link_refs(self, plan: Plan, lk: Link) -> tuple[Ref, Ref] | str:
        """Both ends of an annotator's link as gold spans, or why not."""
        spans = self._spans_by_id((lk.from_span, lk.to_span))
        refs = []
        for end_id in (lk.from_span, lk.to_span):
            s = spans.get(end_id)
            if s is None:
                return "a link end no longer exists"
            ref = plan.gold_ref(s.doc_id, s.start, s.end, s.label)
            if ref is None:
                where = "" if s.doc_id == self.doc_id else f" of {s.doc_id}"
                return f"accept the span at {s.start}-{s.end}{where} into gold first"
            refs.append(ref)
        return refs[0], refs[1]

    def _add_links(self, plan: Plan, who: set[str], span_ids: Sequence[str],
                   agreed_only: bool = False) -> None:
        """The links of `who` touching the accepted spans whose other end is (or becomes)
        gold; agreed_only: only links every annotator of the document drew."""
        touching = set(span_ids)
        everyone = self.annotators
        all_links = {w: self.store.links(w, [self.doc_id]) for w in everyone}
        ids = {i for lks in all_links.values() for lk in lks for i in (lk.from_span, lk.to_span)}
        spans = self._spans_by_id(ids)
        has: dict[tuple[Any, ...], set[str]] = {}
        for w, lks in all_links.items():
            for lk in lks:
                if (e := ends(lk, spans, self.symmetric)) is not None:
                    has.setdefault((lk.type, *e), set()).add(w)
        done: set[tuple[Any, ...]] = set()
        for w in sorted(who):
            for lk in all_links.get(w, []):
                e = ends(lk, spans, self.symmetric)
                if e is None or not ({lk.from_span, lk.to_span} & touching):
                    continue
                sig = (lk.type, *e)
                if sig in done or (agreed_only and has[sig] != set(everyone)):
                    continue
                refs = self._link_refs(plan, lk)
                if isinstance(refs, str):
                    continue
                done.add(sig)
                plan.links += 1
                plan.add(Verdict(self.doc_id, link_key(*e), "link", "accept", e[0][1], e[0][2],
                                 tuple(sorted(has[sig])), None, link=NewLink(lk.type, *refs)))

    def _merged(self, cluster: Cluster, reason: Reason | None, how: str) -> Outcome:
        fresh = self._fresh(cluster)
        if isinstance(fresh, Outcome):
            return fresh
        spans = [s for _, s in fresh.versions]
        if how == "union":
            start, end = fresh.start, fresh.end
        else:
            start, end = max(s.start for s in spans), min(s.end for s in spans)
            if start >= end:
                return refusal("the spans here have no text in common", bell=True)
        labels: dict[str, int] = {}
        for s in spans:
            labels[s.label] = labels.get(s.label, 0) + 1
        top = max(labels.values())
        best = sorted(lab for lab, n in labels.items() if n == top)
        if len(best) > 1:
            return refusal(f"labels differ ({', '.join(best)}): accept one side", bell=True)
        label = best[0]
        same = [s for s in spans if s.label == label]
        attrs = dict(same[0].attrs)
        if any(self._sig(s.annotator, s)[3] != self._sig(same[0].annotator, same[0])[3]
               for s in same):
            attrs = {}  # they differ: the union keeps none, edit them in the gold pane
        plan = Plan(self)
        merged = Span(same[0].id, self.doc_id, same[0].annotator, start, end, label, attrs)
        a, refs = self._split_refs(plan, merged)
        plan.add(Verdict(self.doc_id, fresh.key, "span", "accept", fresh.start, fresh.end,
                         fresh.annotators, reason, span=NewSpan(start, end, label, a, refs),
                         **self._replacing(fresh)))
        return self._act(f"accept_{how}", plan, f"accepted the {how}: {label} {start}-{end}",
                         start, reason)

    def _act(self, name: str, plan: Plan, message: str, offset: int,
             reason: str | None = None) -> Outcome:
        try:
            result = self.store.adjudicate(name, plan.verdicts)
        except StoreError as err:
            return refusal(str(err), bell=True)
        if plan.links:
            message += f" (+{plan.links} link{'s' if plan.links != 1 else ''})"
        if reason:
            message += f" [{REASON_TEXT.get(reason, reason)}]"
        if plan.left_out:
            message += "; left out: " + ", ".join(plan.left_out)
        return Outcome(message, tuple(result.changes), goto=Location(self.doc_id, offset))


def _refers(s: Span, by_id: dict[str, dict[str, Span]]) -> bool:
    ids = by_id.get(s.annotator, {})
    return any(isinstance(v, str) and v in ids for v in s.attrs.values())


def _where(result: ActionResult, doc_id: str) -> Location | None:
    """Where an undone or redone decision was: its first span (or decision) in doc_id."""
    for change in result.changes:
        row = change.after or change.before or {}
        if row.get("doc_id") == doc_id and "start" in row:
            return Location(doc_id, int(row["start"]))
    return None
