"""Importing other tools' files as those tools write them (issue #13, points 1-4): Prodigy's
reject/ignore answers and _input_hash, doccano and Prodigy relations, re-importing our own
doccano/Prodigy export into its source database, and filtered exports imported on their own."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.export import export
from annotator.ingest import IngestError, import_paths
from annotator.labels import parse_schema
from annotator.model import LabelSchema, Status
from annotator.store import Store

CLAIMS = "Akar said 38 staff left. Officials said 35 officers left, not 38."


def write_jsonl(path: Path, *records: Any) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def refused(store: Store, schema: LabelSchema, *paths: Path) -> list[str]:
    before = (store.current_state(), store.document_ids(), len(list(store.events())))
    with pytest.raises(IngestError) as info:
        import_paths(store, paths, schema, "tester")
    assert (store.current_state(), store.document_ids(), len(list(store.events()))) == before
    return info.value.problems


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def tokens(text: str) -> list[dict[str, Any]]:
    """Prodigy's "tokens": whitespace tokens with offsets (as its tokenizer writes them)."""
    out, pos = [], 0
    for i, word in enumerate(text.split(" ")):
        out.append({"text": word, "start": pos, "end": pos + len(word), "id": i, "ws": True})
        pos += len(word) + 1
    return out


def prodigy_span(text: str, needle: str, label: str) -> dict[str, Any]:
    start, end = at(text, needle)
    toks = tokens(text)
    first = next(t["id"] for t in toks if t["start"] <= start < t["end"] + 1)
    last = next(t["id"] for t in toks if t["start"] < end <= t["end"])
    return {"start": start, "end": end, "token_start": first, "token_end": last,
            "label": label}


def ner_manual(text: str, spans: list[dict], answer: str, who: str, input_hash: int,
               **kw: Any) -> dict[str, Any]:
    """A record as Prodigy's ner_manual recipe saves it (db-out)."""
    return {"text": text, "_input_hash": input_hash, "_task_hash": input_hash ^ 0x5F5E0F,
            "tokens": tokens(text), "_view_id": "ner_manual", "spans": spans, "answer": answer,
            "_timestamp": 1732700000, "_annotator_id": f"news-{who}", "_session_id": f"news-{who}",
            **kw}


# -- point 1: Prodigy answers -----------------------------------------------------------------


def test_prodigy_reject_and_ignore_answers_are_not_annotations(tmp_path: Path, store: Store,
                                                               schema: LabelSchema) -> None:
    other = "Quellby flooded on Monday."
    junk = "Subscribe to our newsletter."
    s38 = prodigy_span(CLAIMS, "38 staff", "NUMBER")
    path = write_jsonl(
        tmp_path / "ner.jsonl",
        ner_manual(CLAIMS, [s38], "accept", "alice", 101),
        # the same text (same _input_hash) annotated by bob: the same document
        ner_manual(CLAIMS, [prodigy_span(CLAIMS, "Akar", "PERSON")], "accept", "bob", 101),
        # carol rejected her spans of the same text: no annotation set for carol
        ner_manual(CLAIMS, [prodigy_span(CLAIMS, "Officials", "PERSON")], "reject", "carol", 101),
        ner_manual(other, [prodigy_span(other, "Quellby", "LOC")], "reject", "alice", 202),
        ner_manual(other, [prodigy_span(other, "Quellby", "LOC")], "accept", "bob", 202),
        ner_manual(junk, [prodigy_span(junk, "newsletter.", "ORG")], "ignore", "alice", 303),
    )
    report = import_paths(store, [path], schema, "tester")

    assert store.document_ids() == ["ner-1", "ner-4"]  # the junk text was only ignored
    assert [(s.annotator, s.label) for who in ("news-alice", "news-bob", "news-carol")
            for s in store.spans("ner-1", who)] == [("news-alice", "NUMBER"), ("news-bob",
                                                                               "PERSON")]
    assert store.status("ner-1", "news-carol") == Status.TODO  # no set
    assert [s.label for s in store.spans("ner-4", "news-bob")] == ["LOC"]
    assert store.spans("ner-4", "news-alice") == []
    assert store.status("ner-1", "news-alice") == Status.DONE
    lines = report.lines()
    assert lines[0] == ("Imported 2 new documents, 3 spans and 0 links from 1 file"
                        " (schema news@2).")
    assert f"{path}: skipped 1 ignored answer (Prodigy: only accepted answers are annotations;" \
           " a text no accepted record has is not imported)" in lines
    assert f"{path}: skipped 2 rejected answers (Prodigy: only accepted answers are" \
           " annotations; a text no accepted record has is not imported)" in lines
    assert import_paths(store, [path], schema, "tester").new == 0


def test_an_unknown_prodigy_answer_is_refused(tmp_path: Path, store: Store,
                                              schema: LabelSchema) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", ner_manual(CLAIMS, [], "maybe", "alice", 1))
    assert refused(store, schema, path) == [
        f"{path}:1: answer 'maybe' is not one of accept, reject, ignore"]


def test_cli_reports_skipped_answers_on_stderr(tmp_path: Path, db_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl",
                       ner_manual(CLAIMS, [prodigy_span(CLAIMS, "Akar", "PERSON")], "reject",
                                  "alice", 1))
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Imported 0 new documents, 0 spans and 0 links from 1 file (schema news@2).",
        f"{path}: skipped 1 rejected answer (Prodigy: only accepted answers are annotations; a"
        " text no accepted record has is not imported)"]


# -- point 2: relations -----------------------------------------------------------------------


def test_doccano_relations_become_links(tmp_path: Path, store: Store,
                                        schema: LabelSchema) -> None:
    c1, n38, n35 = at(CLAIMS, "Akar said 38 staff left"), at(CLAIMS, "38"), at(CLAIMS, "35")
    c2 = at(CLAIMS, "Officials said 35 officers left")
    rec = {"id": 1, "text": CLAIMS, "entities": [
        {"id": 10, "label": "CLAIM", "start_offset": c1[0], "end_offset": c1[1]},
        {"id": 11, "label": "NUMBER", "start_offset": n38[0], "end_offset": n38[1]},
        {"id": 12, "label": "NUMBER", "start_offset": n35[0], "end_offset": n35[1]},
        {"id": 13, "label": "CLAIM", "start_offset": c2[0], "end_offset": c2[1]}],
        "relations": [{"id": 0, "from_id": 11, "to_id": 12, "type": "CONTRADICTS"},
                      {"id": 1, "from_id": 13, "to_id": 10, "type": "SUPPORTS"}],
        "annotator": "alice", "Comments": []}
    path = write_jsonl(tmp_path / "rel.jsonl", rec)
    report = import_paths(store, [path], schema, "tester")
    assert report.total("links") == 2
    spans = {s.id: CLAIMS[s.start : s.end] for s in store.spans("1", "alice")}
    assert sorted((lk.type, spans[lk.from_span], spans[lk.to_span], lk.from_doc, lk.to_doc)
                  for lk in store.links("alice")) == [
        ("CONTRADICTS", "38", "35", "1", "1"),
        ("SUPPORTS", "Officials said 35 officers left", "Akar said 38 staff left", "1", "1")]
    assert import_paths(store, [path], schema, "tester").new == 0


DOCCANO_EXAMPLE = {  # doccano's relation-extraction example, as its docs give it
    "text": "Google was founded on September 4, 1998, by Larry Page and Sergey Brin.",
    "entities": [{"id": 0, "start_offset": 0, "end_offset": 6, "label": "ORG"},
                 {"id": 1, "start_offset": 22, "end_offset": 39, "label": "DATE"},
                 {"id": 2, "start_offset": 44, "end_offset": 54, "label": "PERSON"},
                 {"id": 3, "start_offset": 59, "end_offset": 70, "label": "PERSON"}],
    "relations": [{"id": 0, "from_id": 0, "to_id": 1, "type": "foundedAt"},
                  {"id": 1, "from_id": 0, "to_id": 2, "type": "foundedBy"},
                  {"id": 2, "from_id": 0, "to_id": 3, "type": "foundedBy"}],
}


def test_doccanos_relation_example(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    path = write_jsonl(tmp_path / "example.jsonl", DOCCANO_EXAMPLE)
    # the news schema has no such link types: refused, never dropped
    assert refused(store, schema, path) == [
        f"{path}:1: relation #1: unknown link type 'foundedAt' (the schema has SAME_CLAIM,"
        " CONTRADICTS, SUPPORTS, SAME_ENTITY)",
        f"{path}:1: relation #2: unknown link type 'foundedBy' (the schema has SAME_CLAIM,"
        " CONTRADICTS, SUPPORTS, SAME_ENTITY)",
        f"{path}:1: relation #3: unknown link type 'foundedBy' (the schema has SAME_CLAIM,"
        " CONTRADICTS, SUPPORTS, SAME_ENTITY)"]
    labels = "".join(f'[[labels]]\nname = "{name}"\nkind = "entity"\nkey = "{i}"\n'
                     for i, name in enumerate(("ORG", "PERSON", "DATE"), 1))
    links = "".join(f'[[links]]\nname = "{name}"\nkey = "{key}"\nfrom = ["ORG"]\nto = ["{to}"]\n'
                    for name, key, to in (("foundedAt", "t", "DATE"),
                                          ("foundedBy", "m", "PERSON")))
    companies = parse_schema(f'name = "companies"\nversion = 1\n{labels}{links}',
                             "companies.toml")
    import_paths(store, [path], companies, "tester")
    text = DOCCANO_EXAMPLE["text"]
    spans = {s.id: text[s.start : s.end] for s in store.spans("example-1", "tester")}
    assert sorted((lk.type, spans[lk.from_span], spans[lk.to_span])
                  for lk in store.links("tester")) == [
        ("foundedAt", "Google", "September 4, 1998"), ("foundedBy", "Google", "Larry Page"),
        ("foundedBy", "Google", "Sergey Brin")]


def test_bad_doccano_relations_are_refused(tmp_path: Path, store: Store,
                                           schema: LabelSchema) -> None:
    n38, n35 = at(CLAIMS, "38"), at(CLAIMS, "35")
    ents = [{"id": 1, "label": "NUMBER", "start_offset": n38[0], "end_offset": n38[1]},
            {"id": 2, "label": "NUMBER", "start_offset": n35[0], "end_offset": n35[1]}]
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        {"id": "a", "text": CLAIMS, "entities": ents,
         "relations": [{"id": 0, "from_id": 1, "to_id": 7, "type": "CONTRADICTS"}]},
        {"id": "b", "text": CLAIMS, "entities": ents,
         "relations": [{"id": 0, "from_id": 1, "to_id": 2, "type": "SUPPORTS"}]},
        {"id": "c", "text": CLAIMS, "label": [[*n38, "NUMBER"]], "relations": "none"})
    assert refused(store, schema, path) == [
        f"{path}:1: relation #1: to_id 7 is not the id of an entity on this line",
        f"{path}:2: link {_link_id(store, schema, tmp_path)}: SUPPORTS cannot link NUMBER to"
        " NUMBER",
        f"{path}:3: relations must be a list"]


def _link_id(store: Store, schema: LabelSchema, tmp_path: Path) -> str:
    from annotator.jsonl_shapes import generated_id

    n38, n35 = at(CLAIMS, "38"), at(CLAIMS, "35")
    a = generated_id("b", "tester", *n38, "NUMBER")
    b = generated_id("b", "tester", *n35, "NUMBER")
    return generated_id("link", "tester", "SUPPORTS", a, b)


def test_prodigy_relations_become_links(tmp_path: Path, store: Store,
                                        schema: LabelSchema) -> None:
    s38, s35 = prodigy_span(CLAIMS, "38", "NUMBER"), prodigy_span(CLAIMS, "35", "NUMBER")
    c1 = prodigy_span(CLAIMS, "Akar said 38 staff left.", "CLAIM")
    c2 = prodigy_span(CLAIMS, "Officials said 35 officers left,", "CLAIM")
    rel = ner_manual(CLAIMS, [s38, s35, c1, c2], "accept", "alice", 7, _view_id="relations",
                     relations=[
                         {"head": s38["token_end"], "child": s35["token_end"], "head_span": s38,
                          "child_span": s35, "color": "#c5bdf4", "label": "CONTRADICTS"},
                         # no head_span/child_span: the tokens say which spans
                         {"head": c2["token_start"], "child": c1["token_end"],
                          "label": "SUPPORTS"}])
    path = write_jsonl(tmp_path / "rel.jsonl", rel)
    import_paths(store, [path], schema, "tester")
    spans = {s.id: CLAIMS[s.start : s.end] for s in store.spans("rel-1", "news-alice")}
    assert sorted((lk.type, spans[lk.from_span], spans[lk.to_span])
                  for lk in store.links("news-alice")) == [
        ("CONTRADICTS", "38", "35"),
        ("SUPPORTS", "Officials said 35 officers left,", "Akar said 38 staff left.")]
    rel["relations"] = [{"head": 0, "child": 3, "label": "TRIGGERS"},
                        {"head": 99, "child": s38["token_end"], "label": "CONTRADICTS"}]
    bad = write_jsonl(tmp_path / "bad.jsonl", rel)
    assert refused(store, schema, bad) == [
        f"{bad}:1: relation #1: unknown link type 'TRIGGERS' (the schema has SAME_CLAIM,"
        " CONTRADICTS, SUPPORTS, SAME_ENTITY)",
        f"{bad}:1: relation #2: head token 99 is not one of the record's spans",
        f"{bad}:1: relation #2: child token {s38['token_end']} is in 2 spans; child_span says"
        " which"]


# -- point 3: our doccano/Prodigy export back into its own database ---------------------------


def _annotated(store: Store, schema: LabelSchema, tmp_path: Path) -> None:
    """alice's work made on screen (random span ids), with attributes edited by hand."""
    plain = write_jsonl(tmp_path / "docs.jsonl", {"id": "c", "text": CLAIMS})
    import_paths(store, [plain], schema, "tester")
    store.add_span("alice", "c", *at(CLAIMS, "Akar"), "PERSON")
    store.add_span("alice", "c", *at(CLAIMS, "38 staff"), "NUMBER",
                   {"value": 38, "unit": "staff member", "qualifier": "approximate"})
    store.add_span("alice", "c", *at(CLAIMS, "35 officers"), "NUMBER", {"value": 35})
    store.set_status("alice", "c", Status.DONE)


@pytest.mark.parametrize("fmt", ["doccano", "prodigy"])
def test_reimporting_our_export_into_its_database_doubles_nothing(
        tmp_path: Path, store: Store, schema: LabelSchema, fmt: str) -> None:
    _annotated(store, schema, tmp_path)
    before = {s.id: s for s in store.spans("c", "alice")}
    out = io.StringIO()
    export(store, fmt, out)
    path = tmp_path / f"{fmt}.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")

    report = import_paths(store, [path], schema, "tester")

    assert {s.id: s for s in store.spans("c", "alice")} == before  # ids and attributes kept
    assert (report.new, report.total("spans_same")) == (0, 3)
    assert store.status("c", "alice") == Status.DONE


# -- point 4: a filtered export imports on its own --------------------------------------------


def test_a_status_filtered_export_imports_into_an_empty_database(
        tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    other = "The ministry said 35 officers left."
    import_paths(store, [write_jsonl(tmp_path / "docs.jsonl", {"id": "a", "text": CLAIMS},
                                     {"id": "b", "text": other})], schema, "tester")
    store.add_span("alice", "a", *at(CLAIMS, "38 staff"), "NUMBER", {"value": 38})
    store.add_span("alice", "b", *at(other, "35 officers"), "NUMBER", {"value": 35})
    store.add_span("alice", "a", *at(CLAIMS, "35 officers"), "NUMBER", {"value": 35})
    spans_a = {CLAIMS[s.start : s.end]: s.id for s in store.spans("a", "alice")}
    [span_b] = store.spans("b", "alice")
    store.add_link("alice", "CONTRADICTS", spans_a["38 staff"], span_b.id)  # a -> b
    store.add_link("alice", "CONTRADICTS", spans_a["38 staff"], spans_a["35 officers"])
    store.set_status("alice", "a", Status.DONE)  # b stays in progress
    out = io.StringIO()
    export(store, "jsonl", out, status="done")
    path = tmp_path / "done.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    [line] = [json.loads(x) for x in out.getvalue().splitlines()]
    cross = next(lk["id"] for lk in line["links"] if lk["to_doc"] == "b")

    with Store(tmp_path / "fresh.db") as fresh:
        report = import_paths(fresh, [path], schema, "tester")
        assert fresh.document_ids() == ["a"]
        assert len(fresh.spans("a", "alice")) == 2
        assert [(lk.from_doc, lk.to_doc) for lk in fresh.links("alice")] == [("a", "a")]
        assert fresh.replay_log() == fresh.current_state()
    assert report.total("links") == 1
    assert f"{path}: dropped 1 link to spans of annotation sets not in this import (a filtered" \
           f" export leaves them out; nothing links to a missing span): {cross} -> b" \
           in report.lines()
    # into its own database: nothing new, nothing dropped (b's span is there)
    again = import_paths(store, [path], schema, "tester")
    assert again.new == 0
    assert again.files[0].dropped_links == []
