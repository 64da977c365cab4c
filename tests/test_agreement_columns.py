"""Agreement worked out a batch of documents at a time, column-wise (annotator/agreement/
columns.py, token_columns.py, ...): the same tokens, labels, duplicates and figures as the
definitions in docs/agreement.md, whatever the batch boundaries."""

from __future__ import annotations

import io
import json
import re
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import compute_agreement
from annotator.agreement.columns import BatchSpans, Labels
from annotator.agreement.compute import Corpus
from annotator.agreement.links import LinkTally
from annotator.agreement.sets import Schemas
from annotator.agreement.token_columns import LAST_SPACE, batch_tokens
from annotator.model import Document, Span, Status
from annotator.store import Store
from annotator.store.agreement_reads import BatchDocument, DocumentBatch, agreement_reader
from tests.agreement_support import build, token_label

CHARS = ("ab \n\t\r\x0b\x0c\x1c\x1f\x85\u00a0\u1680\u180e\u2007\u2028\u202f\u205f\u3000é"
         "\u0301👍🏽字\u200b")  # every kind of space, and characters that look like one


def test_no_code_point_past_the_table_is_a_space() -> None:
    assert not any(chr(c).isspace() for c in range(LAST_SPACE + 1, sys.maxunicode + 1))


@st.composite
def documents(draw: st.DrawFn) -> list[tuple[str, list[tuple[int, int, str]]]]:
    docs = []
    for _ in range(draw(st.integers(1, 4))):
        text = draw(st.text(alphabet=CHARS, max_size=30))
        spans = []
        for _ in range(draw(st.integers(0, 4)) if text else 0):
            s = draw(st.integers(0, len(text) - 1))
            spans.append((s, draw(st.integers(s + 1, len(text))), draw(st.sampled_from("ABC"))))
        docs.append((text, sorted(set(spans))))
    return docs


@settings(max_examples=200, deadline=None)
@given(documents())
def test_tokens_and_their_labels_are_those_of_the_definition(
        docs: list[tuple[str, list[tuple[int, int, str]]]]) -> None:
    batch = DocumentBatch(
        [BatchDocument(f"d{i}", text, None, ["ann", "bea"]) for i, (text, _) in enumerate(docs)],
        [(f"d{i}", "ann", len(spans)) for i, (_, spans) in enumerate(docs) if spans],
        [(f"s{i}-{k}", s, e, lab, None)
         for i, (_, spans) in enumerate(docs) for k, (s, e, lab) in enumerate(spans)])
    labels = Labels()
    tokens = batch_tokens(BatchSpans(batch, labels, None))
    assert tokens.count.tolist() == [len(re.findall(r"\S+", t)) for t, _ in docs]
    names = ["O", *labels.names]
    got = [names[x] for x in tokens.labels[:, 0]]
    assert got == [token_label(m.span(), spans) for text, spans in docs
                   for m in re.finditer(r"\S+", text)]
    assert not tokens.labels[:, 1].any()  # bea marked nothing


def _json(report: object) -> str:
    out = io.StringIO()
    report.write_json(out.write)  # type: ignore[attr-defined]
    return out.getvalue()


def test_batch_boundaries_change_no_figure(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    text = "Ann met Bo in Rome . Then Ann left Rome on Monday ."
    docs = []
    for d in range(7):
        sets = {"ann": [(0, 3, "PERSON"), (14, 18, "LOC"), (26, 29, "PERSON")],
                "bea": [(0, 3, "PERSON"), (14, 18, "ORG"), (8, 10 + d % 3, "PERSON")],
                "cy": [(0, 7, "PERSON"), (35, 39, "LOC")][: 1 + d % 2]}
        docs.append((f"doc{d}", text, {w: v for w, v in sets.items() if d % 3 or w != "cy"}))
    with store:
        build(store, docs)
        whole = _json(compute_agreement(store))
        for size, chars in ((1, 10**6), (2, 10**6), (3, 60), (256, 1)):
            with agreement_reader(store, ("done",)) as reader:
                corpus = Corpus(Schemas(reader))
                for batch in reader.batches(min_sets=2, docs=size, chars=chars):
                    assert len(batch.documents) <= size
                    corpus.add_batch(batch)
                links = LinkTally(corpus.schemas.symmetric_links())
                links.add_all(reader.links(), corpus.members)
            assert _json(corpus.report("done", None, links)) == whole


def test_a_long_text_is_a_batch_of_its_own(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    with store:
        build(store, [(f"d{i}", "word " * (10 if i != 2 else 1000), {"a": [], "b": []})
                      for i in range(5)])
        with agreement_reader(store, ("done",)) as reader:
            got = [[d.id for d in b.documents] for b in reader.batches(2, chars=1000)]
    assert got == [["d0", "d1", "d2"], ["d3", "d4"]]


def test_of_equal_spans_in_a_set_the_smallest_id_counts_whatever_the_row_order(
        tmp_path: Path) -> None:
    """The spans are read in index order, not id order: the duplicate kept must not depend
    on which was written first."""
    store = Store(tmp_path / "a.db")
    with store:
        with store.import_session("lead") as imp:
            imp.add_document(Document("d", "About 38 staff left ."))

            def number(span_id: str, who: str, value: int) -> Span:
                return Span(span_id, "d", who, 6, 14, "NUMBER", {"value": value}, "import",
                            "t", "t")

            # bob's later-written copy has the smaller id: it is the one compared
            imp.add_annotation_set("d", "bob", [number("z-first", "bob", 40),
                                                number("a-second", "bob", 38)], [], Status.DONE)
            imp.add_annotation_set("d", "alice", [number("m", "alice", 38)], [], Status.DONE)
        report = json.loads(_json(compute_agreement(store)))
    assert report["attributes"]["NUMBER.value"]["agree"] == 1
    assert report["pairs"][0]["exact"]["tp"] == 1


def test_the_fast_json_lines_are_the_documents_json(tmp_path: Path) -> None:
    """write_json writes each document with JsonLines (no dict per document): the same text
    as json.dumps of its to_json(), null figures included."""
    from annotator.agreement.document_figures import JsonLines

    store = Store(tmp_path / "a.db")
    text = "Ann met Bo in Rome ."
    with store:
        build(store, [("d0", text, {"ann": [(0, 3, "PERSON")], "bea": [(0, 3, "PERSON")]}),
                      ("d1", text, {"ann": [], "bea": [], "cy": [(14, 18, "LOC")]}),
                      ("d2", "   ", {"ann": [], "bea": []}),
                      ('d"3\\', text, {"a\u202e": [(4, 7, "X")], "b": [(4, 8, "X")]})])
        report = compute_agreement(store)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    lines = JsonLines(dumps)
    assert len(report.by_document) == 4
    for doc in report.by_document:
        assert lines.line(doc) == dumps(doc.to_json())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3), st.integers(0, 2)),
                max_size=60))
def test_how_many_annotators_touch_a_token_with_a_label_whichever_way_it_is_counted(
        hits: list[tuple[int, int, int]]) -> None:
    """(token, label, annotator) hits, repeats included: a flag table for a few annotators,
    a sort for many; both give every (token, label) hit and its number of annotators."""
    import numpy as np

    from annotator.agreement.token_columns import _touched

    table = np.array(hits, np.int64).reshape(-1, 3)
    token, lab, slot = table[:, 0], table[:, 1], table[:, 2]
    want: dict[tuple[int, int], int] = {}
    for t, x, _ in set(hits):
        want[(t, x)] = want.get((t, x), 0) + 1
    for ways in (3, 9):  # 9: more annotators than the flag table is used for
        got = _touched(token, lab, slot, 4, ways)
        assert dict(zip(zip(got[0].tolist(), got[1].tolist(), strict=True), got[2].tolist(),
                        strict=True)) == want


def test_spans_of_an_unfinished_import_do_not_count(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The span reads skip an unfinished import's rows only when there is one (a test per
    row costs): with one running, its committed spans must still be left out."""
    from annotator.store.importer import ImportSession

    store = Store(tmp_path / "a.db")
    text = "Ann met Bo in Rome ."
    with store:
        build(store, [("d", text, {"ann": [(0, 3, "PERSON")], "bea": [(0, 3, "PERSON")]})])
        monkeypatch.setattr(ImportSession, "BATCH_ROWS", 1)  # commit every row
        with store.import_session("lead") as imp:
            imp.add_annotation_set("d", "bea", [Span("late", "d", "bea", 14, 18, "LOC", {},
                                                     "import", "t", "t")], [], Status.DONE)
            imp.add_document(Document("e", "more"))  # another batch: the span is committed
            assert store.conn.execute("SELECT count(*) FROM spans WHERE id = 'late'"
                                      ).fetchone()[0] == 1
            (pair,) = compute_agreement(store).pairs
        assert (pair.exact.tp, pair.exact.a, pair.exact.b) == (1, 1, 1)
        (pair,) = compute_agreement(store).pairs  # once the import is done, it counts
    assert (pair.exact.tp, pair.exact.a, pair.exact.b) == (1, 1, 2)


def test_the_collector_paused_for_the_pass_runs_again_after_it(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """compute_agreement pauses the cyclic collector (the dashboard runs it inside the TUI's
    process): it must be back on afterwards, also when the pass fails."""
    import gc

    from annotator.agreement.compute import Corpus

    store = Store(tmp_path / "a.db")
    with store:
        build(store, [("d", "Ann met Bo .", {"ann": [(0, 3, "PERSON")], "bea": []})])
        assert gc.isenabled()
        compute_agreement(store)
        assert gc.isenabled()

        def fail(*_: object) -> None:
            assert not gc.isenabled()  # paused while it works
            raise RuntimeError("disk gone")

        monkeypatch.setattr(Corpus, "add_batch", fail)
        with pytest.raises(RuntimeError, match="disk gone"):
            compute_agreement(store)
        assert gc.isenabled()
        # in a worker (the dashboard's), the collector is the app's business: left alone
        seen: list[bool] = []
        monkeypatch.setattr(Corpus, "add_batch", lambda *_: seen.append(gc.isenabled()))
        worker = threading.Thread(target=compute_agreement, args=(store,))
        worker.start()
        worker.join()
    assert seen == [True]
    assert gc.isenabled()
