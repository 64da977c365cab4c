"""The annotation screen's one-line bars: the pane tabs (narrow terminals) and the status."""

from __future__ import annotations

from rich.text import Text

from annotator.tui.motions import Target
from annotator.tui.text_layout import one_line as safe
from annotator.tui.widgets.document_view import DocumentView
from annotator.words import WORD

COUNT_UP_TO = 10_000  # words a selection's extent counts one by one (then "10000+")


def tabs_line(doc_ids: list[str], active: int | None, room: int) -> Text:
    """One tab a pane (by id: short and unique), each cut to fit, so all of them show."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if doc_ids:
        each = max(6, room // len(doc_ids) - 1)
        for i, doc_id in enumerate(doc_ids, 1):
            label = f" {i} {safe(doc_id)}"
            label = (label if len(label) <= each - 1 else label[: each - 2] + "…") + " "
            text.append(label, "reverse bold" if i - 1 == active else "dim")
            text.append(" ")
    return text


def status_line(annotator: str, read_only: bool, progress: tuple[int, int],
                view: DocumentView | None, linking_from: str | None, last_action: str,
                conflict: str | None = None, suggestion: str | None = None) -> Text:
    """Who, how far, where the cursor is, the search count, a pending link, whether the span
    under the cursor is part of a figure conflict, a suggestion under the cursor, the last
    action; every name, id and message is untrusted and sanitised here."""
    done, total = progress
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(safe(annotator), "bold")
    if read_only:
        text.append("  read-only", "bold reverse")
    text.append(f"  {done}/{total} done  ")
    if view is not None:
        text.append("char " if view.precise else "word ", "dim")
        text.append(f"@{view.cursor}  ", "dim")
        if view.select_from is not None:
            text.append(f"{selection_extent(view.text, view.selection())}  ", "bold reverse")
        found = view.match_position() if view.search_query else None
        if found:
            text.append(f"/{safe(view.search_query, 20)} {found[0]}/{found[1]}  ", "bold")
    if linking_from is not None:
        text.append(f"linking from “{safe(linking_from, 20)}”: L on the target, esc cancels  ",
                    "bold reverse")
    if conflict is not None:
        text.append(f"✗ {safe(conflict, 80)}  ", "bold red")
    if suggestion is not None:
        text.append(f"{safe(suggestion)}  ", "italic")
    text.append(safe(last_action))
    return text


def selection_extent(text: str, sel: Target | None) -> str:
    """"selecting 12 words, 74 chars" (code points): a selection under way, and how much."""
    if sel is None:
        return "selecting nothing yet"
    words = 0
    for words, _ in enumerate(WORD.finditer(text, sel.start, sel.end), 1):
        if words > COUNT_UP_TO:
            break
    many = f"{COUNT_UP_TO}+" if words > COUNT_UP_TO else str(words)
    chars = sel.end - sel.start
    return (f"selecting {many} word{'' if words == 1 else 's'}, "
            f"{chars} char{'' if chars == 1 else 's'}")
