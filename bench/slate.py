"""Against a curses peer: our TUI vs SLATE (`pip install slate-nlp`) on the same big text, both
run for real in tmux (120x40).

- time until the text is on screen: from starting the program until tmux's screen shows text
  from the document's first screenful (capture-pane, polled every few milliseconds);
- CPU per key: utime+stime of the program's process tree (/proc/<pid>/stat) over a paced run
  of the keystroke benchmark's 200 key actions (mapped to SLATE's nearest keys; a SLATE label
  is two keystrokes, Space then a letter, counted as one action), less the program's idle CPU
  over the same time.

Both start from compiled bytecode, as an installed program does from its second start on:
SLATE's comes with its wheel; ours (a source checkout, maybe with PYTHONDONTWRITEBYTECODE set)
is written by one untimed start into a cache of the bench's own (PYTHONPYCACHEPREFIX), so the
timed starts do not compile the package on every run and nothing is written into the tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import PYTHON, bench_env, compiled_env, tree_cpu
from bench.keystrokes import key_sequence

SLATE_BIN = Path(PYTHON).parent / "slate"
SLATE_LABELS = "asdv"  # its default labels: Space then a, s, d or v
SLATE_KEYS = {"l": ["Right"], "h": ["Left"], "j": ["Down"], "k": ["Up"], "w": ["Right"],
              "b": ["Left"], "}": ["}"], "{": ["{"], "v": ["/"], "u": ["u"]}  # fmt: skip


def slate_keys(keys: list[str]) -> list[list[str]]:
    out = []
    for k in keys:
        if k.isdigit():
            out.append(["Space", SLATE_LABELS[int(k) % len(SLATE_LABELS)]])
        else:
            out.append(SLATE_KEYS[k])
    return out


# what a session gets from the bench's environment (tmux gives it the server's otherwise)
_PASSED = ("TERM", "COLORTERM", "USER", "PYTHONHASHSEED", "PYTHONPATH", "PYTHONPYCACHEPREFIX",
           "PYTHONDONTWRITEBYTECODE")


class Tmux:
    """A private tmux server (its own socket), so nobody else's sessions are touched."""

    def __init__(self) -> None:
        self.socket = f"annotator-bench-{os.getpid()}"
        # a session that lives as long as we do: the server must not exit between programs
        self("new-session", "-d", "-s", "keeper", "-x", "80", "-y", "24", "sleep 86400")

    def __call__(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=False)
        if check and proc.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {proc.stderr.strip()}")
        return proc.stdout

    def start(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
        import shlex

        line = " ".join(shlex.quote(c) for c in cmd)
        envs = [a for k in _PASSED if k in env for a in ("-e", f"{k}={env[k]}")]
        self("new-session", "-d", "-s", name, "-x", "120", "-y", "40", "-c", str(cwd),
             *envs, line)
        return int(self("list-panes", "-t", name, "-F", "#{pane_pid}").split()[0])

    def screen(self, name: str, styled: bool = False) -> str:
        return self("capture-pane", "-p", *(["-e"] if styled else []), "-t", name, check=False)

    def keys(self, name: str, keys: list[str], literal: bool) -> None:
        self("send-keys", "-t", name, *(["-l"] if literal else []), *keys)

    def kill_session(self, name: str) -> None:
        self("kill-session", "-t", name, check=False)

    def kill_server(self) -> None:
        self("kill-server", check=False)


def _wait_for_text(tmux: Tmux, name: str, markers: list[str], pid: int, t0: float,
                   timeout: float = 120) -> float:
    while True:
        screen = tmux.screen(name)
        if any(m in screen for m in markers):
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"{name}: text not on screen after {timeout} s:\n{screen[:500]}")
        if not Path(f"/proc/{pid}").exists():
            raise RuntimeError(f"{name} exited before showing the text:\n{screen[:800]}")
        time.sleep(0.003)


def _settle(pid: int, quiet: float = 0.3, timeout: float = 120) -> float:
    """Wait until the process tree's CPU time stops moving for `quiet` seconds."""
    last, since, t0 = tree_cpu(pid), time.perf_counter(), time.perf_counter()
    while time.perf_counter() - since < quiet:
        time.sleep(0.05)
        now = tree_cpu(pid)
        if now != last:
            last, since = now, time.perf_counter()
        if time.perf_counter() - t0 > timeout:
            break
    return last


def session(tmux: Tmux, name: str, cmd: list[str], cwd: Path, env: dict[str, str],
            markers: list[str], keys: list[list[str]], literal: bool, pace: float
            ) -> dict[str, Any]:
    t0 = time.perf_counter()
    pid = tmux.start(name, cmd, cwd, env)
    try:
        shown = _wait_for_text(tmux, name, markers, pid, t0)
        _settle(pid)
        idle0, i0 = tree_cpu(pid), time.perf_counter()
        time.sleep(1.0)
        idle_rate = (tree_cpu(pid) - idle0) / (time.perf_counter() - i0)
        before = tmux.screen(name, styled=True)
        c0, k0 = _settle(pid), time.perf_counter()
        for group in keys:
            tmux.keys(name, group, literal)
            time.sleep(pace)
        # quiet for longer than the clusters' wait for quiet keys (tui/screens/figures.py's
        # QUIET, 0.4 s) and their worker: what the keys left for later is counted too
        c1 = _settle(pid, quiet=1.0)
        span = time.perf_counter() - k0
        if not Path(f"/proc/{pid}").exists():
            raise RuntimeError(f"{name} exited during the keys:\n{tmux.screen(name)[:800]}")
        cpu = max(0.0, c1 - c0 - idle_rate * span)
        return {"shown_s": shown, "cpu_per_key_ms": cpu / len(keys) * 1000,
                "idle_cpu_pct": idle_rate * 100, "seconds": span,
                "screen_changed": tmux.screen(name, styled=True) != before}
    finally:
        tmux.kill_session(name)


def _actions(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM actions WHERE kind != 'import'").fetchone()[0]
    finally:
        conn.close()


def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.report import Figure, na_figure, ratio_figure

    name = "against a curses peer"
    if shutil.which("tmux") is None:
        return [na_figure(name, "n/a — tmux is not installed")]
    if not SLATE_BIN.exists():
        return [na_figure(name, "n/a — SLATE is not installed (pip install slate-nlp, the"
                                " `bench` extra)")]
    annotator_bin = Path(PYTHON).parent / "annotator"
    env = bench_env(TERM="xterm-256color")
    tmp = Path(tempfile.mkdtemp(prefix="bench-slate-", dir=cfg.tmp))
    db, n_bytes, n_spans = fixtures.big_and_small(cfg.quick)
    text_file = tmp / "big.txt"
    text_file.write_text(fixtures.document_text(db, "big"), encoding="utf-8")
    markers = fixtures.screen_markers(db, "big")
    reps = 1 if cfg.quick else 3
    keys = key_sequence(100 if cfg.quick else 200)
    pace = 0.02 if cfg.quick else 0.03
    tmux = Tmux()
    ours, theirs = [], []
    ours_env = compiled_env(env, tmp / "pycache")
    ours_cmd = [str(annotator_bin), "--db", str(fixtures.copy_db(db, tmp / "warm.db")),
                "annotate", "--as", "bench", "big"]
    try:
        # untimed: writes the bytecode of everything the start imports
        pid = tmux.start("warm", ours_cmd, tmp, ours_env)
        _wait_for_text(tmux, "warm", markers, pid, time.perf_counter())
        _settle(pid)
        tmux.kill_session("warm")
        for rep in range(reps):
            copy = fixtures.copy_db(db, tmp / f"t{rep}.db")
            ours.append(session(
                tmux, f"ours{rep}", [str(annotator_bin), "--db", str(copy), "annotate", "--as",
                                    "bench", "big"], tmp, ours_env, markers, [[k] for k in keys],
                True, pace))
            # SLATE refuses to start when its output file from an earlier run is there
            where = tmp / f"slate{rep}"
            where.mkdir()
            shutil.copyfile(text_file, where / "big.txt")
            theirs.append(session(
                tmux, f"slate{rep}", [str(SLATE_BIN), "big.txt", "-l", str(where / "log")],
                where, env, markers, slate_keys(keys), False, pace))
            ours[-1]["actions_committed"] = _actions(copy)
            cfg.log(f"slate: rep {rep + 1}/{reps}: ours {ours[-1]['cpu_per_key_ms']:.1f} ms/key,"
                    f" SLATE {theirs[-1]['cpu_per_key_ms']:.1f} ms/key")
    finally:
        tmux.kill_server()
    what = f"{n_bytes / 1e6:g} MB text"
    cpu_fig = ratio_figure(
        f"{name}: CPU per key", [o["cpu_per_key_ms"] for o in ours],
        [t["cpu_per_key_ms"] for t in theirs], "ms CPU/key", target="goal: ≤ 1x SLATE",
        ok=lambda r: r <= 1.0, ours_what=f"{what}, {n_spans:,} spans, in tmux",
        base_what="SLATE, same text",
        extra={"ours": ours, "slate": theirs, "keys": len(keys), "pace_s": pace})
    shown_fig = ratio_figure(
        f"{name}: time to text on screen", [o["shown_s"] for o in ours],
        [t["shown_s"] for t in theirs], "s", target="goal: ≤ 1x SLATE", ok=lambda r: r <= 1.0,
        ours_what=what, base_what="SLATE")
    figs: list[Figure] = [cpu_fig, shown_fig]
    return figs
