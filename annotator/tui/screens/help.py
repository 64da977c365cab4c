"""The `?` screen: every key binding (docs/keys.md) and the label and link keys of the schema."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from annotator.display import label_chip as display_chip
from annotator.keymap import HELP_GROUPS, HELP_NOTES, KEYMAP, shown
from annotator.model import LabelDef, LabelSchema, LinkTypeDef
from annotator.tui.keys import bindings
from annotator.tui.plain import plain
from annotator.tui.text_layout import one_line

_ARROWS = {"left": "←", "right": "→", "up": "↑", "down": "↓"}


def key_text(key: str) -> str:
    """A key as the help writes it: "}" for right_curly_bracket, "ctrl+←" for ctrl+left."""
    mods, _, base = key.rpartition("+")
    base = _ARROWS.get(base, shown(base))
    return f"{mods}+{base}" if mods else base


def key_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The key table's rows by help group: entries with the same help line share a row, their
    keys listed in table order (and each entry's first keys before its alternatives)."""
    groups: dict[str, dict[str, list[list[str]]]] = {g: {} for g in HELP_GROUPS}
    entries: dict[tuple[str, str], int] = {}
    for entry in KEYMAP:
        columns = groups[entry.group].setdefault(entry.help, [])
        entries[entry.group, entry.help] = entries.get((entry.group, entry.help), 0) + 1
        for i, name in enumerate(entry.key_names):
            if i == len(columns):
                columns.append([])
            if (text := key_text(name)) not in columns[i]:
                columns[i].append(text)
    rows: list[tuple[str, list[tuple[str, str]]]] = []
    for group in HELP_GROUPS:
        lines = [(("  " if entries[group, line] > 1 else " ").join(" ".join(c) for c in cols), line)
                 for line, cols in groups[group].items()]
        rows.append((group, [*lines, *HELP_NOTES.get(group, ())]))
    return rows


_LEFT_COLUMN = HELP_GROUPS[:5]


def label_chip(label: LabelDef) -> Content:
    return Content.styled(*display_chip(label.name, label.color, bold=True))


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
    HelpScreen .keys { height: auto; grid-size: 2; grid-columns: 22 1fr; grid-rows: auto; }
    HelpScreen .labels { height: auto; grid-size: 4; grid-columns: 6 14 8 1fr; grid-rows: auto; }
    HelpScreen .links { height: auto; grid-size: 3; grid-columns: 6 14 1fr; grid-rows: auto; }
    HelpScreen .key { color: $text-accent; text-style: bold; height: auto; }
    HelpScreen .muted { color: $text-muted; height: auto; }
    HelpScreen Static { height: auto; }
    HelpScreen #footer { height: 1; margin-right: 1; }
    HelpScreen #hint { width: 1fr; color: $text-muted; }
    HelpScreen #close { min-width: 9; }
    """
    BINDINGS = bindings("help")  # type: ignore[assignment]

    def __init__(self, schema: LabelSchema) -> None:
        super().__init__()
        self.schema = schema

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = Content(f"labels: {one_line(self.schema.ref)}")
            with VerticalScroll(id="body"):
                groups = key_groups()
                with Horizontal(id="columns"):
                    for column, chosen in (
                        ("left", [g for g in groups if g[0] in _LEFT_COLUMN]),
                        ("right", [g for g in groups if g[0] not in _LEFT_COLUMN]),
                    ):
                        with Vertical(id=column, classes="column"):
                            for name, rows in chosen:
                                yield from self._group(name, rows)
                yield from self._labels()
                yield from self._links()
            with Horizontal(id="footer"):
                yield Static(Content("↑↓ j k scroll · esc ? q close"), id="hint")
                yield Button("Close", id="close", compact=True)

    def _group(self, name: str, rows: list[tuple[str, str]]) -> ComposeResult:
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
