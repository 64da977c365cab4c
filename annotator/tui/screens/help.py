"""The `?` screen: every key binding (docs/keys.md) and the label and link keys of the schema."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from annotator.model import LabelDef, LabelSchema, LinkTypeDef
from annotator.tui.plain import plain
from annotator.tui.text_layout import one_line

KEY_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Move", (
        ("← ↓ ↑ →  h j k l", "move by character / line"),
        ("w b  ctrl+← →", "next / previous word"),
        ("{ }", "previous / next paragraph"),
        ("g G", "start / end of the document"),
        ("mouse click", "move the cursor there"),
    )),
    ("Select", (
        ("v  shift+arrows", "start / extend a selection"),
        ("mouse drag", "select"),
        ("c", "toggle word snapping / character precision"),
        ("escape", "clear the selection or the search marks; cancel a link"),
    )),
    ("Label", (
        ("label key", "label the selection, or the word under the cursor"),
    )),
    ("Spans", (
        ("[ ]", "previous / next span"),
        ("x  delete", "remove the span under the cursor"),
        ("< >", "shrink / grow the span under the cursor by a word"),
        ("e", "edit the attributes of the span under the cursor"),
    )),
    ("Links", (
        ("L", "start a link at the span under the cursor"),
        ("L", "again on the target span (any pane), then its type key"),
        ("L … L", "on two linked spans: pick the type again to remove it"),
    )),
    ("Panes", (
        ("tab  shift+tab", "next / previous pane, then the span list"),
        ("o", "open another document in a new pane"),
        ("ctrl+w", "close the pane"),
        ("ctrl+b", "hide / show the side panel"),
        ("j k  enter", "in the span list: move, jump to the span"),
        ("○ ◐ ●", "in a pane's title: todo / in progress / done"),
    )),
    ("Search", (
        ("/", "search (escape clears the marks)"),
        ("n N", "next / previous match"),
    )),
    ("History", (
        ("u", "undo"),
        ("ctrl+r", "redo"),
    )),
    ("Document", (
        ("D", "mark the document done for me and open the next one"),
    )),
    ("App", (
        ("?", "this help"),
        ("q", "quit"),
    )),
)  # fmt: skip
"""The editor's bindings, grouped as docs/keys.md lists them."""

_LEFT_COLUMN = ("Move", "Select", "Label", "Spans", "Links")


def label_chip(label: LabelDef) -> Content:
    """The label's name on its colour, with a text colour that stays readable on it."""
    try:
        contrast = Color.parse(label.color).get_contrast_text(1.0).hex
    except Exception:  # an unparseable colour: show the name plainly rather than fail
        return Content.styled(f" {one_line(label.name)} ", "bold reverse")
    return Content.styled(f" {one_line(label.name)} ", f"bold {contrast} on {label.color}")


def _cell(content: Content | str, classes: str = "") -> Static:
    return Static(Content(content) if isinstance(content, str) else content, classes=classes)


class HelpScreen(ModalScreen[None]):
    """Every binding, plus the label and link keys of the schema in use."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #dialog {
        width: 94%; max-width: 150; height: 94%; max-height: 60;
        background: $surface; border: round $primary; padding: 0 0 0 1;
        border-title-style: bold; border-title-color: $text;
        border-subtitle-color: $text-muted;
    }
    HelpScreen #body { height: 1fr; scrollbar-size-vertical: 1; padding-right: 1; }
    HelpScreen #body:focus { background-tint: $foreground 0%; }
    HelpScreen #columns { height: auto; layout: horizontal; }
    HelpScreen.-narrow #columns { layout: vertical; }
    HelpScreen .column { width: 1fr; height: auto; }
    HelpScreen.-wide #left { margin-right: 2; }
    HelpScreen .heading { color: $text-primary; text-style: bold underline; margin-top: 1; }
    HelpScreen #left > .heading:first-child { margin-top: 0; }
    HelpScreen.-wide #right > .heading:first-child { margin-top: 0; }
    HelpScreen .keys { height: auto; grid-size: 2; grid-columns: 18 1fr; grid-rows: auto; }
    HelpScreen .labels { height: auto; grid-size: 4; grid-columns: 6 14 8 1fr; grid-rows: auto; }
    HelpScreen .links { height: auto; grid-size: 3; grid-columns: 6 14 1fr; grid-rows: auto; }
    HelpScreen .key { color: $text-accent; text-style: bold; height: auto; }
    HelpScreen .muted { color: $text-muted; height: auto; }
    HelpScreen Static { height: auto; }
    HelpScreen #footer { height: 1; margin-right: 1; }
    HelpScreen #hint { width: 1fr; color: $text-muted; }
    HelpScreen #close { min-width: 9; }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", show=False),
        # priority, so the arrows are ours too (the scroll view's own bindings animate)
        Binding("j,down", "scroll('down')", "Scroll down", show=False, priority=True),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, priority=True),
    ]

    def __init__(self, schema: LabelSchema) -> None:
        super().__init__()
        self.schema = schema

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = Content(f"labels: {one_line(self.schema.ref)}")
            with VerticalScroll(id="body"):
                groups = dict(KEY_GROUPS)
                with Horizontal(id="columns"):
                    for column, names in (
                        ("left", [g for g, _ in KEY_GROUPS if g in _LEFT_COLUMN]),
                        ("right", [g for g, _ in KEY_GROUPS if g not in _LEFT_COLUMN]),
                    ):
                        with Vertical(id=column, classes="column"):
                            for name in names:
                                yield from self._group(name, groups[name])
                yield from self._labels()
                yield from self._links()
            with Horizontal(id="footer"):
                yield Static(Content("↑↓ j k scroll · esc ? q close"), id="hint")
                yield Button("Close", id="close", compact=True)

    def _group(self, name: str, rows: tuple[tuple[str, str], ...]) -> ComposeResult:
        yield _cell(name, "heading")
        with Grid(classes="keys"):
            for keys, action in rows:
                if keys == "label key":
                    keys = self._label_keys()
                yield _cell(keys, "key")
                yield _cell(action)

    def _label_keys(self) -> str:
        keys = [label.key for label in self.schema.labels]
        if (
            len(keys) > 2
            and all(k.isdigit() for k in keys)
            and keys == sorted(keys)
            and (int(keys[-1]) - int(keys[0]) == len(keys) - 1)
        ):
            return f"{keys[0]}–{keys[-1]}"
        return " ".join(one_line(k) for k in keys) or "label key"

    def _labels(self) -> ComposeResult:
        yield _cell(f"Labels ({one_line(self.schema.ref)})", "heading")
        if not self.schema.labels:
            yield _cell("This schema has no labels.", "muted")
            return
        with Grid(classes="labels"):
            for label in self.schema.labels:
                yield _cell(one_line(label.key), "key")
                yield _cell(label_chip(label))
                yield _cell(one_line(label.kind), "muted")
                yield _cell(one_line(label.description))

    def _links(self) -> ComposeResult:
        yield _cell("Link types (after L … L)", "heading")
        if not self.schema.links:
            yield _cell("This schema has no link types.", "muted")
            return
        with Grid(classes="links"):
            for link in self.schema.links:
                yield _cell(one_line(link.key), "key")
                yield _cell(plain(link.name, "bold"))
                yield _cell(
                    Content.assemble(
                        (_direction(link), "$text-accent"), "  ", one_line(link.description)
                    )
                )

    def on_mount(self) -> None:
        self.query_one("#body", VerticalScroll).focus()

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # a click on the dimmed backdrop, outside the dialog
            self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        # at once, not animated: an animated scroll starts from where the text is now, so a
        # burst of keys (a slow link delivers them together) scrolled one line in all
        body = self.query_one("#body", VerticalScroll)
        body.scroll_relative(y=1 if direction == "down" else -1, animate=False, immediate=True)

    def action_close(self) -> None:
        self.dismiss(None)


def _direction(link: LinkTypeDef) -> str:
    def side(labels: tuple[str, ...]) -> str:
        return ", ".join(one_line(name) for name in labels) or "any"

    arrow = "⇄" if link.symmetric else "→"
    return f"{side(link.from_labels)} {arrow} {side(link.to_labels)}"
