"""What a review session reads and builds (annotator/review/session.py uses them): the
document's state (every set, gold, decisions, clusters) and the plan of one decision's action.
Plain Python: no SQL, no Textual."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from annotator.model import GOLD, Decision, Span
from annotator.review.clusters import Cluster, clusters
from annotator.store.review import Ref, Verdict

if TYPE_CHECKING:
    from annotator.store import Store


class GoldSpans(Protocol):
    """Where a plan finds the gold spans of a document (the review session)."""

    def gold_spans(self, doc_id: str) -> list[Span]: ...


@dataclass
class ReviewState:
    """What the document looks like now: every set, gold, the decisions, the clusters."""

    sets: dict[str, list[Span]]
    gold: list[Span]
    decisions: list[Decision]
    found: list[Cluster]
    by_id: dict[str, dict[str, Span]] = field(default_factory=dict)  # annotator -> id -> span
    by_key: dict[str, list[str]] = field(default_factory=dict)  # cluster key -> decision ids

    def __post_init__(self) -> None:
        self.by_id = {who: {s.id: s for s in spans} for who, spans in self.sets.items()}
        for d in self.decisions:
            self.by_key.setdefault(d.key, []).append(d.id)


@dataclass
class Plan:
    """The verdicts of one action being put together, and the gold spans it makes (so that
    a link or a speaker can point at a span accepted in the same action)."""

    session: GoldSpans
    verdicts: list[Verdict] = field(default_factory=list)
    new_at: dict[tuple[str, int, int, str], int] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    left_out: list[str] = field(default_factory=list)
    links: int = 0

    def add(self, verdict: Verdict) -> int:
        self.verdicts.append(verdict)
        self.removed |= set(verdict.remove_spans)
        if verdict.span is not None:
            s = verdict.span
            self.new_at.setdefault((verdict.doc_id, s.start, s.end, s.label),
                                   len(self.verdicts) - 1)
        return len(self.verdicts) - 1

    def gold_ref(self, doc_id: str, start: int, end: int, label: str) -> Ref | None:
        """The gold span at those offsets (same label first): made in this action, or
        already in gold and not being replaced."""
        if (doc_id, start, end, label) in self.new_at:
            return self.new_at[(doc_id, start, end, label)]
        there = [g for g in self.session.gold_spans(doc_id)
                 if (g.start, g.end) == (start, end) and g.id not in self.removed]
        there.sort(key=lambda g: g.label != label)
        if there:
            return there[0].id
        made = [i for (d, s, e, _), i in self.new_at.items() if (d, s, e) == (doc_id, start, end)]
        return made[0] if made else None


def read_state(store: Store, doc_id: str) -> ReviewState:
    """Every annotator's set on doc_id, its gold, its decisions and its clusters."""
    sets = {who: store.spans(doc_id, who) for who in store.review_sets(doc_id)}
    gold = store.spans(doc_id, GOLD)
    decisions = store.review_decisions(doc_id)
    return ReviewState(sets, gold, decisions, clusters(doc_id, sets, gold, decisions))


def document_clusters(store: Store, doc_id: str) -> list[Cluster]:
    return read_state(store, doc_id).found
