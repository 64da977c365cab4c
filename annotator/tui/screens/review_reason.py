"""The reason-code chooser of the review screen (W): which reason the next decision records."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.review.session import REASON_TEXT
from annotator.tui.keys import bindings

REASON_WORDS = {**REASON_TEXT, "": "no reason"}
"""The reason codes (annotator.review.session), as the screen says them; "" records none."""


class ReasonChooser(ModalScreen[Any]):
    """Dismissed with a reason code, "" for none, or None when cancelled (escape)."""

    DEFAULT_CSS = """
    ReasonChooser { align: center middle; }
    ReasonChooser > #dialog { width: 44; height: auto; background: $surface;
                              border: round $primary; padding: 0 1; }
    ReasonChooser OptionList, ReasonChooser OptionList:focus { height: auto; border: none;
                                                               padding: 0; }
    ReasonChooser #hint { color: $text-muted; height: 1; }
    """
    BINDINGS = bindings("link type")  # type: ignore[assignment]  # escape cancels, the same

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Reason for the next decision"
            codes = list(REASON_WORDS)
            yield OptionList(*(Option(f"{i} {REASON_WORDS[c]}", id=c or "none")
                               for i, c in enumerate(codes, 1)))
            yield Static("1-4 or enter chooses, escape cancels", id="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(REASON_WORDS).index(self.current)
        options.focus()

    def on_key(self, event: object) -> None:
        char = getattr(event, "character", None) or ""
        codes = list(REASON_WORDS)
        if char.isdigit() and 1 <= int(char) <= len(codes):
            self.dismiss(codes[int(char) - 1])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        self.dismiss("" if option_id == "none" else option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
