"""Start-up: `annotator --help` (absolute: ≤ 0.3 s median), and the TUI's first frame on a
one-paragraph document vs a minimal Textual app's first frame, both on a pseudo-terminal
(seconds from spawn until known text is written to the terminal). Ours starts from compiled
bytecode, as Textual does (see run())."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.harness import PYTHON, ROOT, bench_env, compiled_env, first_frame, run_measured

MINIMAL_APP = '''\
from textual.app import App, ComposeResult
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("minimal app first frame")


Minimal().run()
'''
ANNOTATOR_BIN = Path(PYTHON).parent / "annotator"


def annotate_cmd(db: Path, doc_id: str) -> list[str]:
    return [str(ANNOTATOR_BIN), "--db", str(db), "annotate", "--as", "bench", doc_id]


def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.report import ratio_figure

    if not ANNOTATOR_BIN.exists():
        raise RuntimeError(f"{ANNOTATOR_BIN} is missing (is the CLI installed?)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-", dir=cfg.tmp))
    # from compiled bytecode, as an installed program starts from its second run on (Textual's
    # is compiled when pip installs it): one untimed start of each writes ours into a cache
    # of the bench's own, so the timed starts do not compile the package every time
    env = compiled_env(bench_env(), tmp / "pycache")
    run_measured([str(ANNOTATOR_BIN), "--help"], env=env)
    reps_help = 10 if cfg.quick else 20
    reps_frame = 5 if cfg.quick else 10

    ours_help, python_floor = [], []
    for _ in range(reps_help):
        ours_help.append(run_measured([str(ANNOTATOR_BIN), "--help"], env=env)["wall"])
        python_floor.append(run_measured([PYTHON, "-c", "pass"], env=env)["wall"])
    help_fig = ratio_figure(
        "start-up: annotator --help", ours_help, python_floor, "s", target="≤ 0.3 s median",
        ok=None, ours_what="annotator --help", base_what="python -c pass")
    med = help_fig.ours["median"]
    help_fig.met = med is not None and med <= 0.3
    if help_fig.met is False and cfg.profile_missed:
        help_fig.profile = _importtime(env)

    db, _, _ = fixtures.big_and_small(cfg.quick)
    markers = fixtures.screen_markers(db, "small")
    script = tmp / "minimal_app.py"
    script.write_text(MINIMAL_APP)
    ours, base = [], []
    first_frame(annotate_cmd(fixtures.copy_db(db, tmp / "warm.db"), "small"), markers, env=env,
                cwd=tmp)  # untimed: writes the bytecode of what the TUI imports
    for rep in range(reps_frame):
        copy = fixtures.copy_db(db, tmp / f"s{rep}.db")
        ours.append(first_frame(annotate_cmd(copy, "small"), markers, env=env,
                                cwd=tmp)["seconds"])
        base.append(first_frame([PYTHON, str(script)], ["minimal app first frame"], env=env,
                                cwd=tmp)["seconds"])
    frame_fig = ratio_figure(
        "start-up: TUI first frame", ours, base, "s", target="≤ 1.5x", ok=lambda r: r <= 1.5,
        ours_what="annotator annotate, 1 KB document", base_what="minimal Textual app")
    if frame_fig.met is False and cfg.profile_missed:
        from bench.open_doc import profile_open

        frame_fig.profile = (_importtime(env) + "\n\ncProfile, imports + app start until the"
                             " first frame (headless):\n" + profile_open(db, tmp, "small"))
    return [help_fig, frame_fig]


def _import_us(code: str, env: dict[str, str]) -> list[tuple[int, str]]:
    import subprocess

    proc = subprocess.run([PYTHON, "-X", "importtime", "-c", code], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return rows


def _top_level_ms(rows: list[tuple[int, str]]) -> float:
    return sum(us for us, name in rows if not name.startswith("  ")) / 1000


def _importtime(env: dict[str, str]) -> str:
    """Import time of `annotator` (CLI + TUI) vs the minimal app, and our slowest imports."""
    ours = _import_us("import annotator.cli, annotator.tui.app", env)
    minimal = _import_us("from textual.app import App; from textual.widgets import Static", env)
    head = (f"imports (python -X importtime): annotator.cli + annotator.tui.app"
            f" {_top_level_ms(ours):.0f} ms, minimal app {_top_level_ms(minimal):.0f} ms")
    ours.sort(reverse=True)
    return head + "\ncumulative import time (µs), slowest first:\n" + "\n".join(
        f"{us:>9}  {name}" for us, name in ours[:15])
