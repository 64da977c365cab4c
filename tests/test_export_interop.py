"""Exports loaded by the tools they are for: spaCy's DocBin, Hugging Face `datasets`, the Label
Studio SDK's validation; UTF-16 offsets; the full backup and its restore; what each format
drops. A test whose tool is not installed (`pip install -e '.[interop]'`) skips, saying so."""

from __future__ import annotations

import importlib.util
import io
import json
import re
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


def test_a_backup_keeps_every_table(annotated: Store, tmp_path: Path) -> None:
    """Every row of every table comes back, the team's included (people and roles,
    assignments, settings, flags) and who acted in each action; a table a later migration
    adds is backed up row by row without a change here. Only each person's open panes and
    cursors (ui_state) and an import's staging rows are left out, by design."""
    from annotator.store import backup as B
    from annotator.store import team as T

    T.add_user(annotated, "lena", "lead")
    T.add_user(annotated, "alice", "annotator")
    T.assign(annotated, {"wire": ["alice", "bob"], "courier": ["alice"]}, by="lena")
    T.set_setting(annotated, "allow_unassigned", "no")
    flag = T.add_flag(annotated, "alice", "wire", "guideline unclear: is a ministry an ORG?")
    T.resolve_flag(annotated, flag, by="lena")
    annotated.actor = "lena"  # lena works in bob's set: the action says so
    add(annotated, "bob", "courier", "Some 6,800", "EVENT")
    annotated.actor = None
    path = tmp_path / "backup.jsonl"
    path.write_text(dump(annotated, everything=True), encoding="utf-8")

    def contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
        tables = [t for (t,) in store.query("SELECT name FROM sqlite_master WHERE type ="
                                            " 'table' AND name NOT LIKE 'sqlite_%'")
                  if t not in ("ui_state", "imports", "_sqlite_migrations")]
        cols = {t: [c for c in B.columns(store, t) if c != "import_id"] for t in tables}
        return {t: sorted(store.query(f'SELECT {", ".join(cols[t])} FROM "{t}"'), key=repr)
                for t in tables}

    with Store(tmp_path / "fresh.db") as fresh:
        restore_file(fresh, path)
        before, after = contents(annotated), contents(fresh)
        assert after == before
        assert {"team_users", "assignments", "settings", "flags"} <= set(B.row_tables(fresh))
        assert all(before[t] for t in ("team_users", "assignments", "settings", "flags"))
        assert ("lena",) in fresh.query("SELECT actor FROM actions WHERE annotator = 'bob'")
        assert dump(fresh, everything=True) == path.read_text(encoding="utf-8")


def test_a_backup_row_for_an_unknown_table_or_column_is_refused(annotated: Store,
                                                                tmp_path: Path) -> None:
    rows = [json.loads(x) for x in dump(annotated, everything=True).split("\n")[:-1]]
    for bad, message in [({"kind": "row", "table": "sqlite_master", "row": {"name": "x"}},
                          "a table 'sqlite_master' that this database does not back up"),
                         ({"kind": "row", "table": "settings", "row": {"key": "k", "value": "v",
                                                                       "evil\"": 1}},
                          "a column 'evil\"' that this database does not")]:
        path = tmp_path / "bad.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in [*rows, bad]), encoding="utf-8")
        with Store(tmp_path / f"new-{len(message)}.db") as new:
            with pytest.raises(RestoreError, match=re.escape(message)):
                restore_file(new, path)
            assert new.document_ids() == []


def test_a_restore_streams_the_backup(schema: LabelSchema, tmp_path: Path) -> None:
    """A document's text is held only until it is written: restoring 40 documents of 200 KB
    (8 MB of text) peaks far below their size (tracemalloc counts Python's memory, not
    SQLite's page cache). Holding every line until the end, as the first restore did, peaked
    above 8 MB."""
    import tracemalloc

    (tmp_path / "docs").mkdir()
    for i in range(40):
        (tmp_path / "docs" / f"d{i:02}.txt").write_text(f"Report {i}. " + "word " * 40_000,
                                                          encoding="utf-8")
    path = tmp_path / "backup.jsonl"
    with Store(tmp_path / "big.db") as big:
        import_paths(big, [tmp_path / "docs"], schema, "tester")
        add(big, "alice", "d07", "Report 7", "EVENT")
        path.write_text(dump(big, everything=True), encoding="utf-8")
    with Store(tmp_path / "fresh.db") as fresh:
        tracemalloc.start()
        try:
            counts = restore_file(fresh, path)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (counts["documents"], counts["spans"]) == (40, 1)
        assert dump(fresh, everything=True) == path.read_text(encoding="utf-8")
    assert peak < 3_000_000, f"peak {peak:,} bytes for 8 MB of text"


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
    # the gold set's 8 spans, made by hand (provenance "edited", docs/review.md)
    ("labelstudio", "dropped: 8 review decisions"),
    ("doccano", "dropped: 21 attributes, 6 cross-document links, 8 review decisions"),
    ("prodigy", "dropped: 21 attributes, 6 cross-document links, 8 review decisions,"
                " 3 unfinished sets (answer: ignore)"),
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
    assert losses.line() == "dropped: 8 review decisions"  # gold's provenance (review.md)
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


def _review_fields(line: dict[str, Any]) -> int:
    """Take the review's fields off a gold line (docs/jsonl.md); how many decisions they held."""
    if line["annotator"] != GOLD:
        return 0
    n = len(line.pop("rejected"))
    for x in (*line["spans"], *line["links"]):
        n += (x.pop("provenance"), x.pop("reason")) != ([], None)
    return n


def _unpadded(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The loaded spans or links without the review's columns (provenance, reason) that Arrow
    pads with None where the line has none (every set's but gold's)."""
    out = []
    for g, w in zip(got, want, strict=True):
        extra = {k for k in ("provenance", "reason") if k not in w}
        assert all(g.get(k) is None for k in extra), g  # padded (3.x) or absent (5.x)
        out.append({k: v for k, v in g.items() if k not in extra})
    return out


def assert_loaded_exactly(rows: list[dict[str, Any]], annotated: Store) -> None:
    """The loader's rows (meta and attrs as JSON text) are the export's lines, exactly."""
    expected = lines(annotated)
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert (row["id"], row["annotator"], row["text"]) == (
            want["id"], want["annotator"], want["text"])
        assert json.loads(row["meta"]) == want["meta"]
        got = [{**s, "attrs": json.loads(s["attrs"])} for s in row["spans"]]
        assert _unpadded(got, want["spans"]) == want["spans"]  # 38 stays an int
        assert _unpadded(row["links"], want["links"]) == want["links"]
        assert row["rejected"] == want.get("rejected")  # gold lines only
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
    path = mixed_export(annotated, schema, tmp_path)
    rows = in_datasets3(LOAD_AND_PRINT, str(ROOT / "docs" / "examples" / "load_datasets.py"),
                        str(path), str(tmp_path / "hf"))
    assert_loaded_exactly(rows, annotated)


def in_datasets3(script: str, *args: str) -> Any:
    """What `script` prints last, as JSON, run by .venv-datasets3's python (skips, saying
    why, without it)."""
    import subprocess

    if not DATASETS3.exists():
        pytest.skip(f"{DATASETS3.parent.parent} is missing (.ci/run makes it: python3 -m venv"
                    " .venv-datasets3 && .venv-datasets3/bin/pip install 'datasets==3.6.*')")
    probe = subprocess.run([str(DATASETS3), "-c", "import datasets; print(datasets.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or not probe.stdout.startswith("3."):
        pytest.skip(f"{DATASETS3} has no datasets 3.x: "
                    f"{(probe.stderr.strip().splitlines() or [probe.stdout.strip()])[-1]}")
    run = subprocess.run([str(DATASETS3), "-c", script, *args], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


LOAD_AS_IT_IS = """\
import json, sys
import datasets
ds = datasets.load_dataset("json", data_files=sys.argv[1], split="train", cache_dir=sys.argv[2])
print(json.dumps(list(ds)))
"""


def datasets_export(annotated: Store, schema: LabelSchema, tmp_path: Path) -> Path:
    mixed_export(annotated, schema, tmp_path)
    path = tmp_path / "export.datasets.jsonl"
    path.write_text(dump(annotated, "datasets"), encoding="utf-8")
    return path


def test_the_datasets_export_loads_as_it_is_in_datasets_5(annotated: Store,
                                                          schema: LabelSchema,
                                                          tmp_path: Path) -> None:
    """`export -f datasets`: meta and attrs as JSON text, so `load_dataset("json")` needs no
    loader and guesses nothing: 38 stays 38, no attribute is padded, mixed meta loads."""
    need("datasets")
    import datasets

    path = datasets_export(annotated, schema, tmp_path)
    ds = datasets.load_dataset("json", data_files=str(path), split="train",
                               cache_dir=str(tmp_path / "hf"))
    assert ds.features["meta"] == datasets.Value("string")
    assert_loaded_exactly(list(ds), annotated)


def test_the_datasets_export_loads_as_it_is_in_datasets_3(annotated: Store,
                                                          schema: LabelSchema,
                                                          tmp_path: Path) -> None:
    path = datasets_export(annotated, schema, tmp_path)
    rows = in_datasets3(LOAD_AS_IT_IS, str(path), str(tmp_path / "hf"))
    assert_loaded_exactly(rows, annotated)


def test_the_datasets_export_round_trips(annotated: Store, schema: LabelSchema,
                                         tmp_path: Path) -> None:
    """export -f datasets → import into an empty database → both exports are the same."""
    path = datasets_export(annotated, schema, tmp_path)
    with Store(tmp_path / "fresh.db") as fresh:
        import_paths(fresh, [path], schema, "someone-else")
        assert dump(fresh, "datasets") == path.read_text(encoding="utf-8")
        assert lines(fresh) == lines(annotated)


def test_a_datasets_record_whose_text_is_not_an_object_is_refused(schema: LabelSchema,
                                                                  tmp_path: Path) -> None:
    row = {"id": "d", "text": "38 staff", "sha256": "x", "annotator": "alice",
           "status": "done", "meta": "[1, 2]",
           "spans": [{"id": "s", "start": 0, "end": 8, "label": "NUMBER", "attrs": "{oops"}],
           "links": []}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with Store(tmp_path / "b.db") as b:
        with pytest.raises(IngestError) as err:
            import_paths(b, [path], schema, "t")
        text = "\n".join(err.value.problems)
        assert "meta is a string that is not a JSON object" in text
        assert "span 1: attrs is a string that is not a JSON object" in text
        assert b.document_ids() == []


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
    if fmt == "labelstudio":  # everything, the documents' meta included (data.meta), but
        # the review's provenance on gold (docs/review.md), which it has no place for
        decided = sum(_review_fields(r) for r in kept)
        assert [_review_fields(r) for r in back] == [0] * len(back)  # none came back
        assert decided > 1
        assert losses.line() == f"dropped: {decided} review decisions"
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
    assert len(blocks) == 5
    path = tmp_path / "in.jsonl"
    path.write_text(blocks[0], encoding="utf-8")
    with Store(tmp_path / "r.db") as store:
        import_paths(store, [path], schema, "t")
        for fmt, block in zip(["jsonl", "doccano", "prodigy", "labelstudio", "datasets"], blocks,
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
