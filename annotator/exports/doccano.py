"""doccano's relation-extraction shape: `entities` and `relations` with integer ids, plus our
`annotator` and `status`. doccano has no span attributes and no cross-document relations."""

from __future__ import annotations

from typing import Any

from annotator.exports.common import Losses, set_attrs
from annotator.model import Document, Link, Span, Status


def line(doc: Document, who: str, status: Status, spans: list[Span], links: list[Link],
         losses: Losses) -> dict[str, Any]:
    number = {s.id: i for i, s in enumerate(spans, 1)}  # doccano's ids are integers
    inside = [lk for lk in links if lk.to_doc == doc.id and lk.to_span in number]
    losses.add("attributes", set_attrs(spans))
    losses.add("cross-document links", len(links) - len(inside))
    return {
        "id": doc.id, "text": doc.text,
        "entities": [{"id": number[s.id], "label": s.label, "start_offset": s.start,
                      "end_offset": s.end} for s in spans],
        "relations": [{"id": i, "from_id": number[lk.from_span], "to_id": number[lk.to_span],
                       "type": lk.type} for i, lk in enumerate(inside, 1)],
        "annotator": who, "status": status.value,
    }
