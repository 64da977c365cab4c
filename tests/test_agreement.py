"""Agreement on hand-checked cases (docs/agreement.md): what a lead reads in the figures, the JSON,
the CSV and the table of `annotator agreement`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.agreement import compute_agreement
from annotator.agreement.matching import interval_edges, max_matching
from annotator.cli import main
from annotator.model import GOLD, Document, Status
from annotator.store import Store
from tests.agreement_support import build

TEXT = "Zoë Hartmann met the Lusk Hydro Authority in Quellby on Tuesday ."


def word(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def span(store: Store, who: str, doc: str, needle: str, label: str, **attrs: Any) -> str:
    text = store.get_document(doc).text  # type: ignore[union-attr]
    start, end = word(text, needle)
    result = store.add_span(who, doc, start, end, label, attrs or None)
    return next(c.after["id"] for c in result.changes if c.entity == "span" and c.after)


def done(store: Store, *names: str, doc: str = "d") -> None:
    for who in names:
        store.set_status(who, doc, Status.DONE)


def one_doc(store: Store, text: str = TEXT, doc: str = "d") -> None:
    with store.import_session("lead") as imp:
        imp.add_document(Document(doc, text))


def test_identical_sets_agree_fully(store: Store) -> None:
    one_doc(store)
    for who in ("alice", "bob"):
        span(store, who, "d", "Zoë Hartmann", "PERSON")
        span(store, who, "d", "Lusk Hydro Authority", "ORG")
    done(store, "alice", "bob")
    r = compute_agreement(store)
    (p,) = r.pairs
    assert (p.exact.tp, p.exact.fp, p.exact.fn, p.exact.f1) == (2, 0, 0, 1.0)
    assert (p.overlap.f1, p.cohen_kappa, p.percent_agreement) == (1.0, 1.0, 1.0)
    assert r.krippendorff_alpha == 1.0
    assert r.fleiss_kappa is None  # two annotators: Fleiss' κ is for more than two


def test_no_overlap_is_zero_f1_and_a_negative_kappa(store: Store) -> None:
    one_doc(store, "a b c d")
    store.add_span("alice", "d", 0, 1, "PERSON")
    store.add_span("bob", "d", 4, 5, "LOC")
    done(store, "alice", "bob")
    (p,) = compute_agreement(store).pairs
    assert (p.exact.f1, p.overlap.f1) == (0.0, 0.0)
    # tokens a b c d: alice P O O O, bob O O L O; po = 1/2, pe = 9/16
    assert p.cohen_kappa == pytest.approx(-1 / 7)
    assert p.percent_agreement == 0.5


def test_a_done_set_with_no_spans_counts(store: Store) -> None:
    one_doc(store)
    span(store, "alice", "d", "Zoë Hartmann", "PERSON")
    span(store, "alice", "d", "Quellby", "LOC")
    done(store, "alice", "bob")  # bob marked it done without marking anything
    r = compute_agreement(store)
    (p,) = r.pairs
    assert (p.a, p.b, p.exact.tp, p.exact.fp, p.exact.fn) == ("alice", "bob", 0, 0, 2)
    assert p.exact.recall == 0.0
    assert p.exact.precision is None  # 0/0: undefined, not 0 or 1
    assert p.exact.f1 == 0.0
    assert r.documents == 1


def test_nothing_marked_by_anyone_is_undefined_not_perfect(store: Store, db_path: Path
                                                           ) -> None:
    one_doc(store)
    done(store, "alice", "bob")
    r = compute_agreement(store)
    (p,) = r.pairs
    assert (p.exact.f1, p.overlap.f1, p.cohen_kappa, r.krippendorff_alpha) == (None,) * 4
    assert p.percent_agreement == 1.0  # every token O for both: they do agree token by token
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--format", "json"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert data["overall"]["exact_f1_pooled"] is None
    assert data["overall"]["krippendorff_alpha"] is None
    assert data["pairs"][0]["cohen_kappa"] is None
    table = CliRunner().invoke(main, ["--db", str(db_path), "agreement"])
    assert "n/a" in table.output
    assert "1.00" not in table.output.split("Pairs")[0]


def test_nested_and_overlapping_spans_label_tokens_by_the_shortest(store: Store) -> None:
    one_doc(store, "New York City Hall opened")
    store.add_span("alice", "d", 0, 8, "LOC")  # New York
    store.add_span("alice", "d", 0, 18, "ORG")  # New York City Hall
    store.add_span("bob", "d", 0, 18, "ORG")
    store.add_span("bob", "d", 14, 25, "EVENT")  # Hall opened: overlaps the ORG
    done(store, "alice", "bob")
    (p,) = compute_agreement(store).pairs
    # alice: New/York LOC (shortest), City/Hall ORG, opened O
    # bob:   New/York/City ORG, Hall EVENT (shorter than the ORG), opened EVENT
    assert p.percent_agreement == pytest.approx(1 / 5)
    assert (p.exact.tp, p.exact.a, p.exact.b) == (1, 2, 2)
    assert p.overlap.tp == 1  # ORG with ORG; LOC and EVENT have no partner of their label


def test_emoji_and_combining_marks_before_spans(store: Store) -> None:
    text = "👍🏽 Cafe\u0301 🙄 — Zoë Hartmann said"  # offsets are code points
    one_doc(store, text)
    start, end = word(text, "Zoë Hartmann")
    assert start == 13  # 👍🏽 is two code points, Café five
    store.add_span("alice", "d", start, end, "PERSON")
    store.add_span("bob", "d", start, end, "PERSON")
    store.add_span("bob", "d", 3, 8, "ORG")  # "Café" as e + combining acute
    done(store, "alice", "bob")
    (p,) = compute_agreement(store).pairs
    assert (p.exact.tp, p.exact.fp, p.exact.fn) == (1, 1, 0)
    # 7 tokens: 👍🏽 Café 🙄 — Zoë Hartmann said; they differ on Café only
    assert p.tokens == 7
    assert p.percent_agreement == pytest.approx(6 / 7)


def test_greedy_matching_would_find_one_pair_where_there_are_two(store: Store) -> None:
    one_doc(store, "abcdefghij")
    store.add_span("alice", "d", 0, 6, "LOC")  # A1
    store.add_span("alice", "d", 5, 8, "LOC")  # A2: overlaps B1 only
    store.add_span("bob", "d", 2, 7, "LOC")  # B1: 4 characters with A1, 2 with A2
    store.add_span("bob", "d", 0, 2, "LOC")  # B2: 2 characters with A1
    done(store, "alice", "bob")
    (p,) = compute_agreement(store).pairs
    # greedy (A1 takes its largest overlap, B1) leaves A2 alone: 1; the maximum is 2
    assert p.overlap.tp == 2
    assert p.overlap.f1 == 1.0


def test_ties_go_to_the_larger_total_overlap() -> None:
    a = [(0, 4), (2, 6)]
    b = [(0, 4), (2, 6)]
    # both matchings pair everything; the straight one shares 8 characters, the crossed 4
    assert max_matching(2, 2, interval_edges(a, b)) == [(0, 0), (1, 1)]
    a = [(0, 10), (8, 12)]
    b = [(9, 11), (0, 9)]
    assert max_matching(2, 2, interval_edges(a, b)) == [(0, 1), (1, 0)]


def test_exact_duplicate_spans_count_once(store: Store) -> None:
    one_doc(store)
    span(store, "alice", "d", "Quellby", "LOC")
    span(store, "alice", "d", "Quellby", "LOC")  # the same span twice in one set
    span(store, "bob", "d", "Quellby", "LOC")
    done(store, "alice", "bob")
    (p,) = compute_agreement(store).pairs
    assert (p.exact.tp, p.exact.fp, p.exact.fn, p.exact.f1) == (1, 0, 0, 1.0)


def test_three_annotators(store: Store) -> None:
    one_doc(store)
    for who in ("cy", "ann", "bea"):
        span(store, who, "d", "Zoë Hartmann", "PERSON")
    span(store, "ann", "d", "Quellby", "LOC")
    span(store, "bea", "d", "Quellby", "LOC")
    span(store, "cy", "d", "Tuesday", "DATE")
    done(store, "ann", "bea", "cy")
    r = compute_agreement(store)
    assert r.annotators == ["ann", "bea", "cy"]
    assert [(p.a, p.b) for p in r.pairs] == [("ann", "bea"), ("ann", "cy"), ("bea", "cy")]
    assert [p.exact.f1 for p in r.pairs] == [1.0, 0.5, 0.5]
    # 12 tokens, rows: Zoë, Hartmann all PERSON; Quellby L L O; Tuesday O O D; 8 all O
    from tests.agreement_support import fleiss

    units = [["PERSON"] * 3] * 2 + [["LOC", "LOC", "O"], ["O", "O", "DATE"]] + [["O"] * 3] * 8
    assert r.fleiss_kappa == pytest.approx(fleiss(units))
    assert r.by_document[0].fleiss_kappa == pytest.approx(fleiss(units))
    overall = r.overall()
    assert overall["exact_f1_mean"] == pytest.approx(2 / 3)
    assert overall["exact_f1_sd"] == pytest.approx(((1 / 9 + 2 / 36) / 3) ** 0.5)  # population
    assert overall["exact_f1_pooled"] == pytest.approx(2 * 4 / 12)  # Σtp = 2+1+1



def test_which_sets_are_compared(store: Store) -> None:
    """Done sets only (unless --status any); the gold set is not an annotator; a document
    with one set is not compared."""
    one_doc(store)
    one_doc(store, doc="e")
    for who in ("alice", "bob", "carl", GOLD):
        span(store, who, "d", "Quellby", "LOC")
    done(store, "alice", "bob", GOLD)  # carl is still in progress
    span(store, "alice", "e", "Quellby", "LOC")
    done(store, "alice", doc="e")
    r = compute_agreement(store)
    assert r.annotators == ["alice", "bob"]
    assert [d.id for d in r.by_document] == ["d"]
    anyway = compute_agreement(store, status="any")
    assert anyway.annotators == ["alice", "bob", "carl"]


def test_attribute_agreement_on_identical_spans(store: Store) -> None:
    one_doc(store, "Minister Zoë Hartmann said 38 staff and about 7,000 troops left .")
    for who, unit, qual in (("alice", "staff", "exact"), ("bob", "officers", None)):
        speaker = span(store, who, "d", "Zoë Hartmann", "PERSON")
        span(store, who, "d", "38 staff", "NUMBER", value=38 if who == "alice" else 38.0,
             unit=unit, **({"qualifier": qual} if qual else {}))
        span(store, who, "d", "Zoë Hartmann said 38 staff", "CLAIM", speaker=speaker,
             stance="asserts")
    span(store, "alice", "d", "about 7,000 troops", "NUMBER", value=7000)  # bob has none
    done(store, "alice", "bob")
    att = compute_agreement(store).attributes
    # they agree it is a number, and on its value, but not on what it counts
    assert (att["NUMBER.value"].units, att["NUMBER.value"].agree) == (1, 1)
    assert (att["NUMBER.unit"].units, att["NUMBER.unit"].agree) == (1, 0)
    assert (att["NUMBER.qualifier"].units, att["NUMBER.qualifier"].agree) == (1, 0)  # missing
    # the speaker spans have different ids but the same offsets
    assert (att["CLAIM.speaker"].units, att["CLAIM.speaker"].agree) == (1, 1)
    assert att["CLAIM.stance"].percent_agreement == 1.0


def test_link_agreement_across_documents(store: Store) -> None:
    one_doc(store, "Officials said 38 staff left .", doc="wire")
    one_doc(store, "The ministry said 35 officers left .", doc="courier")
    for who in ("alice", "bob", "carl"):
        a = span(store, who, "wire", "38 staff", "NUMBER")
        b = span(store, who, "courier", "35 officers", "NUMBER")
        if who == "alice":
            store.add_link(who, "CONTRADICTS", a, b)
            store.add_link(who, "SUPPORTS", a, b)
        elif who == "bob":  # the other direction: the same for a symmetric type only
            store.add_link(who, "CONTRADICTS", b, a)
            store.add_link(who, "SUPPORTS", b, a)
        else:
            c = store.add_span(who, "courier", 4, 12, "ORG")  # "ministry"
            cid = next(x.after["id"] for x in c.changes if x.entity == "span" and x.after)
            store.add_link(who, "CONTRADICTS", a, cid)
        done(store, who, doc="wire")
        done(store, who, doc="courier")
    links = compute_agreement(store).links
    ab = {(p.a, p.b): p for p in links.by_type["CONTRADICTS"].pairs}
    assert (ab[("alice", "bob")].exact.tp, ab[("alice", "carl")].exact.tp) == (1, 0)
    # carl's target "ministry" shares no character with "35 officers": no overlap match either
    assert ab[("alice", "carl")].overlap.tp == 0
    sup = {(p.a, p.b): p for p in links.by_type["SUPPORTS"].pairs}
    assert (sup[("alice", "bob")].exact.tp, sup[("alice", "bob")].exact.fp) == (0, 1)
    assert links.in_document.exact_f1_pooled is None
    assert links.cross_document.pairs[0].exact.tp == 1


def test_link_overlap_match(store: Store) -> None:
    one_doc(store, "Officials said 38 staff left .", doc="wire")
    one_doc(store, "The ministry said 35 officers left .", doc="courier")
    for who, needle in (("alice", "38 staff"), ("bob", "38 staff left")):
        a = span(store, who, "wire", needle, "NUMBER")
        b = span(store, who, "courier", "35 officers", "NUMBER")
        store.add_link(who, "CONTRADICTS", a, b)
        done(store, who, doc="wire")
        done(store, who, doc="courier")
    (p,) = compute_agreement(store).links.all.pairs
    assert (p.exact.tp, p.overlap.tp) == (0, 1)


def _sample(store: Store, n_docs: int = 1) -> None:
    both = [(0, 12, "PERSON"), (45, 52, "LOC")]  # Zoë Hartmann, Quellby
    docs = [(f"doc-{i}", TEXT, {"alice": both, "bob": both[: 1 + i % 2]}) for i in range(n_docs)]
    build(store, docs)


def test_json_is_the_documented_shape(store: Store, db_path: Path) -> None:
    _sample(store, 6)
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert list(data) == ["annotators", "documents", "status", "label", "overall", "pairs",
                          "by_label", "by_document", "attributes", "links"]
    assert (data["annotators"], data["documents"], data["status"]) == (["alice", "bob"], 6,
                                                                       "done")
    assert set(data["overall"]) == {"exact_f1_pooled", "exact_f1_mean", "exact_f1_sd",
                                    "overlap_f1_pooled", "overlap_f1_mean", "cohen_kappa_mean",
                                    "fleiss_kappa", "krippendorff_alpha", "ci95"}
    low, high = data["overall"]["ci95"]["exact_f1_pooled"]
    assert low <= data["overall"]["exact_f1_pooled"] <= high
    (pair,) = data["pairs"]
    assert pair["exact"] == {"tp": 9, "fp": 0, "fn": 3, "precision": 1.0, "recall": 0.75,
                             "f1": 0.8571}
    assert set(data["by_label"]["LOC"]) == {"exact_f1_pooled", "overlap_f1_pooled",
                                            "krippendorff_alpha"}
    assert set(data["by_document"][0]) == {"id", "annotators", "exact_f1_mean",
                                           "overlap_f1_mean", "krippendorff_alpha",
                                           "fleiss_kappa", "pairs"}
    assert set(data["links"]) == {"exact_f1_pooled", "overlap_f1_pooled", "pairs", "by_type",
                                  "cross_document", "in_document"}


def test_fewer_than_five_documents_have_no_intervals(store: Store) -> None:
    _sample(store, 4)
    assert compute_agreement(store).ci95["exact_f1_pooled"] is None


def test_csv_has_a_row_per_document_and_pair(store: Store, db_path: Path) -> None:
    _sample(store, 2)
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--format", "csv"])
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [(r["document"], r["a"], r["b"]) for r in rows] == [("doc-0", "alice", "bob"),
                                                               ("doc-1", "alice", "bob")]
    assert (rows[0]["exact_tp"], rows[0]["exact_fn"], rows[0]["exact_f1"]) == ("1", "1", "0.6667")
    assert rows[1]["exact_f1"] == "1.0"


def test_label_option_keeps_one_label(store: Store, db_path: Path) -> None:
    _sample(store, 2)
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--format", "json",
                                    "--label", "LOC"])
    data = json.loads(out.output)
    assert data["label"] == "LOC"
    assert list(data["by_label"]) == ["LOC"]
    assert (data["pairs"][0]["exact"]["tp"], data["pairs"][0]["exact"]["fn"]) == (1, 1)


def test_the_table_shows_hostile_names_as_text(store: Store, db_path: Path) -> None:
    one_doc(store, doc="[bold]x\x1b[31m")
    for who in ("[red]eve[/red]", "bob"):
        store.add_span(who, "[bold]x\x1b[31m", 0, 3, "PERSON")
        store.set_status(who, "[bold]x\x1b[31m", Status.DONE)
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement"])
    assert out.exit_code == 0
    assert "\x1b" not in out.output
    assert "[red]eve[/red]" in out.output  # markup shown as written, not applied
    assert "[bold]x␛[31m" in out.output


def test_no_comparable_documents_is_a_note_not_an_error(store: Store, db_path: Path) -> None:
    one_doc(store)
    span(store, "alice", "d", "Quellby", "LOC")
    done(store, "alice")
    out = CliRunner().invoke(main, ["--db", str(db_path), "agreement"])
    assert out.exit_code == 0
    assert "Agreement on 0 documents" in out.output
    assert "no document has sets marked done from two annotators yet" in out.output
    assert "n/a" in out.output
    as_json = CliRunner().invoke(main, ["--db", str(db_path), "agreement", "--format", "json"])
    data = json.loads(as_json.output)
    assert (data["documents"], data["by_document"], data["pairs"]) == (0, [], [])
    assert data["overall"]["exact_f1_pooled"] is None


def test_streamed_json_is_the_report_as_json(store: Store) -> None:
    _sample(store, 3)
    report = compute_agreement(store)
    chunks: list[str] = []
    assert report.write_json(chunks.append) == 3
    assert json.loads("".join(chunks)) == report.to_json()


def test_without_suggested_leaves_out_spans_accepted_from_suggestions(store: Store) -> None:
    one_doc(store)
    start, end = word(TEXT, "Lusk Hydro Authority")
    store.add_spans("alice", "d", [(start, end, "ORG", {})], "suggested", "accept_suggestion")
    span(store, "bob", "d", "Lusk Hydro Authority", "ORG")
    span(store, "alice", "d", "Zoë Hartmann", "PERSON")
    span(store, "bob", "d", "Zoë Hartmann", "PERSON")
    done(store, "alice", "bob")
    (p,) = compute_agreement(store).pairs
    assert (p.exact.tp, p.exact.fp, p.exact.fn) == (2, 0, 0)
    (p,) = compute_agreement(store, without_suggested=True).pairs
    assert (p.exact.tp, p.exact.fp + p.exact.fn) == (1, 1)  # bob's ORG is his alone now
    result = CliRunner().invoke(main, ["--db", store.path, "agreement", "--format", "json",
                                       "--without-suggested"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pairs"][0]["exact"]["tp"] == 1
