"""A change's column dicts as model objects: callers `match` on Span, Link or StatusChange
instead of unpacking rows by column name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from annotator.model import Decision, Link, Span, Status

Entity = Literal["span", "link", "status", "decision"]


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One annotator's status on one document, as a change leaves (or found) it."""

    doc_id: str
    annotator: str
    status: Status
    updated_at: str = ""


Changed = Span | Link | StatusChange | Decision


def typed(entity: Entity, row: dict[str, Any] | None) -> Changed | None:
    """The model object of a change row (None: the row is absent on that side)."""
    if row is None:
        return None
    match entity:
        case "span":
            return Span(row["id"], row["doc_id"], row["annotator"], row["start"], row["end"],
                        row["label"], row["attrs"], row["origin"], row["created_at"],
                        row["updated_at"])
        case "link":
            return Link(row["id"], row["annotator"], row["type"], row["from_span"],
                        row["to_span"], row["from_doc"], row["to_doc"], row["created_at"])
        case "status":
            return StatusChange(row["doc_id"], row["annotator"], Status(row["status"]),
                                row["updated_at"])
        case "decision":
            return Decision(row["id"], row["doc_id"], row["key"], row["entity"], row["kind"],
                            row["target"], row["start"], row["end"],
                            tuple(row["provenance"]), row["reason"], row["created_at"])
