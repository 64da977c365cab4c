"""Choose the type of a new link between two spans: one key press, or arrows and Enter."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.model import LinkTypeDef
from annotator.tui.keys import bindings
from annotator.tui.plain import plain
from annotator.tui.text_layout import clip, one_line

_END_CELLS = 200  # the dialog's width cuts it shorter, with an ellipsis


class LinkTypeChooser(ModalScreen[str | None]):
    """Pick a link type for source → target; dismisses with its name, or None if cancelled.

    Types in `existing` already link the two spans: they are marked, and picking one again
    removes that link (the caller decides; this screen only says which type was picked)."""

    DEFAULT_CSS = """
    LinkTypeChooser { align: center middle; }
    LinkTypeChooser > #dialog {
        width: 92%; max-width: 90; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
        border-title-style: bold; border-title-color: $text;
    }
    LinkTypeChooser #ends {
        height: auto; margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    LinkTypeChooser #types {
        height: auto; max-height: 20; border: none; padding: 0;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    LinkTypeChooser #types:focus { background-tint: $foreground 0%; }
    LinkTypeChooser #none { color: $text-warning; height: auto; }
    LinkTypeChooser #hint { color: $text-muted; height: 1; margin-top: 1; }
    """
    BINDINGS = bindings("link type")  # type: ignore[assignment]

    def __init__(self, types: list[LinkTypeDef], source: str, target: str,
                 existing: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.types = list(types)
        self.source = source
        self.target = target
        self.existing = existing

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Link type"
            yield Static(
                Content.assemble(
                    ("from ", "$text-muted"),
                    Content(clip(self.source, _END_CELLS)).stylize("bold"),
                    "\n",
                    ("  to ", "$text-muted"),
                    Content(clip(self.target, _END_CELLS)).stylize("bold"),
                ),
                id="ends",
            )
            if self.types:
                yield OptionList(*[Option(self._row(t)) for t in self.types], id="types")
                yield Static(Content("press a type's key, or ↑↓ enter · esc cancel"), id="hint")
            else:
                yield Static(Content("No link type allows a link between these spans."), id="none")
                yield Static(Content("esc or enter to go back"), id="hint")

    def _row(self, link: LinkTypeDef) -> Content:
        name_cells = max(len(one_line(t.name)) for t in self.types)
        return Content.assemble(
            (f" {one_line(link.key)} ", "$text-accent bold"),
            " ",
            plain(link.name, "bold").truncate(name_cells, pad=True),
            "  ",
            ("linked: pick to remove" if link.name in self.existing else "", "$text-warning bold"),
            ("  " if link.name in self.existing else "", ""),
            (one_line(link.description), "$text-muted"),
        )

    def on_mount(self) -> None:
        if self.types:
            self.query_one("#types", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        if not self.types:
            if event.key == "enter":
                event.stop()
                self.dismiss(None)
            return
        for link in self.types:
            if event.character is not None and event.character == link.key:
                event.stop()
                event.prevent_default()
                self.dismiss(link.name)
                return

    @on(OptionList.OptionSelected, "#types")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.types[event.option_index].name)

    def action_cancel(self) -> None:
        self.dismiss(None)
