"""How the TUI and the CLI show a document's status and a label, in one place (Textual-free)."""

from __future__ import annotations

from rich.color import Color, ColorParseError

from annotator.model import Status
from annotator.sanitize import safe_line

NAME_MAX = 40  # code points of a label name shown in a chip, at most

STATUS_GLYPHS: dict[Status, str] = {Status.TODO: "○", Status.IN_PROGRESS: "◐", Status.DONE: "●"}
"""My status on a document: the pane's title, the picker and `annotator docs` all use these."""

STATUS_WORDS: dict[Status, str] = {
    Status.TODO: "todo", Status.IN_PROGRESS: "in progress", Status.DONE: "done",
}  # fmt: skip

STATUS_LEGEND = " ".join(STATUS_GLYPHS.values())
STATUS_KEY = "  ".join(f"{STATUS_GLYPHS[s]} {STATUS_WORDS[s]}" for s in Status)
"""The legend under a list: "○ todo  ◐ in progress  ● done"."""

STATUS_STYLES: dict[Status, str] = {
    Status.TODO: "dim", Status.IN_PROGRESS: "yellow", Status.DONE: "green",
}  # fmt: skip
"""The glyph's colour on a plain terminal (the CLI); the TUI uses its theme's variables."""


def status_of(value: str | Status | None) -> Status:
    """A status as stored ("in_progress"), or todo when there is none or it is unknown."""
    try:
        return Status(value) if value is not None else Status.TODO
    except ValueError:
        return Status.TODO


def chip_style(color: str) -> str:
    """The style of a label chip: on the label's colour, in black or white, whichever reads
    better on it; reverse video when the colour cannot be parsed."""
    try:
        r, g, b = Color.parse(color).get_truecolor()
    except ColorParseError:
        return "reverse"
    brightness = (299 * r + 587 * g + 114 * b) / 1000 / 255  # Textual's Color.brightness
    text = "#ffffff" if brightness < 0.5 else "#000000"
    return f"{text} on {color}"


def label_chip(name: str, color: str, *, bold: bool = False) -> tuple[str, str]:
    """A label's chip: (its name, padded, on one line; the style to draw it in). Bold where
    it heads something (a dialog's title, the help's label table)."""
    style = chip_style(color)
    return f" {safe_line(name, NAME_MAX)} ", f"bold {style}" if bold else style
