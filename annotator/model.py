"""Plain dataclasses shared by every layer: documents, spans, links, statuses, label schemas."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

GOLD = "@gold"
"""The annotation set name used for adjudicated gold annotations (not a valid user name)."""


class Status(StrEnum):
    """Where one annotator stands on one document."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Kind(StrEnum):
    """What a label marks."""

    ENTITY = "entity"
    NUMBER = "number"
    CLAIM = "claim"


ATTRIBUTE_TYPES = ("text", "number", "choice", "bool", "span")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """An imported document; its text never changes after import."""

    id: str
    text: str
    title: str = ""
    sha256: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    schema: str = ""  # "name@version" of the schema the document was imported with

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", sha256_text(self.text))


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled range of a document: code-point offsets, end-exclusive."""

    id: str
    doc_id: str
    annotator: str
    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    origin: str = "manual"  # manual | import | gold | model | suggested
    created_at: str = ""
    updated_at: str = ""

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Link:
    """A typed relation between two spans of one annotator, possibly across documents."""

    id: str
    annotator: str
    type: str
    from_span: str
    to_span: str
    from_doc: str
    to_doc: str
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A row of the document list: enough to pick a document without loading its text."""

    id: str
    title: str
    length: int
    statuses: dict[str, Status] = field(default_factory=dict)  # annotator -> status
    span_counts: dict[str, int] = field(default_factory=dict)  # annotator -> spans


@dataclass(frozen=True, slots=True)
class AttributeDef:
    """One attribute a label carries (docs/labels.md)."""

    name: str
    type: str  # text | number | choice | bool | span
    choices: tuple[str, ...] = ()
    description: str = ""
    labels: tuple[str, ...] = ()  # type "span": labels the referenced span may have (or any)
    default: Any = None


@dataclass(frozen=True, slots=True)
class LabelDef:
    name: str
    kind: str  # entity | number | claim
    key: str
    color: str
    description: str = ""
    attributes: tuple[AttributeDef, ...] = ()
    form_on_label: bool = False  # the attribute form opens as soon as a span gets this label

    def attribute(self, name: str) -> AttributeDef | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(frozen=True, slots=True)
class LinkTypeDef:
    name: str
    key: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    symmetric: bool = False
    description: str = ""

    def allows(self, from_label: str, to_label: str) -> bool:
        ok = (not self.from_labels or from_label in self.from_labels) and (
            not self.to_labels or to_label in self.to_labels
        )
        if not ok and self.symmetric:
            ok = (not self.from_labels or to_label in self.from_labels) and (
                not self.to_labels or from_label in self.to_labels
            )
        return ok


@dataclass(frozen=True, slots=True)
class SuggestRule:
    """A `[[suggest]]` table (docs/labels.md): text a lead wants offered as `label` spans, a
    list of terms (a gazetteer) or a regular expression, found in every document."""

    label: str
    terms: tuple[str, ...] = ()
    pattern: str = ""
    ignore_case: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class LabelSchema:
    """A validated label schema (labels/*.toml)."""

    name: str
    version: int
    labels: tuple[LabelDef, ...]
    links: tuple[LinkTypeDef, ...] = ()
    description: str = ""
    source: str = ""  # the TOML text it was loaded from, kept with the data
    suggest: tuple[SuggestRule, ...] = ()
    suggest_numbers: bool = True  # offer the figures numbers.py reads as NUMBER suggestions

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def label(self, name: str) -> LabelDef | None:
        return next((lab for lab in self.labels if lab.name == name), None)

    def label_for_key(self, key: str) -> LabelDef | None:
        return next((lab for lab in self.labels if lab.key == key), None)

    def link_type(self, name: str) -> LinkTypeDef | None:
        return next((lt for lt in self.links if lt.name == name), None)

    def link_types_between(self, from_label: str, to_label: str) -> list[LinkTypeDef]:
        return [lt for lt in self.links if lt.allows(from_label, to_label)]
