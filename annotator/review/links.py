"""Link clusters of one document (docs/review.md, "Links"): each annotator's links grouped by
the offsets of their two ends, so that links the annotators drew between the same places meet
whatever the span ids. Plain Python: no SQL, no Textual."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from annotator.model import Decision, Link, Span
from annotator.review.clusters import Kind
from annotator.sanitize import safe_line

End = tuple[str, int, int]  # (doc_id, start, end) of a link end


@dataclass(frozen=True)
class LinkCluster:
    """Every annotator's links between the same two places, and gold's."""

    key: str  # "link:{from doc}:{start}:{end}>{to doc}:{start}:{end}"
    doc_id: str  # the document under review (one of the two ends)
    source: End
    target: End
    kind: Kind  # agreed | missing (someone has no link there) | label (types differ)
    versions: tuple[tuple[str, Link], ...]
    missing: tuple[str, ...]
    gold: tuple[Link, ...]
    decided: bool

    @property
    def disagreement(self) -> bool:
        return self.kind != "agreed"

    def links_of(self, annotator: str) -> tuple[Link, ...]:
        return tuple(lk for who, lk in self.versions if who == annotator)

    def describe(self) -> str:
        (fd, fs, fe), (td, ts, te) = self.source, self.target
        where = f"{fd} {fs}-{fe} → {td} {ts}-{te}"
        types = ", ".join(f"{who} {lk.type}" for who, lk in self.versions)
        text = f"link {where}: {types}"
        if self.missing:
            text += "; missing: " + ", ".join(self.missing)
        if self.decided:
            text += "; decided"
        return safe_line(text, 300)


def link_key(source: End, target: End) -> str:
    return f"link:{source[0]}:{source[1]}:{source[2]}>{target[0]}:{target[1]}:{target[2]}"


def ends(link: Link, spans: Mapping[str, Span], symmetric: Collection[str]
         ) -> tuple[End, End] | None:
    """The link's ends as places (None: an end is not among `spans`); a symmetric type's
    ends in a fixed order."""
    a, b = spans.get(link.from_span), spans.get(link.to_span)
    if a is None or b is None:
        return None
    x, y = (a.doc_id, a.start, a.end), (b.doc_id, b.start, b.end)
    if link.type in symmetric and y < x:
        x, y = y, x
    return x, y


def link_clusters(doc_id: str, links: Mapping[str, Sequence[Link]], spans: Mapping[str, Span],
                  gold: Sequence[Link], decisions: Sequence[Decision],
                  symmetric: Collection[str] = ()) -> list[LinkCluster]:
    """`links`: each annotator's links touching doc_id; `spans`: every span those links (and
    gold's) end at, by id; sorted by source then target."""
    annotators = sorted(links)
    groups: dict[tuple[End, End], list[tuple[str, Link]]] = {}
    for who in annotators:
        for lk in links[who]:
            found = ends(lk, spans, symmetric)
            if found is not None:
                groups.setdefault(found, []).append((who, lk))
    gold_at: dict[tuple[End, End], list[Link]] = {}
    for lk in gold:
        found = ends(lk, spans, symmetric)
        if found is not None:
            gold_at.setdefault(found, []).append(lk)
    decided = {d.key for d in decisions if d.entity == "link"}
    out = []
    for (source, target), members in sorted(groups.items()):
        present = {w for w, _ in members}
        missing = tuple(a for a in annotators if a not in present)
        types = {lk.type for _, lk in members}
        per = [sum(1 for w, _ in members if w == a) for a in present]
        kind: Kind = ("missing" if missing else
                      "label" if len(types) > 1 or max(per) > 1 else "agreed")
        key = link_key(source, target)
        there = tuple(gold_at.get((source, target), ()))
        out.append(LinkCluster(key, doc_id, source, target, kind, tuple(sorted(
            members, key=lambda m: (m[0], m[1].type, m[1].id))), missing, there,
            key in decided or bool(there)))
    return out
