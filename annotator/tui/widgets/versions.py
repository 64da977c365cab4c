"""The review screen's read-only parts: one annotator's version of the document (a pane whose
spans are drawn by disagreement kind, following the gold pane's cursor), the legend, and the
compact table of who marked what (when the versions do not fit side by side)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from annotator.model import Document, Span
from annotator.review_view import KIND_COLORS, KIND_WORDS, Row, drawn_as, window
from annotator.tui.plain import SanitisedLines
from annotator.tui.text_layout import one_line
from annotator.tui.widgets.document_view import DocumentView
from annotator.tui.widgets.pane import Pane


class VersionView(DocumentView, can_focus=False):
    """A document view nobody types in: it shows one annotator's spans and the gold pane's
    cursor. Its cursor moves tell nobody (the screen moved it)."""

    BINDINGS: ClassVar[list[Binding]] = []  # none of the annotation keys: read-only

    class Clicked(Message):
        """A click at `offset`: the gold pane's cursor goes there."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def post_message(self, message: Message) -> bool:
        if isinstance(message, DocumentView.CursorMoved):
            return True
        return super().post_message(message)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        event.prevent_default()  # no selection here
        if event.button == 1:
            self.post_message(self.Clicked(self.offset_at_mouse(event)))

    def __init__(self, document: Document, spans: list[tuple[Span, str]]) -> None:
        super().__init__(document, [drawn_as(s, kind) for s, kind in spans], KIND_COLORS)
        self.shown = {s.id: (s, kind) for s, kind in spans}

    def show_kinds(self, spans: list[tuple[Span, str]]) -> None:
        """Draw each span in its kind's colour: only those whose kind (or the span itself)
        changed since are drawn anew, so a decision repaints what it decided."""
        seen = set()
        for span, kind in spans:
            seen.add(span.id)
            if self.shown.get(span.id) != (span, kind):
                self.shown[span.id] = (span, kind)
                self.add_span(drawn_as(span, kind))
        for gone in set(self.shown) - seen:
            del self.shown[gone]
            self.remove_span(gone)


class VersionPane(SanitisedLines, Vertical):
    """One annotator's version: "2 bob" over the view (2: the number y takes)."""

    DEFAULT_CSS = """
    VersionPane { width: 1fr; height: 1fr; border-left: vkey $foreground 25%; }
    VersionPane > .pane-title { height: 1; background: $panel; color: $text-muted;
                                padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, number: int, annotator: str, document: Document,
                 spans: list[tuple[Span, str]]) -> None:
        super().__init__()
        self.number = number
        self.annotator = annotator
        self.view = VersionView(document, spans)
        self.title_bar = Static(classes="pane-title")

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.view

    def on_mount(self) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"{self.number} ", "bold reverse")
        title.append(" " + one_line(self.annotator), "bold")
        title.append("  read-only", "dim")
        self.title_bar.update(title)


class GoldPane(Pane):
    """The gold set's pane: "gold" before the document's title."""

    def update_title(self) -> None:
        super().update_title()
        shown = self.title_bar.content
        title = Text(" gold ", style="bold reverse", no_wrap=True, overflow="ellipsis")
        title.append(" ")
        if isinstance(shown, Text):
            title.append_text(shown)
        self.title_bar.update(title)


def legend() -> Text:
    """The kinds, each in its colour."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for kind, color in KIND_COLORS.items():
        text.append(f" {KIND_WORDS[kind]} ", style=f"black on {color}")
    return text


class WhoTable(Static):
    """Who marked what: a row per cluster near the cursor, a column per annotator and gold."""

    DEFAULT_CSS = """
    WhoTable { height: 40%; border-top: hkey $foreground 25%; padding: 0 1; }
    """

    def show(self, rows: Sequence[Row], annotators: Sequence[str], current: str | None) -> None:
        table = Table(box=None, padding=(0, 1), expand=True, show_edge=False,
                      header_style="bold")
        table.add_column("", no_wrap=True, width=1)
        table.add_column("text", no_wrap=True, overflow="ellipsis", ratio=2)
        for number, who in enumerate(annotators, 1):
            table.add_column(Text(f"{number} {one_line(who, 12)}"), no_wrap=True,
                             overflow="ellipsis", ratio=1)
        table.add_column("gold", no_wrap=True, overflow="ellipsis", ratio=1)
        first, last = window(rows, current, max(1, (self.size.height or 8) - 2))
        for row in rows[first:last]:
            style = "reverse" if row.key == current else ""
            mark = Text("■", style=KIND_COLORS[row.kind])
            table.add_row(mark, Text(row.text), *(Text(c) for c in row.cells), Text(row.gold),
                          style=style)
        if not rows:
            table.add_row("", Text("no spans in any version", style="dim"))
        self.update(table)
