"""`annotator agreement --against gold` (issue #12 point 5, docs/agreement.md): each annotator
scored against the gold set, checked against a brute-force maximum matching on generated sets,
and on hand-checked attributes, links, the JSON, the CSV and the table."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.agreement.gold import compute_against_gold
from annotator.cli import main
from annotator.model import GOLD, Document, Link, Span, Status
from annotator.store import Store
from tests.agreement_support import DocSpec, build, draw_spans, max_matching_size

LABELS = ("PERSON", "LOC", "NUMBER")
TEXT = "Zoë Hartmann said 38 staff and about 7,000 troops left Quellby on Tuesday ."


def at(needle: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


@st.composite
def corpus(draw: st.DrawFn) -> list[DocSpec]:
    docs = []
    for d in range(draw(st.integers(1, 3))):
        text = draw(st.text(alphabet="ab é👍\n", min_size=1, max_size=20))
        who = draw(st.lists(st.sampled_from([GOLD, "ann", "bea", "0cy"]), min_size=1,
                            max_size=4, unique=True))
        sets = {}
        for w in who:
            sets[w] = draw_spans(draw, text, LABELS)
        docs.append((f"d{d}", text, sets))
    return docs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus())
def test_span_scores_equal_a_brute_force_count(docs: list[DocSpec]) -> None:
    """Exact tp is the spans both have; overlap tp the largest one-to-one matching of spans
    of the same label sharing a character (tried exhaustively); gold is the reference
    whatever the names sort as ("0cy" sorts before "@gold")."""
    with Store(Path(tempfile.mkdtemp(prefix="gold-")) / "g.db") as store:
        build(store, docs)
        report = compute_against_gold(store)
    expected: dict[str, dict[str, list[int]]] = {}  # who -> label -> [etp, otp, |gold|, |who|]
    docs_of: dict[str, int] = {}
    for _, _, sets in docs:
        if GOLD not in sets:
            continue
        gold = sorted(set(sets[GOLD]))
        for who, spans in sets.items():
            if who == GOLD:
                continue
            mine = sorted(set(spans))
            expected.setdefault(who, {})  # an empty set is scored too (all misses)
            docs_of[who] = docs_of.get(who, 0) + 1
            for lab in LABELS:
                g = [(s, e) for s, e, x in gold if x == lab]
                m = [(s, e) for s, e, x in mine if x == lab]
                if not g and not m:
                    continue
                c = expected.setdefault(who, {}).setdefault(lab, [0, 0, 0, 0])
                c[0] += len(set(g) & set(m))
                c[1] += max_matching_size(g, m)
                c[2] += len(g)
                c[3] += len(m)
    assert [a.annotator for a in report.annotators] == sorted(expected)
    for a in report.annotators:
        by_label = {lab: [m.exact.tp, m.overlap.tp, m.exact.a, m.exact.b]
                    for lab, m in a.by_label.items()}
        assert by_label == expected[a.annotator]
        assert a.documents == docs_of[a.annotator]
        total = [sum(c[k] for c in expected[a.annotator].values()) for k in range(4)]
        assert [a.spans.exact.tp, a.spans.overlap.tp, a.spans.exact.a, a.spans.exact.b] == total
        assert (a.spans.overlap.a, a.spans.overlap.b) == (total[2], total[3])


def _span(doc: str, who: str, needle: str, label: str, **attrs: object) -> Span:
    start, end = at(needle)
    return Span(f"{doc}-{who}-{start}-{label}", doc, who, start, end, label, dict(attrs),
                "import", "t", "t")


def _gold_corpus(store: Store) -> None:
    """Two documents; gold says 38 staff (exact), 7,000 troops (approximate) and a claim by
    Zoë Hartmann; a SUPPORTS link from d1's claim to d2's."""
    with store.import_session("lead") as imp:
        for doc in ("d1", "d2"):
            imp.add_document(Document(doc, TEXT))
        sets = {
            GOLD: [("38 staff", "NUMBER", {"value": 38, "unit": "staff", "qualifier": "exact"}),
                   ("about 7,000 troops", "NUMBER", {"value": 7000, "unit": "troop",
                                                     "qualifier": "approximate"}),
                   ("Zoë Hartmann", "PERSON", {})],
            "alice": [("38 staff", "NUMBER", {"value": 38.0, "unit": "staff",
                                              "qualifier": "exact"}),
                      ("about 7,000 troops", "NUMBER", {"value": 7000, "unit": "soldier"}),
                      ("Zoë Hartmann", "PERSON", {})],
            "bob": [("38", "NUMBER", {"value": 38}), ("Quellby", "LOC", {})],
        }
        for doc in ("d1", "d2"):
            for who, spans in sets.items():
                rows = [_span(doc, who, n, lab, **a) for n, lab, a in spans]
                claim = _span(doc, who, "said 38 staff and about 7,000 troops left", "CLAIM")
                if who != "bob":
                    speaker = next(r for r in rows if r.label == "PERSON").id
                    claim = _span(doc, who, "said 38 staff and about 7,000 troops left",
                                  "CLAIM", speaker=speaker)
                links = []
                if doc == "d2" and who in (GOLD, "alice"):
                    links = [Link(f"l-{who}", who, "SUPPORTS", claim.id,
                                  f"d1-{who}-{claim.start}-CLAIM", "d2", "d1")]
                imp.add_annotation_set(doc, who, [*rows, claim], links, Status.DONE)


def test_attribute_accuracy_and_links_against_gold(store: Store) -> None:
    _gold_corpus(store)
    report = compute_against_gold(store)
    alice, bob = report.annotators
    assert report.documents == 2
    assert (alice.spans.exact.tp, alice.spans.exact.a, alice.spans.exact.b) == (8, 8, 8)
    acc = {k: (v.units, v.correct) for k, v in alice.attributes.items()}
    # 38.0 equals 38; the unit differs on the troops; the qualifier is missing there; the
    # claim's speaker is the same span (by offsets: the ids differ)
    assert acc == {"NUMBER.value": (4, 4), "NUMBER.unit": (4, 2), "NUMBER.qualifier": (4, 2),
                   "CLAIM.speaker": (2, 2)}
    # "38" is not gold's "38 staff": no exact match to compare; bob's claim has no speaker
    assert {k: (v.units, v.correct) for k, v in bob.attributes.items()} == {
        "CLAIM.speaker": (2, 0)}
    assert (bob.spans.exact.tp, bob.spans.overlap.tp) == (2, 4)  # the claim; claim and 38
    assert (alice.links.exact.tp, alice.links.exact.f1) == (1, 1.0)
    assert (bob.links.exact.tp, bob.links.exact.a, bob.links.exact.b) == (0, 1, 0)
    assert (bob.links.exact.recall, bob.links.exact.precision) == (0.0, None)
    assert set(alice.links_by_type) == {"SUPPORTS"}


def test_the_command_in_json_csv_and_table(store: Store, db_path: Path) -> None:
    _gold_corpus(store)
    run = CliRunner().invoke
    out = run(main, ["--db", str(db_path), "agreement", "--against", "gold", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert list(data) == ["against", "status", "label", "documents", "annotators",
                          "by_document"]
    alice = data["annotators"][0]
    assert list(alice) == ["annotator", "documents", "exact", "overlap", "by_label",
                           "attributes", "links"]
    assert alice["attributes"]["NUMBER.unit"] == {"units": 4, "correct": 2, "accuracy": 0.5}
    assert data["annotators"][1]["exact"] == {"tp": 2, "fp": 4, "fn": 6, "precision": 0.3333,
                                              "recall": 0.25, "f1": 0.2857}
    out = run(main, ["--db", str(db_path), "agreement", "--against", "gold", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [(r["document"], r["annotator"]) for r in rows] == [
        ("d1", "alice"), ("d1", "bob"), ("d2", "alice"), ("d2", "bob")]
    assert (rows[1]["gold_spans"], rows[1]["spans"], rows[1]["exact_tp"],
            rows[1]["overlap_f1"]) == ("4", "3", "1", "0.5714")
    out = run(main, ["--db", str(db_path), "agreement", "--against", "gold"])
    assert out.exit_code == 0
    lines = out.output.splitlines()
    assert lines[0] == "Against gold on 2 documents (status done)"
    assert any(line.split() == ["alice", "2", "1.00", "1.00", "1.00", "1.00", "1.00", "1.00"]
               for line in lines)
    assert any(line.split() == ["NUMBER.unit", "alice", "4", "2", "50%"] for line in lines)


def test_without_gold_it_says_so(store: Store, db_path: Path) -> None:
    build(store, [("d", TEXT, {"alice": [(0, 3, "PERSON")], "bob": []})])
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--against", "gold"])
    assert out.exit_code == 0
    assert "no document has a gold set" in out.output
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--against", "gold",
                                    "--format", "json"])
    assert json.loads(out.output)["annotators"] == []


def test_gold_counts_whatever_its_status(store: Store) -> None:
    """Gold is the adjudicated reference, not a person's work: a review still in progress is
    scored (an annotator's set still counts only with the status asked)."""
    build(store, [("d", TEXT, {GOLD: [(0, 3, "PERSON")]})], status=Status.IN_PROGRESS)
    build(store, [("d", TEXT, {"alice": [(0, 3, "PERSON")]})])
    (alice,) = compute_against_gold(store).annotators
    assert alice.spans.exact.f1 == 1.0
    build(store, [("e", TEXT, {GOLD: [(0, 3, "PERSON")]})])
    build(store, [("e", TEXT, {"alice": [(0, 3, "PERSON")]})], status=Status.IN_PROGRESS)
    (alice,) = compute_against_gold(store).annotators
    assert alice.documents == 1  # e: alice's set is in progress
    (alice,) = compute_against_gold(store, status="any").annotators
    assert alice.documents == 2
