"""Text from documents and input files made safe to write to a terminal (docs/cli.md).

Control characters (C0 other than newline and tab, ESC, DEL, C1 U+0080-U+009F) become visible
placeholders, the same the TUI draws: ␀ … ␟ (ESC is ␛), ␡, and ␦ for C1. Only for what a person
reads (tables, reports, error messages); data outputs (exports, JSON) keep the exact text.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f]")
_C1_OR_DEL = re.compile("[\x7f-\x9f]")


def placeholder(ch: str) -> str:
    """The visible stand-in for one control character."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\u2426"  # ␦ for C1 controls


def _swap(match: re.Match[str]) -> str:
    return placeholder(match.group())


def safe(text: str) -> str:
    """`text` with every control character but newline and tab made visible."""
    return _CONTROL.sub(_swap, text)


def safe_line(text: str) -> str:
    """`text` for one line of a table or a message: newlines and tabs become spaces too."""
    return _CONTROL_OR_BREAK.sub(lambda m: " " if m.group() in "\n\t" else _swap(m), text)


def escape_json_controls(encoded: str) -> str:
    """JSON text with DEL and C1 controls written as \\u escapes: the same JSON value (json.dumps
    already escapes C0), but nothing a terminal would act on when it is printed."""
    return _C1_OR_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
