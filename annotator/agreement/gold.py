"""Each annotator against the gold set (`annotator agreement --against gold`, docs/agreement.md):
on every document where gold and the annotator both have a set, span P/R/F1 (exact, and
overlap by the same maximum matching), per label, attribute accuracy on the spans that match
gold exactly, and link P/R/F1. Gold is the reference: precision = tp / |annotator's|,
recall = tp / |gold's|. The same one streaming pass as the agreement between annotators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.agreement.attributes import AttributeTally
from annotator.agreement.compute import STATUSES, span_counts
from annotator.agreement.figures import Counts, ratio, rounded
from annotator.agreement.links import LinkTally
from annotator.agreement.sets import DocumentSets, Schemas, document_sets
from annotator.model import GOLD

if TYPE_CHECKING:
    from annotator.store import Store


@dataclass(slots=True)
class Match:
    """Exact and overlap matches of an annotator's items against gold's."""

    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)

    def add(self, other: Match) -> None:
        self.exact.add(other.exact)
        self.overlap.add(other.overlap)

    def to_json(self) -> dict[str, Any]:
        return {"exact": self.exact.to_json(), "overlap": self.overlap.to_json()}


@dataclass(slots=True)
class Accuracy:
    """One attribute on the spans that match gold exactly: units are those where gold or the
    annotator gives the attribute; correct, those where both give the same value."""

    units: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.units)

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units, "correct": self.correct,
                "accuracy": rounded(self.accuracy)}


@dataclass(slots=True)
class AnnotatorScore:
    """One annotator against gold, summed over the documents both have."""

    annotator: str
    documents: int = 0
    spans: Match = field(default_factory=Match)
    by_label: dict[str, Match] = field(default_factory=dict)
    attributes: dict[str, Accuracy] = field(default_factory=dict)  # "LABEL.attribute"
    links: Match = field(default_factory=Match)
    links_by_type: dict[str, Match] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"annotator": self.annotator, "documents": self.documents,
                **self.spans.to_json(),
                "by_label": {k: v.to_json() for k, v in sorted(self.by_label.items())},
                "attributes": {k: v.to_json() for k, v in sorted(self.attributes.items())},
                "links": self.links.to_json() | {
                    "by_type": {k: v.to_json() for k, v in sorted(self.links_by_type.items())}}}


@dataclass(slots=True)
class DocumentScore:
    """One annotator's spans on one document against gold's."""

    id: str
    annotator: str
    spans: Match

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "annotator": self.annotator, **self.spans.to_json()}


@dataclass(slots=True)
class GoldReport:
    """Everything `annotator agreement --against gold` shows; `to_json()` is its JSON."""

    status: str
    label: str | None
    documents: int  # documents with a gold set and at least one annotator's
    annotators: list[AnnotatorScore]
    by_document: list[DocumentScore]

    def to_json(self) -> dict[str, Any]:
        return {"against": "gold", "status": self.status, "label": self.label,
                "documents": self.documents,
                "annotators": [a.to_json() for a in self.annotators],
                "by_document": [d.to_json() for d in self.by_document]}


class GoldTally:
    """The sums of every document with gold so far."""

    def __init__(self) -> None:
        self.scores: dict[str, AnnotatorScore] = {}
        self.by_document: list[DocumentScore] = []
        self.members: dict[str, frozenset[str]] = {}
        self.attributes = AttributeTally()
        self.documents = 0

    def add(self, doc: DocumentSets, span_typed: frozenset[tuple[str, str]]) -> None:
        gold = doc.sets[GOLD]
        self.documents += 1
        self.members[doc.id] = frozenset(doc.sets)
        for who in doc.annotators:
            if who == GOLD:
                continue
            score = self.scores.setdefault(who, AnnotatorScore(who))
            score.documents += 1
            on_doc = Match()
            for lab, (etp, otp, n_gold, n_who) in span_counts(gold, doc.sets[who]).items():
                match = Match(Counts(etp, n_gold, n_who), Counts(otp, n_gold, n_who))
                on_doc.add(match)
                score.by_label.setdefault(lab, Match()).add(match)
            score.spans.add(on_doc)
            self.by_document.append(DocumentScore(doc.id, who, on_doc))
            self.attributes.add(DocumentSets(doc.id, doc.text, doc.schema_ref,
                                             {GOLD: gold, who: doc.sets[who]}), span_typed)

    def report(self, status: str, label: str | None, links: LinkTally) -> GoldReport:
        for (lab, name, a, b), pair in self.attributes.pairs.items():
            who = b if a == GOLD else a
            if GOLD in (a, b) and who in self.scores:
                self.scores[who].attributes[f"{lab}.{name}"] = Accuracy(pair.units, pair.agree)
        for (_, type_, a, b), link in links.counts.items():
            if GOLD not in (a, b):
                continue  # two annotators: their agreement, not this
            who = b if a == GOLD else a
            match = Match(_from_gold(link.exact, a), _from_gold(link.overlap, a))
            self.scores[who].links.add(match)
            self.scores[who].links_by_type.setdefault(type_, Match()).add(match)
        return GoldReport(status, label, self.documents,
                          [self.scores[w] for w in sorted(self.scores)], self.by_document)


def _from_gold(c: Counts, reference: str) -> Counts:
    """c with gold as the reference (A): pairs are in name order, and a name may sort
    before "@gold"."""
    return Counts(c.tp, c.a, c.b) if reference == GOLD else Counts(c.tp, c.b, c.a)


def compute_against_gold(store: Store, status: str = "done", label: str | None = None,
                         without_suggested: bool = False) -> GoldReport:
    """Every annotator against gold, on the documents where gold's set and theirs have
    `status` ("done", or "any"); `label`: only spans (and links touching spans) of it."""
    from annotator.store.agreement_reads import agreement_reader

    with agreement_reader(store, STATUSES[status], gold=True,
                          without_suggested=without_suggested) as reader:
        schemas = Schemas(reader)
        tally = GoldTally()
        for rows in reader.documents(min_sets=2):
            doc = document_sets(rows, label)
            tally.add(doc, schemas.span_attributes(doc.schema_ref))
        links = LinkTally(schemas.symmetric_links())
        links.add_all(reader.links(), tally.members, label)
    return tally.report(status, label, links)
