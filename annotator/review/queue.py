"""The review queue (docs/review.md, "The queue"): documents worst agreement first, those
already adjudicated and those with fewer than two annotators' sets left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.review.state import document_clusters

if TYPE_CHECKING:
    from annotator.store import Store


@dataclass(frozen=True, slots=True)
class DocRow:
    """One document of the queue."""

    doc_id: str
    title: str
    annotators: tuple[str, ...]
    exact_f1: float | None  # mean over annotator pairs (docs/agreement.md); None: undefined
    overlap_f1: float | None
    clusters: int
    disagreements: int
    undecided: int

    def to_json(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {"id": self.doc_id, "title": self.title, "annotators": list(self.annotators),
                "exact_f1": r(self.exact_f1), "overlap_f1": r(self.overlap_f1),
                "clusters": self.clusters, "disagreements": self.disagreements,
                "undecided": self.undecided}


def _f1s(store: Store, status: str) -> dict[str, tuple[float | None, float | None]]:
    """The agreement's per-document F1 (exact, overlap), mean over pairs, of the documents
    with at least two sets of that status."""
    from annotator.agreement.compute import STATUSES, Corpus
    from annotator.agreement.sets import Schemas
    from annotator.store.agreement_reads import agreement_reader

    with agreement_reader(store, STATUSES[status]) as reader:
        corpus = Corpus(Schemas(reader))
        for batch in reader.batches(min_sets=2):
            corpus.add_batch(batch)
    return {d.id: (d.exact_f1_mean, d.overlap_f1_mean) for d in corpus.documents}


def worst_first(store: Store, status: str = "done", include_decided: bool = False
                ) -> list[DocRow]:
    """The documents to review, lowest exact F1 first (then overlap F1, then id; a document
    whose F1 is undefined, nobody having marked anything, last). `status`: whose sets count
    ("done", or "any"); include_decided: keep documents whose clusters are all decided."""
    f1s = _f1s(store, status)
    titles = {doc_id: title for doc_id, title, _ in store.review_documents()}
    out = []
    for doc_id, (exact, overlap) in f1s.items():
        found = document_clusters(store, doc_id)
        undecided = sum(not c.decided for c in found)
        if not undecided and not include_decided:
            continue
        out.append(DocRow(doc_id, titles.get(doc_id, ""), tuple(store.review_sets(doc_id)),
                          exact, overlap, len(found), sum(c.disagreement for c in found),
                          undecided))

    def key(d: DocRow) -> tuple[Any, ...]:
        return tuple((v is None, v or 0.0) for v in (d.exact_f1, d.overlap_f1)) + (d.doc_id,)

    return sorted(out, key=key)
