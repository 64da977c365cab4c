"""The claim around each number: the sweep in `enclosing_claims` against a look at every
claim, on generated documents (nested, overlapping, touching and equal claims included)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.conflicts.clusters import enclosing_claims
from annotator.model import Span

ranges = st.tuples(st.integers(0, 60), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1]))


def _spans(kind: str, items: list[tuple[str, tuple[int, int]]]) -> list[Span]:
    return [Span(f"{kind}{i}", doc, "ann", a, b, kind) for i, (doc, (a, b)) in enumerate(items)]


def brute(numbers: list[Span], claims: list[Span]) -> dict[str, Span]:
    found = {}
    for n in numbers:
        around = [c for c in claims
                  if c.doc_id == n.doc_id and c.start <= n.start and n.end <= c.end]
        if around:
            found[n.id] = min(around, key=lambda c: (c.end - c.start, c.start, c.id))
    return found


docs = st.sampled_from(["d1", "d2"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(docs, ranges), max_size=25),
       st.lists(st.tuples(docs, ranges), max_size=25))
def test_sweep_finds_the_smallest_claim_around_each_number(numbers, claims):
    n, c = _spans("NUMBER", numbers), _spans("CLAIM", claims)
    assert enclosing_claims(n, c) == brute(n, c)


def test_a_long_claim_before_short_ones_still_holds_a_later_number():
    # the claim starting first reaches furthest: the walk back must not stop at the short ones
    claims = _spans("CLAIM", [("d", (0, 100)), ("d", (10, 12)), ("d", (20, 22))])
    numbers = _spans("NUMBER", [("d", (50, 52)), ("d", (21, 22)), ("d", (200, 201))])
    found = enclosing_claims(numbers, claims)
    assert {k: v.id for k, v in found.items()} == {"NUMBER0": "CLAIM0", "NUMBER1": "CLAIM2"}
