"""One annotation set's claims, numbers and links, read once and then kept in step with the
changes the annotator commits (Textual-free).

Recomputing the clusters after a label used to read every claim and number of the set again
(a 5 MB document with 6,700 of them: 60 ms of a 66 ms recomputation, after every change). The
changes an action returns carry its rows before and after, so the set can be kept as it is in
the database without reading it: `apply` takes them in, `frozen` copies what a worker needs
(the worker must not see the dictionaries change under it), and `set_data_from` makes the
SetData the clusters are built from, reading only what is missing: a document's text the
first time, a speaker named by a claim that is not known yet.

Changes made by another program (a second terminal of the same annotator, an import) are not
seen here: whoever needs the set as the database has it (`=`, the figures view) reads it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.conflicts.clusters import SetData
from annotator.conflicts.load import Documents, Kinds
from annotator.model import Document, Link, Span
from annotator.store import Change, Store
from annotator.store.figure_reads import spans_by_id


def _span_order(s: Span) -> tuple[str, int, int, str, str]:
    return (s.doc_id, s.start, s.end, s.label, s.id)  # the order set_spans reads them in


def _link_order(k: Link) -> tuple[str, str, str, str]:
    return (k.type, k.from_span, k.to_span, k.id)  # the order Store.links reads them in


@dataclass(frozen=True, slots=True)
class Frozen:
    """What a worker builds the clusters from: copies, taken on the UI thread."""

    spans: tuple[Span, ...]
    links: tuple[Link, ...]
    speakers: dict[str, Span]
    doc_ids: tuple[str, ...]


class KeptSet:
    """The set's claims and numbers (by id), its links (by id) and the spans its claims name as
    speakers, from one full read (the SetData it is made from) plus every change applied
    since."""

    def __init__(self, annotator: str, kinds: Kinds, data: SetData, doc_ids: list[str]) -> None:
        self.annotator, self.labels = annotator, kinds[0] | kinds[1]
        self.spans = {s.id: s for s in (*data.numbers, *data.claims)}
        self.links = {k.id: k for k in data.links}
        self.speakers = dict(data.speakers)
        self.doc_ids = list(doc_ids)

    def apply(self, changes: Iterable[Change]) -> None:
        for change in changes:
            old, new = change.old, change.new
            for row in (old, new):
                if row is not None and getattr(row, "annotator", None) not in (
                        None, self.annotator):
                    break  # another set's row (a review's gold): not this set
            else:
                self._apply(old, new)

    def _apply(self, old: object, new: object) -> None:
        named = False  # the span is one a claim names as its speaker
        if isinstance(old, Span):
            self.spans.pop(old.id, None)
            named = self.speakers.pop(old.id, None) is not None
        if isinstance(new, Span):
            if new.label in self.labels:
                self.spans[new.id] = new
            if named:
                self.speakers[new.id] = new  # moved or relabelled: named as it is now
        if isinstance(old, Link):
            self.links.pop(old.id, None)
        if isinstance(new, Link):
            self.links[new.id] = new

    def link_ends(self) -> set[str]:
        """The spans any of the set's links starts or ends at."""
        return {e for k in self.links.values() for e in (k.from_span, k.to_span)}

    def frozen(self) -> Frozen:
        return Frozen(tuple(self.spans.values()), tuple(self.links.values()),
                      dict(self.speakers), tuple(self.doc_ids))


def set_data_from(frozen: Frozen, annotator: str, kinds: Kinds, store: Store,
                  cache: dict[str, Document]) -> tuple[SetData, dict[str, Span]]:
    """The SetData of a frozen set, as conflicts.load.set_data would read it, and the
    speakers it had to read (to keep for the next time)."""
    numbers_l, claims_l = kinds
    spans = sorted(frozen.spans, key=_span_order)
    refs = {v for s in spans if s.label in claims_l
            and isinstance(v := s.attrs.get("speaker"), str)}
    speakers = {i: frozen.speakers[i] for i in refs if i in frozen.speakers}
    read = {s.id: s for s in spans_by_id(store, refs - speakers.keys())}
    speakers.update(read)
    wanted = {s.doc_id for s in spans}
    doc_ids = list(frozen.doc_ids)
    if not wanted <= set(doc_ids):  # a document imported since the set was read
        doc_ids = store.document_ids()
    documents = Documents(store, [d for d in doc_ids if d in wanted], cache)
    numbers = [s for s in spans if s.label in numbers_l and s.doc_id in documents]
    claims = [s for s in spans if s.label in claims_l and s.doc_id in documents]
    links = sorted(frozen.links, key=_link_order)
    return SetData(annotator, numbers, claims, links, documents, speakers), read
