"""The one table `make bench` prints, and bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import summary


@dataclass
class Figure:
    """One row: our number, the baseline it is divided by, and whether the target is met.

    ours/baseline/ratio are summaries ({median, min, max, n}) over the repetitions; a ratio is
    taken per repetition (ours_i / baseline_i) so both were measured side by side."""

    name: str
    unit: str = ""
    ours: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    ratio: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    met: bool | None = None
    reps: int = 0
    ours_what: str = ""
    base_what: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    profile: str = ""
    ours_text: str = ""  # when set, the table shows these instead of the summaries
    base_text: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def ratio_figure(name: str, ours: Sequence[float], base: Sequence[float], unit: str, *,
                 target: str, ok: Callable[[float], bool] | None, ours_what: str = "",
                 base_what: str = "", higher_is_better: bool = False,
                 extra: dict[str, Any] | None = None, note: str = "") -> Figure:
    ratios = [o / b for o, b in zip(ours, base, strict=False) if b]
    fig = Figure(name, unit, summary(ours), summary(base), summary(ratios), target,
                 reps=min(len(ours), len(base)), ours_what=ours_what, base_what=base_what,
                 extra=extra or {}, note=note)
    r = fig.ratio["median"]
    fig.met = None if ok is None or r is None else bool(ok(r))
    return fig


def na_figure(name: str, why: str, target: str = "") -> Figure:
    return Figure(name, target=target, met=None, note=why)


def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_stat(s: dict[str, Any]) -> str:
    if not s or s.get("median") is None:
        return "–"
    if s.get("n", 0) <= 1 or s["min"] == s["max"]:
        return _fmt(s["median"])
    return f"{_fmt(s['median'])} [{_fmt(s['min'])}–{_fmt(s['max'])}]"


def verdict(fig: Figure) -> str:
    if fig.met is True:
        return "met"
    if fig.met is False:
        return "MISSED"
    return "n/a" if not fig.ours else "info"


def table(figs: list[Figure]) -> str:
    """A Markdown table (readable in a terminal too)."""
    head = ["figure", "ours", "baseline", "ratio", "target", "result"]
    rows = []
    for f in figs:
        if not f.ours:
            rows.append([f.name, f.note or "n/a", "", "", f.target, verdict(f)])
            continue
        ours = f"{fmt_stat(f.ours)} {f.unit}".strip()
        if f.ours_what:
            ours += f" ({f.ours_what})"
        base = fmt_stat(f.baseline) if f.baseline else ""
        if f.baseline and f.unit:
            base += f" {f.unit}"
        if f.base_what:
            base += f" ({f.base_what})"
        ours, base = f.ours_text or ours, f.base_text or base
        rows.append([f.name, ours, base.strip(), fmt_stat(f.ratio) if f.ratio else "",
                     f.target, verdict(f)])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in rows]
    return "\n".join(out)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import textual

        textual_version = textual.__version__
    except Exception:  # pragma: no cover
        textual_version = "?"
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=Path(__file__).parent).stdout.strip()
    except OSError:
        rev = ""
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem,
            "python": platform.python_version(), "textual": textual_version,
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M %Z"), "git": rev}


def write_results(path: Path, figs: list[Figure], meta: dict[str, Any]) -> None:
    data = {"meta": meta, "figures": [f.to_json() for f in figs]}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
