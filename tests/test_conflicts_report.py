"""`annotator conflicts` (docs/conflicts.md): alice's conflicts on the sample corpus (the
fixture the README's tour imports), the JSON, who may see which set, untrusted text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from annotator.cli import main
from annotator.conflicts.clusters import SetData, build_clusters
from annotator.model import Document, Link, Span
from annotator.store import Store
from tests.conflicts_support import FIXTURE, annotated_store


def run(db: Path, *args: str, user: str = "tester") -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env={"USER": user,
                                                                     "COLUMNS": "120"})


@pytest.fixture
def tervane(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    annotated_store(db).close()
    return db


def test_the_fixture_is_what_the_support_module_writes(tmp_path: Path) -> None:
    from tests.conflicts_support import write_fixture

    write_fixture(tmp_path / "again.jsonl")
    fresh = [json.loads(x) for x in (tmp_path / "again.jsonl").read_text().splitlines()]
    kept = [json.loads(x) for x in FIXTURE.read_text().splitlines()]
    def strip(rows):
        return [(r["id"], [(s["start"], s["end"], s["label"], s["attrs"].get("value"))
                                         for s in r["spans"]], len(r["links"])) for r in rows]
    assert strip(fresh) == strip(kept)


def test_conflicting_clusters_come_first_as_tables(tervane: Path) -> None:
    r = run(tervane, "conflicts")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert out.count("figures in conflict · alice · 3 documents") == 3
    assert "figures agree" not in out  # the villages agree: only with --all
    evac = out[out.index("#1"):out.index("#2")]
    for row in ("more than 9,000 people", "9,000", "at least", "About 7,000 residents",
                "approximate", "officials", "citizens-ledger", "meridian-wire"):
        assert row in evac
    assert "✗ 9,000 at least (citizens-ledger) vs 6,800 approximate (national-courier)" in evac
    assert "7,000 approximate (meridian-wire) vs 6,800" not in evac  # within 10 %
    assert out.rstrip().endswith("3 of 4 clusters in conflict (approximate figures within"
                                 " 10%); 1 more agree or have one figure (--all shows them)")
    everything = run(tervane, "conflicts", "--all").stdout
    assert "#4 figures agree · alice · 2 documents · SAME_CLAIM" in everything
    assert everything.index("#3 figures in conflict") < everything.index("#4 figures agree")


def test_json_for_pipelines(tervane: Path) -> None:
    r = run(tervane, "conflicts", "--format", "json", "--all", "--tolerance", "2")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["tolerance"] == 0.02
    assert report["sets"] == ["alice"]
    states = [c["state"] for c in report["clusters"]]
    assert states == ["conflict"] * 3 + ["consistent"]
    command = next(c for c in report["clusters"]
                   if any(f["text"] == "35 officers" for f in c["figures"]))
    sums = next(f for f in command["figures"] if f["text"] == "one general and 38 staff")
    assert (sums["value"], sums["qualifier"], sums["unit"]) == (39, "exact", None)
    assert sums["speaker"] == "The defence ministry"
    assert sums["doc"] == "meridian-wire"
    assert sums["outlet"] == "meridian-wire"
    assert len(sums["conflicts_with"]) == 2
    assert command["units"] == ["officer"]
    assert command["link_types"] == ["SAME_CLAIM"]
    assert len(command["claims"]) == 3
    assert all(c["text"] for c in command["claims"])
    doc = Store(tervane).get_document("meridian-wire")
    assert doc is not None
    assert doc.text[sums["start"]:sums["end"]] == sums["text"]


def test_bad_usage_and_unknown_sets(tervane: Path) -> None:
    assert run(tervane, "conflicts", "--as", "alice", "--gold").exit_code == 2
    r = run(tervane, "conflicts", "--as", "zed")
    assert r.exit_code == 1
    assert "no annotator 'zed'" in r.stderr
    assert run(tervane, "conflicts", "--tolerance", "-5").exit_code == 2
    r = run(tervane, "conflicts", "--gold")
    assert r.exit_code == 0
    assert "no gold set yet" in r.stderr


def test_an_annotator_on_a_team_sees_only_their_own_set(tervane: Path) -> None:
    assert run(tervane, "users", "add", "alice", user="boss").exit_code == 0
    assert run(tervane, "users", "add", "bob", user="boss").exit_code == 0
    with Store(tervane) as store:  # bob: 212 and 300 villages, said to contradict
        text = store.get_document("meridian-wire").text  # type: ignore[union-attr]
        a = store.add_span("bob", "meridian-wire", text.index("212 villages"),
                           text.index("212 villages") + 12, "NUMBER",
                           {"value": 212, "qualifier": "exact", "unit": "village"})
        text = store.get_document("citizens-ledger").text  # type: ignore[union-attr]
        at = text.index("more than 300 villages")
        b = store.add_span("bob", "citizens-ledger", at, at + 22, "NUMBER",
                           {"value": 300, "qualifier": "at least", "unit": "village"})
        store.add_link("bob", "CONTRADICTS", a.changes[0].new.id,  # type: ignore[union-attr]
                       b.changes[0].new.id)  # type: ignore[union-attr]
    mine = json.loads(run(tervane, "conflicts", "--format", "json", user="bob").stdout)
    assert mine["sets"] == ["bob"]
    assert [c["link_types"] for c in mine["clusters"]] == [["CONTRADICTS"]]
    r = run(tervane, "conflicts", "--as", "alice", user="bob")
    assert r.exit_code == 1
    assert "only work as yourself" in r.stderr
    assert run(tervane, "conflicts", "--gold", user="bob").exit_code == 1
    lead = json.loads(run(tervane, "conflicts", "--format", "json", user="boss").stdout)
    assert lead["sets"] == ["alice", "bob"]
    assert {c["set"] for c in lead["clusters"]} == {"alice", "bob"}


def test_document_text_and_meta_cannot_drive_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    text = "Officials: \x1b[2J[bold]38[/bold] staff\u202e left; 35 staff."
    line = {"id": "evil", "text": text,
            "meta": {"outlet": "\x1b]0;owned\x07[red]Wire"}, "annotator": "alice",
            "spans": [{"id": "a", "start": 11, "end": text.index(" left"), "label": "NUMBER",
                       "attrs": {"value": 38, "qualifier": "exact"}},
                      {"id": "b", "start": text.index("35"), "end": len(text) - 1,
                       "label": "NUMBER",
                       "attrs": {"value": 35, "qualifier": "exact"}}],
            "links": [{"id": "l", "type": "CONTRADICTS", "from": "a", "to": "b"}]}
    (tmp_path / "evil.jsonl").write_text(json.dumps(line) + "\n")
    assert run(db, "import", str(tmp_path / "evil.jsonl")).exit_code == 0
    r = run(db, "conflicts")
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout
    assert "\x07" not in r.stdout
    assert "\u202e" not in r.stdout
    assert "␛]0;owned␇[red]Wire" in r.stdout
    assert "[bold]38[/bold]" in r.stdout
    data = json.loads(run(db, "conflicts", "--format", "json").stdout)
    assert data["clusters"][0]["figures"][0]["outlet"] == "\x1b]0;owned\x07[red]Wire"  # exact


def _span(id_: str, doc: str, start: int, end: int, label: str, **attrs: object) -> Span:
    return Span(id_, doc, "alice", start, end, label, dict(attrs))


def _link(a: str, b: str, type_: str = "SAME_CLAIM", docs: tuple[str, str] = ("d1", "d2")
          ) -> Link:
    return Link(f"{a}-{b}", "alice", type_, a, b, *docs)


def test_claims_linked_bring_their_figures_and_several_figures_compare_by_unit() -> None:
    d1 = Document("d1", "Officials said 38 dead and 100 injured on Monday.",
                  meta={"source": "feeds/wire.txt"})
    d2 = Document("d2", "The ministry said 35 dead. Hospitals took 100 injured people.")
    numbers = [_span("n1", "d1", 15, 22, "NUMBER", value=38, unit="dead"),
               _span("n2", "d1", 27, 39, "NUMBER", value=100, unit="injured"),
               _span("m1", "d2", 18, 25, "NUMBER", value=35, unit="dead"),
               _span("m2", "d2", 42, 54, "NUMBER", value=100, unit="injured")]
    claims = [_span("c1", "d1", 0, 39, "CLAIM"), _span("c2", "d2", 0, 25, "CLAIM")]
    data = SetData("alice", numbers, claims, [_link("c1", "c2")],
                   {"d1": d1, "d2": d2})
    [cluster] = build_clusters(data)
    assert [f.span.id for f in cluster.figures] == ["n1", "n2", "m1"]  # m2 is in no claim
    assert cluster.conflicts == [(0, 2)]  # 38 dead vs 35 dead; not 100 injured vs 35 dead
    assert cluster.figures[0].outlet == "wire"
    assert cluster.figures[2].outlet == "d2"
    assert cluster.compared == 1  # n1-n2 are one claim's; n2 has no "dead" to meet


def test_a_claim_with_one_figure_is_joined_to_it_and_unlinked_spans_are_no_cluster() -> None:
    d1 = Document("d1", "About 7,000 left. Nobody else.")
    d2 = Document("d2", "Some 6,800 left.")
    numbers = [_span("n1", "d1", 0, 11, "NUMBER", value=7000, qualifier="approximate"),
               _span("n2", "d2", 0, 10, "NUMBER", value=6800, qualifier="approximate"),
               _span("n3", "d1", 18, 24, "NUMBER")]  # no value: never compared
    claims = [_span("c1", "d1", 0, 16, "CLAIM")]
    [cluster] = build_clusters(SetData("alice", numbers, claims, [_link("c1", "n2")],
                                       {"d1": d1, "d2": d2}))
    assert cluster.state == "consistent"
    assert not cluster.in_conflict
    assert cluster.span_ids == {"c1", "n1", "n2"}
    nothing = build_clusters(SetData("alice", numbers, claims, [], {"d1": d1, "d2": d2}))
    assert nothing == []


def test_the_readme_tour_shows_what_the_command_prints(tmp_path: Path) -> None:
    """The README's conflicts table is real output: data/ and alice's fixture imported as the
    tour says, 110 columns."""
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "$ annotator import data/ docs/examples/tervane-conflicts.jsonl\n" in readme
    shown = readme.split("$ annotator conflicts\n", 1)[1].split("```", 1)[0]
    db = tmp_path / "tour.db"
    assert run(db, "import", str(root / "data"), str(FIXTURE)).exit_code == 0
    r = CliRunner().invoke(main, ["--db", str(db), "conflicts"],
                           env={"USER": "tester", "COLUMNS": "110"})
    printed = "\n".join(line.rstrip() for line in r.stdout.splitlines()) + "\n"
    assert shown == printed
