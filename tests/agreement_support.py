"""Building annotation sets for the agreement tests, and the reference figures computed the
slow, obvious way (token by token, with scikit-learn, statsmodels and krippendorff)."""

from __future__ import annotations

import itertools
import re
import warnings
from typing import Any

import numpy as np

from annotator.model import Document, Span, Status
from annotator.store import Store, new_id

SpanSpec = tuple[int, int, str]
DocSpec = tuple[str, str, dict[str, list[SpanSpec]]]  # id, text, annotator -> spans


def build(store: Store, docs: list[DocSpec], status: Status = Status.DONE) -> None:
    """Each document with each annotator's set (zero spans included), all `status`. Spans
    repeated in a set are imported as distinct rows (their attrs differ)."""
    with store.import_session("lead") as imp:
        for doc_id, text, sets in docs:
            imp.add_document(Document(doc_id, text))
            for who, spans in sets.items():
                rows = [Span(new_id(), doc_id, who, s, e, lab, {"copy": i}, "import", "t", "t")
                        for i, (s, e, lab) in enumerate(spans)]
                imp.add_annotation_set(doc_id, who, rows, [], status)


def draw_spans(draw: Any, text: str, labels: tuple[str, ...], most: int = 4) -> list[SpanSpec]:
    """Up to `most` spans of `text` (hypothesis), anywhere, overlapping or not."""
    from hypothesis import strategies as st

    spans = []
    for _ in range(draw(st.integers(0, most))):
        s = draw(st.integers(0, len(text) - 1))
        e = draw(st.integers(s + 1, len(text)))
        spans.append((s, e, draw(st.sampled_from(labels))))
    return spans


def token_label(tok: tuple[int, int], spans: list[SpanSpec]) -> str:
    hits = [(e - s, s, lab) for s, e, lab in spans if s < tok[1] and e > tok[0]]
    return min(hits)[2] if hits else "O"


def tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def undefined_to_none(fn: Any, *args: Any, **kwargs: Any) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = float(fn(*args, **kwargs))
        except (ValueError, ZeroDivisionError):
            return None
    return None if np.isnan(value) else value


def cohen(xs: list[str], ys: list[str]) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    return undefined_to_none(cohen_kappa_score, xs, ys) if xs else None


def alpha(rows: list[list[str | None]]) -> float | None:
    """krippendorff.alpha (nominal) on annotators x units (None: no value)."""
    import krippendorff

    values = sorted({v for r in rows for v in r if v is not None})
    if not rows or not rows[0]:
        return None
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else code[v] for v in r] for r in rows], dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any():
        return None
    return undefined_to_none(krippendorff.alpha, reliability_data=data,
                             level_of_measurement="nominal")


def fleiss(units: list[list[str]]) -> float | None:
    """statsmodels' fleiss_kappa on the unit x category count table."""
    from statsmodels.stats.inter_rater import fleiss_kappa

    if not units:
        return None
    cats = sorted({v for u in units for v in u})
    table = np.array([[u.count(c) for c in cats] for u in units])
    return undefined_to_none(fleiss_kappa, table, method="fleiss")


def max_matching_size(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """The largest one-to-one matching of overlapping intervals, by trying them all."""
    best = 0

    def go(i: int, used: frozenset[int], size: int) -> None:
        nonlocal best
        if size + (len(a) - i) <= best:
            return
        if i == len(a):
            best = max(best, size)
            return
        for j, (s, e) in enumerate(b):
            if j not in used and s < a[i][1] and e > a[i][0]:
                go(i + 1, used | {j}, size + 1)
        go(i + 1, used, size)

    go(0, frozenset(), 0)
    return best


def pairs(names: list[str]) -> list[tuple[str, str]]:
    return list(itertools.combinations(sorted(names), 2))
