"""The one way a string reaches the screen outside a document view: `plain(text)`; and the
last guard for any that does not, `Placeholders`, a line filter every line drawn goes through.

Every string a widget shows (document ids and titles, label, link and attribute names and
values, search text, annotator names, status and toast messages) is untrusted. `plain` cuts
it before anything measures it, draws controls, bidi controls and invisible characters as
placeholders (annotator.sanitize, the CLI's own) and never parses markup: "[/]", "[sic]" and
"[@click=app.quit]" show as written. tests/test_tui_untrusted.py scans the TUI's code for
the ways around it (markup in Static/update/notify, Text.from_markup, ...), and
tests/test_terminal_output.py drives every screen on a pty with hostile names and values.

`Placeholders` is where text becomes what the terminal is sent: the app applies it to every
line of every widget (Textual's line filters: the styles cache and DirectLines both apply
them) but those that need none (SanitisedLines), so a new widget that forgets plain() still
never writes a raw ESC, C1 or bidi control. It costs one search of a line drawn anew (a Strip
keeps the result).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.segment import Segment
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.widget import Widget

from annotator.sanitize import LINE_MAX, UNSAFE, safe_line
from annotator.tui.text_layout import one_line


def plain(text: object, style: str = "", limit: int = LINE_MAX) -> Content:
    """`text` (str() of it) as one line of literal, sanitised content, cut to `limit`."""
    shown = one_line(str(text), limit)
    return Content.styled(shown, style) if style else Content(shown)


def toast(widget: Widget, message: str, *, title: str = "",
          severity: SeverityLevel = "information", timeout: float | None = None) -> None:
    """A notification whose message and title are shown literally and sanitised."""
    widget.notify(one_line(message), title=one_line(title), severity=severity, timeout=timeout,
                  markup=False)


_UNSAFE_IN_LINE = re.compile(f"[\t\n]|{UNSAFE.pattern}")


class Placeholders(LineFilter):
    """Draws any control, bidi or invisible character left in a line as its placeholder (the
    sanitiser's own); a line without one is returned as it is."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        line = "".join([segment.text for segment in segments])
        if (line.isascii() and line.isprintable()) or not _UNSAFE_IN_LINE.search(line):
            return segments  # nearly every line: one search of the whole line
        return [segment if segment.control else
                Segment(safe_line(segment.text), segment.style, segment.control)
                for segment in segments]


class SanitisedLines:
    """Mixin for a widget whose lines need no guard: every character is drawn through
    text_layout.glyph or one_line (the document view, the span list), or it draws no text of
    its own (the panes' and the side panel's containers, the screen). They are most of the
    lines of a frame, and a filter costs a cache lookup per line per frame even when the line
    is unchanged (~170,000 lookups in bench/keystrokes.py's 200 keys)."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        widget: Widget = self  # type: ignore[assignment]
        return [f for f in widget.app.get_line_filters() if not isinstance(f, Placeholders)]
