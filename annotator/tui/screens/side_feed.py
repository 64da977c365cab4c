"""Keeps the side panel in step with the active pane: its span counts, the span under the
cursor, and the document's links with both ends described."""

from __future__ import annotations

from annotator.model import Link, Span
from annotator.session import Session
from annotator.tui.text_layout import one_line as short
from annotator.tui.widgets.flag_box import flag_row
from annotator.tui.widgets.pane import Pane
from annotator.tui.widgets.side_panel import SidePanel


def link_end(text: str, title: str | None) -> str:
    """A link end in the side panel: its text, and its document's title unless it is the
    active pane's."""
    return short(text, 24) + ("" if title is None else f" ({short(title, 18)})")


def open_spans(panes: list[Pane], ids: set[str]) -> dict[str, tuple[Pane, Span]]:
    """The spans of `ids` that an open pane shows, with that pane."""
    found: dict[str, tuple[Pane, Span]] = {}
    for pane in panes:
        for sid in ids:
            span = pane.view.shown_index.get(sid)
            if span is not None:
                found[sid] = (pane, span)
    return found


class SideFeed:
    def __init__(self, session: Session, side: SidePanel) -> None:
        self.session = session
        self.side = side

    def describe(self, panes: list[Pane], active: Pane) -> dict[str, str]:
        """span id -> short description, for every span of the open panes' links (those no
        pane shows come from the session, which reads each once)."""
        out: dict[str, str] = {}
        want = self.session.linked()
        for sid, (pane, span) in open_spans(panes, want).items():
            title = None if pane is active else pane.document.title or pane.document.id
            out[sid] = link_end(pane.view.text[span.start:span.end], title)
        for sid in want - out.keys():
            end = self.session.link_end(sid)
            if end is not None:
                out[sid] = link_end(end.text, end.title)
        return out

    def doc_links(self, panes: list[Pane], doc_id: str) -> list[Link]:
        shown = open_spans(panes, self.session.linked())
        return self.session.doc_links(doc_id, lambda sid: shown[sid][1].start if sid in shown
                                      else -1)

    def refresh(self, panes: list[Pane], active: Pane, light: bool = False) -> None:
        """`light` (a cursor move): only the detail box and the list highlight change."""
        view = active.view
        under = view.shown_index.innermost(view.cursor)
        if light and (under is None or under.id not in view.linked):
            links = []
        else:
            links = self.doc_links(panes, active.document.id)
        describe = self.describe(panes, active) if links else {}
        if under is not None and "speaker" in under.attrs:
            speaker = view.shown_index.get(under.attrs["speaker"])
            if speaker is not None:
                describe[speaker.id] = short(view.text[speaker.start:speaker.end], 24)
        self.side.show_detail(under, view.text, links, describe)
        if not light:
            self.side.show_counts(dict(view.shown_index.counts))
            self.side.show_links(links, describe)
            self.show_flags(active)
            self.side.span_list.changed()
        self.side.span_list.follow(under)

    def show_flags(self, pane: Pane) -> None:
        """This set's flags on the pane's document, open ones first."""
        flags = sorted(self.session.flags(pane.document.id),
                       key=lambda f: f.resolved_at is not None)
        self.side.flag_box.show([
            flag_row(f, pane.view.index.get(f.span_id) if f.span_id else None, pane.view.text)
            for f in flags])

