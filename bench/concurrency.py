"""Concurrent annotators: N processes, each committing 10 span actions a second (add, relabel,
resize, delete, undo) through the Store to one database file, for T seconds.

Reports the commit latency of every action (p50/p99), "database is locked" errors (target 0),
and lost actions (target 0): each worker keeps the set of its spans as its committed results
say they are; afterwards the database must hold exactly those spans, and every action id a
worker was given must be in the action log. The baseline is one process alone at the same rate.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import PYTHON, ROOT, bench_env, percentile, summary

LABELS = ("PERSON", "ORG", "LOC", "DATE", "NUMBER", "CLAIM", "EQUIPMENT", "EVENT")


def worker(args: dict[str, Any], open_store: Callable[[str], Any] | None = None
           ) -> dict[str, Any]:
    from annotator.store import Store, StoreError

    rng = random.Random(args["seed"])
    who, doc_id = args["annotator"], args["doc"]
    store = (open_store or Store)(args["db"])
    text = store.get_document(doc_id).text  # type: ignore[union-attr]
    words = [m.span() for m in re.finditer(r"\w+", text)]
    live: dict[str, tuple[int, int]] = {}
    latencies: list[float] = []
    action_ids: list[int] = []
    locked = 0
    errors: list[str] = []
    late = 0.0
    start = args["start"]
    ready_late = max(0.0, time.time() - start)
    period = 1.0 / args["rate"]
    n = int(args["seconds"] * args["rate"])
    for k in range(n):
        due = start + k * period
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        else:
            late = max(late, -wait)
        roll = rng.random()
        try:
            t0 = time.perf_counter()
            if roll < 0.55 or len(live) < 3:
                a, b = rng.choice(words)
                if rng.random() < 0.3:  # two or three words
                    i = words.index((a, b))
                    b = words[min(i + rng.randint(1, 2), len(words) - 1)][1]
                result = store.add_span(who, doc_id, a, b, rng.choice(LABELS))
            elif roll < 0.70:
                sid = rng.choice(list(live))
                result = store.update_span(who, sid, label=rng.choice(LABELS), name="relabel_span")
            elif roll < 0.80:
                sid = rng.choice(list(live))
                s, e = live[sid]
                result = store.update_span(who, sid, end=min(len(text), e + 1), name="resize_span")
            elif roll < 0.92:
                result = store.delete_span(who, rng.choice(list(live)))
            else:
                result = store.undo(who)
            latencies.append((time.perf_counter() - t0) * 1000)
        except StoreError as exc:
            if "nothing to change" not in str(exc):
                errors.append(f"StoreError: {exc}")
            continue
        except Exception as exc:  # what a user would see as a crash
            if "locked" in str(exc) or "busy" in str(exc):
                locked += 1
            else:
                errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if result is None:
            continue
        action_ids.append(result.action_id)
        for change in result.changes:
            if change.entity != "span":
                continue
            if change.after is None:
                live.pop(change.before["id"], None)  # type: ignore[index]
            else:
                live[change.after["id"]] = (change.after["start"], change.after["end"])
    store.close()
    return {"annotator": who, "latencies_ms": latencies, "action_ids": action_ids,
            "live": sorted(live), "locked": locked, "errors": errors[:20],
            "n_errors": len(errors), "max_lag_s": late, "ready_late_s": ready_late}


def _spawn(args: dict[str, Any], module: str) -> subprocess.Popen[str]:
    return subprocess.Popen([PYTHON, "-m", module, "--worker", json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=bench_env())


def swarm(db: Path, n_procs: int, seconds: float, rate: float, docs: list[str],
          module: str = "bench.concurrency") -> dict[str, Any]:
    """n_procs workers (`python -m module --worker ARGS`), annotators ann00, ann01, ..."""
    start = time.time() + 1.0 + 0.12 * n_procs  # time for every process to import and open
    procs = [_spawn({"db": str(db), "annotator": f"ann{i:02d}", "doc": docs[i % len(docs)],
                     "seed": i, "rate": rate, "seconds": seconds, "start": start}, module)
             for i in range(n_procs)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=seconds + 120)
        if p.returncode != 0:
            raise RuntimeError(f"concurrency worker failed: {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    lost = verify(db, results)
    lat = [x for r in results for x in r["latencies_ms"]]
    return {
        "p50_ms": percentile(lat, 0.5), "p99_ms": percentile(lat, 0.99),
        "max_ms": max(lat) if lat else None, "actions": len(lat),
        "rate_per_s": len(lat) / seconds, "locked": sum(r["locked"] for r in results),
        "other_errors": sum(r["n_errors"] for r in results),
        "error_samples": [e for r in results for e in r["errors"]][:5],
        "lost": lost, "max_lag_s": max(r["max_lag_s"] for r in results),
        "ready_late_s": max(r["ready_late_s"] for r in results),
    }


def verify(db: Path, results: list[dict[str, Any]]) -> int:
    """Actions a worker saw committed that the database does not show (0 when none is lost)."""
    import sqlite3

    conn = sqlite3.connect(db)
    lost = 0
    try:
        for r in results:
            who = r["annotator"]
            in_db = {row[0] for row in conn.execute("SELECT id FROM spans WHERE annotator = ?",
                                                    [who])}
            lost += len(set(r["live"]) ^ in_db)
            logged = {row[0] for row in conn.execute(
                "SELECT DISTINCT action_id FROM events WHERE annotator = ?", [who])}
            lost += len(set(r["action_ids"]) - logged)
    finally:
        conn.close()
    return lost


def workload(cfg: Any, prefix: str) -> tuple[int, float, float, Path, Path, list[str]]:
    """(processes, seconds, actions a second each, the documents' database, a scratch folder,
    the document ids): CI-sized when quick."""
    from bench import fixtures

    n_procs, seconds = (8, 5.0) if cfg.quick else (20, 30.0)
    specs = [(f"c{i}", 5_000, 20, 100 + i) for i in range(5)]
    src = fixtures.documents_db("concurrency", specs)
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=cfg.tmp))
    return n_procs, seconds, 10.0, src, tmp, [s[0] for s in specs]


def clean(many: dict[str, Any]) -> bool:
    return bool(many["locked"] == 0 and many["lost"] == 0 and many["other_errors"] == 0)


def counts_text(many: dict[str, Any]) -> str:
    return (f"p50 {many['p50_ms']:.1f} ms, p99 {many['p99_ms']:.1f} ms; {many['locked']} locked,"
            f" {many['lost']} lost, {many['other_errors']} other errors")


def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.report import Figure

    n_procs, seconds, rate, src, tmp, docs = workload(cfg, "bench-conc-")
    alone = swarm(fixtures.copy_db(src, tmp / "alone.db"), 1, min(seconds, 5.0), rate, docs)
    cfg.log(f"concurrency: one process alone p50 {alone['p50_ms']:.1f} ms")
    many = swarm(fixtures.copy_db(src, tmp / "many.db"), n_procs, seconds, rate, docs)
    ok = clean(many)
    fig = Figure(
        "concurrent annotators", "ms", ours=summary([many["p50_ms"]]),
        baseline=summary([alone["p50_ms"]]),
        ratio=summary([many["p50_ms"] / alone["p50_ms"]]) if alone["p50_ms"] else {},
        target="0 locked, 0 lost (p50/p99 reported)", met=ok, reps=1,
        ours_text=(f"{counts_text(many)} ({n_procs} procs × {rate:g}/s, {seconds:g} s,"
                   f" {many['actions']:,} actions)"),
        base_text=f"p50 {alone['p50_ms']:.1f} ms, p99 {alone['p99_ms']:.1f} ms (1 process alone)",
        note="ratio: p50 under contention / p50 alone", extra={"many": many, "alone": alone})
    return [fig]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", required=True)
    print(json.dumps(worker(json.loads(parser.parse_args().worker))))
    sys.stdout.flush()
