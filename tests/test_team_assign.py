"""Property tests for assignment with controlled overlap (DESIGN §9): every document gets exactly
`overlap` distinct annotators, loads differ by at most one, the same seed gives the same result,
and documents added later leave the earlier ones as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.store import Store
from annotator.store import team as T
from annotator.team import plan_assignment

people_st = st.lists(st.sampled_from([f"p{i}" for i in range(9)]), min_size=1, max_size=9,
                     unique=True)
docs_st = st.lists(st.text("abcdef0123", min_size=1, max_size=6), max_size=40, unique=True)


@st.composite
def setups(draw: st.DrawFn) -> tuple[list[str], list[str], int, int]:
    people = draw(people_st)
    return draw(docs_st), people, draw(st.integers(1, len(people))), draw(st.integers(0, 99))


def merged(*plans: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for plan in plans:
        for d, ps in plan.items():
            out.setdefault(d, []).extend(ps)
    return out


def spread(plan: dict[str, list[str]], people: list[str]) -> int:
    counts = [sum(p in ps for ps in plan.values()) for p in people]
    return max(counts) - min(counts)


@settings(max_examples=300, deadline=None)
@given(setups())
def test_each_document_gets_exactly_overlap_distinct_people(case: tuple) -> None:
    docs, people, overlap, seed = case
    plan = plan_assignment(docs, people, overlap, seed)
    assert sorted(plan) == sorted(docs)
    for ps in plan.values():
        assert len(ps) == len(set(ps)) == overlap
        assert set(ps) <= set(people)


@settings(max_examples=300, deadline=None)
@given(setups())
def test_loads_differ_by_at_most_one(case: tuple) -> None:
    docs, people, overlap, seed = case
    assert spread(plan_assignment(docs, people, overlap, seed), people) <= 1


@settings(max_examples=200, deadline=None)
@given(setups())
def test_same_seed_same_result(case: tuple) -> None:
    docs, people, overlap, seed = case
    assert plan_assignment(docs, people, overlap, seed) == \
        plan_assignment(list(docs), list(people), overlap, seed)


@settings(max_examples=200, deadline=None)
@given(setups(), docs_st)
def test_documents_added_later_keep_the_earlier_ones(case: tuple, later: list[str]) -> None:
    docs, people, overlap, seed = case
    first = plan_assignment(docs, people, overlap, seed)
    loads = {p: sum(p in ps for ps in first.values()) for p in people}
    new_docs = [d for d in later if d not in first]
    second = plan_assignment(docs + new_docs, people, overlap, seed, existing=first, loads=loads)
    assert set(second) == set(new_docs)  # nothing earlier touched
    everything = merged(first, second)
    assert all(len(set(ps)) == overlap for ps in everything.values())
    assert spread(everything, people) <= 1  # still balanced after the second round


def test_overlap_larger_than_the_team_is_refused() -> None:
    with pytest.raises(ValueError, match="--overlap 3 needs at least 3 people"):
        plan_assignment(["a"], ["x", "y"], 3)


def test_assign_cli_path_is_stable_and_balanced(tmp_path: Path) -> None:
    """The store round trip: --unassigned after an import keeps what was assigned."""
    from click.testing import CliRunner

    from annotator.cli import main

    for i in range(7):
        (tmp_path / f"d{i}.txt").write_text(f"Doc {i}\ntext {i}\n")
    db = str(tmp_path / "a.db")
    runner = CliRunner()

    def cli(*args: str) -> None:
        r = runner.invoke(main, ["--db", db, *args], env={"USER": "lead"})
        assert r.exit_code == 0, r.output

    cli("import", *(str(tmp_path / f"d{i}.txt") for i in range(5)))
    cli("assign", "--all", "--to", "a,b,c", "--overlap", "2", "--seed", "7")
    with Store(db) as s:
        before = T.assignments(s)
    cli("import", str(tmp_path / "d5.txt"), str(tmp_path / "d6.txt"))
    cli("assign", "--unassigned", "--to", "a,b,c", "--overlap", "2", "--seed", "7")
    with Store(db) as s:
        after = T.assignments(s)
        loads = T.loads(s)
    assert {d: after[d] for d in before} == before
    assert all(len(after[f"d{i}"]) == 2 for i in range(7))
    assert max(loads.values()) - min(loads.values()) <= 1
