"""The typed result of an agreement computation, and its JSON shape (docs/agreement.md, with
`attributes` and `links`). Undefined figures are None here and null in JSON, never 0 or 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean, pstdev
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.agreement.document_figures import DocumentFigures

DIGITS = 4  # JSON figures are rounded to this many decimals (float noise is not agreement)


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def rounded(x: float | None) -> float | None:
    return None if x is None else round(x, DIGITS)


def mean_sd(values: list[float | None]) -> tuple[float | None, float | None]:
    """Mean and population SD of the defined values (None when there are none)."""
    defined = [v for v in values if v is not None]
    if not defined:
        return None, None
    return fmean(defined), pstdev(defined)


def mean(values: list[float | None]) -> float | None:
    """The mean of the defined values (None when there are none); no SD: pstdev is exact,
    and slow (fractions), and a corpus has many documents."""
    defined = [v for v in values if v is not None]
    return fmean(defined) if defined else None


@dataclass(slots=True)
class Counts:
    """Matches of B's items against reference A's: tp, and each side's size."""

    tp: int = 0
    a: int = 0  # |A|
    b: int = 0  # |B|

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.a += other.a
        self.b += other.b

    @property
    def fp(self) -> int:
        return self.b - self.tp

    @property
    def fn(self) -> int:
        return self.a - self.tp

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.b)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.a)

    @property
    def f1(self) -> float | None:
        return ratio(2 * self.tp, self.a + self.b)

    def to_json(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": rounded(self.precision), "recall": rounded(self.recall),
                "f1": rounded(self.f1)}


def pooled_f1(counts: list[Counts]) -> float | None:
    """Micro F1 over pairs: 2·Σtp / (2·Σtp + Σfp + Σfn)."""
    total = Counts()
    for c in counts:
        total.add(c)
    return total.f1


class PooledPairs:
    """Span (or link) F1 pooled over `pairs`, each with `exact` and `overlap` Counts."""

    __slots__ = ()
    pairs: list[Any]

    @property
    def exact_f1_pooled(self) -> float | None:
        return pooled_f1([p.exact for p in self.pairs])

    @property
    def overlap_f1_pooled(self) -> float | None:
        return pooled_f1([p.overlap for p in self.pairs])


@dataclass(slots=True)
class PairFigures:
    """One annotator pair over the corpus (A is the reference)."""

    a: str
    b: str
    documents: int = 0
    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)
    cohen_kappa: float | None = None
    cohen_kappa_annotated: float | None = None
    percent_agreement: float | None = None
    tokens: int = 0

    def to_json(self, with_documents: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"a": self.a, "b": self.b}
        if with_documents:
            out["documents"] = self.documents
        return out | {"exact": self.exact.to_json(), "overlap": self.overlap.to_json(),
                      "cohen_kappa": rounded(self.cohen_kappa),
                      "cohen_kappa_annotated": rounded(self.cohen_kappa_annotated),
                      "percent_agreement": rounded(self.percent_agreement)}


@dataclass(slots=True)
class LabelFigures(PooledPairs):
    """One label: span F1s pooled over pairs, and binary α (the label vs everything else)."""

    label: str
    pairs: list[PairFigures]
    krippendorff_alpha: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"exact_f1_pooled": rounded(self.exact_f1_pooled),
                "overlap_f1_pooled": rounded(self.overlap_f1_pooled),
                "krippendorff_alpha": rounded(self.krippendorff_alpha)}


@dataclass(slots=True)
class AttributePair:
    a: str
    b: str
    units: int = 0  # exact-matched span pairs where at least one side has the attribute
    agree: int = 0

    @property
    def percent_agreement(self) -> float | None:
        return ratio(self.agree, self.units)

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "units": self.units, "agree": self.agree,
                "percent_agreement": rounded(self.percent_agreement)}


@dataclass(slots=True)
class AttributeFigures:
    """One attribute of one label, on spans that annotators marked identically."""

    label: str
    attribute: str
    pairs: list[AttributePair]
    krippendorff_alpha: float | None = None

    @property
    def units(self) -> int:
        return sum(p.units for p in self.pairs)

    @property
    def agree(self) -> int:
        return sum(p.agree for p in self.pairs)

    @property
    def percent_agreement(self) -> float | None:
        return ratio(self.agree, self.units)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "attribute": self.attribute, "units": self.units,
                "agree": self.agree, "percent_agreement": rounded(self.percent_agreement),
                "krippendorff_alpha": rounded(self.krippendorff_alpha),
                "pairs": [p.to_json() for p in self.pairs]}


@dataclass(slots=True)
class LinkPair:
    a: str
    b: str
    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "exact": self.exact.to_json(),
                "overlap": self.overlap.to_json()}


@dataclass(slots=True)
class LinkGroup(PooledPairs):
    """Link agreement over some links (all, one type, or one scope), per pair and pooled."""

    pairs: list[LinkPair]

    def to_json(self) -> dict[str, Any]:
        return {"exact_f1_pooled": rounded(self.exact_f1_pooled),
                "overlap_f1_pooled": rounded(self.overlap_f1_pooled),
                "pairs": [p.to_json() for p in self.pairs]}


@dataclass(slots=True)
class LinkFigures:
    all: LinkGroup
    by_type: dict[str, LinkGroup]
    cross_document: LinkGroup
    in_document: LinkGroup

    def to_json(self) -> dict[str, Any]:
        return self.all.to_json() | {
            "by_type": {t: g.to_json() for t, g in self.by_type.items()},
            "cross_document": self.cross_document.to_json(),
            "in_document": self.in_document.to_json()}


CI_KEYS = ("exact_f1_pooled", "overlap_f1_pooled", "krippendorff_alpha")


@dataclass(slots=True)
class AgreementReport(PooledPairs):
    """Everything `annotator agreement` shows; `to_json()` is its JSON output."""

    annotators: list[str]
    status: str
    label: str | None
    pairs: list[PairFigures]
    by_label: dict[str, LabelFigures]
    by_document: list[DocumentFigures]
    attributes: dict[str, AttributeFigures]
    links: LinkFigures
    krippendorff_alpha: float | None = None
    fleiss_kappa: float | None = None
    fleiss_raters: int | None = None  # the raters per token Fleiss' κ is over
    ci95: dict[str, tuple[float, float] | None] = field(
        default_factory=lambda: dict.fromkeys(CI_KEYS))

    @property
    def documents(self) -> int:
        return len(self.by_document)

    def overall(self) -> dict[str, float | None]:
        exact_mean, exact_sd = mean_sd([p.exact.f1 for p in self.pairs])
        overlap_mean, _ = mean_sd([p.overlap.f1 for p in self.pairs])
        return {"exact_f1_pooled": self.exact_f1_pooled, "exact_f1_mean": exact_mean,
                "exact_f1_sd": exact_sd, "overlap_f1_pooled": self.overlap_f1_pooled,
                "overlap_f1_mean": overlap_mean,
                "cohen_kappa_mean": mean([p.cohen_kappa for p in self.pairs]),
                "fleiss_kappa": self.fleiss_kappa, "fleiss_kappa_raters": self.fleiss_raters,
                "krippendorff_alpha": self.krippendorff_alpha}

    def least_agreed(self, n: int = 10) -> list[DocumentFigures]:
        """The n documents with the lowest mean exact F1 (then overlap F1, then α); documents
        where it is undefined come after those where it is not."""
        def key(d: DocumentFigures) -> tuple[Any, ...]:
            return tuple((v is None, v if v is not None else 0.0) for v in
                         (d.exact_f1_mean, d.overlap_f1_mean, d.krippendorff_alpha)) + (d.id,)
        return sorted(self.by_document, key=key)[:n]

    def _head(self) -> dict[str, Any]:
        overall: dict[str, Any] = {k: rounded(v) for k, v in self.overall().items()}
        overall["ci95"] = {k: None if v is None else [rounded(v[0]), rounded(v[1])]
                           for k, v in self.ci95.items()}
        return {"annotators": self.annotators, "documents": self.documents,
                "status": self.status, "label": self.label, "overall": overall,
                "pairs": [p.to_json() for p in self.pairs],
                "by_label": {k: v.to_json() for k, v in self.by_label.items()}}

    def _tail(self) -> dict[str, Any]:
        return {"attributes": {k: v.to_json() for k, v in self.attributes.items()},
                "links": self.links.to_json()}

    def to_json(self) -> dict[str, Any]:
        return self._head() | {"by_document": [d.to_json() for d in self.by_document]
                               } | self._tail()

    def write_json(self, write: Callable[[str], Any]) -> int:
        """The same object as to_json(), written piece by piece: each top-level key on a line,
        each document on a line, never the whole text in memory (a corpus has many).
        Returns the number of documents written."""
        from annotator.agreement.document_figures import JsonLines

        dumps = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every line

        write("{\n")
        for key, value in self._head().items():
            write(f"  {dumps(key)}: {dumps(value)},\n")
        write('  "by_document": [')
        lines = JsonLines(dumps)
        docs = self.by_document
        for start in range(0, len(docs), 256):  # a write per 256 documents, not per one
            write("".join([("," if i else "") + "\n    " + lines.line(docs[i])
                           for i in range(start, min(start + 256, len(docs)))]))
        write("\n  ],\n" if docs else "],\n")
        tail = list(self._tail().items())
        for i, (key, value) in enumerate(tail):
            write(f"  {dumps(key)}: {dumps(value)}{',' if i < len(tail) - 1 else ''}\n")
        write("}\n")
        return len(self.by_document)
