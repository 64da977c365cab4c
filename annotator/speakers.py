"""Who makes a claim (docs/claims.md): the people and organisations of a document offered by
name, their mentions grouped (`Akar`, `Hulusi Akar` and `Defence Minister Hulusi Akar` are one
choice once linked SAME_ENTITY, and mentions with the same text and label are one anyway),
nearest to the claim first; and a new speaker typed by name, found in the text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from annotator.model import Link, Span

SAME_ENTITY = "SAME_ENTITY"


@dataclass(frozen=True, slots=True)
class Speaker:
    """One choice of the speaker list: `span_id` is the mention stored (the one nearest the
    claim), `name` the longest mention, `others` the other ways the text names it."""

    span_id: str
    label: str
    name: str
    others: tuple[str, ...]
    ids: frozenset[str]
    distance: int


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A speaker typed by name in the attribute form: the span to add, at [start, end)."""

    start: int
    end: int
    label: str


def speakers(claim: Span, spans: Iterable[tuple[Span, str]], links: Iterable[Link],
             labels: tuple[str, ...]) -> list[Speaker]:
    """The spans a claim's speaker may be (of `labels`, or any), one choice per entity:
    mentions joined by SAME_ENTITY links (through other documents too) or sharing their text
    and label. Nearest to the claim first (a mention before it counts as nearer than one as
    far after it), then by name."""
    pairs = list(spans)
    named = {s.id: " ".join(t.split()) for s, t in pairs
             if s.id != claim.id and (not labels or s.label in labels)}
    mentions = [s for s, _ in pairs if s.id in named]
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for link in links:
        if link.type == SAME_ENTITY:
            join(link.from_span, link.to_span)
    by_name: dict[tuple[str, str], str] = {}
    for s in mentions:
        key = (s.label, named[s.id].casefold())
        if key in by_name:
            join(by_name[key], s.id)
        else:
            by_name[key] = s.id
    groups: dict[str, list[Span]] = {}
    for s in mentions:
        groups.setdefault(root(s.id), []).append(s)
    out = []
    for group in groups.values():
        nearest = min(group, key=lambda s: (_distance(claim, s), s.start))
        names = list(dict.fromkeys(named[s.id] for s in sorted(group, key=lambda s: s.start)))
        name = max(names, key=len)
        out.append(Speaker(nearest.id, nearest.label, name, tuple(n for n in names if n != name),
                           frozenset(s.id for s in group), _distance(claim, nearest)))
    return sorted(out, key=lambda sp: (sp.distance, sp.name.casefold()))


def _distance(claim: Span, s: Span) -> int:
    if s.end <= claim.start:
        return claim.start - s.end
    if s.start >= claim.end:
        return s.start - claim.end + 1  # after the claim: a little further than before it
    return 0


def locate(typed: str, text: str, claim: Span, labels: tuple[str, ...],
           default_label: str) -> NewSpan | str:
    """A speaker typed by name: its occurrence in `text` nearest the claim (whole words, the
    case as typed, else any case), as a span of `default_label`, or of the label it starts
    with ("ORG: Lusk Hydro Authority"); or why not (a message)."""
    typed = typed.strip()
    label = default_label
    head, sep, rest = typed.partition(":")
    if sep and head.strip().upper() in labels:
        label, typed = head.strip().upper(), rest.strip()
    if not typed:
        return "type a name that is in the text"
    words = r"\s+".join(re.escape(w) for w in typed.split())
    pattern = rf"(?<!\w){words}(?!\w)"
    found = list(re.finditer(pattern, text)) or list(re.finditer(pattern, text, re.IGNORECASE))
    if not found:
        return f"“{typed[:40]}” is not in this document"
    best = min(found, key=lambda m: (_distance(claim, Span("", "", "", m.start(), m.end(), "")),
                                     m.start()))
    return NewSpan(best.start(), best.end(), label)
