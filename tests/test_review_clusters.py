"""Clusters (annotator/review/clusters.py, docs/review.md): which spans meet, what kind of
disagreement each place is, and when a place counts as decided."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.model import Decision, Span
from annotator.review.clusters import Cluster, clusters, next_cluster

_n = iter(range(10**9))


def sp(who: str, start: int, end: int, label: str = "PERSON", **attrs: Any) -> Span:
    return Span(f"{who}-{next(_n)}", "d", who, start, end, label, attrs)


def one(found: list[Cluster]) -> Cluster:
    assert len(found) == 1, found
    return found[0]


def test_identical_spans_of_everyone_are_agreed() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 5)], "bob": [sp("bob", 0, 5)]}, [], []))
    assert (c.kind, c.key, c.start, c.end, c.missing) == ("agreed", "d:0:5", 0, 5, ())
    assert [who for who, _ in c.versions] == ["alice", "bob"]
    assert c.describe() == "agreed by all: PERSON 0-5"


def test_a_span_someone_did_not_mark_is_missing_and_says_who() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 3, 8)], "bob": [], "carol": [sp("carol", 3, 8)]},
                     [], []))
    assert (c.kind, c.missing) == ("missing", ("bob",))
    assert c.describe() == "missing: bob; marked: alice PERSON, carol PERSON"


def test_overlapping_spans_with_other_offsets_differ_in_boundary() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 10)], "bob": [sp("bob", 4, 12)]}, [], []))
    assert (c.kind, c.start, c.end, c.key) == ("boundary", 0, 12, "d:0:12")
    assert c.describe() == "boundary differs: alice PERSON 0-10, bob PERSON 4-12"


def test_one_span_split_in_two_by_someone_is_one_boundary_cluster() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 10)],
                           "bob": [sp("bob", 0, 5), sp("bob", 5, 10)]}, [], []))
    assert c.kind == "boundary"
    assert len(c.spans_of("bob")) == 2


def test_same_offsets_other_label_is_a_label_disagreement() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 5, "PERSON")],
                           "bob": [sp("bob", 0, 5, "ORG")]}, [], []))
    assert c.kind == "label"
    assert c.describe() == "label differs: alice PERSON, bob ORG"


def test_same_span_and_label_other_attributes_differ_in_attributes() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 5, "NUMBER", value=38, unit="staff")],
                           "bob": [sp("bob", 0, 5, "NUMBER", value=36, unit="staff")]}, [], []))
    assert c.kind == "attributes"
    assert "alice NUMBER {unit=staff, value=38}" in c.describe()


def test_a_number_value_1_and_1_0_and_true_are_not_the_same_attribute() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 5, "NUMBER", value=1)],
                           "bob": [sp("bob", 0, 5, "NUMBER", value=True)]}, [], []))
    assert c.kind == "attributes"


def test_the_speaker_is_compared_by_its_span_offsets_not_its_id() -> None:
    a_who, b_who = sp("alice", 0, 5), sp("bob", 0, 5)
    a = [a_who, sp("alice", 10, 30, "CLAIM", speaker=a_who.id, stance="assert")]
    b = [b_who, sp("bob", 10, 30, "CLAIM", speaker=b_who.id, stance="assert")]
    found = clusters("d", {"alice": a, "bob": b}, [], [])
    assert [c.kind for c in found] == ["agreed", "agreed"]
    b_elsewhere = sp("bob", 40, 45)
    b2 = [b_who, b_elsewhere, sp("bob", 10, 30, "CLAIM", speaker=b_elsewhere.id, stance="assert")]
    found = clusters("d", {"alice": a, "bob": b2}, [], [])
    assert [c.kind for c in found] == ["agreed", "attributes", "missing"]


def test_nested_spans_everyone_marked_stay_two_agreed_clusters() -> None:
    sets = {w: [sp(w, 0, 15, "ORG"), sp(w, 8, 15, "LOC")] for w in ("alice", "bob", "carol")}
    assert [(c.key, c.kind) for c in clusters("d", sets, [], [])] == [
        ("d:0:15", "agreed"), ("d:8:15", "agreed")]


def test_a_nested_boundary_disagreement_is_its_own_cluster() -> None:
    sets = {"alice": [sp("alice", 0, 15, "ORG"), sp("alice", 8, 15, "LOC")],
            "bob": [sp("bob", 0, 15, "ORG"), sp("bob", 9, 15, "LOC")]}
    assert [(c.key, c.kind) for c in clusters("d", sets, [], [])] == [
        ("d:0:15", "agreed"), ("d:8:15", "boundary")]


def test_one_annotators_nested_spans_nobody_else_marked_are_two_clusters() -> None:
    sets = {"alice": [sp("alice", 0, 10), sp("alice", 2, 4)], "bob": []}
    found = clusters("d", sets, [], [])
    assert [(c.key, c.kind, c.missing) for c in found] == [
        ("d:0:10", "missing", ("bob",)), ("d:2:4", "missing", ("bob",))]


def test_touching_spans_do_not_overlap() -> None:
    found = clusters("d", {"alice": [sp("alice", 0, 5)], "bob": [sp("bob", 5, 9)]}, [], [])
    assert [c.key for c in found] == ["d:0:5", "d:5:9"]


def test_decided_by_a_decision_on_the_key_or_a_gold_span_at_a_version() -> None:
    sets = {"alice": [sp("alice", 0, 5), sp("alice", 10, 15)],
            "bob": [sp("bob", 0, 6), sp("bob", 20, 25)]}
    reject = Decision("x", "d", "d:20:25", "span", "reject", None, 20, 25, ("bob",))
    gold = [Span("g", "d", "@gold", 0, 6, "PERSON")]
    found = clusters("d", sets, gold, [reject])
    assert [(c.key, c.decided) for c in found] == [
        ("d:0:6", True), ("d:10:15", False), ("d:20:25", True)]
    assert found[0].gold == (gold[0],)


def test_a_gold_span_inside_a_nested_pair_decides_the_smallest_cluster_holding_it() -> None:
    sets = {"alice": [sp("alice", 0, 10), sp("alice", 2, 4)], "bob": []}
    found = clusters("d", sets, [Span("g", "d", "@gold", 2, 3, "PERSON")], [])
    assert [c.decided for c in found] == [False, True]


def test_next_skips_agreed_clusters_and_goes_both_ways() -> None:
    sets = {"alice": [sp("alice", 0, 5), sp("alice", 10, 15), sp("alice", 20, 25, "ORG")],
            "bob": [sp("bob", 0, 5), sp("bob", 10, 15), sp("bob", 20, 25)]}
    found = clusters("d", sets, [], [])
    assert next_cluster(found, -1).key == "d:20:25"  # type: ignore[union-attr]
    assert next_cluster(found, -1, only_disagreements=False).key == "d:0:5"  # type: ignore[union-attr]
    assert next_cluster(found, 20) is None
    assert next_cluster(found, 30, -1).key == "d:20:25"  # type: ignore[union-attr]
    assert next_cluster(found, 20, -1) is None


def test_describe_shows_hostile_attribute_values_as_plain_visible_text() -> None:
    c = one(clusters("d", {"alice": [sp("alice", 0, 5, "CLAIM", stance="\x1b[2J[red]x")],
                           "bob": [sp("bob", 0, 5, "CLAIM", stance="y")]}, [], []))
    assert "\x1b" not in c.describe()
    assert "␛[2J[red]x" in c.describe()


# -- invariants, on random sets --------------------------------------------------------------

LABELS = ("PERSON", "ORG")


@st.composite
def annotation_sets(draw: st.DrawFn) -> dict[str, list[Span]]:
    who = draw(st.lists(st.sampled_from(["alice", "bob", "carol"]), min_size=1, max_size=3,
                        unique=True))
    out: dict[str, list[Span]] = {}
    for w in who:
        spans = draw(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8),
                                        st.sampled_from(LABELS), st.sampled_from([None, 1, 2])),
                              max_size=6))
        seen = set()
        out[w] = []
        for i, (start, length, label, value) in enumerate(spans):
            if (start, start + length, label) in seen:
                continue  # one annotator never has the same span twice
            seen.add((start, start + length, label))
            attrs = {} if value is None else {"value": value}
            out[w].append(Span(f"{w}{i}", "d", w, start, start + length, label, attrs))
    return out


@settings(max_examples=150, deadline=None)
@given(annotation_sets())
def test_every_annotator_span_is_in_exactly_one_cluster(sets: dict[str, list[Span]]) -> None:
    found = clusters("d", sets, [], [])
    placed = [s.id for c in found for _, s in c.versions]
    assert sorted(placed) == sorted(s.id for spans in sets.values() for s in spans)
    for c in found:
        assert all(c.start <= s.start and s.end <= c.end for _, s in c.versions)
        assert c.start == min(s.start for _, s in c.versions)
        assert c.end == max(s.end for _, s in c.versions)
        assert c.key == f"d:{c.start}:{c.end}"
    assert [c.start for c in found] == sorted(c.start for c in found)


@settings(max_examples=150, deadline=None)
@given(annotation_sets())
def test_agreed_exactly_when_everyone_has_one_identical_span(sets: dict[str, list[Span]]
                                                            ) -> None:
    for c in clusters("d", sets, [], []):
        per = {w: c.spans_of(w) for w in sets}
        identical = all(len(v) == 1 for v in per.values()) and len(
            {(s.start, s.end, s.label, tuple(sorted(s.attrs.items()))) for v in per.values()
             for s in v}) == 1
        assert (c.kind == "agreed") == identical
        assert set(c.missing) == {w for w, v in per.items() if not v}


@settings(max_examples=150, deadline=None)
@given(annotation_sets())
def test_overlapping_spans_of_different_annotators_meet_unless_nesting_keeps_them_apart(
        sets: dict[str, list[Span]]) -> None:
    """Two annotators' overlapping spans are in one cluster, except where each sits in a
    place both annotators marked exactly (the offset groups of the rule)."""
    found = clusters("d", sets, [], [])
    where = {s.id: c.key for c in found for _, s in c.versions}
    offsets = {w: {(s.start, s.end) for s in spans} for w, spans in sets.items()}
    for a, xs in sets.items():
        for b, ys in sets.items():
            if a >= b:
                continue
            for x in xs:
                for y in ys:
                    if x.start < y.end and y.start < x.end and where[x.id] != where[y.id]:
                        shared = [w for w in sets if (x.start, x.end) in offsets[w]]
                        shared_y = [w for w in sets if (y.start, y.end) in offsets[w]]
                        assert set(shared) & set(shared_y), (x, y)


@settings(max_examples=150, deadline=None)
@given(annotation_sets(), st.lists(st.tuples(st.integers(0, 30), st.integers(1, 12)),
                                   max_size=6))
def test_a_clusters_gold_is_every_gold_span_overlapping_it(
        sets: dict[str, list[Span]], places: list[tuple[int, int]]) -> None:
    gold = [Span(f"g{i}", "d", "@gold", a, a + n, "PERSON") for i, (a, n) in enumerate(places)]
    for c in clusters("d", sets, gold, []):
        assert c.gold == tuple(g for g in gold if g.start < c.end and c.start < g.end)
        if any((g.start, g.end) in {(s.start, s.end) for _, s in c.versions} for g in gold):
            assert c.decided
