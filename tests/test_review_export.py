"""`export --gold` writes what the review decided, in every format; our JSONL carries the
provenance, reasons and rejects, and importing it back keeps them (docs/jsonl.md, "Gold")."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from annotator.export import FORMATS, Losses, export, spacy_available
from annotator.ingest import IngestError, import_paths
from annotator.labels import load_default_schema
from annotator.model import GOLD
from annotator.review.session import ReviewSession
from annotator.store import Store
from tests.review_support import WIRE, find, review_db

Place = tuple[str, int, int, str]


@pytest.fixture
def decided(store: Store) -> Store:
    """wire: everything agreed accepted, bob's "38" accepted (guideline gap), Monday rejected
    (ambiguous text), Ankara accepted from alice (LOC); ledger: all agreed; the claim's
    cross-document link accepted from alice."""
    review_db(store)
    rs = ReviewSession(store, "lena", "wire")
    rs.accept_agreed()
    rs.accept(rs.cluster_at(18), "bob", "guideline_gap")  # type: ignore[arg-type]
    rs.reject(rs.cluster_at(find(WIRE, "Monday")[0]), "ambiguous_text")  # type: ignore[arg-type]
    rs.accept(rs.cluster_at(find(WIRE, "Ankara")[0]), "alice")  # type: ignore[arg-type]
    ReviewSession(store, "lena", "ledger").accept_agreed()
    rs.accept_link(rs.links()[0], "alice")
    return store


EXPECTED: set[Place] = {("wire", 8, 12, "PERSON"), ("wire", 13, 41, "CLAIM"),
                        ("wire", 18, 20, "NUMBER"), ("wire", 55, 61, "LOC"),
                        ("ledger", 13, 45, "CLAIM")}


def _gold_in(store: Store) -> set[Place]:
    return {(d, s.start, s.end, s.label) for d in ("wire", "ledger")
            for s in store.spans(d, GOLD)}


def _lines(store: Store, fmt: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    export(store, fmt, out, gold=True)
    if fmt == "labelstudio":
        return list(json.loads(out.getvalue()))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _places(fmt: str, lines: list[dict[str, Any]]) -> set[Place]:
    found: set[Place] = set()
    for r in lines:
        if fmt in ("jsonl", "datasets"):
            assert r["annotator"] == GOLD
            found |= {(r["id"], s["start"], s["end"], s["label"]) for s in r["spans"]}
        elif fmt == "doccano":
            assert r["annotator"] == GOLD
            found |= {(r["id"], e["start_offset"], e["end_offset"], e["label"])
                      for e in r["entities"]}
        elif fmt == "prodigy":
            assert r["_annotator_id"] == GOLD
            found |= {(r["meta"]["id"], s["start"], s["end"], s["label"]) for s in r["spans"]}
        elif fmt == "labelstudio":
            [ann] = r["annotations"]
            assert ann["ground_truth"] is True
            found |= {(r["data"]["doc_id"], x["value"]["start"], x["value"]["end"],
                       x["value"]["labels"][0]) for x in ann["result"] if x["type"] == "labels"}
    return found


def test_the_database_holds_what_was_decided(decided: Store) -> None:
    assert _gold_in(decided) == EXPECTED


@pytest.mark.parametrize("fmt", ["jsonl", "datasets", "doccano", "prodigy", "labelstudio"])
def test_the_gold_export_equals_what_was_decided(decided: Store, fmt: str) -> None:
    assert _places(fmt, _lines(decided, fmt)) == EXPECTED


@pytest.mark.parametrize("fmt", ["doccano", "prodigy", "labelstudio"])
def test_other_shapes_say_they_drop_the_review(decided: Store, fmt: str) -> None:
    losses = Losses()
    export(decided, fmt, io.StringIO(), gold=True, losses=losses)
    # 5 gold spans, 1 gold link, 1 reject
    assert losses.line() is not None
    assert "7 review decisions" in losses.line()  # type: ignore[operator]


def test_every_format_is_covered() -> None:
    assert set(FORMATS) - {"jsonl", "datasets", "doccano", "prodigy", "labelstudio"} == {
        "audit", "spacy"}


def test_the_datasets_lines_carry_the_review_as_the_jsonl_does(decided: Store) -> None:
    """export -f datasets is the jsonl with meta and attrs as JSON text: provenance, reason
    and rejects are there as they are (lists of names and strings: one Arrow type each)."""
    native = _lines(decided, "jsonl")
    for r in _lines(decided, "datasets"):
        r["meta"] = json.loads(r["meta"])
        for s in r["spans"]:
            s["attrs"] = json.loads(s["attrs"])
        assert r == native.pop(0)
    assert native == []


def test_the_gold_spacy_export_equals_what_was_decided(decided: Store) -> None:
    if not spacy_available():  # asked here, not by every process collecting the tests
        pytest.skip("the spacy extra is not installed")
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    out = io.BytesIO()
    losses = Losses()
    export(decided, "spacy", out, gold=True, losses=losses)
    docs = list(DocBin().from_bytes(out.getvalue()).get_docs(Vocab()))
    assert {d.user_data["annotator"] for d in docs} == {GOLD}
    assert {(d.user_data["id"], sp.start_char, sp.end_char, sp.label_)
            for d in docs for sp in d.spans["sc"]} == EXPECTED
    # no place there for provenance, reasons and rejects: said on the command line
    assert losses.line() == "dropped: 7 review decisions"


def test_the_gold_audit_is_every_decision_by_the_lead(decided: Store) -> None:
    lines = _lines(decided, "audit")
    assert {r["actor"] for r in lines} == {"lena"}
    assert {r["action"] for r in lines} == {"accept_agreed", "accept", "reject", "accept_link"}
    assert any(r["entity"] == "decision" and r["after"]["reason"] == "ambiguous_text"
               for r in lines)


def test_the_jsonl_carries_provenance_reason_and_rejects(decided: Store) -> None:
    wire = next(r for r in _lines(decided, "jsonl") if r["id"] == "wire")
    by_place = {(s["start"], s["end"]): s for s in wire["spans"]}
    assert by_place[(8, 12)]["provenance"] == ["alice", "bob", "carol"]
    assert by_place[(8, 12)]["reason"] is None
    assert (by_place[(18, 20)]["provenance"], by_place[(18, 20)]["reason"]) == (
        ["bob", "carol"], "guideline_gap")
    assert by_place[(55, 61)]["provenance"] == ["alice", "carol"]
    [link] = wire["links"]
    assert (link["type"], link["to_doc"], link["provenance"]) == (
        "CONTRADICTS", "ledger", ["alice", "bob"])
    assert wire["rejected"] == [{"entity": "span", "key": "wire:45:51", "start": 45, "end": 51,
                                 "provenance": ["alice", "bob"], "reason": "ambiguous_text"}]


def test_other_sets_lines_have_no_review_fields(decided: Store) -> None:
    out = io.StringIO()
    export(decided, "jsonl", out, annotator="alice")
    for line in out.getvalue().splitlines():
        r = json.loads(line)
        assert "rejected" not in r
        assert all("provenance" not in s for s in r["spans"])


def _round_trip(decided: Store, tmp_path: Path, fmt: str = "jsonl") -> Store:
    out = tmp_path / "all.jsonl"
    with out.open("w", encoding="utf-8") as f:
        export(decided, fmt, f)
    fresh = Store(tmp_path / "fresh.db")
    import_paths(fresh, [out], load_default_schema(), "lena")
    return fresh


@pytest.mark.parametrize("fmt", ["jsonl", "datasets"])
def test_importing_the_export_keeps_provenance_reasons_and_rejects(decided: Store,
                                                                   tmp_path: Path,
                                                                   fmt: str) -> None:
    fresh = _round_trip(decided, tmp_path, fmt)
    assert _gold_in(fresh) == EXPECTED

    def decisions(store: Store) -> set[tuple[Any, ...]]:
        gold = {s.id: (s.start, s.end, s.label) for d in ("wire", "ledger")
                for s in store.spans(d, GOLD)}
        return {(gold.get(d.target or ""), d.entity, d.kind, d.provenance, d.reason)
                for doc in ("wire", "ledger") for d in store.review_decisions(doc)}

    assert decisions(fresh) == decisions(decided)
    for doc in ("wire", "ledger"):
        before = [(c.kind, c.decided) for c in ReviewSession(decided, "x", doc).clusters()]
        after = [(c.kind, c.decided) for c in ReviewSession(fresh, "x", doc).clusters()]
        assert after == before
    assert fresh.replay_log() == fresh.current_state()
    # importing it again adds nothing
    import_paths(fresh, [tmp_path / "all.jsonl"], load_default_schema(), "lena")
    assert decisions(fresh) == decisions(decided)


def test_a_bad_reason_or_provenance_on_a_gold_line_is_refused_with_where(
        decided: Store, tmp_path: Path) -> None:
    out = io.StringIO()
    export(decided, "jsonl", out, gold=True)
    wire = next(json.loads(x) for x in out.getvalue().splitlines() if '"id": "wire"' in x)
    wire["spans"][0]["reason"] = "tired"
    wire["spans"][1]["provenance"] = "alice"
    wire["rejected"][0]["end"] = 10**6
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(wire) + "\n", encoding="utf-8")
    fresh = Store(tmp_path / "fresh.db")
    with pytest.raises(IngestError) as err:
        import_paths(fresh, [bad], load_default_schema(), "lena")
    text = str(err.value)
    assert "bad.jsonl:1" in text
    assert "reason must be one of guideline_gap, ambiguous_text, annotator_error or null" in text
    assert "provenance must be a list of annotator names" in text
    assert "rejected #1: needs entity (span or link), key, and start and end inside" in text
    assert fresh.annotators() == []
