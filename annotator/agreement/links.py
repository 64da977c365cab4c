"""Link agreement across documents: a link is its type and its two ends (document and offsets);
two annotators' links match when the type matches and both ends match, exactly or by overlap
(one-to-one, by the same maximum matching as spans). Symmetric types have unordered ends."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations, groupby

from annotator.agreement.figures import Counts, LinkFigures, LinkGroup, LinkPair
from annotator.agreement.matching import max_matching
from annotator.store.agreement_reads import LinkRow

End = tuple[str, int, int]  # document, start, end
LinkKey = tuple[End, End]
SCOPES = ("cross_document", "in_document")


def _shared(x: End, y: End) -> int:
    return max(0, min(x[2], y[2]) - max(x[1], y[1])) if x[0] == y[0] else 0


def _overlap(x: LinkKey, y: LinkKey, symmetric: bool) -> int:
    """Characters the two links' ends share (0 unless both ends share some)."""
    best = 0
    for y0, y1 in ((y[0], y[1]), (y[1], y[0])) if symmetric else ((y[0], y[1]),):
        first, second = _shared(x[0], y0), _shared(x[1], y1)
        if first and second:
            best = max(best, first + second)
    return best


class LinkTally:
    """Sums per (scope, type, pair) over the corpus."""

    def __init__(self, symmetric: frozenset[str]) -> None:
        self.symmetric = symmetric
        self.counts: dict[tuple[str, str, str, str], LinkPair] = {}

    def add_all(self, links: Iterable[LinkRow], members: dict[str, frozenset[str]],
                label: str | None = None) -> None:
        """links grouped by the documents they join; members: who has a compared set on each
        document (a pair is compared on a link's documents only when both have sets there)."""
        def docs(r: LinkRow) -> tuple[str, str]:
            return min(r.from_doc, r.to_doc), max(r.from_doc, r.to_doc)

        for (d1, d2), group in groupby(links, key=docs):
            who = members.get(d1, frozenset()) & members.get(d2, frozenset())
            if len(who) < 2:
                continue
            self._add_group(d1 == d2, group, who, label)

    def _add_group(self, same_doc: bool, rows: Iterable[LinkRow], who: frozenset[str],
                   label: str | None) -> None:
        sets: dict[str, dict[str, set[LinkKey]]] = {}
        for r in rows:
            if r.annotator not in who or (label is not None
                                          and label not in (r.from_label, r.to_label)):
                continue
            ends = ((r.from_doc, r.from_start, r.from_end), (r.to_doc, r.to_start, r.to_end))
            if r.type in self.symmetric:
                ends = (min(ends), max(ends))
            sets.setdefault(r.type, {}).setdefault(r.annotator, set()).add(ends)
        scope = SCOPES[1] if same_doc else SCOPES[0]
        for type_, by_who in sets.items():
            symmetric = type_ in self.symmetric
            for a, b in combinations(sorted(who), 2):
                la, lb = sorted(by_who.get(a, ())), sorted(by_who.get(b, ()))
                if not la and not lb:
                    continue
                edges = [(i, j, w) for i, x in enumerate(la) for j, y in enumerate(lb)
                         if (w := _overlap(x, y, symmetric))]
                pair = self.counts.setdefault((scope, type_, a, b), LinkPair(a, b))
                pair.exact.add(Counts(len(set(la) & set(lb)), len(la), len(lb)))
                pair.overlap.add(Counts(len(max_matching(len(la), len(lb), edges)),
                                        len(la), len(lb)))

    def figures(self, pairs: list[tuple[str, str]]) -> LinkFigures:
        def group(keep: str | None = None, type_: str | None = None) -> LinkGroup:
            out = []
            for a, b in pairs:
                total = LinkPair(a, b)
                for (scope, t, x, y), c in self.counts.items():
                    if (x, y) == (a, b) and keep in (None, scope) and type_ in (None, t):
                        total.exact.add(c.exact)
                        total.overlap.add(c.overlap)
                out.append(total)
            return LinkGroup(out)

        types = sorted({t for _, t, _, _ in self.counts})
        return LinkFigures(group(), {t: group(type_=t) for t in types},
                           group(SCOPES[0]), group(SCOPES[1]))
