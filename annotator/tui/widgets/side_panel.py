"""The side panel for the focused pane: label legend with keys and counts, the span under the
cursor, the document's spans in order, and its links."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from annotator.display import label_chip
from annotator.model import LabelSchema, Link, Span
from annotator.tui.plain import SanitisedLines
from annotator.tui.text_layout import one_line
from annotator.tui.widgets.flag_box import FlagBox
from annotator.tui.widgets.same_rows import SameRows
from annotator.tui.widgets.span_list import SpanList, describe_attrs

MAX_LINKS = 6  # links the Links box lists (two rows each)
NAME_MAX = 40  # code points of a label or link type name shown, at most
DETAIL_MAX = 200  # of the attributes line under the cursor (the box is at most 38 cells wide)


class SidePanel(SanitisedLines, SameRows, Vertical):
    DEFAULT_CSS = """
    SidePanel { width: 38; background: $panel; border-left: vkey $panel-lighten-2; }
    SidePanel.-narrow { width: 28; }
    SidePanel > .side-heading { height: 1; color: $text-muted; text-style: bold; padding: 0 1;
                                background: $panel-darken-1; }
    /* one row an item, never wrapped: the height is known, so updates need no reflow */
    SidePanel > #legend { height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    SidePanel > #detail { height: 6; padding: 0 1; }
    SidePanel.-narrow > #detail { height: 4; }
    SidePanel > #links { height: auto; max-height: 14; padding: 0 1; text-wrap: nowrap;
                         text-overflow: ellipsis; }
    SidePanel.-narrow > #links { max-height: 5; }
    """

    def __init__(self, schema: LabelSchema) -> None:
        super().__init__()
        self.schema = schema
        self.legend = Static(id="legend")
        self.detail = Static(id="detail")
        self.span_list = SpanList(id="span-list")
        self.link_box = Static(id="links")
        self.flag_box = FlagBox()
        self._shown: dict[str, Text] = {}

    def _put(self, box: Static, text: Text, *, fixed: bool = False) -> None:
        """Update a box only when its text changed; reflow the screen only when its height may
        have (a keystroke then repaints a few lines, not the whole screen)."""
        old = self._shown.get(box.id or "")
        if old is not None and old == text:
            return
        self._shown[box.id or ""] = text
        same_height = old is not None and old.plain.count("\n") == text.plain.count("\n")
        box.update(text, layout=not (fixed or same_height))

    def compose(self) -> ComposeResult:
        yield Static("Labels", classes="side-heading")
        yield self.legend
        yield Static("Under the cursor", classes="side-heading")
        yield self.detail
        yield Static("Spans", classes="side-heading", id="spans-heading")
        yield self.span_list
        yield Static("Links", classes="side-heading")
        yield self.link_box
        yield self.flag_box

    def show_counts(self, counts: dict[str, int]) -> None:
        """Key, label and count; two to a row in a narrow panel, so the span list keeps room."""
        text = Text(no_wrap=True, overflow="ellipsis")
        per_row = 2 if self.has_class("-narrow") else 1
        for i, lab in enumerate(self.schema.labels):
            name = lab.name if per_row == 1 else f"{lab.name[:5]:<5}"
            text.append(f"{one_line(lab.key)} ", "bold")
            text.append(*label_chip(name, lab.color))
            count = str(counts.get(lab.name, 0))
            if per_row > 1 and i % 2 == 0 and i + 1 < len(self.schema.labels):
                text.append(f" {count:<3}", "dim")
            else:
                text.append(f" {count}\n", "dim")
        text.rstrip()
        self._put(self.legend, text)

    def show_detail(self, span: Span | None, text: str, links: list[Link],
                    describe: dict[str, str]) -> None:
        if span is None:
            self._put(self.detail, Text("—", "dim"), fixed=True)
            return
        out = Text()
        out.append(*label_chip(span.label, self._color(span.label)))
        out.append(f" {span.start}–{span.end}\n", "dim")
        out.append(one_line(text[span.start : min(span.end, span.start + 64)], 64) + "\n")
        attrs = describe_attrs(span.attrs)
        if "speaker" in span.attrs:
            attrs = f"speaker={describe.get(span.attrs['speaker'], '?')} " + attrs
        attrs = one_line(attrs, DETAIL_MAX)
        if attrs:
            out.append(attrs + "\n", "italic")
        for link in links:
            if span.id in (link.from_span, link.to_span):
                other = link.to_span if link.from_span == span.id else link.from_span
                arrow = "→" if link.from_span == span.id else "←"
                out.append(f"{arrow} {one_line(link.type, NAME_MAX)} {describe.get(other, '?')}\n",
                           "dim")
        out.rstrip()
        self._put(self.detail, out, fixed=True)

    def show_links(self, links: list[Link], describe: dict[str, str]) -> None:
        if not links:
            self._put(self.link_box, Text("none — L on a span, then L on another", "dim",
                                          no_wrap=True, overflow="ellipsis"))
            return
        # two rows a link, so that both ends show in a 38-cell panel: the type and where it
        # starts, then the arrow (⇄ for a symmetric type) and where it ends
        out = Text(no_wrap=True, overflow="ellipsis")
        symmetric = {t.name for t in self.schema.links if t.symmetric}
        for link in links[:MAX_LINKS]:
            out.append(f"{one_line(link.type, NAME_MAX)} ", "bold")
            out.append(f"{describe.get(link.from_span, '?')}\n")
            out.append(" ⇄ " if link.type in symmetric else " → ", "bold")
            out.append(f"{describe.get(link.to_span, '?')}\n")
        if len(links) > MAX_LINKS:
            out.append(f"… and {len(links) - MAX_LINKS} more", "dim")
        out.rstrip()
        self._put(self.link_box, out)

    def _color(self, label: str) -> str:
        lab = self.schema.label(label)
        return lab.color if lab else "#888888"
