"""Exports loaded by the tools they are for: spaCy's DocBin, Hugging Face `datasets`, the Label
Studio SDK's validation; UTF-16 offsets; the full backup and its restore; what each format
drops. A test whose tool is not installed (`pip install -e '.[interop]'`) skips, saying so."""

from __future__ import annotations

import importlib.util
import io
import json
import runpy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.export import Losses, export
from annotator.exports.labelstudio import label_config
from annotator.ingest import IngestError, import_paths
from annotator.model import GOLD, LabelSchema, Status
from annotator.restore import RestoreError, restore_file
from annotator.store import Store
from tests import test_export as base
from tests.test_export import add, dump, lines

annotated = base.annotated  # the fixture: two documents, three sets, attributes and links
two_claims = base.two_claims

ROOT = Path(__file__).resolve().parent.parent
EMOJI = "Over 2,000 🙄 said Zoë 🇺🇦 in 蒼海; 𝔘𝔫𝔦 too."


def need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[interop]')")


@pytest.fixture
def emoji(store: Store, schema: LabelSchema, tmp_path: Path) -> Store:
    (tmp_path / "e.txt").write_text(EMOJI, encoding="utf-8")
    import_paths(store, [tmp_path / "e.txt"], schema, "t")
    add(store, "alice", "e", "Zoë", "PERSON")
    add(store, "alice", "e", "𝔘𝔫𝔦", "ORG")
    add(store, "alice", "e", "Over 2,000", "NUMBER", value=2000, qualifier="at least")
    return store


# -- offsets ----------------------------------------------------------------------------------


def test_utf16_offsets_count_what_javascript_counts(emoji: Store) -> None:
    [row] = lines(emoji)
    for s in row["spans"]:
        assert row["text"][s["start"] : s["end"]] == s["text"]  # code points, as Python
        units = row["text"].encode("utf-16-le")  # JavaScript's String: UTF-16 code units
        assert units[2 * s["start_utf16"] : 2 * s["end_utf16"]].decode("utf-16-le") == s["text"]
    by_text = {s["text"]: s for s in row["spans"]}
    assert (by_text["Zoë"]["start"], by_text["Zoë"]["start_utf16"]) == (18, 19)  # 🙄 is two
    # 🙄, 🇺🇦 (two regional indicators) and 𝔘𝔫 come before 𝔦: 1 + 2 + 2 more units
    assert by_text["𝔘𝔫𝔦"]["end_utf16"] - by_text["𝔘𝔫𝔦"]["end"] == 1 + 2 + 3


def test_import_checks_utf16_offsets(emoji: Store, schema: LabelSchema, tmp_path: Path) -> None:
    [row] = lines(emoji)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    zoe = next(s for s in row["spans"] if s["text"] == "Zoë")
    zoe["start_utf16"] = zoe["start"]  # what a code-point count would say: wrong
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(tmp_path / "b.db") as b:
        with pytest.raises(IngestError) as err:
            import_paths(b, [bad], schema, "t")
        assert any(f"span {zoe['id']}: start_utf16/end_utf16 18-22 do not match start/end"
                   " 18-21, which are UTF-16 19-22" in p for p in err.value.problems)
        import_paths(b, [good], schema, "t")
        assert dump(b) == dump(emoji)


# -- the full backup --------------------------------------------------------------------------


def test_backup_restores_an_empty_database_exactly(annotated: Store, schema: LabelSchema,
                                                   tmp_path: Path) -> None:
    (tmp_path / "late.txt").write_text("Nobody has read this one.", encoding="utf-8")
    import_paths(annotated, [tmp_path / "late.txt"], schema, "tester")
    annotated.undo("bob")  # the undo stack is part of it too
    first = dump(annotated, everything=True)
    rows = [json.loads(x) for x in first.split("\n")[:-1]]
    assert rows[0] == {"kind": "backup", "version": 1}
    assert {"id": "late", "text": "Nobody has read this one.",
            "meta": {"source": str(tmp_path / "late.txt"), "title": "Nobody has read this one.",
                     "schema": "news@2"}} in rows  # nobody annotated it: a plain line
    assert [r["ref"] for r in rows if r.get("kind") == "schema"] == ["news@2"]
    assert sum(r.get("kind") == "event" for r in rows) == len(list(annotated.events()))
    # the lines without a kind are the plain export's, in its order
    assert [r for r in rows if "kind" not in r and "annotator" in r] == lines(annotated)
    path = tmp_path / "backup.jsonl"
    path.write_text(first, encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        counts = restore_file(fresh, path)
        assert counts["documents"] == 3
        assert dump(fresh, everything=True) == first
        assert dump(fresh) == dump(annotated)
        assert fresh.replay_log() == fresh.current_state()
        assert fresh.document_ids() == annotated.document_ids()  # import order
        assert fresh.redo("bob") is not None  # bob's undone action can be redone
        with pytest.raises(RestoreError, match="empty database only"):
            restore_file(fresh, path)


def test_backup_through_the_command_line(annotated: Store, db_path: Path,
                                         tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "all.jsonl"
    made = runner.invoke(main, ["--db", str(db_path), "export", "-f", "jsonl", "--all", "-o",
                                str(out)])
    assert made.exit_code == 0, made.output
    new = tmp_path / "new.db"
    restored = runner.invoke(main, ["--db", str(new), "import", str(out)])
    assert restored.exit_code == 0, restored.output
    assert restored.stderr.startswith("Restored 2 documents, 18 spans, 6 links and ")
    again = runner.invoke(main, ["--db", str(new), "export", "-f", "jsonl", "--all"])
    assert again.stdout == out.read_text(encoding="utf-8")
    refused = runner.invoke(main, ["--db", str(new), "import", str(out)])
    assert refused.exit_code == 1
    assert "empty database only" in refused.stderr
    wrong = runner.invoke(main, ["--db", str(db_path), "export", "-f", "doccano", "--all"])
    assert wrong.exit_code == 2
    assert "--all is a backup of the whole database in -f jsonl" in wrong.stderr


def test_an_edited_backup_is_refused_whole(annotated: Store, tmp_path: Path) -> None:
    rows = dump(annotated, everything=True).split("\n")[:-1]
    i = next(i for i, r in enumerate(rows) if '"annotator": "alice"' in r and '"kind"' not in r)
    row = json.loads(rows[i])
    row["spans"][0]["label"] = "ORG"
    rows[i] = json.dumps(row, ensure_ascii=False)
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        with pytest.raises(RestoreError, match=rf"edited.jsonl:{i + 1}: the spans of alice on"):
            restore_file(fresh, path)
        assert fresh.document_ids() == []
        assert list(fresh.events()) == []


# -- what each format drops -------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "dropped"), [
    ("jsonl", None),
    ("labelstudio", None),
    ("doccano", "dropped: 21 attributes, 6 cross-document links"),
    ("prodigy", "dropped: 21 attributes, 6 cross-document links, 3 unfinished sets (answer:"
                " ignore)"),
])
def test_the_command_says_what_a_format_drops(annotated: Store, db_path: Path, fmt: str,
                                              dropped: str | None) -> None:
    result = CliRunner().invoke(main, ["--db", str(db_path), "export", "-f", fmt])
    assert result.exit_code == 0
    assert result.stderr == (f"{dropped}\n" if dropped else "")


# -- Prodigy ----------------------------------------------------------------------------------


def test_prodigy_relations_point_at_tokens(two_claims: tuple[Store, str, str, str]) -> None:
    [row] = lines(two_claims[0], "prodigy")
    [rel] = row["relations"]
    toks = row["tokens"]
    assert rel["label"] == "SUPPORTS"
    assert rel["head_span"] == {"start": 0, "end": 8, "token_start": 0, "token_end": 2,
                                "label": "CLAIM"}
    assert toks[rel["head"]]["text"] == "x"
    assert toks[rel["child"]]["text"] == "y"
    assert row["_view_id"] == "relations"


# -- spaCy ------------------------------------------------------------------------------------


def test_spacy_keeps_spans_on_their_characters(store: Store, schema: LabelSchema,
                                               tmp_path: Path) -> None:
    """"Russia" in "Turkish-Russian" and "2,000" in "2,000-strong" are not widened, and nor
    is a span that starts with the space after a word."""
    need("spacy")
    from spacy.lang.en import English
    from spacy.tokens import DocBin

    text = "The Turkish-Russian talks; a 2,000-strong force said no."
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    import_paths(store, [tmp_path / "d.txt"], schema, "t")
    add(store, "al", "d", "Russia", "LOC")
    add(store, "al", "d", "2,000", "NUMBER", value=2000, unit="force")
    add(store, "al", "d", "a 2,000-strong force said no", "CLAIM", stance="denies")
    add(store, "al", "d", " force", "ORG")  # starts at the space after "2,000-strong"
    store.set_status("al", "d", Status.DONE)
    losses = Losses()
    out = io.BytesIO()
    assert export(store, "spacy", out, losses=losses) == 1
    assert losses.line() is None
    nlp = English()
    [doc] = DocBin().from_bytes(out.getvalue()).get_docs(nlp.vocab)
    assert doc.text == text
    assert [(s.text, s.label_) for s in doc.spans["sc"]] == [
        ("Russia", "LOC"), ("a 2,000-strong force said no", "CLAIM"), ("2,000", "NUMBER"),
        (" force", "ORG")]
    # NER cannot learn an entity that starts with a space: " force" is only in doc.spans
    assert [(e.text, e.label_) for e in doc.ents] == [("Russia", "LOC"), ("2,000", "NUMBER")]
    assert doc.user_data["annotator"] == "al"
    assert doc.user_data["status"] == "done"
    by_label = {s["label"]: s for s in doc.user_data["spans"]}
    assert by_label["NUMBER"]["attrs"] == {"value": 2000, "unit": "force"}
    assert by_label["CLAIM"]["attrs"] == {"stance": "denies"}


def test_spacy_reports_a_span_it_cannot_align(annotated: Store) -> None:
    """Every span of the database aligns (tokens are cut at its ends); one that cannot (here:
    past the end of the text) is left out and named, never widened or cut short."""
    need("spacy")
    from annotator.exports import spacy_bin

    losses = Losses()
    sets = [(d, w, st, [*spans, replace(spans[0], id="odd", start=1, end=len(d.text) + 5)],
             links) for d, w, st, spans, links in annotated.annotation_sets("alice", Status.DONE)]
    spacy_bin.write(iter(sets), io.BytesIO(), lambda ref: None, losses, None)
    assert losses.line() == "dropped: 1 unaligned span"
    [detail] = losses.details
    assert detail.startswith("wire (alice): span odd NUMBER 1-")
    assert detail.endswith("is not on token boundaries")


def test_spacy_docbin_round_trip_has_every_set(annotated: Store) -> None:
    """One Doc per annotation set, named; spans, attributes and links come back from it."""
    need("spacy")
    from spacy.lang.en import English
    from spacy.tokens import DocBin

    out = io.BytesIO()
    losses = Losses()
    assert export(annotated, "spacy", out, losses=losses) == 6
    assert losses.line() is None
    docs = list(DocBin().from_bytes(out.getvalue()).get_docs(English().vocab))
    expected = lines(annotated)
    assert [(d.user_data["id"], d.user_data["annotator"]) for d in docs] == [
        (r["id"], r["annotator"]) for r in expected]
    for d, r in zip(docs, expected, strict=True):
        assert [(s["id"], s["start"], s["end"], s["label"], s["attrs"])
                for s in d.user_data["spans"]] == [
            (s["id"], s["start"], s["end"], s["label"], s["attrs"]) for s in r["spans"]]
        assert sorted((s.start_char, s.end_char, s.label_) for s in d.spans["sc"]) == sorted(
            (s["start"], s["end"], s["label"]) for s in r["spans"])
        assert "CLAIM" not in {e.label_ for e in d.ents}
        assert [lk["id"] for lk in d.user_data["links"]] == [lk["id"] for lk in r["links"]]


# -- Hugging Face datasets --------------------------------------------------------------------


def mixed_export(annotated: Store, schema: LabelSchema, tmp_path: Path) -> Path:
    """A full export with what datasets 3.6 fails on or changes in the file as it is: meta
    holding a number in one record and a string in another, attribute values 38 and 2.5,
    attributes per label."""
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "m1", "text": "38 staff left.", "meta": {"year": 2026}, "annotator": "alice",
         "spans": [{"start": 0, "end": 8, "label": "NUMBER", "attrs": {"value": 38}}]},
        {"id": "m2", "text": "2.5 km of road.", "meta": {"year": "2026"}, "annotator": "alice",
         "spans": [{"start": 0, "end": 6, "label": "NUMBER",
                    "attrs": {"value": 2.5, "unit": "km"}}]}]), encoding="utf-8")
    import_paths(annotated, [mixed], schema, "tester")
    path = tmp_path / "export.jsonl"
    path.write_text(dump(annotated, everything=True), encoding="utf-8")
    return path


def assert_loaded_exactly(rows: list[dict[str, Any]], annotated: Store) -> None:
    """The loader's rows (meta and attrs as JSON text) are the export's lines, exactly."""
    expected = lines(annotated)
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert (row["id"], row["annotator"], row["text"]) == (
            want["id"], want["annotator"], want["text"])
        assert json.loads(row["meta"]) == want["meta"]
        got = [{**s, "attrs": json.loads(s["attrs"])} for s in row["spans"]]
        assert got == want["spans"]  # 38 stays an int, no attribute padded with null
        assert row["links"] == want["links"]
    assert [json.loads(r["meta"])["year"] for r in rows if r["id"].startswith("m")] == [2026,
                                                                                        "2026"]


def test_datasets_loads_the_jsonl_with_the_documented_loader(annotated: Store, schema: LabelSchema,
                                                             tmp_path: Path) -> None:
    need("datasets")
    path = mixed_export(annotated, schema, tmp_path)
    loader: dict[str, Any] = runpy.run_path(str(ROOT / "docs" / "examples" / "load_datasets.py"))
    ds = loader["load"](str(path), cache_dir=str(tmp_path / "hf"))
    assert_loaded_exactly(list(ds), annotated)


DATASETS3 = ROOT / ".venv-datasets3" / "bin" / "python"
LOAD_AND_PRINT = """\
import json, runpy, sys
import datasets
assert datasets.__version__.startswith("3."), datasets.__version__
ds = runpy.run_path(sys.argv[1])["load"](sys.argv[2], cache_dir=sys.argv[3])
print(json.dumps(list(ds)))
"""


def test_datasets_3_loads_the_jsonl_with_the_documented_loader(annotated: Store,
                                                               schema: LabelSchema,
                                                               tmp_path: Path) -> None:
    """datasets 3.x cannot be installed beside the suite's 5.x: .ci/run makes a venv of its
    own, .venv-datasets3, and the documented loader runs there on the same export."""
    import subprocess

    if not DATASETS3.exists():
        pytest.skip(f"{DATASETS3.parent.parent} is missing (.ci/run makes it: python3 -m venv"
                    " .venv-datasets3 && .venv-datasets3/bin/pip install 'datasets==3.6.*')")
    probe = subprocess.run([str(DATASETS3), "-c", "import datasets; print(datasets.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or not probe.stdout.startswith("3."):
        pytest.skip(f"{DATASETS3} has no datasets 3.x: "
                    f"{(probe.stderr.strip().splitlines() or [probe.stdout.strip()])[-1]}")
    path = mixed_export(annotated, schema, tmp_path)
    run = subprocess.run([str(DATASETS3), "-c", LOAD_AND_PRINT,
                          str(ROOT / "docs" / "examples" / "load_datasets.py"), str(path),
                          str(tmp_path / "hf")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert_loaded_exactly(json.loads(run.stdout.strip().splitlines()[-1]), annotated)


def test_datasets_reads_the_jsonl_file_as_it_is(annotated: Store, tmp_path: Path) -> None:
    """datasets 4+ reads attrs and meta of mixed types as its Json feature, losslessly
    (datasets 3.x guesses: see docs/jsonl.md, which gives the loader for both)."""
    need("datasets")
    import datasets

    if int(datasets.__version__.split(".")[0]) < 4:
        pytest.skip(f"datasets {datasets.__version__} infers a type per column: use the loader")
    path = tmp_path / "export.jsonl"
    path.write_text(dump(annotated), encoding="utf-8")
    ds = datasets.load_dataset("json", data_files=str(path), split="train",
                               cache_dir=str(tmp_path / "hf"))
    assert [dict(s) for s in ds[4]["spans"]] == lines(annotated)[4]["spans"]


# -- Label Studio -----------------------------------------------------------------------------


def test_label_studio_sdk_validates_every_annotation(annotated: Store,
                                                     schema: LabelSchema) -> None:
    need("label_studio_sdk")
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(label_config(schema))
    out = io.StringIO()
    export(annotated, "labelstudio", out)
    tasks = json.loads(out.getvalue())
    for task in tasks:
        for obj in interface.objects:
            assert task["data"].get(obj.value_name) is not None
        for annotation in task["annotations"]:
            assert interface.validate_prediction(annotation, return_errors=True) == []
    # the validation is real: a label the interface does not have is an error
    broken = json.loads(json.dumps(tasks[0]["annotations"][0]))
    broken["result"][0]["value"]["labels"] = ["NOT_A_LABEL"]
    assert interface.validate_prediction(broken, return_errors=True) != []


# -- every format, back in ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["doccano", "prodigy", "labelstudio"])
def test_other_formats_round_trip_or_list_the_loss(annotated: Store, schema: LabelSchema,
                                                   tmp_path: Path, fmt: str) -> None:
    """export → import into an empty database → export gives the same file; what the format
    cannot hold is the loss the export listed. Prodigy answers `ignore` for a set not done,
    and an ignored answer is no annotation: the round trip keeps the done sets."""
    losses = Losses()
    out = io.StringIO()
    export(annotated, fmt, out, losses=losses)
    suffix = ".json" if fmt == "labelstudio" else ".jsonl"
    path = tmp_path / f"export{suffix}"
    path.write_text(out.getvalue(), encoding="utf-8")
    kept = lines(annotated, status="done" if fmt == "prodigy" else "any")
    with Store(tmp_path / "fresh.db") as fresh:
        report = import_paths(fresh, [path], schema, "someone-else")
        again = io.StringIO()
        export(fresh, fmt, again)
        written = out.getvalue().splitlines(keepends=True)
        if fmt == "prodigy":
            written = [x for x in written if json.loads(x)["answer"] == "accept"]
            assert report.files[0].left_out == {"ignored answer": 3}
        assert again.getvalue() == "".join(written)
        back = [r for r in lines(fresh) if r["annotator"] != "someone-else"]
    assert [(r["id"], r["annotator"], r["status"]) for r in back] == [
        (r["id"], r["annotator"], r["status"]) for r in kept]
    if fmt == "labelstudio":  # everything but where the documents were imported from
        assert losses.line() is None
        for r in back + kept:
            del r["meta"]["source"]
        assert back == kept
        return
    # the spans came back; the attributes did not, and the export said so
    assert [[(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in back] == [
        [(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in kept]
    assert losses.counts["attributes"] == sum(
        1 for r in lines(annotated) for s in r["spans"] for v in s["attrs"].values()
        if v is not None)
    assert losses.counts["cross-document links"] == 6
    assert losses.counts["unfinished sets (answer: ignore)"] == (3 if fmt == "prodigy" else 0)


def test_a_filtered_label_studio_export_imports_on_its_own(annotated: Store,
                                                          schema: LabelSchema,
                                                          tmp_path: Path) -> None:
    """--status done leaves out alice's courier set: her wire claim's SAME_CLAIM link to it
    (in the wire task's meta.cross_document_links) is dropped, and the import says so."""
    out = io.StringIO()
    export(annotated, "labelstudio", out, status="done")
    path = tmp_path / "done.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        report = import_paths(fresh, [path], schema, "someone-else")
        assert sorted(lk.type for lk in fresh.links(GOLD)) == ["CONTRADICTS", "SAME_CLAIM"]
        assert fresh.links("alice") == []
        [alice_link] = [lk for lk in annotated.links("alice") if lk.type == "SAME_CLAIM"]
        assert report.lines()[1] == (
            f"{path}: dropped 1 link to spans of annotation sets not in this import (a filtered"
            " export leaves them out; nothing links to a missing span):"
            f" {alice_link.id} -> courier")


def test_the_readme_examples_are_what_the_export_writes(schema: LabelSchema,
                                                        tmp_path: Path) -> None:
    """README's Exports section: its jsonl record imports, and each format's record is what
    the export of it writes, byte for byte."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Exports")[1]
    blocks = [b.split("```", 1)[0] for b in section.split("```json\n")[1:]]
    assert len(blocks) == 4
    path = tmp_path / "in.jsonl"
    path.write_text(blocks[0], encoding="utf-8")
    with Store(tmp_path / "r.db") as store:
        import_paths(store, [path], schema, "t")
        for fmt, block in zip(["jsonl", "doccano", "prodigy", "labelstudio"], blocks,
                              strict=True):
            out = io.StringIO()
            export(store, fmt, out)
            assert out.getvalue() == block, fmt


@pytest.mark.parametrize("edit", ["no ts", "dangling action"])
def test_a_broken_backup_is_one_message_and_nothing_written(annotated: Store, tmp_path: Path,
                                                            edit: str) -> None:
    rows = [json.loads(x) for x in dump(annotated, everything=True).split("\n")[:-1]]
    event = next(r for r in rows if r.get("kind") == "event")
    if edit == "no ts":
        del event["ts"]
    else:
        event["action_id"] = 99999  # no such action
    path = tmp_path / "broken.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "new.db"), "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert ("lacks a field" if edit == "no ts" else "do not fit together") in result.stderr
    with Store(tmp_path / "new.db") as new:
        assert new.document_ids() == []
        assert list(new.events()) == []


def test_a_backup_is_restored_alone(annotated: Store, tmp_path: Path) -> None:
    path = tmp_path / "backup.jsonl"
    path.write_text(dump(annotated, everything=True), encoding="utf-8")
    other = tmp_path / "more.txt"
    other.write_text("More text.", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "new.db"), "import", str(path),
                                       str(other)])
    assert result.exit_code == 1
    assert "is a backup (export --all): restore it alone" in result.stderr


@pytest.mark.slow
def test_spacy_train_reads_the_docbin(annotated: Store, tmp_path: Path) -> None:
    """`spacy train` with ner and spancat runs on the export (doc.ents and doc.spans["sc"])."""
    need("spacy")
    import subprocess
    import sys

    data = tmp_path / "train.spacy"
    with data.open("wb") as f:
        export(annotated, "spacy", f)
    cfg = tmp_path / "cfg.cfg"
    spacy_cmd = [sys.executable, "-m", "spacy"]
    subprocess.run([*spacy_cmd, "init", "config", str(cfg), "--lang", "en", "--pipeline",
                    "ner,spancat", "--force"], check=True, capture_output=True)
    run = subprocess.run([*spacy_cmd, "train", str(cfg), "--paths.train", str(data),
                          "--paths.dev", str(data), "--training.max_steps", "2",
                          "--training.eval_frequency", "1", "--output", str(tmp_path / "m")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert (tmp_path / "m" / "model-last" / "ner").is_dir()
