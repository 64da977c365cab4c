"""`python -m bench [--quick] [--only NAME ...] [--out bench/results.json]`: run the benchmarks
of issue #4, print one table, write the results as JSON."""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from bench.harness import BENCH_DIR
from bench.report import Figure, machine, na_figure, table, write_results

# module -> the figures it makes (names as in the table), in the table's order
BENCHES = {
    "keystrokes": ["keystroke cost vs document size", "keystroke cost vs Textual's TextArea",
                   "keystroke harness floor"],
    "slate": ["against a curses peer: CPU per key",
              "against a curses peer: time to text on screen"],
    "open_doc": ["open a document"],
    "io": ["import throughput", "export throughput", "export memory"],
    "agreement": ["agreement", "agreement memory"],
    "startup": ["start-up: annotator --help", "start-up: TUI first frame"],
    "concurrency": ["concurrent annotators"],
    "import_latency": ["p99 action latency during a 100 MB import"],
    "team": ["20 concurrent annotators through the forced command"],
    "conflicts": ["conflicts: recompute after a change"],
    "task_keys": [f"keys per task: {t}" for t in (
        "entity, all occurrences", "numbers", "repeated figure", "long claim",
        "claim attributes", "cross-pane link")],
}


@dataclass
class Config:
    quick: bool
    tmp: Path
    profile_missed: bool = True
    verbose: bool = True

    def log(self, msg: str) -> None:
        if self.verbose:
            print(f"  … {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="CI-sized inputs and fewer repetitions (under two minutes)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES), metavar="NAME",
                        help=f"run only these ({', '.join(BENCHES)})")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results.json")
    parser.add_argument("--no-profile", action="store_true",
                        help="do not profile the figures whose target is missed")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="annotator-bench-"))
    cfg = Config(args.quick, tmp, not args.no_profile, not args.quiet)
    figs: list[Figure] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        for name in args.only or BENCHES:
            t0 = time.perf_counter()
            cfg.log(f"{name} …")
            try:
                module = importlib.import_module(f"bench.{name}")
                figs += module.run(cfg)
            except Exception as exc:  # a broken bench is a row, not a crash of the others
                traceback.print_exc()
                why = f"n/a — failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                figs += [na_figure(fig, why) for fig in BENCHES[name]]
            timings[name] = time.perf_counter() - t0
            cfg.log(f"{name} took {timings[name]:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - started
    meta = machine() | {"mode": "quick" if args.quick else "full", "seconds": round(total, 1),
                        "seconds_by_bench": {k: round(v, 1) for k, v in timings.items()}}
    print()
    print(f"annotator benchmarks ({meta['mode']}) — {meta['date']}, {meta['nproc']} CPUs"
          f" ({meta['cpu']}), Python {meta['python']}, Textual {meta['textual']},"
          f" SQLite {meta['sqlite']}")
    print()
    print(table(figs))
    print()
    for f in figs:
        if f.met is False and f.profile:
            print(f"### where the time goes: {f.name}\n{f.profile}\n")
    print(f"total {total:.0f} s; results in {args.out}")
    write_results(args.out, figs, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
