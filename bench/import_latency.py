"""An annotator's actions while an import runs (issue #8, point 9): one process adds a span and
undoes it, 20 actions a second, each timed from the call to its return (committed), while
another process runs `annotator import` of ~100 MB of generated documents (20 MB in --quick)
into the same database. The baseline is the same loop with no import, in the same run.

Target: p99 ≤ 250 ms during the import. Also reported: the slowest action, and the import's
own wall time with the annotator at work.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import PYTHON, ROOT, bench_env, percentile, summary

RATE = 20.0  # actions a second: a fast annotator, add then undo


def worker(args: dict[str, Any]) -> dict[str, Any]:
    """Add a span, undo it, ... until the stop file appears; every action's (start, ms)."""
    from annotator.store import Store

    store = Store(args["db"])
    text = store.get_document(args["doc"]).text  # type: ignore[union-attr]
    words = [m.span() for m in re.finditer(r"\w+", text)][:200]
    Path(args["ready"]).touch()
    samples: list[tuple[float, float]] = []
    errors: list[str] = []
    period, k = 1.0 / args["rate"], 0
    start = time.time()
    while not os.path.exists(args["stop"]):
        wait = start + k * period - time.time()
        if wait > 0:
            time.sleep(wait)
        t0 = time.time()
        try:
            if k % 2 == 0:
                a, b = words[(k // 2) % len(words)]
                store.add_span("latency", args["doc"], a, b, "PERSON")
            else:
                store.undo("latency")
        except Exception as exc:  # "database is locked" is what this bench is about
            errors.append(f"{type(exc).__name__}: {exc}")
        samples.append((t0, (time.time() - t0) * 1000))
        k += 1
    store.close()
    return {"samples": samples, "errors": errors[:10], "n_errors": len(errors)}


def _annotator(db: Path, tmp: Path, seconds: float | None, importing: Path | None
               ) -> dict[str, Any]:
    """Run the annotator loop; with `importing`, for as long as that import takes."""
    ready, stop = tmp / "ready", tmp / "stop"
    for p in (ready, stop):
        p.unlink(missing_ok=True)
    args = {"db": str(db), "doc": "a1", "rate": RATE, "ready": str(ready), "stop": str(stop)}
    proc = subprocess.Popen([PYTHON, "-m", "bench.import_latency", "--worker", json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=bench_env())
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"annotator worker failed: {proc.stderr.read()[-2000:]}")
        time.sleep(0.01)
    time.sleep(0.3)  # a few actions before the import starts
    window = (time.time(), 0.0)
    import_wall = None
    if importing is not None:
        t0 = time.perf_counter()
        done = subprocess.run([PYTHON, "-m", "annotator.cli", "--db", str(db), "import",
                               str(importing), "--as", "bench"], capture_output=True, text=True,
                              cwd=ROOT, env=bench_env())
        import_wall = time.perf_counter() - t0
        if done.returncode != 0:
            proc.kill()
            raise RuntimeError(f"annotator import failed: {done.stderr[-2000:]}")
    else:
        time.sleep(seconds or 5.0)
    window = (window[0], time.time())
    stop.touch()
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"annotator worker failed: {err[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    lat = [ms for t, ms in res["samples"] if window[0] <= t <= window[1]]
    return {"p50_ms": percentile(lat, 0.5), "p99_ms": percentile(lat, 0.99),
            "max_ms": max(lat) if lat else None, "actions": len(lat),
            "errors": res["n_errors"], "error_samples": res["errors"],
            "seconds": window[1] - window[0], "import_wall_s": import_wall}


def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.io import import_corpus
    from bench.report import Figure

    n_bytes = 20_000_000 if cfg.quick else 100_000_000
    jsonl, stats = import_corpus(n_bytes)  # the io bench's corpus (cached)
    mb = stats["bytes"] / 1e6
    src = fixtures.documents_db("latency", [("a1", 5_000, 20, 300)])
    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-", dir=cfg.tmp))
    alone = _annotator(fixtures.copy_db(src, tmp / "alone.db"), tmp, 3.0 if cfg.quick else 8.0,
                       None)
    cfg.log(f"import latency: alone p99 {alone['p99_ms']:.1f} ms")
    during = _annotator(fixtures.copy_db(src, tmp / "during.db"), tmp, None, jsonl)
    cfg.log(f"import latency: during a {mb:.0f} MB import p99 {during['p99_ms']:.1f} ms")
    p99, base = during["p99_ms"], alone["p99_ms"]
    ok = p99 is not None and p99 <= 250 and during["errors"] == 0
    return [Figure(
        "p99 action latency during a 100 MB import", "ms", ours=summary([p99]),
        baseline=summary([base]), ratio=summary([p99 / base]) if base else {},
        target="p99 ≤ 250 ms, no errors", met=ok, reps=1,
        ours_text=(f"p99 {p99:.1f} ms, p50 {during['p50_ms']:.1f}, max {during['max_ms']:.0f};"
                   f" {during['errors']} errors ({during['actions']} add/undo during a {mb:.0f}"
                   f" MB import, {during['import_wall_s']:.1f} s)"),
        base_text=f"p99 {base:.1f} ms, p50 {alone['p50_ms']:.1f} (no import)",
        note="ratio: p99 during the import / p99 alone",
        extra={"during": during, "alone": alone, "corpus": stats})]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", required=True)
    print(json.dumps(worker(json.loads(parser.parse_args().worker))))
    sys.stdout.flush()
