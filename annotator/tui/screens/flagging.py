"""`!` on the annotation screen: flag the span under the cursor (or, with none there, the
document) with a short note for the leads, typed in a small dialog. The rules (what a note may
be, the store write) are the session's (Session.flag_rule, annotator.team.flag_note)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.team import NOTE_MAX, flag_note
from annotator.tui.plain import plain
from annotator.tui.screens.guarded import writes
from annotator.tui.text_layout import one_line

if TYPE_CHECKING:
    from annotator.tui.screens.annotate import AnnotateScreen


class FlagDialog(ModalScreen[str | None]):
    """Type a note; enter flags (dismisses with the note as it will be stored), escape
    cancels (None). A note the rules refuse keeps the dialog open and says why."""

    DEFAULT_CSS = """
    FlagDialog { align: center middle; }
    FlagDialog > #dialog {
        width: 92%; max-width: 80; height: auto;
        background: $surface; border: round $warning; padding: 0 1;
        border-title-style: bold; border-title-color: $text;
    }
    FlagDialog #what { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    FlagDialog #why { height: auto; color: $text-error; }
    FlagDialog #hint { height: 1; color: $text-muted; }
    """

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Flag for the leads"
            yield Static(Content.assemble(("on ", "$text-muted"),
                                          plain(self.what, "bold")), id="what")
            yield Input(placeholder="what is wrong: guideline unclear, text garbled, …",
                        max_length=NOTE_MAX, id="note")
            yield Static(id="why")
            yield Static(Content(f"enter flag · esc cancel · at most {NOTE_MAX} characters"),
                         id="hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            note = flag_note(event.value)
        except ValueError as err:
            self.query_one("#why", Static).update(plain(str(err)))
            self.app.bell()
            return
        self.dismiss(note)


def flag_here(screen: AnnotateScreen) -> None:
    """Open the dialog for the span under the active pane's cursor, else its document; the
    answer is flagged at once and shows in the side panel."""
    pane = screen.active
    if pane is None:
        return
    span = pane.view.span_under_cursor()
    text = pane.view.text
    what = (f"{span.label} “{one_line(text[span.start:span.end], 40)}”" if span is not None
            else f"the document {one_line(pane.document.id, 40)}")

    def answered(note: str | None) -> None:
        if screen.show(screen.session.flag_rule(pane.document.id, span, text, note)) and note:
            screen.feed.show_flags(pane)

    screen.app.push_screen(FlagDialog(what), screen.guarded(answered))


class Flagging:
    """The annotation screen's `!` (a mixin of AnnotateScreen)."""

    @writes
    def action_flag(self) -> None:
        flag_here(cast("AnnotateScreen", self))

