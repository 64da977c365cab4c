"""One streaming pass over the store: each compared document's figures, and the sums that pool
them over the corpus (docs/agreement.md). Documents are read in id order, one at a time."""

from __future__ import annotations

from collections import Counter
from functools import cache
from itertools import combinations

from annotator.agreement.attributes import AttributeTally
from annotator.agreement.bootstrap import RESAMPLES, SEED, DocumentSums, intervals
from annotator.agreement.figures import (
    AgreementReport,
    Counts,
    DocumentFigures,
    LabelFigures,
    PairFigures,
    PairRow,
)
from annotator.agreement.links import LinkTally
from annotator.agreement.matching import interval_edges, max_matching
from annotator.agreement.sets import DocumentSets, Schemas, SetSpan
from annotator.agreement.tokens import (
    Coincidence,
    Confusion,
    Fleiss,
    Label,
    token_count,
    token_labels,
    tokens_near,
)

STATUSES = {"done": ("done",), "any": ("todo", "in_progress", "done")}
Pair = tuple[str, str]


def span_counts(a: list[SetSpan], b: list[SetSpan]) -> dict[str, list[int]]:
    """Per label: [exact tp, overlap tp, |A|, |B|] of b against reference a (both sorted by
    start, end, label, duplicates dropped)."""
    out: dict[str, list[int]] = {}
    for s in a:
        if (c := out.get(s.label)) is None:
            c = out[s.label] = [0, 0, 0, 0]
        c[2] += 1
    for s in b:
        if (c := out.get(s.label)) is None:
            c = out[s.label] = [0, 0, 0, 0]
        c[3] += 1
    if len(a) == len(b) and all(x[:3] == y[:3] for x, y in zip(a, b, strict=True)):
        for c in out.values():  # the same spans: every one matched, exactly
            c[0] = c[1] = c[2]
        return out
    keys = {(s.start, s.end, s.label) for s in a}
    for s in b:
        if (s.start, s.end, s.label) in keys:
            out[s.label][0] += 1
    for i, _ in max_matching(len(a), len(b), interval_edges(a, b, labelled=True)):
        out[a[i].label][1] += 1
    return out


def _diagonal_step(k: int, m: int) -> float:
    """What a token k of m annotators put the label on changes in the label's diagonal."""
    return (k * (k - 1) + (m - k) * (m - k - 1)) / (m - 1) - m


@cache
def _whole_steps(m: int) -> list[float] | None:
    """_diagonal_step(k, m) per k when every one is a whole number (m = 2, 3: the usual),
    else None. Whole-number floats add up exactly in any order, so a document's tokens can
    be summed per k without changing a bit of the figures."""
    if any((k * (k - 1) + (m - k) * (m - k - 1)) % (m - 1) for k in range(m + 1)):
        return None
    return [_diagonal_step(k, m) for k in range(m + 1)]


class Corpus:
    """The sums of every compared document so far."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self.pairs: dict[Pair, PairFigures] = {}
        self.confusion: dict[Pair, Confusion] = {}
        self.label_counts: dict[tuple[str, Pair], list[int]] = {}  # as span_counts
        self.alpha = Coincidence()
        self.label_base = Coincidence()  # every token as "not the label"
        self.label_alpha: dict[str, Coincidence] = {}  # corrections for the label's tokens
        self.fleiss: dict[int, Fleiss] = {}  # per number of raters: the tokens they rated
        self.documents: list[DocumentFigures] = []
        self.members: dict[str, frozenset[str]] = {}
        self.attributes = AttributeTally()
        self.sums = DocumentSums()
        self._counted: dict[tuple[Label, ...], Counter[Label]] = {}
        self._groups: dict[tuple[str, ...], frozenset[str]] = {}
        self._names: dict[tuple[str, ...], list[str]] = {}

    def add(self, doc: DocumentSets) -> None:
        names = self._names.setdefault(tuple(doc.annotators), doc.annotators)  # shared
        m = len(names)
        group = self._groups.get(tuple(names))
        if group is None:  # one frozenset per distinct group of annotators, not per document
            group = self._groups[tuple(names)] = frozenset(names)
        self.members[doc.id] = group
        tokens = tokens_near(doc.text, ((s.start, s.end) for v in doc.sets.values() for s in v))
        n_tokens = token_count(doc.text)
        quiet = n_tokens - len(tokens)  # tokens no span touches: O for everybody
        labels: dict[str, list[Label]] = {}
        touched: dict[str, dict[str, set[int]]] = {}
        for who in names:
            labels[who], touched[who] = token_labels(
                tokens, ((s.start, s.end, s.label) for s in doc.sets[who]))
        columns = Counter(zip(*(labels[w] for w in names), strict=True))
        rows = tuple(self._pair(doc, i, j, names, columns, quiet)
                     for i, j in combinations(range(m), 2))

        alpha = Coincidence()
        fleiss = Fleiss(m)
        for values, times in ((*columns.items(),) + (((None,) * m, quiet),)):
            if times:
                count = self._counted.get(values)
                if count is None:  # a handful of label combinations make up most tokens
                    count = self._counted[values] = Counter(values)
                alpha.unit(count, m, times)
                fleiss.unit(count, times)
        self.alpha.add(alpha)
        self.fleiss.setdefault(m, Fleiss(m)).add(fleiss)
        self._label_alpha(names, touched, n_tokens)
        self.attributes.add(doc, self.schemas.span_attributes(doc.schema_ref))
        self.documents.append(DocumentFigures(doc.id, names, rows, alpha.alpha(),
                                              fleiss.kappa()))
        self.sums.add(sum(r[2] for r in rows), sum(r[3] for r in rows),
                      sum(r[4] + r[5] for r in rows), alpha.n, alpha.diagonal, alpha.totals)

    def _pair(self, doc: DocumentSets, i: int, j: int, names: list[str],
              columns: Counter[tuple[Label, ...]], quiet: int) -> PairRow:
        """The pair (names[i], names[j]) on this document, added to the corpus sums; its
        token labels are read off the columns of all annotators' labels."""
        a, b = names[i], names[j]
        cells: Counter[tuple[Label, Label]] = Counter()
        for values, times in columns.items():
            cells[(values[i], values[j])] += times
        cells[(None, None)] += quiet
        confusion = Confusion(cells)
        kappa, annotated, percent, tokens = confusion.figures()
        etp = otp = na = nb = 0
        for label, c in span_counts(doc.sets[a], doc.sets[b]).items():
            etp += c[0]
            otp += c[1]
            na += c[2]
            nb += c[3]
            pooled = self.label_counts.get((label, (a, b)))
            if pooled is None:
                self.label_counts[(label, (a, b))] = c
            else:
                for k in range(4):
                    pooled[k] += c[k]
        total = self.pairs.get((a, b))
        if total is None:
            total = self.pairs[(a, b)] = PairFigures(a, b)
            self.confusion[(a, b)] = Confusion()
        total.documents += 1
        total.tokens += tokens
        total.exact.add(Counts(etp, na, nb))
        total.overlap.add(Counts(otp, na, nb))
        self.confusion[(a, b)].add(confusion)
        return (a, b, etp, otp, na, nb, kappa, annotated, percent, tokens)

    def _label_alpha(self, names: list[str], touched: dict[str, dict[str, set[int]]],
                     n_tokens: int) -> None:
        """Binary α per label, kept as every token "not the label" (label_base) plus, per
        label, the difference its tokens make: linear in the tokens a span touches."""
        m = len(names)
        self.label_base.unit(Counter({False: m}), m, n_tokens)
        steps = _whole_steps(m) if m > 1 else None
        for label in {lab for t in touched.values() for lab in t}:
            hits: Counter[int] = Counter()
            for who in names:
                hits.update(touched[who].get(label, ()))
            fix = self.label_alpha.setdefault(label, Coincidence())
            if steps is not None:  # whole numbers: summed per k, the same float exactly
                for k, times in Counter(hits.values()).items():
                    fix.diagonal += steps[k] * times
                    fix.totals[True] += k * times
                    fix.totals[False] -= k * times
                continue
            for k in hits.values():  # k of m annotators put the label on this token
                fix.diagonal += _diagonal_step(k, m)
                fix.totals[True] += k
                fix.totals[False] -= k

    def report(self, status: str, label: str | None, links: LinkTally,
               resamples: int = RESAMPLES, seed: int = SEED) -> AgreementReport:
        pairs = sorted(self.pairs)
        figures = []
        for key in pairs:
            fig = self.pairs[key]
            confusion = self.confusion[key]
            fig.cohen_kappa = confusion.kappa()
            fig.cohen_kappa_annotated = confusion.kappa(annotated_only=True)
            fig.percent_agreement = confusion.percent()
            figures.append(fig)
        by_label = {}
        for lab in sorted({lab for lab, _ in self.label_counts} | set(self.label_alpha)):
            per_pair = []
            for a, b in pairs:
                c = self.label_counts.get((lab, (a, b)), [0, 0, 0, 0])
                per_pair.append(PairFigures(a, b, exact=Counts(c[0], c[2], c[3]),
                                            overlap=Counts(c[1], c[2], c[3])))
            binary = Coincidence(self.label_base.n, self.label_base.diagonal,
                                 Counter(self.label_base.totals))
            binary.add(self.label_alpha.get(lab, Coincidence()))
            by_label[lab] = LabelFigures(lab, per_pair, binary.alpha())
        everyone = sorted({w for p in pairs for w in p})
        # Fleiss' κ wants a fixed number of raters per unit (not fixed raters): the tokens of
        # the documents with the rater count that rated most tokens (ties: more raters)
        fleiss = max(self.fleiss.values(), key=lambda f: (f.units, f.raters), default=None)
        if fleiss is not None and not fleiss.units:
            fleiss = None
        report = AgreementReport(
            everyone, status, label, figures, by_label, self.documents,
            self.attributes.figures(pairs), links.figures(pairs), self.alpha.alpha(),
            fleiss.kappa() if fleiss else None, fleiss.raters if fleiss else None)
        report.ci95 = intervals(self.sums, resamples, seed)
        return report
