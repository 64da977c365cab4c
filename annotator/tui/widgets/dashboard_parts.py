"""The dashboard's pictures as Rich renderables: the pair heatmap and the per-label bars.
Every name is untrusted: it goes through plain() and into Text, never into markup."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from annotator.agreement import AgreementReport
from annotator.agreement.gold import GoldReport
from annotator.tui.plain import plain

NAME_CELLS = 12
BAR_MAX = 40


def name(text: str, cells: int = NAME_CELLS) -> Text:
    return Text(plain(text, limit=cells).plain)


def figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def heat_style(value: float | None) -> str:
    """Red (low) through yellow to green (high) backgrounds, black text; grey when undefined."""
    if value is None:
        return "black on grey50"
    if value < 0.5:
        return "black on red3"
    if value < 0.7:
        return "black on dark_orange"
    if value < 0.85:
        return "black on yellow3"
    return "black on green3"


def heatmap(report: AgreementReport) -> RenderableType:
    """Exact span F1 of every pair, annotator by annotator (symmetric: F1 does not care which
    side is the reference)."""
    people = report.annotators
    if len(people) < 2:
        return Text("no pair has two done sets of a document yet")
    f1 = {(p.a, p.b): p.exact.f1 for p in report.pairs}
    table = Table(box=None, show_header=True, pad_edge=False, padding=(0, 1))
    table.add_column("exact F1")
    for who in people:
        table.add_column(name(who, 6), justify="center", min_width=5)
    for a in people:
        cells: list[Text] = []
        for b in people:
            if a == b:
                cells.append(Text(" – ", style="dim"))
                continue
            value = f1.get((a, b), f1.get((b, a)))
            cells.append(Text(f" {figure(value)} ", style=heat_style(value)))
        table.add_row(name(a), *cells)
    return table


def bar(value: float | None, width: int) -> Text:
    if value is None:
        return Text("·" * width, style="grey50")
    filled = round(max(0.0, min(1.0, value)) * width)
    return Text("█" * filled, style=heat_style(value).split(" on ")[-1]) + \
        Text("░" * (width - filled), style="grey30")


class LabelBars:
    """Exact span F1 pooled over pairs, one bar per label, worst first; the bars fill the width
    they are drawn in (at most BAR_MAX cells), so a resize redraws them to fit."""

    def __init__(self, report: AgreementReport) -> None:
        self.report = report

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.report.by_label:
            yield Text("no labelled spans to compare yet")
            return
        width = min(BAR_MAX, max(5, options.max_width - NAME_CELLS - 6))
        rows = sorted(self.report.by_label.values(),
                      key=lambda lab: (lab.exact_f1_pooled is None, lab.exact_f1_pooled or 0.0,
                                       lab.label))
        for lab in rows:
            line = name(lab.label)
            line.pad_right(NAME_CELLS + 1 - line.cell_len)
            yield line + bar(lab.exact_f1_pooled, width) + Text(
                f" {figure(lab.exact_f1_pooled)}")


def gold_table(report: GoldReport) -> RenderableType:
    """Each annotator against gold: documents, exact and overlap span F1, the accuracy of
    attributes on spans matching gold exactly (all attributes together), link F1."""
    table = Table(box=None, pad_edge=False, padding=(0, 1))
    for column in ("annotator", "docs", "exact F1", "overlap F1", "attributes", "links F1"):
        table.add_column(column, justify="left" if column == "annotator" else "right")
    for a in report.annotators:
        units = sum(x.units for x in a.attributes.values())
        correct = sum(x.correct for x in a.attributes.values())
        table.add_row(name(a.annotator), str(a.documents), figure(a.spans.exact.f1),
                      figure(a.spans.overlap.f1),
                      "n/a" if not units else f"{correct / units:.0%}",
                      figure(a.links.exact.f1))
    return table
