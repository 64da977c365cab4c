"""Per-document agreement figures, kept compact (a corpus has many), and their JSON lines
(docs/agreement.md, "JSON": `by_document`)."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import combinations
from math import nan as NAN
from typing import Any

from annotator.agreement.figures import Counts, PairFigures, mean, ratio, rounded

# a pair on one document, kept small (a corpus has many): a, b, exact tp, overlap tp, |A|, |B|,
# Cohen's κ, κ annotated, percent agreement, tokens
PairRow = tuple[str, str, int, int, int, int, float | None, float | None, float | None, int]


def _packed(x: float | None) -> float:
    return NAN if x is None else x


def _unpacked(x: float) -> float | None:
    return None if x != x else x  # NaN is the only value not equal to itself


class DocumentFigures:
    """One document with at least two sets. A corpus has many: the figures are kept as one
    array of doubles (None as NaN), not as Python objects, so memory stays flat."""

    __slots__ = ("id", "annotators", "_numbers")

    def __init__(self, id: str, annotators: list[str], rows: tuple[PairRow, ...],
                 krippendorff_alpha: float | None = None,
                 fleiss_kappa: float | None = None) -> None:
        self.id = id
        self.annotators = annotators
        numbers = array("d", (_packed(krippendorff_alpha), _packed(fleiss_kappa)))
        for r in rows:
            numbers.extend(_packed(x) for x in r[2:])
        self._numbers = numbers

    @classmethod
    def packed(cls, id: str, annotators: list[str], numbers: array[float]) -> DocumentFigures:
        """From its numbers as kept: α, Fleiss' κ, then per pair exact tp, overlap tp, |A|,
        |B|, κ, κ annotated, percent agreement, tokens (None as NaN)."""
        self = cls.__new__(cls)
        self.id, self.annotators, self._numbers = id, annotators, numbers
        return self

    @property
    def krippendorff_alpha(self) -> float | None:
        return _unpacked(self._numbers[0])

    @property
    def fleiss_kappa(self) -> float | None:
        return _unpacked(self._numbers[1])

    @property
    def rows(self) -> tuple[PairRow, ...]:
        """(a, b, exact tp, overlap tp, |A|, |B|, κ, κ annotated, percent, tokens) per pair,
        pairs in name order."""
        n = self._numbers
        out = []
        for k, (a, b) in enumerate(combinations(self.annotators, 2)):
            x = n[2 + 8 * k: 10 + 8 * k]
            out.append((a, b, int(x[0]), int(x[1]), int(x[2]), int(x[3]), _unpacked(x[4]),
                        _unpacked(x[5]), _unpacked(x[6]), int(x[7])))
        return tuple(out)

    @property
    def pairs(self) -> list[PairFigures]:
        return [PairFigures(a, b, 1, Counts(etp, na, nb), Counts(otp, na, nb), k, ka, pa, n)
                for a, b, etp, otp, na, nb, k, ka, pa, n in self.rows]

    @property
    def exact_f1_mean(self) -> float | None:
        n = self._numbers
        return mean([ratio(2 * n[k + 2], n[k + 4] + n[k + 5]) for k in range(0, len(n) - 2, 8)])

    @property
    def overlap_f1_mean(self) -> float | None:
        n = self._numbers
        return mean([ratio(2 * n[k + 3], n[k + 4] + n[k + 5]) for k in range(0, len(n) - 2, 8)])

    def to_json(self) -> dict[str, Any]:
        """Its JSON object (JsonLines.line writes the same, faster)."""
        return {"id": self.id, "annotators": self.annotators,
                "exact_f1_mean": rounded(self.exact_f1_mean),
                "overlap_f1_mean": rounded(self.overlap_f1_mean),
                "krippendorff_alpha": rounded(self.krippendorff_alpha),
                "fleiss_kappa": rounded(self.fleiss_kappa),
                "pairs": [{"a": a, "b": b, "exact_f1": rounded(ratio(2 * etp, na + nb)),
                           "overlap_f1": rounded(ratio(2 * otp, na + nb)),
                           "cohen_kappa": rounded(k)}
                          for a, b, etp, otp, na, nb, k, *_ in self.rows]}


class JsonLines:
    """Each document's `to_json()` as json.dumps would write it, without building the dict:
    what is the same for every document of a group of annotators is encoded once."""

    def __init__(self, dumps: Callable[[Any], str]) -> None:
        self.dumps = dumps
        self._groups: dict[tuple[str, ...], tuple[str, list[str]]] = {}
        self._written: dict[float, str] = {}  # figures repeat (F1s of small counts)

    def number(self, x: float | None) -> str:
        """A figure rounded as `rounded` does, written as json.dumps writes it."""
        if x is None:
            return "null"
        found = self._written.get(x)
        if found is None:
            found = float.__repr__(round(x, 4))
            if x:  # not 0.0 / -0.0, equal keys that are written differently
                if len(self._written) > 100_000:
                    self._written.clear()
                self._written[x] = found
        return found

    def line(self, doc: DocumentFigures) -> str:
        names = tuple(doc.annotators)
        found = self._groups.get(names)
        if found is None:
            found = self._groups[names] = (self.dumps(doc.annotators), [
                f'{{"a": {self.dumps(a)}, "b": {self.dumps(b)}, "exact_f1": '
                for a, b in combinations(names, 2)])
        annotators, heads = found
        n, number = doc._numbers, self.number
        pairs = []
        exact: list[float | None] = []
        overlap: list[float | None] = []
        for k, head in enumerate(heads):
            at = 2 + 8 * k
            size = n[at + 2] + n[at + 3]
            e, o = ratio(2 * n[at], size), ratio(2 * n[at + 1], size)
            exact.append(e)
            overlap.append(o)
            pairs.append(f'{head}{number(e)}, "overlap_f1": {number(o)}, "cohen_kappa": '
                         f'{number(_unpacked(n[at + 4]))}}}')
        return (f'{{"id": {self.dumps(doc.id)}, "annotators": {annotators}, "exact_f1_mean": '
                f'{number(mean(exact))}, "overlap_f1_mean": {number(mean(overlap))}, '
                f'"krippendorff_alpha": {number(_unpacked(n[0]))}, "fleiss_kappa": '
                f'{number(_unpacked(n[1]))}, "pairs": [{", ".join(pairs)}]}}')
