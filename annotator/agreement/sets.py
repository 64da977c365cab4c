"""The annotation sets compared on one document: each annotator's spans, exact duplicates
dropped, and what the documents' label schemas say about attributes and link types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from annotator.model import LabelSchema
from annotator.store.agreement_reads import AgreementReader, DocumentRows


class SetSpan(NamedTuple):
    """A span as compared: offsets and label (indexable like (start, end, label))."""

    start: int
    end: int
    label: str
    id: str
    attrs: str  # JSON text as stored; parsed only for spans matched on both sides


span_key = itemgetter(0, 1, 2)  # a SetSpan's (start, end, label), at C speed


@dataclass
class DocumentSets:
    """One document and the sets compared on it (annotators in sorted name order)."""

    id: str
    text: str
    schema_ref: str | None
    sets: dict[str, list[SetSpan]]

    @cached_property
    def annotators(self) -> list[str]:
        return sorted(self.sets)


def document_sets(rows: DocumentRows, label: str | None = None) -> DocumentSets:
    """The document's sets: spans of `label` only when given; of spans with the same start,
    end and label in one set, the first (by id) is kept."""
    sets: dict[str, list[SetSpan]] = {}
    for who, spans in rows.spans.items():
        kept: list[SetSpan] = []
        last = None
        for span_id, start, end, lab, attrs in spans:  # sorted by start, end, label, id
            if (label is not None and lab != label) or (start, end, lab) == last:
                continue
            last = (start, end, lab)
            kept.append(SetSpan(start, end, lab, span_id, attrs))
        sets[who] = kept
    return DocumentSets(rows.id, rows.text, rows.schema_ref, sets)


class Schemas:
    """The label schemas documents were imported with, parsed once each."""

    def __init__(self, reader: AgreementReader) -> None:
        self._reader = reader
        self._parsed: dict[str | None, LabelSchema | None] = {}

    def get(self, ref: str | None) -> LabelSchema | None:
        if ref not in self._parsed:
            from annotator.labels import SchemaError, load_default_schema, parse_schema

            source = self._reader.schema_source(ref) if ref else None
            try:
                self._parsed[ref] = (parse_schema(source, ref or "") if source
                                     else load_default_schema())
            except SchemaError:
                self._parsed[ref] = None
        return self._parsed[ref]

    def span_attributes(self, ref: str | None) -> frozenset[tuple[str, str]]:
        """(label, attribute) pairs whose value is another span's id."""
        schema = self.get(ref)
        if schema is None:
            return frozenset()
        return frozenset((lab.name, a.name) for lab in schema.labels for a in lab.attributes
                         if a.type == "span")

    def symmetric_links(self) -> frozenset[str]:
        """Link types some schema in use (or the default one) declares symmetric."""
        names: set[str] = set()
        for schema in [*self._parsed.values(), self.get(None)]:
            if schema is not None:
                names.update(lt.name for lt in schema.links if lt.symmetric)
        return frozenset(names)
