"""The one way a string reaches the screen outside a document view: `plain(text)`.

Every string a widget shows (document ids and titles, label, link and attribute names and
values, search text, annotator names, status and toast messages) is untrusted. `plain` cuts
it before anything measures it, draws controls, bidi controls and invisible characters as
placeholders (annotator.sanitize, the CLI's own) and never parses markup: "[/]", "[sic]" and
"[@click=app.quit]" show as written. tests/test_terminal_output.py scans the TUI for the
ways around it (markup in Static/update/notify, Text.from_markup, ...).
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from annotator.sanitize import LINE_MAX
from annotator.tui.text_layout import one_line


def plain(text: object, style: str = "", limit: int = LINE_MAX) -> Content:
    """`text` (str() of it) as one line of literal, sanitised content, cut to `limit`."""
    return Content.styled(one_line(str(text), limit), style) if style else Content(
        one_line(str(text), limit))


def toast(widget: Widget, message: str, *, title: str = "", severity: str = "information",
          timeout: float | None = None) -> None:
    """A notification whose message and title are shown literally and sanitised."""
    widget.notify(one_line(message), title=one_line(title), severity=severity,  # type: ignore[arg-type]
                  timeout=timeout, markup=False)
