"""A document pane: a title bar (title, id, my status) over the document view."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from annotator.display import STATUS_GLYPHS, STATUS_WORDS
from annotator.model import Document, Span, Status
from annotator.row_text import source_header
from annotator.tui.plain import SanitisedLines
from annotator.tui.span_loading import SpanLoading
from annotator.tui.text_layout import one_line
from annotator.tui.widgets.document_view import DocumentView
from annotator.tui.widgets.same_rows import SameRows


class Pane(SanitisedLines, SameRows, Vertical):
    """One open document; several sit side by side."""

    DEFAULT_CSS = """
    Pane { width: 1fr; height: 1fr; border-left: vkey $foreground 25%; }
    Pane:first-of-type { border-left: none; }
    Pane > .pane-title { height: 1; background: $panel; color: $text-muted; padding: 0 1;
                         text-wrap: nowrap; text-overflow: ellipsis; }
    Pane.-active > .pane-title { background: $primary; color: $text; text-style: bold; }
    """

    def __init__(self, document: Document, spans: Iterable[Span] | SpanLoading,
                 colors: dict[str, str],
                 linked: set[str], status: Status,
                 view_class: type[DocumentView] = DocumentView) -> None:
        super().__init__()
        self.document = document
        self.status = status
        self.view = view_class(document, spans, colors, linked)
        self.title_bar = Static(classes="pane-title")

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.view

    def on_mount(self) -> None:
        self.update_title()

    def update_title(self) -> None:
        # the id first: in a narrow pane it is what tells documents apart; the status word last
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(STATUS_GLYPHS[self.status] + " ")
        title.append(one_line(self.document.id), "bold")
        header = source_header(self.document.meta, self.document.title or "")
        title.append("  " + one_line(header), "italic")
        self.title_bar.update(title)
        # a tooltip given a str is markup: give it a Text
        self.title_bar.tooltip = Text(f"{STATUS_WORDS[self.status]}: {one_line(header)}")

    def set_status(self, status: Status) -> None:
        self.status = status
        self.update_title()
