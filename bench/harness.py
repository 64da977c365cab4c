"""Measuring tools shared by the benchmarks: statistics, CPU clocks, subprocesses, and a
cheap, faithful way to drive a Textual app one key at a time.

Pilot.press waits for the process to look idle after every key (~60 ms here even for an app
that does nothing), which would hide the cost being measured. KeyDriver instead posts the key
event to the app exactly as Pilot does, spins the event loop until every message queue is
empty, then renders the frame at once (the work Textual's screen-update timer would do) and
turns it into the escape sequences a terminal would receive. The CPU time and wall time of
those steps are the cost of the key; the same driver on an app that does nothing is the floor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE = BENCH_DIR / ".cache"
PYTHON = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")


def summary(values: Sequence[float]) -> dict[str, Any]:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals)}


def percentile(values: Sequence[float], q: float) -> float | None:
    vals = sorted(values)
    if not vals:
        return None
    k = (len(vals) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (k - lo)


def cache_dir() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def remove_db(path: Path) -> None:
    """A database file and its companions (-wal, -shm, -journal), where they exist."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def prune_cache(keep: Path) -> None:
    """Remove older versions of a cached file: same name up to its last '-', other key."""
    prefix = keep.name.rsplit("-", 1)[0] + "-"
    stem = keep.name.split(".")[0]
    for old in CACHE.glob(prefix + "*"):
        if old.name.split(".")[0] != stem and old.name.split(".")[0].count("-") == stem.count("-"):
            old.unlink(missing_ok=True)


# -- processes ------------------------------------------------------------------------------

def proc_cpu(pid: int) -> float:
    """utime + stime of one process (seconds), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        raw = f.read().decode()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its live descendants."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += proc_cpu(p)
        except OSError:
            continue
        todo += proc_children(p)
    return total


def run_measured(cmd: Sequence[str], *, env: dict[str, str] | None = None,
                 stdout: Any = subprocess.DEVNULL, cwd: str | Path | None = None,
                 timeout: float = 1800) -> dict[str, Any]:
    """Run cmd; return wall seconds, CPU seconds and peak RSS (MiB) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    deadline = start + timeout
    hwm_kib = 0
    while True:
        hwm_kib = max(hwm_kib, _vm_hwm_kib(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            raise TimeoutError(f"{cmd[0]} took more than {timeout} s")
        time.sleep(0.005)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}: {err[-2000:]}")
    # Not usage.ru_maxrss: on Linux a child's maxrss starts at its parent's RSS at fork time,
    # so it would report this (large) process. VmHWM is the exec'd program's own high-water
    # mark; it is read every 5 ms until the program exits.
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": hwm_kib / 1024,
            "stderr": err}


def _vm_hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_worker(module: str, args: dict[str, Any], timeout: float = 1800) -> dict[str, Any]:
    """Run `python -m bench.<module> --worker JSON` and return the JSON it prints last."""
    cmd = [PYTHON, "-m", f"bench.{module}", "--worker", json.dumps(args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env=bench_env())
    if proc.returncode != 0:
        raise RuntimeError(f"bench.{module} worker failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TEXTUAL", None)  # no devtools
    env.update({"PYTHONHASHSEED": "0", "TERM": env.get("TERM", "xterm-256color") or "xterm",
                "COLORTERM": "truecolor", "USER": env.get("USER", "bench"),
                "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def compiled_env(env: dict[str, str], cache: Path) -> dict[str, str]:
    """env for our program: this checkout's package, its bytecode kept in `cache` (an empty
    PYTHONDONTWRITEBYTECODE lets Python write it there)."""
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(cache),
            "PYTHONDONTWRITEBYTECODE": ""}


def first_frame(cmd: Sequence[str], markers: Sequence[str], *, size: tuple[int, int] = (120, 40),
                env: dict[str, str] | None = None, cwd: str | Path | None = None,
                timeout: float = 120) -> dict[str, Any]:
    """Start cmd on a fresh pseudo-terminal; seconds from spawn until any marker appears in
    what it writes (and the CPU it used until then). The program is killed afterwards."""
    import fcntl
    import select
    import signal
    import struct
    import termios

    master, slave = os.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    wanted = [m.encode("utf-8") for m in markers]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    buf = bytearray()
    found = None
    try:
        while found is None:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise TimeoutError(f"{cmd[0]}: no marker on screen after {timeout} s; "
                                   f"it wrote {bytes(buf[-300:])!r}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {bytes(buf[-800:])!r}")
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                if proc.poll() is not None:
                    raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {bytes(buf[-800:])!r}")
                continue
            tail = max(0, len(buf) - 64)
            buf += chunk
            window = bytes(buf[tail:])
            for m in wanted:
                if m in window:
                    found = m.decode()
                    break
        elapsed = time.perf_counter() - start
        cpu = tree_cpu(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)
    return {"seconds": elapsed, "cpu": cpu, "marker": found, "bytes": len(buf)}


# -- driving a Textual app ------------------------------------------------------------------

def key_event(key: str) -> Any:
    """The events.Key Pilot.press would send for `key` (same name/character rules)."""
    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


class KeyDriver:
    """Press keys in a running (headless) app one at a time, each followed by its frame."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frame_bytes = 0
        self.frames = 0
        self.layouts = 0
        self.frame_cpu = 0.0
        app._display = self._display  # also turn frames into terminal output, as a tty would
        screen = app.screen
        refresh_layout = screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.layouts += 1  # a full reflow and repaint of the screen
            return refresh_layout(*args, **kwargs)

        screen._refresh_layout = counted

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is None or not hasattr(renderable, "render_segments"):
            return
        self.frame_bytes += len(renderable.render_segments(self.app.console))
        self.frames += 1

    def _busy(self) -> bool:
        app = self.app
        if not app._message_queue.empty() or app._pending_message is not None:
            return True
        for node in list(app._registry):
            queue = getattr(node, "_message_queue", None)
            if queue is not None and (not queue.empty() or node._pending_message is not None):
                return True
        return False

    async def settle(self, max_spins: int = 200_000) -> None:
        """Yield to the event loop until every message queue has stayed empty a few turns."""
        calm = 0
        for _ in range(max_spins):
            await asyncio.sleep(0)
            if self._busy():
                calm = 0
            else:
                calm += 1
                if calm >= 3:
                    return
        raise RuntimeError("the app never settled")

    def frame(self) -> None:
        """Do now what the screen's update timer would do next (layout, repaint, output)."""
        c0 = time.process_time()
        self.app.screen._on_timer_update()
        self.frame_cpu += time.process_time() - c0

    async def press(self, key: str) -> None:
        self.app.post_message(key_event(key))
        await self.settle()
        self.frame()
        await self.settle()

    async def measure(self, keys: Sequence[str], state: Callable[[], Any] | None = None,
                      drain: Callable[[], Awaitable[None]] | None = None) -> dict[str, Any]:
        """Press keys one by one; CPU and wall seconds per key, and their totals. With
        `state` (what a key can change), also the keys after which it had not changed. With
        `drain`, the work the keys left for later (a worker, a timer waiting for quiet keys)
        is waited for and its CPU (every thread's) counted in the totals as `deferred_cpu`."""
        cpu: list[float] = []
        wall: list[float] = []
        noops: list[str] = []
        bytes0, frames0, layouts0, fcpu0 = (self.frame_bytes, self.frames, self.layouts,
                                            self.frame_cpu)
        for key in keys:
            before = state() if state else None
            c0, w0 = time.process_time(), time.perf_counter()
            await self.press(key)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            if state and state() == before:
                noops.append(key)
        deferred = 0.0
        if drain is not None:
            c0 = time.process_time()
            await drain()
            deferred = time.process_time() - c0
        return {"cpu": cpu, "wall": wall, "cpu_total": sum(cpu) + deferred,
                "wall_total": sum(wall), "deferred_cpu": deferred,
                "frames": self.frames - frames0, "bytes": self.frame_bytes - bytes0,
                "layouts": self.layouts - layouts0, "frame_cpu": self.frame_cpu - fcpu0,
                "noops": noops}
