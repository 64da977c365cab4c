"""Agreement (issue #10): `annotator agreement` on 10,000 documents × 3 annotators × 20 spans
vs reading the same spans out of SQLite with bare sqlite3 (target: ≤ 3x, measured in the same
run), and its peak memory on that corpus vs one a tenth the size (flat: ≤ 1.3x).

Each side is its own process, timed from spawn to exit (CPU time and peak RSS from os.wait4 and
/proc). The corpus is cached in bench/.cache: news-like text of about 2 KB a document; the
first annotator's 20 spans come from bench.corpus, the others differ from them the way people
do (about one span in five moved by a word, relabelled, or replaced)."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path
from typing import Any

from bench.harness import (
    PYTHON,
    ROOT,
    bench_env,
    cache_dir,
    prune_cache,
    remove_db,
    run_measured,
)

ANNOTATORS = ("alice", "bob", "chen")
SPANS = 20
DOC_BYTES = 2_000
LABELS = ("PERSON", "ORG", "LOC", "DATE", "NUMBER", "CLAIM", "EVENT", "EQUIPMENT")

BARE_READ = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
n = 0
for row in conn.execute('SELECT doc_id, annotator, id, start, "end", label, attrs FROM spans'
                        ' ORDER BY doc_id, annotator, start, "end", label, id'):
    n += 1
print(n)
"""


def _variant(spans: list[dict[str, Any]], text: str, rng: random.Random) -> list[dict[str, Any]]:
    """Another annotator's version: about one span in five differs."""
    out = []
    for s in spans:
        s = dict(s)
        roll = rng.random()
        if roll < 0.07:  # one word longer or shorter
            end = text.find(" ", s["end"] + 1)
            s["end"] = end if 0 < end < len(text) and rng.random() < 0.5 else s["end"]
        elif roll < 0.13:
            s["label"] = rng.choice(LABELS)
        elif roll < 0.2:  # something else instead
            start = rng.randrange(0, max(1, len(text) - 20))
            s["start"], s["end"] = start, start + rng.randint(3, 20)
        if s["label"] != "NUMBER":
            s["attrs"] = {k: v for k, v in s["attrs"].items() if k != "value"}
        out.append(s)
    return out


def _renamed(attrs: dict[str, Any], new: dict[str, str]) -> dict[str, Any]:
    """attrs with a speaker pointing at the span's new id."""
    if "speaker" in attrs:
        return dict(attrs, speaker=new[attrs["speaker"]])
    return attrs


def corpus_db(n_docs: int) -> Path:
    """A cached database: n_docs documents, each with 3 done sets of about 20 spans."""
    from bench import corpus

    src = Path(corpus.__file__).read_bytes() + Path(__file__).read_bytes()
    key = hashlib.sha256(src + f"{n_docs}".encode()).hexdigest()[:10]
    path = cache_dir() / f"agreement-{n_docs}-{key}.db"
    if path.exists():
        return path
    prune_cache(path)
    tmp = path.with_suffix(".tmp.db")
    remove_db(tmp)
    from annotator.model import Document, Span, Status
    from annotator.store import Store

    with Store(tmp) as store, store.import_session("bench") as imp:
        for i in range(n_docs):
            text = corpus.make_text(DOC_BYTES, 7_000_003 + i)
            doc_id = f"doc-{i:06d}"
            imp.add_document(Document(doc_id, text))
            rng = random.Random(i)
            base = corpus.make_spans(text, SPANS, i)
            for j, who in enumerate(ANNOTATORS):
                spans = base if j == 0 else _variant(base, text, rng)
                new = {s["id"]: f"{doc_id}-{who}-{k}" for k, s in enumerate(spans)}
                rows = [Span(new[s["id"]], doc_id, who, s["start"], min(s["end"], len(text)),
                             s["label"], _renamed(s["attrs"], new), "import", "t", "t")
                        for s in spans if s["start"] < min(s["end"], len(text))]
                imp.add_annotation_set(doc_id, who, rows, [], Status.DONE)
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    return path


def _agreement_cmd(db: Path) -> list[str]:
    return [PYTHON, "-m", "annotator.cli", "--db", str(db), "agreement", "--format", "json"]


def run(cfg: Any) -> list[Any]:
    from bench.report import ratio_figure

    env = bench_env(PYTHONPATH=str(ROOT))
    n_docs = 2_000 if cfg.quick else 10_000
    reps = 3 if cfg.quick else 5
    cfg.log(f"agreement corpus: {n_docs:,} documents × {len(ANNOTATORS)} × {SPANS} spans")
    big = corpus_db(n_docs)
    small = corpus_db(n_docs // 10)
    spans = sqlite3.connect(big).execute("SELECT count(*) FROM spans").fetchone()[0]
    ours, bare, ours_cpu, bare_cpu, rss_big, rss_small = [], [], [], [], [], []
    for _ in range(reps):
        o = run_measured(_agreement_cmd(big), env=env, cwd=ROOT)
        b = run_measured([PYTHON, "-c", BARE_READ, str(big)], env=env, cwd=ROOT)
        s = run_measured(_agreement_cmd(small), env=env, cwd=ROOT)
        ours.append(o["wall"])
        bare.append(b["wall"])
        ours_cpu.append(o["cpu"])
        bare_cpu.append(b["cpu"])
        rss_big.append(o["rss_mib"])
        rss_small.append(s["rss_mib"])
    time_fig = ratio_figure(
        "agreement", ours, bare, "s", target="≤ 3x reading the spans", ok=lambda r: r <= 3,
        ours_what=f"annotator agreement --format json, {n_docs:,} docs × 3 × {SPANS} spans",
        base_what=f"sqlite3: SELECT the same {spans:,} spans in order",
        extra={"ours_cpu_s": ours_cpu, "bare_cpu_s": bare_cpu, "spans": spans})
    memory_fig = ratio_figure(
        "agreement memory", rss_big, rss_small, "MiB peak RSS", target="ratio ≤ 1.3 (streaming)",
        ok=lambda r: r <= 1.3, ours_what=f"{n_docs:,} documents",
        base_what=f"{n_docs // 10:,} documents")
    if time_fig.met is False and cfg.profile_missed:
        time_fig.profile = _profile(big, env)
    return [time_fig, memory_fig]


def _profile(db: Path, env: dict[str, str]) -> str:
    import subprocess

    code = ("import cProfile, pstats, io, sys\n"
            "from annotator.store import Store\n"
            "from annotator.agreement import compute_agreement\n"
            f"s = Store({str(db)!r})\n"
            "p = cProfile.Profile(); p.enable(); compute_agreement(s); p.disable()\n"
            "out = io.StringIO(); pstats.Stats(p, stream=out).sort_stats('cumulative')"
            ".print_stats(25); print(out.getvalue())\n")
    proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=1800)
    return proc.stdout[-6000:]
