"""Import and export throughput against bare sqlite3, and export memory (streaming).

Each side runs as its own process, timed from spawn to exit (os.wait4 gives that child's CPU
time and peak RSS):
- import: `annotator import` of our JSONL vs a script that json.loads each line and
  `executemany`s the same rows (documents, spans, links, statuses) in one transaction.
- export: `annotator export --format jsonl -o F` vs a script that queries the same tables and
  writes the same lines with json.dumps (the two files are compared byte for byte).
- memory: peak RSS of the export of the big database vs one with 10,000 spans.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from bench import corpus
from bench.harness import (
    PYTHON,
    ROOT,
    bench_env,
    cache_dir,
    prune_cache,
    remove_db,
    run_measured,
)

ANNOTATOR_BIN = Path(PYTHON).parent / "annotator"


def annotator_cmd(db: Path, *args: str) -> list[str]:
    return [str(ANNOTATOR_BIN), "--db", str(db), *args]


# -- inputs ---------------------------------------------------------------------------------

def import_corpus(n_bytes: int) -> tuple[Path, dict[str, int]]:
    """A cached JSONL of about n_bytes (20 KB documents, 80 spans and 2 links each)."""
    src = (Path(corpus.__file__)).read_bytes()
    key = hashlib.sha256(src).hexdigest()[:10]
    path = cache_dir() / f"import-{n_bytes // 1_000_000}MB-{key}.jsonl"
    meta = path.with_suffix(".json")
    if not (path.exists() and meta.exists()):
        prune_cache(path)
        stats = corpus.write_jsonl_bytes(path, n_bytes, doc_bytes=20_000, spans_per_doc=80,
                                         seed=4)
        meta.write_text(json.dumps(stats))
    return path, json.loads(meta.read_text())


def export_db(n_spans: int, spans_per_doc: int = 200, doc_bytes: int = 10_000) -> Path:
    """A cached database with about n_spans spans (10 KB documents), made by `annotator import`."""
    src = (Path(corpus.__file__)).read_bytes()
    key = hashlib.sha256(src + f"{n_spans}/{spans_per_doc}/{doc_bytes}".encode()).hexdigest()[:10]
    path = cache_dir() / f"export-{n_spans}-{key}.db"
    if path.exists():
        return path
    prune_cache(path)
    jsonl = path.with_suffix(".jsonl")
    tmp = path.with_suffix(".tmp.db")
    remove_db(tmp)
    corpus.write_jsonl(jsonl, max(1, n_spans // spans_per_doc), doc_bytes, spans_per_doc, seed=9)
    run_measured(annotator_cmd(tmp, "import", str(jsonl), "--as", "bench"), env=bench_env())
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    jsonl.unlink()
    tmp.rename(path)
    remove_db(tmp)
    return path


# -- the bare baselines (run as workers) ----------------------------------------------------

def bare_import(db: str, jsonl: str) -> dict[str, Any]:
    """json.loads + executemany of the same rows in one transaction."""
    from annotator.store import Store  # the same schema and indexes as ours

    Store(db).close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    now = "2026-01-01T00:00:00.000Z"
    conn.execute("BEGIN")
    conn.execute("INSERT OR IGNORE INTO schemas (ref, name, version, source, created_at)"
                 " VALUES ('news@1', 'news', 1, '', ?)", [now])
    docs, spans, links, statuses, annotators = [], [], [], [], set()
    seq = 0

    def flush() -> None:
        conn.executemany("INSERT INTO documents (id, seq, title, text, sha256, length, meta,"
                         " schema_ref, created_at) VALUES (?,?,?,?,?,?,?,?,?)", docs)
        conn.executemany('INSERT INTO spans (id, doc_id, annotator, start, "end", label, attrs,'
                         " origin, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)", spans)
        conn.executemany("INSERT INTO links (id, annotator, type, from_span, to_span, from_doc,"
                         " to_doc, created_at) VALUES (?,?,?,?,?,?,?,?)", links)
        conn.executemany("INSERT INTO statuses (doc_id, annotator, status, updated_at)"
                         " VALUES (?,?,?,?)", statuses)
        for lst in (docs, spans, links, statuses):
            lst.clear()

    with open(jsonl, "rb") as f:
        for line in f:
            rec = json.loads(line)
            who, doc_id, text = rec["annotator"], rec["id"], rec["text"]
            if who not in annotators:
                annotators.add(who)
                conn.execute("INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)",
                             [who, now])
            meta = dict(rec.get("meta") or {})
            schema = meta.pop("schema", None)
            docs.append((doc_id, seq, text.split("\n", 1)[0][:200], text, rec["sha256"],
                         len(text), json.dumps(meta, ensure_ascii=False), schema, now))
            seq += 1
            spans += [(s["id"], doc_id, who, s["start"], s["end"], s["label"],
                       json.dumps(s["attrs"], ensure_ascii=False), "import", now, now)
                      for s in rec["spans"]]
            links += [(lk["id"], who, lk["type"], lk["from"], lk["to"], doc_id,
                       lk.get("to_doc") or doc_id, now) for lk in rec["links"]]
            statuses.append((doc_id, who, rec["status"], now))
            if seq % 256 == 0:
                flush()
    flush()
    conn.execute("COMMIT")
    conn.close()
    return {"docs": seq}


def bare_export(db: str, out: str) -> dict[str, Any]:
    """The same lines as `export --format jsonl`, from plain queries and json.dumps."""
    conn = sqlite3.connect(db)
    n = 0
    doc_id_cached, doc = None, None
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        cur = conn.execute("SELECT doc_id, annotator, status FROM statuses"
                           " ORDER BY doc_id, annotator")
        for doc_id, who, status in cur.fetchall():
            if doc_id != doc_id_cached:
                doc = conn.execute("SELECT text, sha256, meta, title, schema_ref FROM documents"
                                   " WHERE id = ?", [doc_id]).fetchone()
                doc_id_cached = doc_id
            assert doc is not None
            text, sha, meta_s, title, schema = doc
            meta = json.loads(meta_s)
            if title:
                meta["title"] = title
            if schema:
                meta["schema"] = schema
            spans = [{"id": i, "start": s, "end": e,
                      "start_utf16": len(text[:s].encode("utf-16-le")) // 2,
                      "end_utf16": len(text[:e].encode("utf-16-le")) // 2,
                      "text": text[s:e], "label": lab, "attrs": json.loads(a)}
                     for i, s, e, lab, a in conn.execute(
                         'SELECT id, start, "end", label, attrs FROM spans WHERE doc_id = ?'
                         ' AND annotator = ? ORDER BY start, "end", label, id', [doc_id, who])]
            links = [{"id": i, "type": t, "from": a, "to": b, "to_doc": td}
                     for i, t, a, b, td in conn.execute(
                         "SELECT id, type, from_span, to_span, to_doc FROM links WHERE"
                         " annotator = ? AND from_doc = ? ORDER BY type, from_span, to_span, id",
                         [who, doc_id])]
            row = {"id": doc_id, "text": text, "sha256": sha, "annotator": who,
                   "status": status, "spans": spans, "links": links, "meta": meta}
            f.write(json.dumps(row, ensure_ascii=False))
            f.write("\n")
            n += 1
    return {"lines": n}


def worker(args: dict[str, Any]) -> dict[str, Any]:
    if args["mode"] == "bare_import":
        return bare_import(args["db"], args["jsonl"])
    return bare_export(args["db"], args["out"])


def _worker_cmd(args: dict[str, Any]) -> list[str]:
    return [PYTHON, "-m", "bench.io", "--worker", json.dumps(args)]


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- the figures ----------------------------------------------------------------------------

def run(cfg: Any) -> list[Any]:
    from bench.report import ratio_figure

    if not ANNOTATOR_BIN.exists():
        raise RuntimeError(f"{ANNOTATOR_BIN} is missing (is the CLI installed?)")
    env = bench_env()
    tmp = Path(tempfile.mkdtemp(prefix="bench-io-", dir=cfg.tmp))
    reps = 3
    import_bytes = 20_000_000 if cfg.quick else 100_000_000
    export_spans = 100_000 if cfg.quick else 1_000_000
    small_spans = 10_000

    # import
    jsonl, stats = import_corpus(import_bytes)
    cfg.log(f"import corpus: {stats['bytes'] / 1e6:.0f} MB, {stats['spans']:,} spans")
    mb = stats["bytes"] / 1e6
    ours_rate, bare_rate, ours_cpu = [], [], []
    for _ in range(reps):
        db = tmp / "import.db"
        remove_db(db)
        r = run_measured(annotator_cmd(db, "import", str(jsonl), "--as", "bench"), env=env,
                         cwd=ROOT)
        ours_rate.append(mb / r["wall"])
        ours_cpu.append(r["cpu"])
        remove_db(db)
        r = run_measured(_worker_cmd({"mode": "bare_import", "db": str(db),
                                      "jsonl": str(jsonl)}), env=env, cwd=ROOT)
        bare_rate.append(mb / r["wall"])
        remove_db(db)
    figs = [ratio_figure(
        "import throughput", ours_rate, bare_rate, "MB/s", target="≥ 0.6x the bare rate",
        ok=lambda x: x >= 0.6, ours_what=f"annotator import, {mb:.0f} MB, {stats['spans']:,} spans",
        base_what="json.loads + executemany, one transaction",
        extra={"corpus": stats, "ours_cpu_s": ours_cpu})]
    if figs[0].met is False and cfg.profile_missed:
        db = tmp / "import.db"
        remove_db(db)
        figs[0].profile = _profile([str(ANNOTATOR_BIN), "--db", str(db), "import", str(jsonl),
                                    "--as", "bench"], tmp, env)
        remove_db(db)

    # export
    big = export_db(export_spans)
    small = export_db(small_spans)
    cfg.log(f"export databases ready ({export_spans:,} and {small_spans:,} spans)")
    ours_rate, bare_rate, rss_big, rss_small = [], [], [], []
    identical = None
    for _ in range(reps):
        out_ours, out_bare = tmp / "ours.jsonl", tmp / "bare.jsonl"
        r = run_measured(annotator_cmd(big, "export", "--format", "jsonl", "-o", str(out_ours)),
                         env=env, cwd=ROOT)
        ours_rate.append(export_spans / r["wall"] / 1000)
        rss_big.append(r["rss_mib"])
        r = run_measured(_worker_cmd({"mode": "bare_export", "db": str(big),
                                      "out": str(out_bare)}), env=env, cwd=ROOT)
        bare_rate.append(export_spans / r["wall"] / 1000)
        if identical is None:
            identical = _sha(out_ours) == _sha(out_bare)
            size_mb = out_ours.stat().st_size / 1e6
        out_ours.unlink(missing_ok=True)
        out_bare.unlink(missing_ok=True)
        r = run_measured(annotator_cmd(small, "export", "--format", "jsonl", "-o",
                                       str(tmp / "small.jsonl")), env=env, cwd=ROOT)
        rss_small.append(r["rss_mib"])
        (tmp / "small.jsonl").unlink(missing_ok=True)
    export_fig = ratio_figure(
        "export throughput", ours_rate, bare_rate, "k spans/s", target="≥ 0.6x the bare rate",
        ok=lambda x: x >= 0.6, ours_what=f"annotator export --format jsonl, {export_spans:,} spans",
        base_what="sqlite3 queries + json.dumps, same lines",
        extra={"output_mb": size_mb, "identical_output": identical},
        note="" if identical else "the two outputs differ (see extra)")
    memory_fig = ratio_figure(
        "export memory", rss_big, rss_small, "MiB peak RSS", target="ratio ≤ 1.3 (streaming)",
        ok=lambda x: x <= 1.3, ours_what=f"{export_spans:,} spans",
        base_what=f"{small_spans:,} spans")
    for fig in (export_fig, memory_fig):
        if fig.met is False and cfg.profile_missed:
            fig.profile = _profile(annotator_cmd(big, "export", "--format", "jsonl", "-o",
                                                 str(tmp / "prof.jsonl")), tmp, env)
            break
    shutil.rmtree(tmp, ignore_errors=True)
    return figs + [export_fig, memory_fig]


def _profile(cmd: list[str], tmp: Path, env: dict[str, str]) -> str:
    """cProfile of a CLI command: the top functions by own time and by cumulative time."""
    import pstats
    import subprocess
    from io import StringIO

    out = tmp / "cli.prof"
    script = tmp / "cli_main.py"
    script.write_text("import sys\nfrom annotator.cli import main\n"
                      "main(sys.argv[1:], prog_name='annotator', standalone_mode=False)\n")
    subprocess.run([PYTHON, "-m", "cProfile", "-o", str(out), str(script), *cmd[1:]], env=env,
                   capture_output=True, cwd=ROOT)
    if not out.exists():
        return "(profile failed)"
    buf = StringIO()
    st = pstats.Stats(str(out), stream=buf)
    st.sort_stats("tottime").print_stats(15)
    st.sort_stats("cumulative").print_stats(20)
    return buf.getvalue()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", required=True)
    print(json.dumps(worker(json.loads(parser.parse_args().worker))))
