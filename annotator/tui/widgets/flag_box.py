"""The side panel's flags: this set's flags on the focused document (`!` adds one), open ones
first-class, resolved ones dimmed with who resolved them. Hidden while there are none."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from annotator.model import Span
from annotator.store.team import Flag
from annotator.tui.plain import SanitisedLines
from annotator.tui.text_layout import one_line

MAX_FLAG_ROWS = 4


def flag_row(flag: Flag, span: Span | None, text: str) -> Text:
    """One flag on one line: what it is on, then its note; every piece through one_line."""
    row = Text(no_wrap=True, overflow="ellipsis")
    if flag.resolved_at is None:
        row.append("⚑ ", "bold red")
    else:
        row.append("✓ ", "green")
    if flag.span_id is None:
        row.append("document", "bold")
    elif span is None:
        row.append("a deleted span", "bold")
    else:
        row.append(f"{one_line(span.label, 20)} “{one_line(text[span.start:span.end], 24)}”",
                   "bold")
    row.append(f": {one_line(flag.note, 200)}")
    if flag.resolved_by is not None:
        row.append(f" (resolved by {one_line(flag.resolved_by, 40)})")
    if flag.resolved_at is not None:
        row.stylize("dim")
    return row


class FlagBox(SanitisedLines, Vertical):
    DEFAULT_CSS = """
    FlagBox { height: auto; display: none; }
    FlagBox.-shown { display: block; }
    FlagBox > .side-heading { height: 1; color: $text-muted; text-style: bold; padding: 0 1;
                              background: $panel-darken-1; }
    FlagBox > #flag-rows { height: auto; padding: 0 1; text-wrap: nowrap;
                           text-overflow: ellipsis; }
    """

    def __init__(self) -> None:
        super().__init__(id="flags")
        self.rows = Static(id="flag-rows")
        self._shown: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static("Flags", classes="side-heading")
        yield self.rows

    def show(self, rows: list[Text]) -> None:
        """The rows, open flags first, at most MAX_FLAG_ROWS and how many more."""
        out = Text(no_wrap=True, overflow="ellipsis")
        for row in rows[:MAX_FLAG_ROWS]:
            out.append_text(row)
            out.append("\n")
        if len(rows) > MAX_FLAG_ROWS:
            out.append(f"… and {len(rows) - MAX_FLAG_ROWS} more", "dim")
        out.rstrip()
        if out == self._shown:
            return
        self._shown = out
        self.set_class(bool(rows), "-shown")
        self.rows.update(out)
