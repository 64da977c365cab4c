"""Exporting: the native JSONL line by line, the round trip, the audit log, other tools'
shapes, streaming, and files that appear whole or not at all."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.export import (
    AUDIT_KEYS,
    FORMATS,
    SPACY_MISSING,
    ExportError,
    Losses,
    OutputExists,
    OutputRefused,
    atomic_output,
    count_sets,
    export,
    spacy_available,
)
from annotator.ingest import import_paths
from annotator.model import GOLD, Document, LabelSchema, Status
from annotator.store import Store
from tests.db_template import new_store

WIRE = "About 7,000 residents were evacuated, officials said. Minister Halina Marović spoke."
COURIER = "Some 6,800 residents were moved; \"no troops will be deployed\", said the minister."


def add(store: Store, who: str, doc: str, needle: str, label: str, **attrs: Any) -> str:
    text = store.get_document(doc).text  # type: ignore[union-attr]
    start = text.index(needle)
    result = store.add_span(who, doc, start, start + len(needle), label, attrs or None)
    return next(c.after["id"] for c in result.changes if c.entity == "span" and c.after)


@pytest.fixture
def annotated(tmp_path: Path, store: Store, schema: LabelSchema) -> Store:
    """Two documents, two annotators and the gold set; attributes and cross-document links."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "wire.txt").write_text("Wire report\n\n" + WIRE, encoding="utf-8")
    (tmp_path / "docs" / "courier.md").write_text("# Courier\n\n" + COURIER, encoding="utf-8")
    import_paths(store, [tmp_path / "docs"], schema, "tester")
    for who in ("bob", "alice", GOLD):
        n1 = add(store, who, "wire", "About 7,000", "NUMBER", value=7000,
                 qualifier="approximate", unit="residents")
        n2 = add(store, who, "courier", "Some 6,800", "NUMBER", value=6800)
        person = add(store, who, "wire", "Halina Marović", "PERSON")
        claim = add(store, who, "wire", "About 7,000 residents were evacuated", "CLAIM",
                    speaker=person, stance="reports", certainty="probable")
        other = add(store, who, "courier", "no troops will be deployed", "CLAIM")
        store.add_link(who, "CONTRADICTS", n2, n1)  # from courier to wire
        store.add_link(who, "SAME_CLAIM", claim, other)
        add(store, who, "wire", "officials", "ORG")
    store.set_status("alice", "wire", Status.DONE)
    store.set_status(GOLD, "wire", Status.DONE)
    store.set_status(GOLD, "courier", Status.DONE)
    return store


def dump(store: Store, fmt: str = "jsonl", **kw: Any) -> str:
    out = io.StringIO()
    n = export(store, fmt, out, **kw)
    text = out.getvalue()
    assert n == text.count("\n")
    return text


def lines(store: Store, fmt: str = "jsonl", **kw: Any) -> list[dict[str, Any]]:
    # split on "\n" only: str.splitlines() also splits inside text at U+2028, U+0085, ...
    return [json.loads(line) for line in dump(store, fmt, **kw).split("\n")[:-1]]


# -- the native JSONL -------------------------------------------------------------------------


def test_jsonl_shape_and_order(annotated: Store, tmp_path: Path) -> None:
    rows = lines(annotated)
    assert [(r["id"], r["annotator"], r["status"]) for r in rows] == [
        ("courier", "@gold", "done"), ("courier", "alice", "in_progress"),
        ("courier", "bob", "in_progress"), ("wire", "@gold", "done"),
        ("wire", "alice", "done"), ("wire", "bob", "in_progress")]
    wire = rows[4]
    assert list(wire) == ["id", "text", "sha256", "annotator", "status", "spans", "links", "meta"]
    assert wire["text"] == "Wire report\n\n" + WIRE
    assert wire["meta"] == {"source": str(tmp_path / "docs" / "wire.txt"),
                            "title": "Wire report", "schema": "news@2"}
    assert list(wire["meta"]) == ["source", "title", "schema"]
    spans = wire["spans"]
    assert [list(s) for s in spans] == [["id", "start", "end", "start_utf16", "end_utf16", "text",
                                         "label", "attrs"]] * 4
    assert all((s["start_utf16"], s["end_utf16"]) == (s["start"], s["end"]) for s in spans)
    assert [(s["start"], s["end"], s["label"]) for s in spans] == sorted(
        (s["start"], s["end"], s["label"]) for s in spans)
    assert [s["label"] for s in spans] == ["NUMBER", "CLAIM", "ORG", "PERSON"]
    for s in spans:
        assert wire["text"][s["start"] : s["end"]] == s["text"]
    assert spans[0]["attrs"] == {"qualifier": "approximate", "unit": "residents", "value": 7000}
    person = spans[3]["id"]
    assert spans[1]["attrs"]["speaker"] == person
    [link] = wire["links"]  # SAME_CLAIM goes from this document's claim to the courier's
    assert list(link) == ["id", "type", "from", "to", "to_doc"]
    assert (link["type"], link["from"], link["to_doc"]) == ("SAME_CLAIM", spans[1]["id"],
                                                            "courier")
    courier = rows[1]
    assert [lk["type"] for lk in courier["links"]] == ["CONTRADICTS"]
    assert courier["links"][0]["to_doc"] == "wire"


def test_jsonl_is_unescaped_utf8_with_default_separators(annotated: Store) -> None:
    text = dump(annotated, annotator="alice", status="done")
    assert "Marović" in text
    assert "\\u" not in text
    line = text.split("\n")[0]
    assert line == json.dumps(json.loads(line), ensure_ascii=False)


def test_round_trip_gives_identical_bytes(annotated: Store, tmp_path: Path,
                                          schema: LabelSchema) -> None:
    first = dump(annotated)
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        report = import_paths(fresh, [path], schema, "someone-else")
        assert report.total("links") == 6
        assert report.total("documents") == 2
        assert dump(fresh) == first
        assert fresh.document_ids() == ["courier", "wire"]
        assert fresh.replay_log() == fresh.current_state()
        again = import_paths(fresh, [path], schema, "someone-else")
        assert again.new == 0
        assert dump(fresh) == first


@pytest.mark.parametrize("fmt", ["doccano", "prodigy"])
def test_other_tools_round_trip_keeps_every_annotator(annotated: Store, tmp_path: Path,
                                                      schema: LabelSchema, fmt: str) -> None:
    """doccano's "annotator" and Prodigy's "_annotator_id" name the set on the way back in.
    Prodigy answers `ignore` for a set not done, and an ignored answer is no annotation (for
    Prodigy's recipes nor for our import): those sets are the loss the export reports."""
    first = dump(annotated, fmt)
    path = tmp_path / f"{fmt}.jsonl"
    path.write_text(first, encoding="utf-8")
    status = "done" if fmt == "prodigy" else "any"
    kept = {(r["id"], r["annotator"]) for r in lines(annotated, status=status)}
    with Store(tmp_path / "fresh.db") as fresh:
        import_paths(fresh, [path], schema, "someone-else")
        assert fresh.annotators() == sorted({who for _, who in kept} | {"someone-else"})
        assert {(r["id"], r["annotator"]) for r in lines(fresh)} == kept
        for doc, who in kept:
            assert [(s.start, s.end, s.label) for s in fresh.spans(doc, who)] == [
                (s.start, s.end, s.label) for s in annotated.spans(doc, who)]
        assert dump(fresh, fmt) == "".join(
            line + "\n" for line in first.splitlines()
            if fmt != "prodigy" or json.loads(line)["answer"] == "accept")


def test_filters(annotated: Store) -> None:
    assert {(r["id"], r["annotator"]) for r in lines(annotated, status="done")} == {
        ("courier", GOLD), ("wire", GOLD), ("wire", "alice")}
    assert {r["annotator"] for r in lines(annotated, gold=True)} == {GOLD}
    assert {r["id"] for r in lines(annotated, annotator="bob")} == {"courier", "wire"}
    assert lines(annotated, annotator="bob", status=Status.DONE) == []
    assert lines(annotated, status="any") == lines(annotated)
    assert count_sets(annotated) == 6
    assert count_sets(annotated, status="done") == 3
    assert count_sets(annotated, gold=True) == 2
    assert count_sets(annotated, "alice", "in_progress") == 1


def test_an_empty_annotation_set_is_exported(store: Store, schema: LabelSchema,
                                             tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("Nothing to see.", encoding="utf-8")
    import_paths(store, [tmp_path / "d.txt"], schema, "t")
    assert dump(store) == ""  # no annotator has touched it
    store.set_status("alice", "d", Status.DONE)  # "annotated nothing" counts
    [row] = lines(store)
    assert (row["annotator"], row["status"], row["spans"], row["links"]) == (
        "alice", "done", [], [])


text_st = st.lists(
    st.one_of(
        st.characters(blacklist_categories=["Cs"]),  # anything but lone surrogates
        st.sampled_from(["🙂", "❤️", "e\u0301", "蒼海", "\r\n", "\r", "\x1b", "\x00", "İ", "\t",
                         "\u2028", "\ufeff"]),
    ),
    min_size=1, max_size=40,
).map("".join)


@st.composite
def documents_with_spans(draw: Any) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(text_st)
    n = len(text)
    spans = draw(st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(1, n),
                  st.sampled_from(["PERSON", "ORG", "NUMBER", "CLAIM"]))
        .filter(lambda t: t[0] < t[1]),
        max_size=6, unique=True))
    return text, spans


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents_with_spans(), min_size=1, max_size=3))
def test_round_trip_property(tmp_path_factory: pytest.TempPathFactory, schema: LabelSchema,
                             docs: list[tuple[str, list[tuple[int, int, str]]]]) -> None:
    """Any text (emoji, combining marks, CJK, CR, controls) with any valid spans survives
    export → import → export exactly, and every exported span's text is text[start:end]."""
    tmp = tmp_path_factory.mktemp("prop")
    source = tmp / "in.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i, (text, spans) in enumerate(docs):
            f.write(json.dumps({"id": f"doc{i}", "text": text, "annotator": "ann",
                                "status": "in_progress", "spans": [
                {"id": f"s{i}-{j}", "start": s, "end": e, "label": label}
                for j, (s, e, label) in enumerate(spans)]}, ensure_ascii=False) + "\n")
    with new_store(tmp / "a.db") as a, new_store(tmp / "b.db") as b:
        import_paths(a, [source], schema, "t")
        first = dump(a)
        for row, (text, spans) in zip(lines(a), docs, strict=True):
            assert row["text"] == text
            assert sorted((s["start"], s["end"], s["label"]) for s in row["spans"]) == sorted(
                spans)
            for s in row["spans"]:
                assert s["text"] == text[s["start"] : s["end"]]
        (tmp / "first.jsonl").write_text(first, encoding="utf-8")
        import_paths(b, [tmp / "first.jsonl"], schema, "t")
        assert dump(b) == first


# -- other formats ----------------------------------------------------------------------------


def test_audit_is_the_event_log(annotated: Store) -> None:
    rows = lines(annotated, "audit")
    assert all(tuple(r) == AUDIT_KEYS for r in rows)
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    assert rows[0]["action"] == "import"
    assert rows[0]["entity"] == "document"
    adds = [r for r in rows if r["action"] == "add_span" and r["entity"] == "span"]
    assert len(adds) == 18
    assert adds[0]["before"] is None
    assert adds[0]["after"]["label"] == "NUMBER"
    assert {r["annotator"] for r in lines(annotated, "audit", annotator="bob")} == {"bob"}
    assert len(rows) == len(list(annotated.events()))


def test_doccano(annotated: Store, tmp_path: Path, schema: LabelSchema) -> None:
    """doccano's relation format: entities with integer ids, relations between them."""
    losses = Losses()
    rows = lines(annotated, "doccano", annotator="alice", losses=losses)
    assert list(rows[1]) == ["id", "text", "entities", "relations", "annotator", "status"]
    wire = rows[1]
    assert wire["id"] == "wire"
    assert wire["status"] == "done"
    assert [e["label"] for e in wire["entities"]] == ["NUMBER", "CLAIM", "ORG", "PERSON"]
    assert [list(e) for e in wire["entities"]] == [
        ["id", "label", "start_offset", "end_offset"]] * 4
    assert [e["id"] for e in wire["entities"]] == [1, 2, 3, 4]
    for e in wire["entities"]:
        assert wire["text"][e["start_offset"] : e["end_offset"]] in WIRE
    # both of alice's links cross documents: doccano relations cannot hold them
    assert wire["relations"] == []
    assert rows[0]["relations"] == []
    # NUMBER x2 (value, unit, qualifier; value), CLAIM (speaker, stance, certainty)
    assert losses.line() == "dropped: 7 attributes, 2 cross-document links"
    path = tmp_path / "doccano.jsonl"
    path.write_text(dump(annotated, "doccano", annotator="alice"), encoding="utf-8")
    with Store(tmp_path / "d.db") as other:
        import_paths(other, [path], schema, "alice")
        assert [(s.start, s.end, s.label) for s in other.spans("wire", "alice")] == [
            (s.start, s.end, s.label) for s in annotated.spans("wire", "alice")]


def test_prodigy(annotated: Store, tmp_path: Path, schema: LabelSchema) -> None:
    rows = lines(annotated, "prodigy", annotator="alice")
    courier, wire = rows
    assert wire["answer"] == "accept"
    assert courier["answer"] == "ignore"  # not done: Prodigy has accept, reject and ignore
    assert wire["_annotator_id"] == wire["_session_id"] == "alice"
    assert wire["meta"]["id"] == "wire"
    assert wire["meta"]["schema"] == "news@2"
    assert [list(s) for s in wire["spans"]] == [
        ["start", "end", "text", "token_start", "token_end", "label"]] * 4
    toks = wire["tokens"]
    assert [list(t) for t in toks[:1]] == [["text", "start", "end", "id", "ws"]]
    assert [t["id"] for t in toks] == list(range(len(toks)))
    for sp in wire["spans"]:
        first, last = toks[sp["token_start"]], toks[sp["token_end"]]
        assert (first["start"], last["end"]) == (sp["start"], sp["end"])
    # the tokens give the text back
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in toks) == wire["text"]
    assert wire["_view_id"] == "spans_manual"
    assert isinstance(wire["_input_hash"], int)
    assert isinstance(wire["_task_hash"], int)
    assert lines(annotated, "prodigy", annotator="alice") == rows  # stable across runs
    bob_wire = lines(annotated, "prodigy", annotator="bob")[1]
    assert bob_wire["_input_hash"] == wire["_input_hash"]  # same text
    assert bob_wire["_task_hash"] == wire["_task_hash"]  # the same spans
    path = tmp_path / "prodigy.jsonl"
    path.write_text(dump(annotated, "prodigy", annotator="alice"), encoding="utf-8")
    with Store(tmp_path / "p.db") as other:
        report = import_paths(other, [path], schema, "alice")
        # alice's courier is not done: answered ignore, which is no annotation (nor a text to
        # import, as for Prodigy's recipes); the export counted it as dropped
        assert other.document_ids() == ["wire"]
        assert report.files[0].left_out == {"ignored answer": 1}
        assert other.status("wire", "alice") == Status.DONE
        assert other.get_document("wire").title == "Wire report"  # type: ignore[union-attr]


def tasks(store: Store, **kw: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    n = export(store, "labelstudio", out, **kw)
    array = json.loads(out.getvalue())
    assert isinstance(array, list)
    assert n == len(array)
    return array


def test_labelstudio(annotated: Store) -> None:
    """One JSON array, one task per document, each annotator's set one annotation; spans,
    their attributes per region, and links (those across documents in the task's meta)."""
    losses = Losses()
    courier, wire = tasks(annotated, losses=losses)
    # nothing dropped but the review's provenance of the gold spans (made by hand: "edited")
    assert losses.line() == "dropped: 8 review decisions"
    assert (courier["id"], wire["id"]) == (1, 2)
    assert wire["data"]["doc_id"] == "wire"
    assert wire["data"]["text"].endswith(WIRE)
    assert wire["meta"]["annotators"] == [{"annotator": GOLD, "status": "done"},
                                          {"annotator": "alice", "status": "done"},
                                          {"annotator": "bob", "status": "in_progress"}]
    gold, alice, _bob = wire["annotations"]
    assert [a["id"] for a in courier["annotations"] + wire["annotations"]] == list(range(1, 7))
    assert gold["ground_truth"] is True
    assert alice["ground_truth"] is False
    labels = [r for r in gold["result"] if r["type"] == "labels"]
    assert [r["value"]["labels"] for r in labels] == [["NUMBER"], ["CLAIM"], ["ORG"], ["PERSON"]]
    assert all(r["from_name"] == "label" and r["to_name"] == "text" for r in labels)
    assert labels[0]["value"]["text"] == "About 7,000"
    number = labels[0]["id"]
    attrs = {r["from_name"]: (r["type"], r["value"]) for r in gold["result"]
             if r["id"] == number and r["type"] != "labels"}
    where = {"start": labels[0]["value"]["start"], "end": labels[0]["value"]["end"],
             "text": "About 7,000"}
    assert attrs == {"value": ("number", {**where, "number": 7000}),
                     "unit": ("textarea", {**where, "text": ["residents"]}),
                     "qualifier": ("choices", {**where, "choices": ["approximate"]})}
    claim = labels[1]["id"]
    speaker = next(r for r in gold["result"] if r["id"] == claim and r["from_name"] == "speaker")
    assert speaker["value"]["text"] == [labels[3]["id"]]  # the PERSON region's id
    # the SAME_CLAIM link goes to the courier: not a relation, but in the task's meta
    assert [r for r in gold["result"] if r["type"] == "relation"] == []
    [cross] = [c for c in wire["meta"]["cross_document_links"] if c["annotator"] == GOLD]
    assert (cross["type"], cross["from_id"], cross["to_doc"]) == ("SAME_CLAIM", claim, "courier")


@pytest.fixture
def two_claims(store: Store, schema: LabelSchema, tmp_path: Path) -> tuple[Store, str, str, str]:
    """One document, al's two CLAIMs and a SUPPORTS link between them: (store, a, b, link)."""
    (tmp_path / "d.txt").write_text("A said x. Then B said y.", encoding="utf-8")
    import_paths(store, [tmp_path / "d.txt"], schema, "t")
    a = add(store, "al", "d", "A said x", "CLAIM")
    b = add(store, "al", "d", "B said y", "CLAIM")
    link = store.add_link("al", "SUPPORTS", a, b).changes[-1].after
    assert link is not None
    return store, a, b, link["id"]


def test_labelstudio_relations_within_a_document(two_claims: tuple[Store, str, str, str]
                                                 ) -> None:
    store, a, b, link = two_claims
    [row] = tasks(store)
    [rel] = [r for r in row["annotations"][0]["result"] if r["type"] == "relation"]
    assert rel == {"id": link, "from_id": a, "to_id": b, "type": "relation",
                   "direction": "right", "labels": ["SUPPORTS"]}
    assert row["meta"]["cross_document_links"] == []


def test_labelstudio_with_nothing_to_export_is_an_empty_array(store: Store) -> None:
    out = io.StringIO()
    assert export(store, "labelstudio", out) == 0
    assert json.loads(out.getvalue()) == []


def test_spacy_needs_the_extra(annotated: Store) -> None:
    if spacy_available():  # asked here, not by every process collecting the tests:
        pytest.skip("spaCy is installed")  # importing spaCy takes 0.9 s
    with pytest.raises(ExportError, match=r"pip install -e '\.\[spacy\]'"):
        export(annotated, "spacy", io.BytesIO())


def test_the_spacy_extra_the_message_names_exists() -> None:
    """The command the message gives installs this checkout's spacy extra, which brings spaCy
    (`pip install annotator[spacy]` would fetch another project named annotator from PyPI);
    the tests must not need it."""
    assert "pip install annotator" not in SPACY_MISSING
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(
        encoding="utf-8"))["project"]
    extra = re.search(r"\.venv/bin/pip install -e '\.\[(\w+)\]'", SPACY_MISSING)
    assert extra is not None
    assert (Path(__file__).parent.parent / "Makefile").read_text(encoding="utf-8").count(
        "$(VENV)/bin") >= 1  # make run/test create that .venv
    extras = project["optional-dependencies"]
    assert [r.split(">")[0] for r in extras[extra.group(1)]] == ["spacy"]
    assert not any(r.startswith("spacy") for r in extras["test"] + project["dependencies"])


def test_unknown_format(annotated: Store) -> None:
    assert "spacy" in FORMATS
    with pytest.raises(ExportError, match="unknown format 'csv'"):
        export(annotated, "csv", io.StringIO())


# -- streaming and atomic files ---------------------------------------------------------------


class _OneAtATime:
    """A store whose sets can only be pulled after the previous line was written."""

    def __init__(self, real: Store, out: io.StringIO) -> None:
        self.real, self.out = real, out

    def __getattr__(self, name: str) -> Any:  # the rest of the store, as it is
        return getattr(self.real, name)

    def annotation_sets(self, annotator: Any, status: Any) -> Iterator[Any]:
        for i, item in enumerate(self.real.annotation_sets(annotator, status)):
            assert self.out.getvalue().count("\n") == i  # the previous set is already out
            yield item


def test_export_streams(annotated: Store) -> None:
    out = io.StringIO()
    assert export(_OneAtATime(annotated, out), "jsonl", out) == 6  # type: ignore[arg-type]


def test_atomic_output_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with atomic_output(target) as f:
        f.write("one\n")
        assert not target.exists()
        [part] = [p for p in tmp_path.iterdir()]
        assert part.name.startswith(".out.jsonl.")
        assert part.name.endswith(".part")
    assert target.read_text(encoding="utf-8") == "one\n"
    assert list(tmp_path.iterdir()) == [target]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_atomic_output_leaves_nothing_on_error(tmp_path: Path, error: type) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old contents\n", encoding="utf-8")

    def interrupted() -> None:
        with atomic_output(target, force=True) as f:
            f.write("half a li")
            raise error()

    with pytest.raises(error):
        interrupted()
    assert target.read_text(encoding="utf-8") == "old contents\n"
    assert list(tmp_path.iterdir()) == [target]


def test_document_without_schema_or_title(store: Store) -> None:
    with store.import_session("t") as imp:
        imp.add_document(Document("raw", "text"))
    store.set_status("a", "raw", Status.TODO)
    assert lines(store)[0]["meta"] == {"title": ""}


def test_atomic_output_never_overwrites_a_file_that_appears_meanwhile(tmp_path: Path) -> None:
    """Without force, a file created while the export runs is not replaced at the end."""
    target = tmp_path / "out.jsonl"

    def meanwhile() -> None:
        with atomic_output(target) as f:
            f.write("the export\n")
            target.write_text("someone else's file\n", encoding="utf-8")

    with pytest.raises(OutputExists, match="out.jsonl exists; --force replaces it"):
        meanwhile()
    assert target.read_text(encoding="utf-8") == "someone else's file\n"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_output_rechecks_the_target_before_replacing_it(tmp_path: Path) -> None:
    """With force, a target that became a database meanwhile is still refused."""
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def meanwhile() -> None:
        with atomic_output(target, force=True) as f:
            f.write("the export\n")
            target.write_bytes(b"SQLite format 3\x00" + bytes(84))

    with pytest.raises(OutputRefused, match="is an SQLite database"):
        meanwhile()
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_output_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")
    for mode in (0o600, 0o640, 0o444):
        target.chmod(mode)
        with atomic_output(target, force=True) as f:
            f.write(f"{mode:o}\n")
        assert (stat.S_IMODE(target.stat().st_mode), target.read_text(encoding="utf-8")) == (
            mode, f"{mode:o}\n")
