"""One streaming pass over the store: each compared document's figures, and the sums that pool
them over the corpus (docs/agreement.md). Documents are read in id order, a batch at a time,
and each batch is worked out column-wise (numpy) for all its documents at once."""

from __future__ import annotations

from array import array
from collections import Counter
from itertools import combinations

import numpy as np

from annotator.agreement.attribute_columns import AttributeColumns
from annotator.agreement.attributes import AttributeTally
from annotator.agreement.bootstrap import RESAMPLES, SEED, DocumentSums, intervals
from annotator.agreement.columns import BatchSpans, Ints, Labels
from annotator.agreement.document_figures import DocumentFigures
from annotator.agreement.figures import (
    AgreementReport,
    Counts,
    LabelFigures,
    PairFigures,
)
from annotator.agreement.links import LinkTally
from annotator.agreement.matching import interval_edges, max_matching
from annotator.agreement.sets import Schemas, SetSpan
from annotator.agreement.span_matches import SpanMatches, span_matches
from annotator.agreement.token_columns import BatchTokens, batch_tokens
from annotator.agreement.token_figures import alphas, fleiss_kappas, kappas, pair_cells
from annotator.agreement.tokens import Coincidence, Confusion, Fleiss
from annotator.store.agreement_reads import DocumentBatch

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


class Corpus:
    """The sums of every compared document so far."""

    def __init__(self, schemas: Schemas, label: str | None = None) -> None:
        self.schemas = schemas
        self.label = label  # only spans of this label are compared
        self.labels = Labels()
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
        self._attribute_columns = AttributeColumns(self.attributes)
        self._pair_names: list[Pair] = []
        self._pair_ids: dict[Pair, int] = {}
        # per distinct group of annotators: their names, as a set, and their pairs' numbers
        self._groups: dict[tuple[str, ...], tuple[list[str], frozenset[str], list[int]]] = {}
        self._span_typed: dict[str | None, frozenset[tuple[str, str]]] = {}

    def add_batch(self, batch: DocumentBatch) -> None:
        b = BatchSpans(batch, self.labels, self.label)
        matches = span_matches(b)
        tokens = batch_tokens(b)
        groups = [self._group(d.annotators) for d in b.docs]
        pair_of = np.array([p for g in groups for p in g[2]], np.int64)
        rows, totals = self._pair_rows(b, matches, tokens, pair_of)
        agree = np.bincount(b.pair_doc, weights=rows[:, 8], minlength=len(b.docs))
        diagonal, alpha = alphas(b.m, tokens.count, agree, totals)
        fleiss = fleiss_kappas(b.m, tokens.count, agree, totals)
        self._pool_tokens(b, tokens, agree.astype(np.int64), totals, diagonal)
        span_typed = [self._typed(d.schema_ref) for d in b.docs]
        self._attribute_columns.add(b, matches, batch, self.labels.names, span_typed,
                                    self._pair_names, pair_of)
        head = np.column_stack((alpha, fleiss)).tobytes()  # 16 bytes a document
        table = np.ascontiguousarray(rows[:, :8]).tobytes()  # 64 bytes a doc pair
        bounds = (b.pair_base * 64).tolist()
        for d, (doc, (names, group, _)) in enumerate(zip(b.docs, groups, strict=True)):
            self.members[doc.id] = group
            numbers = array("d", head[16 * d:16 * d + 16])
            numbers.frombytes(table[bounds[d]:bounds[d + 1]])
            self.documents.append(DocumentFigures.packed(doc.id, names, numbers))
        per_doc = [np.bincount(b.pair_doc, weights=rows[:, k], minlength=len(b.docs))
                   for k in (0, 1)]
        sizes = np.bincount(b.pair_doc, weights=rows[:, 2] + rows[:, 3], minlength=len(b.docs))
        labels = [None, *self.labels.names]
        self.sums.extend([*per_doc, sizes, (b.m * tokens.count).astype(np.float64), diagonal],
                         {labels[v]: totals[:, v] for v in np.flatnonzero(totals.any(axis=0))})

    def _group(self, annotators: list[str]) -> tuple[list[str], frozenset[str], list[int]]:
        key = tuple(annotators)
        found = self._groups.get(key)
        if found is None:  # one of each per distinct group of annotators, not per document
            pairs = []
            for pair in combinations(annotators, 2):
                if pair not in self._pair_ids:
                    self._pair_ids[pair] = len(self._pair_names)
                    self._pair_names.append(pair)
                pairs.append(self._pair_ids[pair])
            found = self._groups[key] = (annotators, frozenset(annotators), pairs)
        return found

    def _typed(self, ref: str | None) -> frozenset[tuple[str, str]]:
        found = self._span_typed.get(ref)
        if found is None:
            found = self._span_typed[ref] = self.schemas.span_attributes(ref)
        return found

    def _pair_rows(self, b: BatchSpans, matches: SpanMatches, tokens: BatchTokens,
                   pair_of: Ints) -> tuple[Ints, Ints]:
        """Per doc pair: exact tp, overlap tp, |A|, |B|, κ, κ annotated, percent agreement,
        tokens, agreeing tokens; each pair's sums added to the corpus. And per document and
        token label, how many times its annotators gave it (read off the pairs' tables)."""
        out = np.empty((len(b.pair_doc), 9))
        for k, c in enumerate((matches.exact, matches.overlap, matches.size_a, matches.size_b)):
            out[:, k] = c.sum(axis=1)
        out[:, 7] = tokens.count[b.pair_doc]
        values = len(self.labels.names) + 1
        ways = tokens.labels.shape[1]
        totals = np.zeros((len(b.docs), values), np.int64)
        for i, j in combinations(range(ways), 2):
            at = np.flatnonzero((b.pair_i == i) & (b.pair_j == j))
            if not at.size:
                continue
            cells = pair_cells(tokens.doc, tokens.labels, i, j, len(b.docs), values)
            if i == 0:  # annotator 0's labels once, each other annotator j's with (0, j)
                if j == 1:
                    totals += cells.sum(axis=2)
                totals += cells.sum(axis=1) * (b.m > j)[:, None]
            cells = cells[b.pair_doc[at]]
            kappa, annotated, percent, agree = kappas(cells)
            out[at, 4], out[at, 5], out[at, 6], out[at, 8] = kappa, annotated, percent, agree
            self._pool_confusion(pair_of[at], cells)
        self._pool_spans(b, matches, pair_of, out)
        return out, totals

    def _pool_confusion(self, pair_of: Ints, cells: Ints) -> None:
        names = [None, *self.labels.names]
        for p in np.unique(pair_of).tolist():
            total = cells[pair_of == p].sum(axis=0)
            confusion = self.confusion.setdefault(self._pair_names[p], Confusion())
            for x, y in zip(*np.nonzero(total), strict=True):
                confusion.cells[(names[x], names[y])] += int(total[x, y])

    def _pool_spans(self, b: BatchSpans, matches: SpanMatches, pair_of: Ints,
                    rows: Ints) -> None:
        per_label = np.stack((matches.exact, matches.overlap, matches.size_a,
                              matches.size_b), axis=2)
        for p in np.unique(pair_of).tolist():
            at = pair_of == p
            key = self._pair_names[p]
            total = self.pairs.get(key)
            if total is None:
                total = self.pairs[key] = PairFigures(*key)
                self.confusion.setdefault(key, Confusion())
            etp, otp, na, nb = (int(x) for x in rows[at, :4].sum(axis=0))
            total.documents += int(at.sum())
            total.tokens += int(rows[at, 7].sum())
            total.exact.add(Counts(etp, na, nb))
            total.overlap.add(Counts(otp, na, nb))
            counts = per_label[at].sum(axis=0)
            for lab in np.flatnonzero(counts[:, 2] + counts[:, 3]).tolist():
                c = [int(x) for x in counts[lab]]
                pooled = self.label_counts.setdefault((self.labels.names[lab], key), [0] * 4)
                for k in range(4):
                    pooled[k] += c[k]

    def _pool_tokens(self, b: BatchSpans, tokens: BatchTokens, agree: Ints, totals: Ints,
                     diagonal: Ints) -> None:
        """α, Fleiss' κ per rater count, and the per-label binary α's sums."""
        names = [None, *self.labels.names]
        m, count = b.m, tokens.count
        self.alpha.n += float((m * count).sum())
        self.alpha.diagonal += float(diagonal.sum())
        for v in np.flatnonzero(totals.any(axis=0)).tolist():
            self.alpha.totals[names[v]] += int(totals[:, v].sum())
        for raters in np.unique(m).tolist():
            at = m == raters
            fleiss = self.fleiss.setdefault(raters, Fleiss(raters))
            units = int(count[at].sum())
            fleiss.units += units
            fleiss.squares += raters * units + 2 * int(agree[at].sum())
            for v in np.flatnonzero(totals[at].any(axis=0)).tolist():
                fleiss.totals[names[v]] += int(totals[at, v].sum())
        base = int((m * count).sum())
        self.label_base.n += base
        self.label_base.diagonal += base
        self.label_base.totals[False] += base
        token, lab, k = tokens.touched
        raters = m[tokens.doc[token]]
        step = (k * (k - 1) + (raters - k) * (raters - k - 1)) / (raters - 1) - raters
        n_labels = len(self.labels.names)
        steps = np.bincount(lab, weights=step, minlength=n_labels)
        hits = np.bincount(lab, weights=k, minlength=n_labels).astype(np.int64)
        for x in np.unique(lab).tolist():
            fix = self.label_alpha.setdefault(self.labels.names[x], Coincidence())
            fix.diagonal += float(steps[x])
            fix.totals[True] += int(hits[x])
            fix.totals[False] -= int(hits[x])

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
