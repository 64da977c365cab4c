"""Opening a document: seconds from `annotator annotate DOC` to its first frame on a
pseudo-terminal, for the big document (5 MB, 20,000 spans) vs a one-paragraph 1 KB one."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.harness import bench_env, first_frame
from bench.startup import ANNOTATOR_BIN, annotate_cmd


def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.report import ratio_figure

    if not ANNOTATOR_BIN.exists():
        raise RuntimeError(f"{ANNOTATOR_BIN} is missing (is the CLI installed?)")
    env = bench_env()
    tmp = Path(tempfile.mkdtemp(prefix="bench-open-", dir=cfg.tmp))
    db, n_bytes, n_spans = fixtures.big_and_small(cfg.quick)
    reps = 3 if cfg.quick else 5
    big_markers = fixtures.screen_markers(db, "big")
    small_markers = fixtures.screen_markers(db, "small")
    big, small, big_cpu = [], [], []
    for rep in range(reps):
        copy = fixtures.copy_db(db, tmp / f"o{rep}.db")
        r = first_frame(annotate_cmd(copy, "big"), big_markers, env=env, cwd=tmp)
        big.append(r["seconds"])
        big_cpu.append(r["cpu"])
        copy = fixtures.copy_db(db, tmp / f"p{rep}.db")
        small.append(first_frame(annotate_cmd(copy, "small"), small_markers, env=env,
                                 cwd=tmp)["seconds"])
    fig = ratio_figure(
        "open a document", big, small, "s to first frame", target="ratio ≤ 1.5",
        ok=lambda r: r <= 1.5, ours_what=f"{n_bytes / 1e6:g} MB, {n_spans:,} spans",
        base_what="1 KB", extra={"big_cpu_s": big_cpu})
    if fig.met is False and cfg.profile_missed:
        fig.profile = profile_open(db, tmp, "big")
    return [fig]


def profile_open(db: Path, tmp: Path, doc_id: str = "big") -> str:
    """cProfile of importing the app and opening doc_id headless, until its first frame."""
    import subprocess

    from bench import fixtures
    from bench.harness import PYTHON, ROOT

    copy = fixtures.copy_db(db, tmp / "prof.db")
    script = tmp / "open_prof.py"
    script.write_text(f'''
import asyncio, cProfile
prof = cProfile.Profile()
prof.enable()
from annotator.store import Store
from annotator.tui import long_lived
from annotator.tui.app import make_app, resolve_schema

long_lived.manage()  # the collector as `annotator annotate` runs it

async def main():
    store = Store({str(copy)!r})
    app = make_app(store, "bench", resolve_schema(store, None, [{doc_id!r}]), [{doc_id!r}])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

asyncio.run(main())
prof.disable()
from bench.keystrokes import profile_text
print(profile_text(prof))
''')
    proc = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, cwd=ROOT,
                          env=bench_env(PYTHONPATH=str(ROOT)))
    return proc.stdout or proc.stderr[-2000:]
