"""Importing Label Studio (issue #13, point 5): its JSON export as it writes it (an array of
tasks with annotations, per-region results, relations and predictions), and our own
`export --format labelstudio` back, losslessly."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from annotator.export import export
from annotator.ingest import IngestError, import_paths
from annotator.labels import parse_schema
from annotator.model import LabelSchema, Status
from annotator.store import Store
from tests.test_ingest import BOOL_SCHEMA

TEXT = "Akar said 38 staff left. Officials said 35 officers left, not 38."


def at(needle: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def region(rid: str, needle: str, label: str, text: str = TEXT) -> dict[str, Any]:
    start, end = at(needle, text)
    return {"value": {"start": start, "end": end, "text": needle, "labels": [label]},
            "id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "origin": "manual"}


def per_region(rid: str, kind: str, name: str, value: Any, needle: str) -> dict[str, Any]:
    """A per-region control's result: it carries the region's id and offsets."""
    start, end = at(needle)
    key = {"choices": "choices", "textarea": "text", "number": "number"}[kind]
    return {"value": {"start": start, "end": end, key: value}, "id": rid, "from_name": name,
            "to_name": "text", "type": kind, "origin": "manual"}


def relation(a: str, b: str, *labels: str, direction: str = "right") -> dict[str, Any]:
    return {"from_id": a, "to_id": b, "type": "relation", "direction": direction,
            "labels": list(labels)}


def annotation(aid: int, who: Any, result: list[dict], **kw: Any) -> dict[str, Any]:
    return {"id": aid, "completed_by": who, "result": result, "was_cancelled": False,
            "ground_truth": False, "created_at": "2026-11-20T10:00:00.000000Z",
            "updated_at": "2026-11-20T10:05:00.000000Z", "lead_time": 41.2, "prediction": {},
            "result_count": len(result), "task": 17, "project": 3, "parent_prediction": None,
            "parent_annotation": None, **kw}


def ls_export() -> list[dict[str, Any]]:
    """Label Studio's JSON export (Export > JSON) of a two-task project."""
    alice = [
        region("wH4Nu0jNXd", "Akar", "PERSON"),
        region("k2Ts9pQmZa", "Akar said 38 staff left", "CLAIM"),
        region("Rb7x1LmN0q", "38 staff", "NUMBER"),
        region("p0Qv8ZcW3e", "35 officers", "NUMBER"),
        per_region("k2Ts9pQmZa", "choices", "stance", ["asserts"], "Akar said 38 staff left"),
        per_region("Rb7x1LmN0q", "textarea", "unit", ["staff"], "38 staff"),
        per_region("Rb7x1LmN0q", "number", "value", 38, "38 staff"),
        relation("Rb7x1LmN0q", "p0Qv8ZcW3e", "CONTRADICTS"),
        {"value": {"choices": ["politics"]}, "id": "Zk3uV0bYdc", "from_name": "topic",
         "to_name": "text", "type": "choices", "origin": "manual"},  # about the whole text
    ]
    bob = [region("Xa1", "Officials", "ORG"), region("Xa2", "Akar", "PERSON")]
    return [
        {"id": 17, "data": {"text": TEXT, "source": "wire-3"},
         "annotations": [
             annotation(1, 1, alice),
             annotation(2, {"id": 2, "first_name": "Bob", "last_name": "", "email":
                            "bob@example.com"}, bob),
             annotation(3, 3, [], was_cancelled=True)],
         "predictions": [{"id": 9, "model_version": "ner-v2", "score": 0.61, "result": [
             region("pr1", "Officials", "PERSON")], "task": 17}],
         "drafts": [], "meta": {}, "created_at": "2026-11-19T09:00:00.000000Z",
         "updated_at": "2026-11-20T10:05:00.000000Z", "inner_id": 1, "total_annotations": 3,
         "cancelled_annotations": 1, "total_predictions": 1, "project": 3,
         "file_upload": "tasks.json"},
        {"id": 18, "data": {"text": "Quellby flooded."}, "annotations": [], "predictions": []},
    ]


def write(path: Path, tasks: Any) -> Path:
    path.write_text(json.dumps(tasks, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def refused(store: Store, schema: LabelSchema, path: Path) -> list[str]:
    before = (store.current_state(), store.document_ids())
    with pytest.raises(IngestError) as info:
        import_paths(store, [path], schema, "tester")
    assert (store.current_state(), store.document_ids()) == before
    return info.value.problems


def test_a_label_studio_json_export(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    path = write(tmp_path / "project-3.json", ls_export())
    report = import_paths(store, [path], schema, "tester")

    assert report.files[0].shape == "labelstudio"
    assert store.document_ids() == ["17", "18"]
    doc = store.get_document("17")
    assert doc is not None
    assert doc.meta == {"source": "wire-3"}
    spans = {TEXT[s.start : s.end]: s for s in store.spans("17", "labelstudio-1")}
    assert {k: (s.id, s.label, s.attrs) for k, s in spans.items()} == {
        "Akar": ("wH4Nu0jNXd", "PERSON", {}),
        "Akar said 38 staff left": ("k2Ts9pQmZa", "CLAIM", {"stance": "asserts"}),
        "38 staff": ("Rb7x1LmN0q", "NUMBER", {"unit": "staff", "value": 38}),
        "35 officers": ("p0Qv8ZcW3e", "NUMBER", {
            "machine_filled": ["value", "qualifier", "unit"], "qualifier": "exact",
            "unit": "officer", "value": 35}),
    }
    [link] = store.links("labelstudio-1")
    assert (link.type, link.from_span, link.to_span) == ("CONTRADICTS", "Rb7x1LmN0q",
                                                          "p0Qv8ZcW3e")
    assert [(TEXT[s.start : s.end], s.label) for s in store.spans("17", "bob@example.com")] == [
        ("Akar", "PERSON"), ("Officials", "ORG")]
    assert store.status("17", "labelstudio-1") == Status.DONE
    assert store.status("17", "labelstudio-3") == Status.TODO  # cancelled: no set
    assert report.lines()[0] == ("Imported 2 new documents, 6 spans and 1 link from 1 file"
                                 " (schema news@2).")
    assert report.lines()[1:] == [
        f"{path}: skipped 1 cancelled annotation (Label Studio: skipped by the annotator)",
        f"{path}: skipped 1 document-level result (Label Studio results on no labelled"
        " region: a span attribute needs its region)",
        f"{path}: skipped 1 prediction (Label Studio model predictions are not annotations)"]
    before = store.current_state()
    assert import_paths(store, [path], schema, "tester").new == 0
    assert store.current_state() == before


def test_our_label_studio_export_imports_back(tmp_path: Path, store: Store,
                                              schema: LabelSchema) -> None:
    other = "The ministry said 35 officers left."
    plain = tmp_path / "docs.jsonl"
    plain.write_text(json.dumps({"id": "a", "text": TEXT, "title": "Claims"}) + "\n"
                     + json.dumps({"id": "b", "text": other}) + "\n", encoding="utf-8")
    import_paths(store, [plain], schema, "tester")
    store.add_span("alice", "a", *at("Akar"), "PERSON")
    store.add_span("alice", "a", *at("38 staff"), "NUMBER")
    store.add_span("alice", "a", *at("35 officers"), "NUMBER")
    store.add_span("bob", "b", *at("35 officers", other), "NUMBER")
    n38, n35 = (next(s.id for s in store.spans("a", "alice") if TEXT[s.start : s.end] == t)
                for t in ("38 staff", "35 officers"))
    link = store.add_link("alice", "CONTRADICTS", n38, n35).changes[-1].after
    assert link is not None
    store.set_status("alice", "a", Status.DONE)
    out = io.StringIO()
    export(store, "labelstudio", out)
    array = tmp_path / "ls.json"
    array.write_text(out.getvalue(), encoding="utf-8")
    # the older export: JSONL, a task per annotation set, whose in the task's meta
    older = tmp_path / "older.jsonl"
    older.write_text("".join(
        json.dumps({"data": task["data"], "annotations": [ann], "meta": who}) + "\n"
        for task in json.loads(out.getvalue())
        for ann, who in zip(task["annotations"], task["meta"]["annotators"], strict=True)),
        encoding="utf-8")

    def sets(s: Store, attrs: bool = True) -> list[tuple]:
        return [(d, who, s.status(d, who), [(x.id, x.start, x.end, x.label,
                                            x.attrs if attrs else None)
                                           for x in s.spans(d, who)])
                for d in s.document_ids() for who in ("alice", "bob")]

    for i, path in enumerate((array, older)):
        with Store(tmp_path / f"fresh{i}.db") as fresh:
            import_paths(fresh, [path], schema, "tester")
            # our export has every attribute of a span, the NUMBERs' none; the older one had
            # no attributes: its NUMBERs get numbers.py's reading, as doccano's do
            assert sets(fresh, attrs=path == array) == sets(store, attrs=path == array)
            if path == older:
                assert {x.attrs["value"] for x in fresh.spans("a", "alice")
                        if x.label == "NUMBER"} == {38, 35}
                continue
            assert [(lk.id, lk.type, lk.from_span, lk.to_span) for lk in fresh.links("alice")
                    ] == [(link["id"], "CONTRADICTS", n38, n35)]
            assert fresh.get_document("a").title == "Claims"  # type: ignore[union-attr]
            again = io.StringIO()
            export(fresh, "labelstudio", again)
            assert again.getvalue() == out.getvalue()
    before = store.current_state()
    assert import_paths(store, [array], schema, "tester").new == 0  # into its own database
    assert store.current_state() == before


def test_label_studio_problems_name_the_task_line(tmp_path: Path, store: Store,
                                                  schema: LabelSchema) -> None:
    tasks = ls_export()
    result = tasks[0]["annotations"][0]["result"]
    result[2]["value"]["text"] = "39 staff"
    result[3]["value"]["labels"] = ["NUMBER", "CLAIM"]
    result[4]["from_name"] = "mood"
    result.append(relation("wH4Nu0jNXd", "nope", "CONTRADICTS"))
    result.append(relation("wH4Nu0jNXd", "k2Ts9pQmZa"))
    result.append(relation("wH4Nu0jNXd", "k2Ts9pQmZa", "CAUSES"))
    path = write(tmp_path / "bad.json", tasks)
    line = 2  # the task starts on the array's second line
    start, end = at("38 staff")
    assert refused(store, schema, path) == [
        f"{path}:{line}: annotation #1: region Rb7x1LmN0q: text '39 staff' does not match the"
        f" document at {start}-{end}, which is '38 staff'",
        f"{path}:{line}: annotation #1: region p0Qv8ZcW3e: value.labels must hold one label (a"
        " span has one), not ['NUMBER', 'CLAIM']",
        # (the relation between those two regions is not reported again)
        f"{path}:{line}: annotation #1: relation #10: to_id 'nope' is not a labelled region of"
        " this annotation",
        f"{path}:{line}: annotation #1: relation #11: no label, and the schema has 4 link types"
        " (say which)",
        f"{path}:{line}: annotation #1: relation #12: unknown link type 'CAUSES' (the schema"
        " has SAME_CLAIM, CONTRADICTS, SUPPORTS, SAME_ENTITY)",
        f"{path}:{line}: annotation #1: span k2Ts9pQmZa: CLAIM has no attribute 'mood' (it has"
        " speaker, stance, certainty)",
    ]


@pytest.mark.parametrize(("content", "problem"), [
    ('{"data": {"text": "x"}}', "1: expected a JSON array of records (as Label Studio exports"
                               " its tasks)"),
    ('[{"data": {"text": "x"}},\n {"data": {"text": "y"}}\n {"data": {}}]',
     "3: not valid JSON: expected , or ] after an item at column 2"),
    ('[\n  {"data": {"title": "no text"}}\n]', "2: missing text"),
    ('[\n  {"data": {"text": "x"}, "annotations": [{"completed_by": "al ice",'
     ' "result": []}]}\n]', "2: completed_by must be a user id or a user object"),
])
def test_bad_label_studio_files(tmp_path: Path, store: Store, schema: LabelSchema,
                                content: str, problem: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    assert [p.removeprefix(f"{path}:") for p in refused(store, schema, path)] == [problem]


def test_utf16_offsets_are_read_when_the_region_text_says_so(tmp_path: Path, store: Store,
                                                             schema: LabelSchema) -> None:
    """JavaScript counts UTF-16 units: 🙄 is two. A region whose text matches only that way
    is read that way; one that matches neither is refused."""
    text = "Easily 🙄 said Zoë Akar, 38 staff left."
    units = len(text[: text.index("Zoë")].encode("utf-16-le")) // 2
    good = region("r1", "Zoë Akar", "PERSON", text)
    good["value"].update(start=units, end=units + 8)
    path = write(tmp_path / "emoji.json", [{"data": {"text": text}, "annotations": [
        {"completed_by": 1, "result": [good, region("r2", "38 staff", "NUMBER", text)]}]}])
    import_paths(store, [path], schema, "tester")
    assert sorted((text[s.start : s.end], s.label) for s in store.spans("emoji-2",
                                                                        "labelstudio-1")) == [
        ("38 staff", "NUMBER"), ("Zoë Akar", "PERSON")]
    good["value"].update(start=units + 1, end=units + 9)
    bad = write(tmp_path / "bad.json", [{"data": {"text": text}, "annotations": [
        {"completed_by": 1, "result": [good]}]}])
    assert refused(store, schema, bad) == [
        f"{bad}:2: region r1: text 'Zoë Akar' does not match the document at"
        f" {units + 1}-{units + 9}, which is {text[units + 1 : units + 9]!r}"]


def test_yes_no_and_machine_filled_attributes_come_back(tmp_path: Path, store: Store) -> None:
    """The export writes a yes/no attribute as the choice "true"/"false" and machine_filled
    as textarea lines: they import as true/false and as a list again."""
    schema = parse_schema(BOOL_SCHEMA + textwrap.dedent("""\
        [[labels]]
        name = "NUMBER"
        kind = "number"
        key = "2"
          [[labels.attributes]]
          name = "value"
          type = "number"
        """), "b.toml")
    plain = tmp_path / "d.jsonl"
    plain.write_text(json.dumps({"id": "d", "text": "No 38 staff."}) + "\n", encoding="utf-8")
    import_paths(store, [plain], schema, "tester")
    store.add_span("al", "d", 0, 2, "X", {"negated": True})
    store.add_span("al", "d", 3, 5, "X", {"negated": False})
    store.add_span("al", "d", 3, 11, "NUMBER", {"value": 38, "machine_filled": ["value"]})
    out = io.StringIO()
    export(store, "labelstudio", out)
    path = write(tmp_path / "ls.json", json.loads(out.getvalue()))
    with Store(tmp_path / "fresh.db") as fresh:
        import_paths(fresh, [path], schema, "tester")
        assert [(x.start, x.label, x.attrs) for x in fresh.spans("d", "al")] == [
            (0, "X", {"negated": True}), (3, "X", {"negated": False}),
            (3, "NUMBER", {"machine_filled": ["value"], "value": 38})]
        again = io.StringIO()
        export(fresh, "labelstudio", again)
        assert again.getvalue() == out.getvalue()


def test_a_ground_truth_annotation_is_the_gold_set(tmp_path: Path, store: Store,
                                                   schema: LabelSchema) -> None:
    tasks = ls_export()
    tasks[0]["annotations"][1]["ground_truth"] = True  # bob's
    import_paths(store, [write(tmp_path / "gt.json", tasks)], schema, "tester")
    assert [(TEXT[s.start : s.end], s.label) for s in store.spans("17", "@gold")] == [
        ("Akar", "PERSON"), ("Officials", "ORG")]
    assert store.spans("17", "bob@example.com") == []


def test_our_task_meta_must_fit_the_annotations(tmp_path: Path, store: Store,
                                                schema: LabelSchema) -> None:
    """meta.annotators names each annotation's annotator in order; cross-document links
    start at a region of their annotator's annotation."""
    tasks = ls_export()[:1]
    tasks[0]["annotations"].pop()  # the cancelled one
    alice = {"annotator": "alice", "status": "in_progress"}
    tasks[0]["meta"] = {"annotators": [alice]}
    path = write(tmp_path / "short.json", tasks)
    assert refused(store, schema, path) == [
        f"{path}:2: meta.annotators names 1 annotators for 2 annotations (one each, in order;"
        " without meta.annotators, completed_by says whose)"]
    link = {"annotator": "alice", "id": "l1", "type": "SAME_CLAIM", "from_id": "k2Ts9pQmZa",
            "to_doc": "other", "to_id": "c9"}
    tasks[0]["meta"] = {"annotators": [alice, {"annotator": "alice", "status": "done"}],
                        "cross_document_links": [
                            link, {**link, "from_id": "Xa1"}, {**link, "annotator": "carol"},
                            {**link, "type": "CAUSES"}]}
    tasks[0]["annotations"][0]["ground_truth"] = True
    path = write(tmp_path / "bad.json", tasks)
    assert refused(store, schema, path) == [
        f"{path}:2: annotation #1: ground_truth is true but the task's meta names 'alice' (the"
        " gold set is @gold)",
        f"{path}:2: annotation #2: alice has annotation #1 of this task already (one annotation"
        " set per annotator and document)",
        f"{path}:2: meta.cross_document_links #3: annotator 'carol' has no annotation in this"
        " task",
        f"{path}:2: meta.cross_document_links #2: from_id 'Xa1' is not a labelled region of"
        " alice's annotation",
        f"{path}:2: meta.cross_document_links #4: unknown link type 'CAUSES' (the schema has"
        " SAME_CLAIM, CONTRADICTS, SUPPORTS, SAME_ENTITY)",
    ]
