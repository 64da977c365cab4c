"""An AgreementReport for people (a Rich table) and for spreadsheets (CSV, one row per
document and pair). Names and ids are untrusted: they are shown as plain Text with control
characters made visible, never as Rich markup."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from annotator.agreement.figures import AgreementReport, Counts, LinkGroup, rounded
from annotator.sanitize import safe_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

NA = "n/a"
LEAST_AGREED = 10

CSV_COLUMNS = (
    "document", "a", "b", "tokens",
    "exact_tp", "exact_fp", "exact_fn", "exact_precision", "exact_recall", "exact_f1",
    "overlap_tp", "overlap_fp", "overlap_fn", "overlap_precision", "overlap_recall", "overlap_f1",
    "cohen_kappa", "cohen_kappa_annotated", "percent_agreement",
)


def csv_counts(c: Counts) -> list[Any]:
    return [c.tp, c.fp, c.fn, *(csv_cell(x) for x in (c.precision, c.recall, c.f1))]


def csv_cell(x: float | None) -> Any:
    return "" if x is None else rounded(x)


def write_csv(report: AgreementReport, out: IO[str]) -> int:
    """One row per (document, pair); an undefined figure is an empty cell. Returns the rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for doc in report.by_document:
        for p in doc.pairs:
            writer.writerow([safe_line(doc.id), safe_line(p.a), safe_line(p.b), p.tokens,
                             *csv_counts(p.exact), *csv_counts(p.overlap), csv_cell(p.cohen_kappa),
                             csv_cell(p.cohen_kappa_annotated), csv_cell(p.percent_agreement)])
            n += 1
    return n


# -- the table ------------------------------------------------------------------------------

def fmt(x: float | None) -> str:
    return NA if x is None else f"{x:.2f}"


def _ci(report: AgreementReport, key: str) -> str:
    ci = report.ci95.get(key)
    return "" if ci is None else f"[{ci[0]:.2f}–{ci[1]:.2f}]"


def plain_text(text: str) -> Text:
    from rich.text import Text

    return Text(safe_line(text), no_wrap=True, overflow="ellipsis")


def titled_table(title: str, columns: Iterable[str | Text], caption: str | None = None,
           names: int = 1) -> Table:
    """A table whose first `names` columns hold names (left, shortened with … when narrow)
    and the others figures (right, never wrapped)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(safe_line(title)), title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, caption=caption, caption_justify="left")
    for i, name in enumerate(columns):
        if i < names:
            table.add_column(name, justify="left", no_wrap=True, overflow="ellipsis",
                             min_width=6)
        else:
            table.add_column(name, justify="right", no_wrap=True, min_width=5)  # "-0.14"
    return table


def print_table(report: AgreementReport, console: Console) -> None:
    """Overall figures with intervals, the pair matrix and pairs, per label, per attribute,
    links, and the least agreed documents."""
    scope = f"status {report.status}" + (f", label {report.label}" if report.label else "")
    names = ", ".join(report.annotators) or "none"
    console.print(plain_text(f"Agreement on {report.documents} document"
                         f"{'' if report.documents == 1 else 's'} ({scope});"
                         f" annotators: {names}"))
    if not report.documents:
        sets = "marked done" if report.status == "done" else "of any status"
        hint = " (--status any counts unfinished ones)" if report.status == "done" else ""
        console.print(plain_text(f"Note: no document has sets {sets} from two annotators yet{hint};"
                             " every figure is n/a."))
    for table in (_overall(report), _matrix(report), _pairs(report), _labels(report),
                  _attributes(report), _links(report), _least(report)):
        if table is not None:
            console.print()
            console.print(table)


def _overall(report: AgreementReport) -> Table:
    o = report.overall()
    table = titled_table("Overall (pooled over documents and pairs)", ("figure", "value", "95% CI"),
                   caption=None if report.documents >= 5 or not report.documents else
                   "intervals need at least 5 documents")
    rows = [
        ("exact span F1, pooled", o["exact_f1_pooled"], _ci(report, "exact_f1_pooled")),
        ("exact span F1, mean ± SD of pairs", None, ""),
        ("overlap span F1, pooled", o["overlap_f1_pooled"], _ci(report, "overlap_f1_pooled")),
        ("overlap span F1, mean of pairs", o["overlap_f1_mean"], ""),
        ("Cohen's κ (tokens), mean of pairs", o["cohen_kappa_mean"], ""),
        (f"Fleiss' κ (tokens with {report.fleiss_raters or 'n'} raters)", o["fleiss_kappa"], ""),
        ("Krippendorff's α (tokens, nominal)", o["krippendorff_alpha"],
         _ci(report, "krippendorff_alpha")),
    ]
    for name, value, ci in rows:
        shown = fmt(value)
        if name.startswith("exact span F1, mean"):
            shown = fmt(o["exact_f1_mean"]) + (f" ± {o['exact_f1_sd']:.2f}"
                                               if o["exact_f1_sd"] is not None else "")
        table.add_row(name, shown, ci)
    return table


def _matrix(report: AgreementReport) -> Table | None:
    if len(report.annotators) < 3:
        return None  # one pair: the pairs table says it all
    cell = {(p.a, p.b): p for p in report.pairs} | {(p.b, p.a): p for p in report.pairs}
    table = titled_table("Pair matrix: exact span F1 / Cohen's κ",
                   ("", *map(plain_text, report.annotators)))
    for a in report.annotators:
        row: list[Any] = [plain_text(a)]
        for b in report.annotators:
            p = cell.get((a, b))
            row.append("—" if a == b else "" if p is None else
                       f"{fmt(p.exact.f1)} / {fmt(p.cohen_kappa)}")
        table.add_row(*row)
    return table


def _pairs(report: AgreementReport) -> Table | None:
    if not report.pairs:
        return None
    table = titled_table("Pairs: exact P/R/F1 (A is the reference: P = tp/|B|, R = tp/|A|),"
                   " overlap F1, token κ (all; annotated tokens only), % tokens agreed",
                   ("A", "B", "docs", "P", "R", "F1", "overlap", "κ", "κ ann.", "agree"),
                   names=2)
    for p in report.pairs:
        table.add_row(plain_text(p.a), plain_text(p.b), str(p.documents), fmt(p.exact.precision),
                      fmt(p.exact.recall), fmt(p.exact.f1), fmt(p.overlap.f1),
                      fmt(p.cohen_kappa), fmt(p.cohen_kappa_annotated),
                      percent(p.percent_agreement))
    return table


def percent(x: float | None) -> str:
    return NA if x is None else f"{x:.0%}"


def _labels(report: AgreementReport) -> Table | None:
    if not report.by_label:
        return None
    table = titled_table("Per label (α: the label vs everything else)",
                   ("label", "spans, Σ pairs", "exact F1", "overlap F1", "α"))
    for name, lab in report.by_label.items():
        spans = sum(p.exact.a + p.exact.b for p in lab.pairs)
        table.add_row(plain_text(name), str(spans), fmt(lab.exact_f1_pooled),
                      fmt(lab.overlap_f1_pooled), fmt(lab.krippendorff_alpha))
    return table


def _attributes(report: AgreementReport) -> Table | None:
    if not report.attributes:
        return None
    table = titled_table("Attributes, on spans marked identically (same start, end, label)",
                   ("attribute", "span pairs", "agree", "% agree", "α"))
    for name, att in report.attributes.items():
        table.add_row(plain_text(name), str(att.units), str(att.agree),
                      percent(att.percent_agreement), fmt(att.krippendorff_alpha))
    return table


def _links(report: AgreementReport) -> Table | None:
    links = report.links
    if not any(p.exact.a or p.exact.b for p in links.all.pairs):
        return None
    table = titled_table("Links (type and both ends; symmetric types unordered)",
                   ("links", "links, Σ pairs", "exact F1", "overlap F1"))

    def row(name: str, group: LinkGroup) -> None:
        total = sum(p.exact.a + p.exact.b for p in group.pairs)
        table.add_row(plain_text(name), str(total), fmt(group.exact_f1_pooled),
                      fmt(group.overlap_f1_pooled))

    row("all", links.all)
    row("across documents", links.cross_document)
    row("within a document", links.in_document)
    for name, group in links.by_type.items():
        row(name, group)
    return table


def _least(report: AgreementReport) -> Table | None:
    if not report.by_document:
        return None
    shown = report.least_agreed(LEAST_AGREED)
    table = titled_table(f"The {len(shown)} least agreed document{'s' if len(shown) != 1 else ''}"
                   " (lowest mean exact F1)",
                   ("document", "annotators", "exact F1", "overlap F1", "α"), names=2)
    for d in shown:
        table.add_row(plain_text(d.id), plain_text(", ".join(d.annotators)), fmt(d.exact_f1_mean),
                      fmt(d.overlap_f1_mean), fmt(d.krippendorff_alpha))
    return table
