"""Every agreement figure against a reference on generated annotation sets: scikit-learn's
cohen_kappa_score, statsmodels' fleiss_kappa, the krippendorff package (nominal), and a
brute-force maximum matching for overlap F1 (docs/agreement.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.agreement import compute_agreement
from annotator.agreement.compute import span_counts
from annotator.agreement.matching import interval_edges, max_matching
from annotator.agreement.sets import SetSpan
from annotator.store import Store
from tests.agreement_support import (
    DocSpec,
    alpha,
    build,
    cohen,
    draw_spans,
    fleiss,
    max_matching_size,
    pairs,
    token_label,
    tokens,
)

LABELS = ("PERSON", "LOC", "NUMBER")
NAMES = ("ann", "bea", "cy", "dov", "eli")
CHARS = "ab \n\t\u00a0\u3000é\u0301👍🏽字"  # spaces of several kinds, combining marks, emoji


@st.composite
def corpus(draw: st.DrawFn, max_names: int = 3) -> list[DocSpec]:
    n_docs = draw(st.integers(1, 3))
    names = list(NAMES[: draw(st.integers(2, max_names))])
    docs = []
    for d in range(n_docs):
        text = draw(st.text(alphabet=CHARS, min_size=1, max_size=24))
        who = draw(st.lists(st.sampled_from(names), min_size=1, max_size=max_names,
                            unique=True))
        sets = {}
        for w in who:
            spans = draw_spans(draw, text, LABELS)
            if spans and draw(st.booleans()):
                spans.append(spans[0])  # an exact duplicate in the same set
            sets[w] = spans
        docs.append((f"d{d}", text, sets))
    return docs


def dedupe(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    return sorted(set(spans))


def reference(docs: list[DocSpec], label: str | None = None) -> dict:
    """The figures the slow, obvious way."""
    compared = [(i, t, {w: dedupe([s for s in v if label is None or s[2] == label])
                        for w, v in sets.items()}) for i, t, sets in docs if len(sets) >= 2]
    names = sorted({w for _, _, sets in compared for w in sets})
    out: dict = {"pairs": {}, "alpha": None, "fleiss": None}
    for a, b in pairs(names):
        both = [(t, sets[a], sets[b]) for _, t, sets in compared if a in sets and b in sets]
        if not both:
            continue
        xs, ys, tp, otp, na, nb = [], [], 0, 0, 0, 0
        for t, sa, sb in both:
            toks = tokens(t)
            xs += [token_label(k, sa) for k in toks]
            ys += [token_label(k, sb) for k in toks]
            tp += len(set(sa) & set(sb))
            na += len(sa)
            nb += len(sb)
            for lab in LABELS:
                otp += max_matching_size([(s, e) for s, e, x in sa if x == lab],
                                         [(s, e) for s, e, x in sb if x == lab])
        ann = [(x, y) for x, y in zip(xs, ys, strict=True) if (x, y) != ("O", "O")]
        out["pairs"][(a, b)] = {
            "tp": tp, "a": na, "b": nb, "overlap_tp": otp, "kappa": cohen(xs, ys),
            "kappa_annotated": cohen([x for x, _ in ann], [y for _, y in ann]),
            "percent": sum(x == y for x, y in zip(xs, ys, strict=True)) / len(xs)
            if xs else None}
    rows: list[list[str | None]] = [[] for _ in names]
    units: dict[int, list[list[str]]] = {}  # raters per token -> the tokens
    for _, t, sets in compared:
        for k in tokens(t):
            for r, w in zip(rows, names, strict=True):
                r.append(token_label(k, sets[w]) if w in sets else None)
            units.setdefault(len(sets), []).append([token_label(k, v) for v in sets.values()])
    out["alpha"] = alpha(rows) if names else None
    # Fleiss' κ over the tokens with the rater count that has the most tokens (ties: more)
    most = max(units.items(), key=lambda kv: (len(kv[1]), kv[0]), default=(None, []))
    out["fleiss"] = fleiss(most[1])
    out["fleiss_raters"] = most[0] if most[1] else None
    out["names"] = names
    return out


def close(x: float | None, y: float | None) -> bool:
    return (x is None and y is None) or (x is not None and y is not None
                                         and abs(x - y) < 1e-9)


def new_store() -> tuple[Store, Path]:
    tmp = Path(tempfile.mkdtemp(prefix="agreement-"))
    return Store(tmp / "a.db"), tmp


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus())
def test_figures_equal_the_reference_libraries(docs: list[DocSpec]) -> None:
    store, _ = new_store()
    with store:
        build(store, docs)
        report = compute_agreement(store)
    ref = reference(docs)
    assert report.annotators == ref["names"]
    assert {(p.a, p.b) for p in report.pairs} == set(ref["pairs"])
    for p in report.pairs:
        r = ref["pairs"][(p.a, p.b)]
        assert (p.exact.tp, p.exact.a, p.exact.b) == (r["tp"], r["a"], r["b"])
        assert p.overlap.tp == r["overlap_tp"]
        assert close(p.cohen_kappa, r["kappa"]), (p.cohen_kappa, r["kappa"])
        assert close(p.cohen_kappa_annotated, r["kappa_annotated"])
        assert close(p.percent_agreement, r["percent"])
    assert close(report.krippendorff_alpha, ref["alpha"]), (report.krippendorff_alpha,
                                                             ref["alpha"])
    assert close(report.fleiss_kappa, ref["fleiss"]), (report.fleiss_kappa, ref["fleiss"])
    if ref["fleiss"] is not None:
        assert report.fleiss_raters == ref["fleiss_raters"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus(max_names=5), st.sampled_from(LABELS))
def test_per_label_figures_are_the_binary_figures_of_that_label(docs: list[DocSpec],
                                                                label: str) -> None:
    """by_label[L] (token figures binary: L vs everything else, from L's spans) is what
    `--label L` computes as its overall figures."""
    store, _ = new_store()
    with store:
        build(store, docs)
        report = compute_agreement(store)
        only = compute_agreement(store, label=label)
    binary = [(i, t, {w: [(s, e, "X" if x == label else "O") for s, e, x in v if x == label]
                      for w, v in sets.items()}) for i, t, sets in docs]
    ref = reference(binary)
    figures = report.by_label.get(label)
    assert close(only.krippendorff_alpha, ref["alpha"])
    if figures is None:  # nobody used the label: it is not listed
        assert not any(x == label for _, _, sets in docs if len(sets) > 1
                       for v in sets.values() for _, _, x in v)
        return
    assert close(figures.krippendorff_alpha, ref["alpha"])
    assert close(figures.exact_f1_pooled, only.exact_f1_pooled)
    assert close(figures.overlap_f1_pooled, only.overlap_f1_pooled)


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_per_label_alpha_is_krippendorffs_for_any_number_of_annotators(m: int) -> None:
    """Per-label α is summed per "k of m annotators put the label on a token" when each
    step is a whole number (2 or 3 annotators) and token by token otherwise (4: 4/3): both
    are krippendorff's binary α."""
    text = "aa bb cc dd ee ff gg hh"
    docs = [(f"d{d}", text, {w: [(0, 2 + 3 * ((i + d) % 3), "PERSON"),
                                 (9 + 3 * ((i * d) % 2), 14, "LOC")]
                             for i, w in enumerate(NAMES[:m])}) for d in range(2)]
    store, _ = new_store()
    with store:
        build(store, docs)
        report = compute_agreement(store)
    for label in ("PERSON", "LOC"):
        binary = [(i, t, {w: [(s, e, "X") for s, e, x in v if x == label]
                          for w, v in sets.items()}) for i, t, sets in docs]
        expected = reference(binary)["alpha"]
        assert expected is not None
        assert close(report.by_label[label].krippendorff_alpha, expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6)), max_size=6),
       st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6)), max_size=6))
def test_overlap_matching_is_a_maximum_matching(a: list, b: list) -> None:
    ia = sorted({(s, s + n) for s, n in a})
    ib = sorted({(s, s + n) for s, n in b})
    matched = max_matching(len(ia), len(ib), interval_edges(ia, ib))
    assert len(matched) == max_matching_size(ia, ib)
    assert len({i for i, _ in matched}) == len({j for _, j in matched}) == len(matched)
    for i, j in matched:  # one-to-one, and only spans that share a character
        assert min(ia[i][1], ib[j][1]) > max(ia[i][0], ib[j][0])


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bootstrap_is_fixed_by_its_seed(seed: int) -> None:
    docs: list[DocSpec] = [(f"d{i}", "a b c d e f", {"ann": [(0, 1, "LOC"), (2, 3, "LOC")],
                                                       "bea": [(0, 1, "LOC")][: 1 + i % 2]})
                           for i in range(6)]
    store, _ = new_store()
    with store:
        build(store, docs)
        first = compute_agreement(store, seed=seed, resamples=200)
        again = compute_agreement(store, seed=seed, resamples=200)
    assert first.ci95 == again.ci95
    low, high = first.ci95["exact_f1_pooled"]  # type: ignore[misc]
    assert low <= first.exact_f1_pooled <= high  # type: ignore[operator]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6), st.sampled_from(LABELS)),
                max_size=8))
def test_a_set_against_the_same_spans_matches_every_span(raw: list) -> None:
    """Identical sets (ids differ: another annotator) skip the matching: every span counts as
    an exact and an overlap match of its label, as the brute-force matching says."""
    keys = sorted({(s, s + n, lab) for s, n, lab in raw})
    a = [SetSpan(s, e, lab, f"a{k}", "{}") for k, (s, e, lab) in enumerate(keys)]
    b = [SetSpan(s, e, lab, f"b{k}", "{}") for k, (s, e, lab) in enumerate(keys)]
    counts = span_counts(a, b)
    for label in LABELS:
        mine = [x for x in keys if x[2] == label]
        size = max_matching_size([x[:2] for x in mine], [x[:2] for x in mine])
        assert counts.get(label, [0, 0, 0, 0]) == ([len(mine), size, len(mine), len(mine)]
                                                   if mine else [0, 0, 0, 0])
