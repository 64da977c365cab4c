"""Databases and files the benchmarks start from, built once and kept in bench/.cache/.

Everything is made through the library (annotator.ingest.import_paths), so the data is exactly
what a user's import would produce. Cached files are keyed by their parameters and the
generator's source, so a change to corpus.py builds them again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from bench import corpus
from bench.harness import BENCH_DIR, cache_dir, prune_cache, remove_db

ANNOTATOR = "bench"


def _key(*parts: Any) -> str:
    src = (BENCH_DIR / "corpus.py").read_bytes()
    h = hashlib.sha256(src + json.dumps(parts).encode()).hexdigest()[:12]
    return h


def doc_jsonl(path: Path, docs: list[tuple[str, str, list[dict[str, Any]]]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for doc_id, text, spans in docs:
            rec = corpus.record(doc_id, text, spans, ANNOTATOR, "in_progress")
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def import_into(db: Path, files: list[Path]) -> None:
    from annotator.ingest import import_paths
    from annotator.labels import load_default_schema
    from annotator.store import Store

    with Store(db) as store:
        import_paths(store, files, load_default_schema(), ANNOTATOR)


def documents_db(name: str, specs: list[tuple[str, int, int, int]]) -> Path:
    """A cached database holding documents (id, n_bytes, n_spans, seed) annotated by 'bench';
    a one-paragraph document when n_bytes <= 2000."""
    size = sum(spec[1] for spec in specs) // 1000
    path = cache_dir() / f"{name}-{size}k-{_key(specs)}.db"
    if path.exists():
        return path
    prune_cache(path)
    tmp = path.with_suffix(".tmp.db")
    remove_db(tmp)
    docs = []
    for doc_id, n_bytes, n_spans, seed in specs:
        text = paragraph(n_bytes, seed) if n_bytes <= 2000 else corpus.make_text(n_bytes, seed)
        docs.append((doc_id, text, corpus.make_spans(text, n_spans, seed)))
    src = tmp.with_suffix(".jsonl")
    doc_jsonl(src, docs)
    import_into(tmp, [src])
    src.unlink()
    _checkpoint(tmp)
    tmp.rename(path)
    return path


def _checkpoint(db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def paragraph(n_bytes: int, seed: int) -> str:
    """One paragraph (no newline inside) of about n_bytes."""
    text = corpus.make_text(n_bytes * 4, seed).replace("\n\n", " ").replace("\n", " ")
    raw = text.encode("utf-8")[:n_bytes].decode("utf-8", errors="ignore")
    cut = raw.rfind(". ")
    return (raw[: cut + 1] if cut > n_bytes // 2 else raw).strip() + "\n"


def copy_db(src: Path, dst: Path) -> Path:
    """A private copy to write to (the cached one stays pristine)."""
    shutil.copyfile(src, dst)
    return dst


def document_text(db: Path, doc_id: str) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
    finally:
        conn.close()


def big_and_small(quick: bool) -> tuple[Path, int, int]:
    """The database most benchmarks share: 'big' (5 MB, 20,000 spans; 1 MB, 4,000 in quick
    mode) and 'small' (one paragraph of about 1 KB, 6 spans). Returns (db, bytes, spans)."""
    n_bytes, n_spans = (1_000_000, 4_000) if quick else (5_000_000, 20_000)
    db = documents_db("docs", [("big", n_bytes, n_spans, 11), ("small", 1000, 6, 12)])
    return db, n_bytes, n_spans


def screen_markers(db: Path, doc_id: str, n: int = 6, skip: int = 210,
                   upto: int = 1500) -> list[str]:
    """Short runs of plain letters from the first screenful of a document that no span
    touches (so each is drawn in one style, contiguous in the terminal output), after the
    title (which the pane's title bar also shows)."""
    import re
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        text = conn.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
        spans = conn.execute('SELECT start, "end" FROM spans WHERE doc_id = ? AND start < ?',
                             [doc_id, upto]).fetchall()
    finally:
        conn.close()
    covered = [False] * (upto + 1)
    for s, e in spans:
        for i in range(s, min(e, upto + 1)):
            covered[i] = True
    out: list[str] = []
    for m in re.finditer(r"[A-Za-z][a-z]+(?: [a-z]+){1,2}", text[:upto]):
        if m.start() < skip or any(covered[m.start():m.end()]) or len(m.group()) < 9:
            continue
        if m.group() not in out:
            out.append(m.group())
        if len(out) >= n:
            break
    if not out:
        raise RuntimeError(f"no plain marker text in the first screen of {doc_id}")
    return out
