"""A GoldReport for people (a Rich table) and for spreadsheets (CSV, one row per document and
annotator). Names, ids and labels are untrusted: plain Text, control characters made visible."""

from __future__ import annotations

import csv
from typing import IO, TYPE_CHECKING

from annotator.agreement.gold import GoldReport
from annotator.agreement.report import (
    csv_counts,
    fmt,
    percent,
    plain_text,
    titled_table,
)
from annotator.sanitize import safe_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

CSV_COLUMNS = (
    "document", "annotator", "gold_spans", "spans",
    "exact_tp", "exact_fp", "exact_fn", "exact_precision", "exact_recall", "exact_f1",
    "overlap_tp", "overlap_fp", "overlap_fn", "overlap_precision", "overlap_recall", "overlap_f1",
)


def write_gold_csv(report: GoldReport, out: IO[str]) -> int:
    """One row per (document, annotator); an undefined figure is an empty cell."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in report.by_document:
        e, o = d.spans.exact, d.spans.overlap
        writer.writerow([safe_line(d.id), safe_line(d.annotator), e.a, e.b, *csv_counts(e),
                         *csv_counts(o)])
    return len(report.by_document)


def print_gold_table(report: GoldReport, console: Console) -> None:
    """Per annotator, per label and annotator, attribute accuracy, links."""
    scope = f"status {report.status}" + (f", label {report.label}" if report.label else "")
    console.print(plain_text(f"Against gold on {report.documents} document"
                             f"{'' if report.documents == 1 else 's'} ({scope})"))
    if not report.annotators:
        sets = "marked done" if report.status == "done" else "of any status"
        console.print(plain_text(
            f"Note: no document has a gold set and an annotator's set {sets} yet; gold is"
            " the set @gold (written by review, or imported as JSONL lines with"
            ' "annotator": "@gold").'))
        return
    for table in (_annotators(report), _labels(report), _attributes(report), _links(report)):
        if table is not None:
            console.print()
            console.print(table)


def _annotators(report: GoldReport) -> Table:
    table = titled_table("Spans against gold (P = tp/|annotator's|, R = tp/|gold's|)",
                         ("annotator", "docs", "P", "R", "F1", "overlap P", "overlap R",
                          "overlap F1"))
    for a in report.annotators:
        e, o = a.spans.exact, a.spans.overlap
        table.add_row(plain_text(a.annotator), str(a.documents), fmt(e.precision),
                      fmt(e.recall), fmt(e.f1), fmt(o.precision), fmt(o.recall), fmt(o.f1))
    return table


def _labels(report: GoldReport) -> Table | None:
    rows = [(lab, a.annotator, m) for a in report.annotators for lab, m in a.by_label.items()]
    if not rows:
        return None
    table = titled_table("Per label", ("label", "annotator", "gold", "theirs", "exact F1",
                                       "overlap F1"), names=2)
    for lab, who, m in sorted(rows, key=lambda r: (r[0], r[1])):
        table.add_row(plain_text(lab), plain_text(who), str(m.exact.a), str(m.exact.b),
                      fmt(m.exact.f1), fmt(m.overlap.f1))
    return table


def _attributes(report: GoldReport) -> Table | None:
    rows = [(name, a.annotator, acc) for a in report.annotators
            for name, acc in a.attributes.items()]
    if not rows:
        return None
    table = titled_table("Attributes, on spans matching gold exactly",
                         ("attribute", "annotator", "spans", "correct", "accuracy"), names=2)
    for name, who, acc in sorted(rows, key=lambda r: (r[0], r[1])):
        table.add_row(plain_text(name), plain_text(who), str(acc.units), str(acc.correct),
                      percent(acc.accuracy))
    return table


def _links(report: GoldReport) -> Table | None:
    if not any(a.links.exact.a or a.links.exact.b for a in report.annotators):
        return None
    table = titled_table("Links against gold (type and both ends)",
                         ("annotator", "gold", "theirs", "P", "R", "F1", "overlap F1"))
    for a in report.annotators:
        e = a.links.exact
        table.add_row(plain_text(a.annotator), str(e.a), str(e.b), fmt(e.precision),
                      fmt(e.recall), fmt(e.f1), fmt(a.links.overlap.f1))
    return table
