"""Importing: txt/md files and folders, JSONL in four shapes, every refusal with file:line,
all-or-nothing transactions, --skip-invalid, and re-imports that change nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.ingest import ImportError_, IngestError, import_paths
from annotator.jsonl_shapes import generated_id
from annotator.labels import parse_schema
from annotator.model import GOLD, LabelSchema, Status, sha256_text
from annotator.store import Store

TEXT = "General Akar said 38 staff were evacuated from Quellby on Monday."
OTHER = "Officials said 35 officers were evacuated, not 38."


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def span(sid: str, needle: str, label: str, text: str = TEXT, **attrs: Any) -> dict[str, Any]:
    start, end = at(text, needle)
    return {"id": sid, "start": start, "end": end, "text": needle, "label": label, "attrs": attrs}


def ours(doc_id: str = "d1", text: str = TEXT, annotator: str = "alice", **kw: Any) -> dict:
    rec = {"id": doc_id, "text": text, "sha256": sha256_text(text), "annotator": annotator,
           "status": "done", "spans": [], "links": [], "meta": {"schema": "news@2"}}
    rec.update(kw)
    return rec


def good() -> dict[str, Any]:
    """A valid line in our shape: entities, a number with attributes, a claim with a speaker."""
    return ours(spans=[
        span("s-akar", "General Akar", "PERSON"),
        span("s-38", "38 staff", "NUMBER", value=38, qualifier="exact", unit="staff"),
        span("s-claim", "38 staff were evacuated", "CLAIM", speaker="s-akar", stance="asserts"),
    ])


def write_jsonl(path: Path, *records: Any) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def snapshot(store: Store) -> tuple:
    return (store.current_state(), store.document_ids(), len(list(store.events())),
            store.schema_refs(), store.annotators())


def refused(store: Store, schema: LabelSchema, *paths: Path, **kw: Any) -> list[str]:
    """Import that must fail: returns the problem lines, checks nothing was written."""
    before = snapshot(store)
    with pytest.raises(IngestError) as info:
        import_paths(store, paths, schema, "tester", **kw)
    assert snapshot(store) == before
    assert not store.conn.in_transaction
    assert str(info.value).splitlines() == info.value.problems
    return info.value.problems


# -- text files and folders -------------------------------------------------------------------


def test_folder_of_text_files(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "b-report.txt").write_text("\n\n  Headline here  \nBody.\n", encoding="utf-8")
    (corpus / "a-notes.md").write_text("## Notes on *it*\n\ntext\n", encoding="utf-8")
    (corpus / "sub" / "c-crlf.txt").write_bytes(b"\xef\xbb\xbfTitle\r\nline two\r\n")
    (corpus / "sub" / "d-cr.txt").write_bytes(b"Old Mac\rstyle\r\n")
    (corpus / "README.md").write_text("# About this folder\n", encoding="utf-8")
    (corpus / "image.png").write_bytes(b"\x89PNG")
    (corpus / ".hidden.txt").write_text("secret", encoding="utf-8")

    report = import_paths(store, [corpus], schema, "tester")

    assert store.document_ids() == ["a-notes", "b-report", "c-crlf", "d-cr"]  # sorted walk
    assert [store.get_document(d).title for d in store.document_ids()] == [  # type: ignore[union-attr]
        "Notes on *it*", "Headline here", "Title", "Old Mac"]
    crlf = store.get_document("c-crlf")
    assert crlf is not None
    assert crlf.text == "Title\nline two\n"
    assert crlf.meta == {"source": str(corpus / "sub" / "c-crlf.txt")}
    assert crlf.schema == "news@2"
    assert crlf.sha256 == sha256_text(crlf.text)
    assert store.get_document("d-cr").text == "Old Mac\nstyle\n"  # type: ignore[union-attr]
    notes = {Path(f.path).name: f.notes for f in report.files}
    assert notes["c-crlf.txt"] == ["leading byte-order mark removed",
                                   "CRLF line endings normalised to LF"]
    assert notes["d-cr.txt"] == ["CRLF and CR line endings normalised to LF"]
    assert notes["b-report.txt"] == []
    assert sorted(Path(p).name for p in report.ignored) == ["README.md", "image.png"]
    assert report.total("documents") == 4
    assert report.skipped_total == 0
    lines = report.lines()
    assert lines[0] == "Imported 4 new documents, 0 spans and 0 links from 4 files (schema news@2)."
    assert any("README.md" in line and line.startswith("Ignored 2 files") for line in lines)


def test_broken_links_in_a_folder_are_reported(tmp_path: Path, store: Store,
                                               schema: LabelSchema) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "real.txt").write_text("Real\n", encoding="utf-8")
    (corpus / "alias.txt").symlink_to(corpus / "real.txt")  # a good link is the same file
    (corpus / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (corpus / "sub" / "loop.md").symlink_to(corpus / "sub" / "loop.md")
    (corpus / ".hidden.txt").symlink_to(tmp_path / "deleted.txt")  # hidden: skipped quietly

    report = import_paths(store, [corpus], schema, "tester")

    assert store.document_ids() == ["alias"]
    assert report.broken_links == [f"{corpus / 'gone.txt'} -> {tmp_path / 'deleted.txt'}",
                                   f"{corpus / 'sub' / 'loop.md'} -> {corpus / 'sub' / 'loop.md'}"]
    assert report.lines()[1:] == [f"Skipped broken link: {link}" for link in report.broken_links]
    assert report.lines(limit=1)[1:] == [f"Skipped broken link: {report.broken_links[0]}",
                                         "Skipped 1 more broken link"]


def test_text_keeps_control_and_wide_characters(tmp_path: Path, store: Store,
                                                schema: LabelSchema) -> None:
    text = "Zürich \x1b[31m 蒼海 🙂 e\u0301 \u200b\tend\n"
    (tmp_path / "odd.txt").write_text(text, encoding="utf-8")
    import_paths(store, [tmp_path / "odd.txt"], schema, "tester")
    doc = store.get_document("odd")
    assert doc is not None
    assert doc.text == text


def test_bad_bytes_in_a_text_file_name_their_line(tmp_path: Path, store: Store,
                                                  schema: LabelSchema) -> None:
    (tmp_path / "ok.txt").write_text("fine\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"one\ntwo\nthr\xffee\n")
    (tmp_path / "empty.txt").write_text(" \n\n", encoding="utf-8")
    problems = refused(store, schema, tmp_path)
    assert problems == [f"{bad}:3: not valid UTF-8 (byte 0xff)",
                        f"{tmp_path / 'empty.txt'}:1: the file has no text"]


def test_a_file_name_that_is_not_utf8_is_refused(tmp_path: Path, store: Store,
                                                 schema: LabelSchema) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fine.txt").write_text("Fine\n", encoding="utf-8")
    try:
        (folder / os.fsdecode(b"caf\xe9.txt")).write_text("Latin-1 name\n", encoding="utf-8")
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system wants UTF-8 names")
    bad = folder / os.fsdecode(b"caf\xe9.txt")
    assert refused(store, schema, folder) == [
        f"{bad}: the file name is not valid UTF-8; rename the file"]


def test_same_stem_with_different_text_is_a_conflict(tmp_path: Path, store: Store,
                                                     schema: LabelSchema) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("one text", encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text("another text", encoding="utf-8")
    problems = refused(store, schema, tmp_path)
    assert problems == [f"{tmp_path / 'b' / 'x.txt'}:1: document 'x' has different text than"
                        f" on {tmp_path / 'a' / 'x.txt'}:1"]


def test_unsupported_and_missing_paths(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    problems = refused(store, schema, tmp_path / "data.csv", tmp_path / "nope.txt")
    assert problems == [f"{tmp_path / 'data.csv'}: not a .txt, .md, .jsonl or .json file",
                        f"{tmp_path / 'nope.txt'}: no such file or folder"]


def test_an_unreadable_subfolder_is_a_problem(tmp_path: Path, store: Store, schema: LabelSchema,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """It was skipped silently (exit 0): its documents would be missing without a word."""
    corpus = tmp_path / "corpus"
    locked = corpus / "locked"
    locked.mkdir(parents=True)
    (corpus / "open.txt").write_text("Open\n", encoding="utf-8")
    (locked / "secret.txt").write_text("Secret\n", encoding="utf-8")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads anything: refuse it the same way
            scandir = os.scandir

            def denied(path: Any = ".") -> Any:
                if Path(path) == locked:
                    raise PermissionError(13, "Permission denied", str(path))
                return scandir(path)

            monkeypatch.setattr(os, "scandir", denied)
        problem = f"{locked}: cannot read this folder (Permission denied); its files were not" \
                  " imported"
        assert refused(store, schema, corpus) == [problem]
        report = import_paths(store, [corpus], schema, "tester", skip_invalid=True)
        assert store.document_ids() == ["open"]
        assert report.skipped == [problem]
    finally:
        locked.chmod(0o755)


def test_utf16_and_utf32_files_are_refused(tmp_path: Path, store: Store,
                                           schema: LabelSchema) -> None:
    """UTF-16 without a byte-order mark is valid UTF-8 (a letter, a NUL, ...): it imported as
    NUL-interleaved garbage. Wide encodings are refused, with or without a mark."""
    words = "Akar said 38 staff were evacuated.\n"
    files = {
        "le.txt": words.encode("utf-16-le"), "be.txt": words.encode("utf-16-be"),
        "u32.txt": words.encode("utf-32-le"), "bom16.txt": words.encode("utf-16"),
        "bom32.txt": words.encode("utf-32"),
        "le.jsonl": (json.dumps({"id": "x", "text": words}) + "\n").encode("utf-16-le"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    nul = "NUL bytes between the letters: this looks like UTF-16 or UTF-32 text without a" \
          " byte-order mark; save it as UTF-8"
    mark = "this is {0} text (it starts with a {0} byte-order mark); save it as UTF-8"
    assert refused(store, schema, *(tmp_path / name for name in files)) == [
        f"{tmp_path / 'le.txt'}: {nul}", f"{tmp_path / 'be.txt'}: {nul}",
        f"{tmp_path / 'u32.txt'}: {nul}", f"{tmp_path / 'bom16.txt'}: {mark.format('UTF-16')}",
        f"{tmp_path / 'bom32.txt'}: {mark.format('UTF-32')}", f"{tmp_path / 'le.jsonl'}: {nul}"]
    (tmp_path / "one-nul.txt").write_bytes(b"A NUL\x00 byte in UTF-8 text is kept\n")
    import_paths(store, [tmp_path / "one-nul.txt"], schema, "tester")
    assert store.get_document("one-nul").text == "A NUL\x00 byte in UTF-8 text is kept\n"  # type: ignore[union-attr]


def test_sqlite_files_and_the_database_itself_are_not_documents(
        tmp_path: Path, store: Store, db_path: Path, schema: LabelSchema) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fine.txt").write_text("Fine\n", encoding="utf-8")
    os.link(db_path, corpus / "hard-link.txt")  # the database under a document's name
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    (corpus / "copy.jsonl").write_bytes(other.read_bytes())
    (corpus / "copy.md").write_bytes(other.read_bytes())
    assert refused(store, schema, db_path, corpus) == [
        f"{db_path}: this is the database (--db), not a document",
        f"{corpus / 'hard-link.txt'}: this is the database (--db), not a document",
        f"{corpus / 'copy.jsonl'}: this is an SQLite database, not text",
        f"{corpus / 'copy.md'}: this is an SQLite database, not text"]


def test_pipes_and_devices_say_what_they_are(tmp_path: Path, store: Store,
                                             schema: LabelSchema) -> None:
    """They were "no such file or folder"; in a folder they are listed, never read (a pipe
    nobody writes to would block the import)."""
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    problems = [f"{pipe}: this is a named pipe, not a file or folder"]
    paths = [pipe]
    if Path("/dev/null").exists():
        paths.append(Path("/dev/null"))
        problems.append("/dev/null: this is a character device, not a file or folder")
    assert refused(store, schema, *paths) == problems
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "doc.txt").write_text("A document\n", encoding="utf-8")
    os.mkfifo(corpus / "feed.txt")
    (corpus / "elsewhere").symlink_to(corpus / "sub")
    report = import_paths(store, [corpus], schema, "tester")
    assert store.document_ids() == ["doc"]
    assert report.ignored == [f"{corpus / 'elsewhere'} (a symbolic link to a folder, not"
                              " followed)", f"{corpus / 'feed.txt'} (a named pipe)"]


def test_numbers_no_export_could_write_back_are_refused(tmp_path: Path, store: Store,
                                                        schema: LabelSchema) -> None:
    """A JSON id 1e400 became the document "inf"; offsets and values must be finite numbers,
    offsets integers (not true/false), and no number longer than Python reads."""
    path = tmp_path / "numbers.jsonl"
    number = span("s-38", "38 staff", "NUMBER")
    write_jsonl(
        path,
        '{"id": 1e400, "text": "x"}',
        '{"id": -1E+999, "text": "x"}',
        json.dumps(ours("a")).replace('"status"', '"x": 1e400, "status"'),
        json.dumps(ours("b", spans=[{**number, "end": 1e400, "text": None}])).replace(
            "Infinity", "1e400"),
        json.dumps(ours("c", spans=[{**number, "attrs": {"value": 1}}])).replace(
            '"value": 1', '"value": 2e308'),
        '{"id": ' + "9" * 5000 + ', "text": "x"}',
        json.dumps(ours("d", spans=[{**number, "start": True, "end": 8}])),
        json.dumps(ours("e", spans=[{**number, "start": 0, "end": False}])),
    )
    far = "the number {} is out of range (it would be infinite)"
    assert refused(store, schema, path) == [
        f"{path}:1: {far.format('1e400')}", f"{path}:2: {far.format('-1E+999')}",
        f"{path}:3: {far.format('1e400')}", f"{path}:4: {far.format('1e400')}",
        f"{path}:5: {far.format('2e308')}", f"{path}:6: a number has more than 4300 digits",
        f"{path}:7: span s-38: start and end must be integers",
        f"{path}:8: span s-38: start and end must be integers"]


# -- JSONL shapes -----------------------------------------------------------------------------


def test_our_shape_with_links_across_documents(tmp_path: Path, store: Store,
                                               schema: LabelSchema) -> None:
    first = good()
    # d1's line links forward to a span of d2, which comes on the next line
    first["links"] = [{"id": "l1", "type": "CONTRADICTS", "from": "s-38", "to": "o-35",
                       "to_doc": "d2"}]
    second = ours("d2", OTHER, status="in_progress", meta={"schema": "news@2", "source": "x",
                                                            "title": "Other", "lang": "en"},
                  spans=[span("o-35", "35 officers", "NUMBER", OTHER, value=35)])
    gold = ours("d2", OTHER, GOLD, spans=[span("g-35", "35 officers", "NUMBER", OTHER)])
    path = write_jsonl(tmp_path / "in.jsonl", first, second, gold)

    report = import_paths(store, [path], schema, "tester")

    assert report.files[0].shape == "annotator"
    assert (report.total("documents"), report.total("spans"), report.total("links")) == (2, 5, 1)
    assert store.status("d1", "alice") == Status.DONE
    assert store.status("d2", "alice") == Status.IN_PROGRESS
    assert store.status("d2", GOLD) == Status.DONE
    spans = {s.id: s for s in store.spans("d1", "alice")}
    assert spans["s-38"].attrs == {"value": 38, "qualifier": "exact", "unit": "staff"}
    assert spans["s-claim"].attrs["speaker"] == "s-akar"
    assert all(TEXT[s.start : s.end] for s in spans.values())
    [link] = store.links("alice")
    assert (link.id, link.from_doc, link.to_doc, link.from_span, link.to_span) == (
        "l1", "d1", "d2", "s-38", "o-35")
    d2 = store.get_document("d2")
    assert d2 is not None
    assert d2.title == "Other"
    assert d2.meta == {"lang": "en", "source": "x"}
    d1 = store.get_document("d1")
    assert d1 is not None
    assert d1.title == TEXT
    assert d1.meta == {"source": str(path)}
    assert store.replay_log() == store.current_state()


def test_link_to_a_span_already_in_the_database(tmp_path: Path, store: Store,
                                                schema: LabelSchema) -> None:
    import_paths(store, [write_jsonl(tmp_path / "a.jsonl", good())], schema, "tester")
    later = ours("d2", OTHER, spans=[span("o-35", "35 officers", "NUMBER", OTHER)],
                 links=[{"id": "l2", "type": "CONTRADICTS", "from": "o-35", "to": "s-38"}])
    import_paths(store, [write_jsonl(tmp_path / "b.jsonl", later)], schema, "tester")
    assert [(lk.from_doc, lk.to_doc) for lk in store.links("alice")] == [("d2", "d1")]


def test_doccano_shapes(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    a38, ak = at(TEXT, "38 staff"), at(TEXT, "General Akar")
    path = write_jsonl(
        tmp_path / "doccano.jsonl",
        {"id": 7, "text": TEXT, "label": [[*ak, "PERSON"], [*a38, "NUMBER"], [*a38, "NUMBER"]]},
        {"text": OTHER, "labels": [[0, 9, "ORG"]], "meta": {"id": "m-id"}},
        {"text": "No id at all.", "label": []},
        {"id": "e", "text": "Quellby flooded.", "entities": [
            {"id": 1, "start_offset": 0, "end_offset": 7, "label": "LOC"}]},
    )
    report = import_paths(store, [path], schema, "bob")
    assert report.files[0].shape == "doccano"
    assert store.document_ids() == ["7", "m-id", "doccano-3", "e"]
    spans = store.spans("7", "bob")
    assert [(s.start, s.end, s.label) for s in spans] == [(*ak, "PERSON"), (*a38, "NUMBER")]
    assert spans[0].id == generated_id("7", "bob", ak[0], ak[1], "PERSON")
    assert store.status("7", "bob") == Status.IN_PROGRESS
    assert [s.label for s in store.spans("e", "bob")] == ["LOC"]
    doc2 = store.get_document("m-id")
    assert doc2 is not None
    assert doc2.meta == {"source": str(path)}
    assert store.status("doccano-3", "bob") == Status.TODO  # no spans, no annotation set
    before = snapshot(store)
    again = import_paths(store, [path], schema, "bob")
    assert again.new == 0
    assert snapshot(store) == before


def test_prodigy_shape(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    a38 = at(TEXT, "38 staff")
    path = write_jsonl(
        tmp_path / "prodigy.jsonl",
        {"text": TEXT, "spans": [{"start": a38[0], "end": a38[1], "label": "NUMBER",
                                  "token_start": 3, "token_end": 4, "text": "38 staff"}],
         "meta": {"id": "p1", "source": "wire"}, "answer": "accept", "_input_hash": 1},
        {"text": OTHER, "spans": [{"start": 0, "end": 9, "label": "ORG"}], "answer": "reject"},
    )
    report = import_paths(store, [path], schema, "carol")
    assert report.files[0].shape == "prodigy"
    assert store.document_ids() == ["p1"]  # a rejected answer is no annotation (issue #13.1)
    doc = store.get_document("p1")
    assert doc is not None
    assert doc.meta == {"source": "wire"}
    assert store.status("p1", "carol") == Status.DONE
    assert [s.label for s in store.spans("p1", "carol")] == ["NUMBER"]


def test_annotator_fields_of_other_tools(tmp_path: Path, store: Store,
                                         schema: LabelSchema) -> None:
    """A record's own annotator field names its annotation set; without one, the importer's."""
    a38 = at(TEXT, "38 staff")
    doccano = write_jsonl(
        tmp_path / "doccano.jsonl",
        {"id": "d1", "text": TEXT, "label": [[*a38, "NUMBER"]], "annotator": "alice",
         "status": "done"},
        {"id": "d1", "text": TEXT, "label": [[*a38, "NUMBER"]], "annotator": "bob"},
        {"id": "d1", "text": TEXT, "label": [[*a38, "NUMBER"]], "annotator": None},
    )
    prodigy = write_jsonl(
        tmp_path / "prodigy.jsonl",
        *({"text": OTHER, "spans": [{"start": 0, "end": 9, "label": "ORG"}],
           "meta": {"id": "p1"}, **fields}
          for fields in ({"_annotator_id": "carol", "_session_id": "news-dave"},
                         {"_session_id": "news-dave"}, {})),
    )
    import_paths(store, [doccano, prodigy], schema, "tester")
    assert {who: store.status("d1", who) for who in ("alice", "bob", "tester")} == {
        "alice": Status.DONE, "bob": Status.IN_PROGRESS, "tester": Status.IN_PROGRESS}
    assert [s.id for s in store.spans("d1", "bob")] == [generated_id("d1", "bob", *a38, "NUMBER")]
    assert [(s.annotator, s.label) for who in ("carol", "news-dave", "tester")
            for s in store.spans("p1", who)] == [
        ("carol", "ORG"), ("news-dave", "ORG"), ("tester", "ORG")]


def test_annotator_fields_are_checked_like_names(tmp_path: Path, store: Store,
                                                 schema: LabelSchema) -> None:
    doccano = write_jsonl(tmp_path / "d.jsonl",
                          {"id": "d1", "text": TEXT, "label": [], "annotator": "al ice"},
                          {"id": "d2", "text": TEXT, "label": [], "annotator": 7},
                          {"id": "d3", "text": TEXT, "label": [], "status": "finished"})
    prodigy = write_jsonl(tmp_path / "p.jsonl",
                          {"text": TEXT, "spans": [], "_annotator_id": "@admin"},
                          {"text": TEXT, "spans": [], "_session_id": "x\x1by"})
    assert refused(store, schema, doccano, prodigy) == [
        f"{doccano}:1: annotator: annotator name 'al ice' contains whitespace or control"
        " characters",
        f"{doccano}:2: annotator: an annotator name must be a non-empty string",
        f"{doccano}:3: status 'finished' is not one of todo, in_progress, done",
        f"{prodigy}:1: _annotator_id: annotator name '@admin' starts with @, which is reserved"
        " (the gold set is @gold)",
        f"{prodigy}:2: _session_id: annotator name 'x\\x1by' contains whitespace or control"
        " characters",
    ]


def test_plain_records_are_documents_only(tmp_path: Path, store: Store,
                                          schema: LabelSchema) -> None:
    path = write_jsonl(tmp_path / "plain.jsonl", {"text": "\n\nFirst line\r\nsecond"},
                       "", {"id": 12, "text": "numbered", "title": "A title"})
    report = import_paths(store, [path], schema, "tester")
    assert report.files[0].shape == "plain"
    assert store.document_ids() == ["plain-1", "12"]
    first = store.get_document("plain-1")
    assert first is not None
    assert first.text == "\n\nFirst line\r\nsecond"
    assert first.title == "First line"
    assert store.get_document("12").title == "A title"  # type: ignore[union-attr]
    assert store.annotators() == ["tester"]  # the importer, with no annotation sets
    assert store.current_state()["span"] == {}
    assert store.current_state()["status"] == {}


def test_shape_comes_from_the_first_record_with_annotations(tmp_path: Path, store: Store,
                                                            schema: LabelSchema) -> None:
    a38 = at(TEXT, "38 staff")
    path = write_jsonl(tmp_path / "later.jsonl", {"id": "p0", "text": OTHER},
                       {"id": "p1", "text": TEXT, "answer": "accept", "label": "NEWS",
                        "spans": [{"start": a38[0], "end": a38[1], "label": "NUMBER"}]})
    report = import_paths(store, [path], schema, "carol")
    assert report.files[0].shape == "prodigy"  # its textcat "label" is not doccano's
    assert [s.label for s in store.spans("p1", "carol")] == ["NUMBER"]
    assert store.status("p0", "carol") == Status.TODO


def test_one_shape_per_file(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", {"id": "a", "text": OTHER, "label": []},
                       {"id": "b", "text": TEXT, "spans": []})
    assert refused(store, schema, path) == [
        f"{path}:2: a prodigy record in a file of doccano records (one shape per file)"]


def test_bom_on_the_first_jsonl_line(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "b", "text": "x"}).encode() + b"\n")
    import_paths(store, [path], schema, "tester")
    assert store.document_ids() == ["b"]


# -- refusals: one per rule, exact file:line, database unchanged ------------------------------


def _drop(rec: dict, key: str) -> dict:
    rec.pop(key)
    return rec


def _span0(**kw: Any):
    def change(rec: dict) -> dict:
        rec["spans"][0].update(kw)
        return rec
    return change


def _attrs(i: int, **kw: Any):
    def change(rec: dict) -> dict:
        rec["spans"][i]["attrs"].update(kw)
        return rec
    return change


def _link(**kw: Any):
    def change(rec: dict) -> dict:
        rec["links"] = [{"id": "l1", "type": "SUPPORTS", "from": "s-claim", "to": "s-claim2",
                         **kw}]
        rec["spans"].append(span("s-claim2", "evacuated from Quellby", "CLAIM"))
        return rec
    return change


REFUSALS = [
    ("missing text", lambda r: _drop(r, "text"), "missing text"),
    ("offsets not ints", _span0(start="0"), "span s-akar: start and end must be integers"),
    ("float offsets", _span0(end=12.0), "span s-akar: start and end must be integers"),
    ("outside the text", _span0(end=500, text=None),
     f"span s-akar: offsets 0-500 are not a range inside the text (length {len(TEXT)};"
     " start must be before end)"),
    ("negative", _span0(start=-1), "span s-akar: offsets -1-12 are not a range inside the text"
     f" (length {len(TEXT)}; start must be before end)"),
    ("start >= end", _span0(start=12, end=12), "span s-akar: offsets 12-12 are not a range"
     f" inside the text (length {len(TEXT)}; start must be before end)"),
    ("text differs", _span0(text="general akar"), "span s-akar: text 'general akar' does not"
     " match the document at 0-12, which is 'General Akar'"),
    ("unknown label", _span0(label="PEOPLE"), "span s-akar: unknown label 'PEOPLE' (the schema"
     " has PERSON, ORG, LOC, DATE, NUMBER, CLAIM, EQUIPMENT, EVENT)"),
    ("unknown attribute", _attrs(1, colour="red"), "span s-38: NUMBER has no attribute 'colour'"
     " (it has value, unit, qualifier)"),
    ("bad choice", _attrs(1, qualifier="roughly"), "span s-38: attribute 'qualifier' 'roughly'"
     " is not one of 'exact', 'approximate', 'at least', 'at most'"),
    ("number not numeric", _attrs(1, value="38"), "span s-38: attribute 'value' must be a number"),
    ("bool is not a number", _attrs(1, value=True),
     "span s-38: attribute 'value' must be a number"),
    ("text attribute", _attrs(1, unit=3), "span s-38: attribute 'unit' must be text"),
    ("text attribute too long (issue #8: a 10 MB value froze the TUI)",
     _attrs(1, unit="x" * 10_000_000), "span s-38: attribute 'unit' is 10,000,000 characters"
     " long; a text attribute may have at most 2,000"),
    ("span ref missing", _attrs(2, speaker="nobody"), "span s-claim: attribute 'speaker' must be"
     " the id of a span in the same annotation set"),
    ("span ref wrong label", _attrs(2, speaker="s-38"), "span s-claim: attribute 'speaker' must"
     " refer to a PERSON or ORG span, not NUMBER"),
    ("unknown link type", _link(type="CAUSES"), "link l1: unknown link type 'CAUSES' (the schema"
     " has SAME_CLAIM, CONTRADICTS, SUPPORTS, SAME_ENTITY)"),
    ("link not allowed", _link(type="SUPPORTS", **{"from": "s-akar"}),
     "link l1: SUPPORTS cannot link PERSON to CLAIM"),
    ("link to nowhere", _link(to="ghost"),
     "link l1: span ghost is neither in this import nor in the database"),
    ("link to_doc wrong", _link(to_doc="d9"),
     "link l1: to_doc is 'd9' but span s-claim2 is in 'd1'"),
    ("link to itself", _link(to="s-claim"), "link l1: a span cannot be linked to itself"),
    ("duplicate span id on a line", lambda r: {**r, "spans": r["spans"] + r["spans"][:1]},
     "span id s-akar appears twice on this line"),
    ("sha256", lambda r: {**r, "sha256": "0" * 64}, "sha256 does not match the text"),
    ("status", lambda r: {**r, "status": "finished"},
     "status 'finished' is not one of todo, in_progress, done"),
    ("annotator", lambda r: {**r, "annotator": "@admin"}, "annotator name '@admin' starts with"
     " @, which is reserved (the gold set is @gold)"),
    ("schema", lambda r: {**r, "meta": {"schema": "news@1"}}, 'annotated with schema "news@1"'
     ' but this import uses "news@2" (pass that schema with --labels)'),
    ("meta", lambda r: {**r, "meta": ["x"]}, "meta must be an object"),
]


@pytest.mark.parametrize(("change", "message"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refusal(tmp_path: Path, store: Store, schema: LabelSchema, change: Any,
                 message: str) -> None:
    import_paths(store, [write_jsonl(tmp_path / "first.jsonl", ours("d0", OTHER))], schema,
                 "tester")
    path = write_jsonl(tmp_path / "in.jsonl", ours("ok", OTHER), change(good()))
    assert refused(store, schema, path) == [f"{path}:2: {message}"]


BOOL_SCHEMA = textwrap.dedent("""\
    name = "b"
    version = 1
    [[labels]]
    name = "X"
    kind = "entity"
    key = "1"
      [[labels.attributes]]
      name = "negated"
      type = "bool"
    """)
"""A schema whose label X has a yes/no attribute, `negated`."""


def test_bool_attributes(tmp_path: Path, store: Store) -> None:
    schema = parse_schema(BOOL_SCHEMA, "b.toml")
    rec = {"id": "d", "text": "abc", "annotator": "a", "spans": [
        {"id": "s", "start": 0, "end": 1, "label": "X", "attrs": {"negated": "yes"}}]}
    path = write_jsonl(tmp_path / "b.jsonl", rec)
    assert refused(store, schema, path) == [f"{path}:1: span s: attribute 'negated' must be"
                                            " true or false"]
    rec["spans"][0]["attrs"]["negated"] = False
    import_paths(store, [write_jsonl(tmp_path / "b.jsonl", rec)], schema, "tester")
    assert store.spans("d", "a")[0].attrs == {"negated": False}


def test_line_level_refusals(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps(ours("ok", OTHER)).encode(),
        b'{"id": "x", "text": "unterminated}\r',  # a raw control character in a string
        json.dumps({"id": "y", "text": "caf\u00e9"}, ensure_ascii=False).encode()[:-5]
        + b"\xe9\"}",
        b"[1, 2]",
        json.dumps(ours("d1", OTHER)).encode(),
        json.dumps(ours("d1", TEXT)).encode(),
        b'{"id": "s", "text": "\\ud800 lone"}',
        json.dumps(ours("z", OTHER, "bob", spans="nope")).encode(),
        b'{"id": "n", "text": "x", "meta": {"ratio": NaN}}',
        b'{"id": "i", "text": "x", "spans": [{"start": 0, "end": Infinity}]}',
        b'{"id": "deep", "text": "x", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ]) + b"\n")
    assert refused(store, schema, path) == [
        f"{path}:2: not valid JSON: Invalid control character at column 35",
        f"{path}:3: not valid UTF-8 (byte 24 of the line)",
        f"{path}:4: expected a JSON object, got list",
        f"{path}:6: document 'd1' has different text than on {path}:5",
        f"{path}:7: contains '\\ud800', an unpaired surrogate, which is not valid Unicode text",
        f"{path}:8: spans and links must be lists",
        f"{path}:9: not valid JSON: NaN is not a JSON value",
        f"{path}:10: not valid JSON: Infinity is not a JSON value",
        f"{path}:11: not valid JSON: nested too deeply",
    ]


def test_conflicts_with_the_database(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    import_paths(store, [write_jsonl(tmp_path / "a.jsonl", good())], schema, "tester")
    changed_text = ours(text=TEXT + " Later.")
    changed_span = good()
    changed_span["spans"][0]["label"] = "ORG"
    path = write_jsonl(tmp_path / "b.jsonl", changed_text, changed_span)
    assert refused(store, schema, path) == [
        f"{path}:1: document 'd1' is already in the database with different text",
        f"{path}:2: span s-akar is already in the database with different content",
    ]


def test_duplicate_ids_across_lines(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    again = ours("d2", OTHER, "bob", spans=[span("s-akar", "Officials", "ORG", OTHER)])
    link = {"id": "lk", "type": "CONTRADICTS", "from": "s-38", "to": "s-38b"}
    one = good()
    one["spans"].append(span("s-38b", "evacuated", "NUMBER"))
    one["links"] = [link]
    two = ours("d3", "Another text.", spans=[span("x1", "Another", "CLAIM", "Another text."),
                                             span("x2", "text", "CLAIM", "Another text.")],
               links=[{**link, "type": "SAME_CLAIM", "from": "x1", "to": "x2"}])
    path = write_jsonl(tmp_path / "dup.jsonl", one, again, two)
    assert refused(store, schema, path) == [
        f"{path}:2: span id s-akar appears twice in this import",
        f"{path}:3: link id lk appears twice in this import",
    ]


def test_span_from_another_annotator_cannot_be_linked(tmp_path: Path, store: Store,
                                                      schema: LabelSchema) -> None:
    bob = ours("d2", OTHER, "bob", spans=[span("b-35", "35 officers", "NUMBER", OTHER)],
               links=[{"id": "x", "type": "CONTRADICTS", "from": "b-35", "to": "s-38"}])
    path = write_jsonl(tmp_path / "in.jsonl", good(), bob)
    assert refused(store, schema, path) == [f"{path}:2: link x: span s-38 belongs to alice,"
                                            " not bob"]


def test_every_problem_is_reported_at_once(tmp_path: Path, store: Store,
                                           schema: LabelSchema) -> None:
    bad = good()
    bad["spans"][0]["label"] = "NOPE"
    bad["spans"][1]["attrs"]["qualifier"] = "many"
    path = write_jsonl(tmp_path / "in.jsonl", bad, "{", {"text": 5, "annotator": "x"})
    problems = refused(store, schema, path)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:1"] * 2 + [f"{path}:2",
                                                                          f"{path}:3"]
    with pytest.raises(ImportError_):  # the alias callers may use
        import_paths(store, [path], schema, "tester")


def test_a_schema_with_the_same_ref_but_other_content(tmp_path: Path, store: Store,
                                                      schema: LabelSchema) -> None:
    import_paths(store, [write_jsonl(tmp_path / "a.jsonl", ours("d0", OTHER))], schema, "t")
    changed = parse_schema(schema.source.replace("Entities, numbers", "Numbers"), "news.toml")
    with pytest.raises(IngestError, match=r"^news.toml:1: schema news@2 is already in the"):
        import_paths(store, [tmp_path / "a.jsonl"], changed, "t", schema_path="news.toml")


# -- skip_invalid, re-import, progress, memory ------------------------------------------------


def test_skip_invalid_imports_the_rest(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    bad = good()
    bad["spans"][0]["label"] = "NOPE"
    forward = ours("d4", "Forward link.", spans=[span("f1", "Forward", "CLAIM", "Forward link.")],
                   links=[{"id": "fl", "type": "SAME_CLAIM", "from": "f1", "to": "missing"}])
    path = write_jsonl(tmp_path / "in.jsonl", ours("ok", OTHER), bad, "not json", forward,
                       ours("ok2", "Fine."))
    report = import_paths(store, [path], schema, "tester", skip_invalid=True)
    assert store.document_ids() == ["ok", "d4", "ok2"]  # d4 kept; its annotations were not
    assert store.spans("d4", "alice") == []
    assert report.skipped_total == 3
    assert report.files[0].skipped == 3
    assert report.skipped == [
        f"{path}:2: span s-akar: unknown label 'NOPE' (the schema has PERSON, ORG, LOC, DATE,"
        " NUMBER, CLAIM, EQUIPMENT, EVENT)",
        f"{path}:3: not valid JSON: Expecting value at column 1",
        f"{path}:4: link fl: span missing is neither in this import nor in the database"
        " (the line's annotations were skipped)",
    ]
    assert "Skipped 3 invalid records:" in report.lines()
    assert store.replay_log() == store.current_state()


def test_skip_invalid_rolls_back_a_conflicting_record(tmp_path: Path, store: Store,
                                                      schema: LabelSchema) -> None:
    import_paths(store, [write_jsonl(tmp_path / "a.jsonl", good())], schema, "tester")
    clash = ours("new-doc", OTHER, spans=[span("s-akar", "Officials", "ORG", OTHER)])
    path = write_jsonl(tmp_path / "b.jsonl", clash)
    report = import_paths(store, [path], schema, "tester", skip_invalid=True)
    assert report.skipped == [f"{path}:1: span s-akar is already in the database with different"
                              " content"]
    assert "new-doc" not in store.document_ids()  # the document went with its line


def test_skip_invalid_drops_records_linking_to_a_refused_one(tmp_path: Path, store: Store,
                                                             schema: LabelSchema) -> None:
    """A refused forward-linked record takes the records that link to it along, so no link is
    left pointing at a span that was never written."""
    import_paths(store, [write_jsonl(tmp_path / "a.jsonl", good())], schema, "tester")
    a_text, b_text, c_text = "Claim A here.", "Claim B here.", "Claim C here."
    a = ours("A", a_text, spans=[span("a1", "Claim A", "CLAIM", a_text)],
             links=[{"id": "ab", "type": "SUPPORTS", "from": "a1", "to": "b1"}])
    b = ours("B", b_text, spans=[span("b1", "Claim B", "CLAIM", b_text),
                                 span("s-akar", "here", "ORG", b_text)],  # clashes with the db
             links=[{"id": "bc", "type": "SUPPORTS", "from": "b1", "to": "c1"}])
    c = ours("C", c_text, spans=[span("c1", "Claim C", "CLAIM", c_text)])
    path = write_jsonl(tmp_path / "b.jsonl", a, b, c)
    report = import_paths(store, [path], schema, "tester", skip_invalid=True)
    assert report.skipped == [
        f"{path}:2: span s-akar is already in the database with different content",
        f"{path}:1: link ab: span b1 is neither in this import nor in the database (the line's"
        " annotations were skipped)",
    ]
    assert [s.id for s in store.spans("C", "alice")] == ["c1"]
    assert store.spans("A", "alice") == []
    assert store.spans("B", "alice") == []
    assert (report.total("spans"), report.total("links")) == (1, 0)
    assert store.replay_log() == store.current_state()


def test_reimport_is_a_no_op(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    (tmp_path / "t.txt").write_text("A text file\n", encoding="utf-8")
    first = good()
    first["links"] = [{"id": "l1", "type": "SUPPORTS", "from": "s-claim", "to": "c2"}]
    first["spans"].append(span("c2", "from Quellby on Monday", "CLAIM"))
    jsonl = write_jsonl(tmp_path / "a.jsonl", first)
    import_paths(store, [tmp_path], schema, "tester")
    before = list(store.conn.iterdump())  # every row of every table, the undo stack too
    report = import_paths(store, [tmp_path], schema, "tester")
    assert list(store.conn.iterdump()) == before
    assert report.new == 0
    assert (report.total("documents_same"), report.total("spans_same"),
            report.total("links_same")) == (2, 4, 1)
    assert report.lines()[0].startswith("Imported 0 new documents, 0 spans and 0 links")
    assert jsonl.exists()


def test_progress_reports_bytes(tmp_path: Path, store: Store, schema: LabelSchema) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", *[ours(f"d{i}", OTHER) for i in range(1100)])
    seen: list[tuple[int, int]] = []
    import_paths(store, [path], schema, "t", progress=lambda done, total: seen.append((done,
                                                                                      total)))
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert len(seen) >= 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_memory_does_not_grow_with_the_file(tmp_path: Path, schema: LabelSchema) -> None:
    """Lines are streamed: a 4 MB file is never held in memory (only a small entry per
    document id is kept, to catch the same id with different text)."""
    text = "word " * 2000
    path = write_jsonl(tmp_path / "m.jsonl", *[
        {"id": f"d{i}", "text": text + str(i), "label": [[0, 4, "ORG"], [5, 9, "LOC"]]}
        for i in range(400)])
    with Store(tmp_path / "m.db") as s:
        tracemalloc.start()
        import_paths(s, [path], schema, "t")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert path.stat().st_size > 4_000_000
    assert peak < 600_000, peak


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=False)
    | st.text(max_size=8) | st.sampled_from(["PERSON", "NUMBER", "CLAIM", "s1", "d1", "done"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "start", "end", "label", "text", "attrs", "value", "speaker",
                         "type", "from", "to", "to_doc", "qualifier"]), inner, max_size=5),
    max_leaves=12)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.fixed_dictionaries(
    {"text": st.sampled_from([TEXT, "short", ""]) | json_values},
    optional={k: json_values for k in ("id", "annotator", "sha256", "status", "spans", "links",
                                       "meta", "label", "answer")}), min_size=1, max_size=4))
def test_any_json_is_imported_or_refused_cleanly(tmp_path_factory: pytest.TempPathFactory,
                                                 schema: LabelSchema, records: list) -> None:
    """Whatever the JSON holds: an import, or an IngestError of file:line lines, never a crash."""
    tmp = tmp_path_factory.mktemp("fuzz")
    path = write_jsonl(tmp / "f.jsonl", *records)
    problems: list[str] = []
    with Store(tmp / "f.db") as s:
        try:
            import_paths(s, [path], schema, "tester")
        except IngestError as exc:
            problems = exc.problems
        assert all(p.startswith(f"{path}:") for p in problems)
        if problems:
            assert s.document_ids() == []
