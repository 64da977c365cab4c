"""Reading one annotation set's clusters from a store (the store answers; no SQL here)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from annotator.conflicts.clusters import Cluster, SetData, build_clusters
from annotator.conflicts.compat import TOLERANCE
from annotator.model import Document, Kind, LabelSchema
from annotator.store import Store
from annotator.store.figure_reads import set_spans, spans_by_id


def _schemas(store: Store) -> list[LabelSchema]:
    from annotator.labels import SchemaError, load_default_schema, parse_schema

    found = [load_default_schema()]
    for ref in store.schema_refs():
        source = store.schema_source(ref)
        if source:
            try:
                found.append(parse_schema(source, ref))
            except SchemaError:
                continue  # a schema that no longer parses labels nothing we can read
    return found


def label_kinds(store: Store) -> Kinds:
    """The labels of kind number, and of kind claim, in any schema the store holds."""
    labels = [lab for schema in _schemas(store) for lab in schema.labels]
    return (frozenset(lab.name for lab in labels if lab.kind == Kind.NUMBER),
            frozenset(lab.name for lab in labels if lab.kind == Kind.CLAIM))


class Documents(Mapping[str, Document]):
    """Documents by id, in import order, each read the first time it is asked for: only the
    documents of a cluster's spans are read (their text gives the figures as written)."""

    def __init__(self, store: Store, ids: list[str],
                 cache: dict[str, Document] | None = None) -> None:
        self._store, self._ids, self._known = store, ids, set(ids)
        self._read: dict[str, Document] = {} if cache is None else cache  # texts never change

    def __getitem__(self, doc_id: str) -> Document:
        if doc_id not in self._known:
            raise KeyError(doc_id)
        if doc_id not in self._read:
            doc = self._store.get_document(doc_id)
            if doc is None:
                raise KeyError(doc_id)
            self._read[doc_id] = doc
        return self._read[doc_id]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


Kinds = tuple[frozenset[str], frozenset[str]]


def set_data(store: Store, annotator: str, kinds: Kinds | None = None,
             cache: dict[str, Document] | None = None) -> SetData:
    """The set's claims and numbers, links and speakers; documents are read when a cluster
    needs their text (and kept in `cache`, when given, for the next time)."""
    numbers_l, claims_l = kinds or label_kinds(store)
    spans = set_spans(store, annotator, numbers_l | claims_l)
    numbers = [s for s in spans if s.label in numbers_l]
    claims = [s for s in spans if s.label in claims_l]
    refs = {v for c in claims if isinstance(v := c.attrs.get("speaker"), str)}
    speakers = {s.id: s for s in spans_by_id(store, refs)}
    wanted = {s.doc_id for s in spans}
    documents = Documents(store, [d for d in store.document_ids() if d in wanted], cache)
    numbers = [s for s in numbers if s.doc_id in documents]
    claims = [s for s in claims if s.doc_id in documents]
    return SetData(annotator, numbers, claims, store.links(annotator), documents, speakers)


def clusters_of(store: Store, annotators: list[str], tolerance: float = TOLERANCE,
                kinds: Kinds | None = None,
                cache: dict[str, Document] | None = None) -> list[Cluster]:
    """The clusters of each set named, those in conflict first (over all the sets)."""
    kinds = kinds or label_kinds(store)
    found: list[Cluster] = []
    for who in annotators:
        found += build_clusters(set_data(store, who, kinds, cache), tolerance)
    return sorted(found, key=lambda c: not c.in_conflict)  # stable: each set's order kept
