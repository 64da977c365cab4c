"""Committed changes drawn in every open pane they touch."""

from __future__ import annotations

from collections.abc import Iterable

from annotator.model import Link, Span, Status
from annotator.store import Change
from annotator.store.changes import StatusChange
from annotator.tui.widgets.pane import Pane


def show_changes(panes: list[Pane], changes: Iterable[Change], linked: set[str]) -> bool:
    """Spans added, changed or gone, link marks, statuses; True when a status changed."""
    views: dict[str, list[Pane]] = {}
    for pane in panes:
        views.setdefault(pane.document.id, []).append(pane)
    statuses = False
    for change in changes:
        new = change.new
        match new or change.old:
            case Span(id=span_id, doc_id=doc_id):
                for pane in views.get(doc_id, []):
                    if isinstance(new, Span):
                        pane.view.add_span(new)
                    else:
                        pane.view.remove_span(span_id)
            case Link() as link:
                for doc_id, span_id in ((link.from_doc, link.from_span),
                                        (link.to_doc, link.to_span)):
                    for pane in views.get(doc_id, []):
                        pane.view.set_linked(span_id, span_id in linked)
            case StatusChange(doc_id=doc_id):
                statuses = True
                status = new.status if isinstance(new, StatusChange) else Status.TODO
                for pane in views.get(doc_id, []):
                    pane.set_status(status)
    return statuses
