"""Suggestions (docs/suggestions.md): the rules that find and filter them, the schema's
[[suggest]] tables, and the keys a / r / A / f / F on the annotation screen, each checked in
the database and the export."""

from __future__ import annotations

import json

import pytest

from annotator import suggest_rules
from annotator.export import export
from annotator.labels import SchemaError, load_default_schema, parse_schema
from annotator.model import Span
from annotator.numbers import find_numbers
from annotator.suggestions import Suggestion, find, offered, step
from tests.tui_support import app_for, span_texts, status, view, workers_done
from tests.tui_support import find as search

NEWS = load_default_schema()
HEAD = 'name = "t"\nversion = 1\n[[labels]]\nname = "ORG"\nkind = "entity"\nkey = "2"\n'


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e in find_numbers(text)]


# -- the rules ------------------------------------------------------------------------------


def test_a_text_searched_before_is_not_searched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document opened again (or in a second pane) reuses its figures; another text, or
    the schema's own rules, are still found anew."""
    import uuid

    from annotator import suggestions

    searched: list[str] = []
    monkeypatch.setattr(suggestions, "find_numbers",
                        lambda text: searched.append(text) or find_numbers(text))
    name = uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))  # no digits
    text = f"Report {name}: about 7,000 left and 38 staff stayed."
    first = find(text, NEWS)
    again = find("".join(list(text)), NEWS)  # the same text read anew: an equal string
    assert searched == [text]
    assert again == first
    assert [text[s.start:s.end] for s in first.suggestions if s.source == "numbers"] == [
        "about 7,000", "38 staff"]
    find(text + " Then 12 more.", NEWS)
    assert len(searched) == 2



def test_a_figure_ends_at_a_line_break_and_takes_one_cjk_character_as_unit() -> None:
    """The bench corpus found "1.5 MILLION EUROS\n\nIN İZMIR" and "2,000人規模の部隊を
    派遣すると発表した" (the unit ran on through text written without spaces)."""
    assert texts("The fund: 1.5 MILLION EUROS\n\nIN İZMIR the army") == ["1.5 MILLION EUROS"]
    assert texts("政府は2,000人規模の部隊を派遣すると発表した") == ["2,000人"]
    assert texts("３０００人が避難した") == ["３０００人"]
    assert texts("about 1,500\nsoldiers") == ["about 1,500"]


def test_figures_come_with_their_qualifier_and_unit() -> None:
    text = ("About 7,000 residents left; 1 500 people stayed, one general and 38 staff came for"
            " over 36 hours; £3.2m and 94% of a 2,000-strong force.")
    assert texts(text) == ["About 7,000 residents", "1 500 people", "one general", "38 staff",
                           "over 36 hours", "£3.2m", "94%", "2,000-strong force"]


def test_a_figure_followed_by_what_it_did_ends_at_the_number() -> None:
    """QA: "About 7,000 left Quellby" was offered whole, with "quellby" as its unit ("left"
    is a noun to the dictionary, and the name after it was taken for what was counted)."""
    assert texts("About 7,000 left Quellby. Nearly 300 rose early; 12 shot dead.") == [
        "About 7,000", "Nearly 300", "12"]


def test_dates_years_times_ordinals_models_and_escapes_are_not_figures() -> None:
    text = ("On 10 March 2026, in the 1990s, at 01:00 and 2 a.m., on the 5th day, KT-12 and"
            " M-4 flew; one of them fell. In 2021 nothing. ESC\x1b]0;x\x07 and \x1b[2J clear.")
    assert texts(text) == []


def test_offsets_survive_digit_groups_in_any_script() -> None:
    text = "Ｔｈｅ ３８ staff and 1\u202f960 people"
    assert texts(text) == ["３８ staff", "1\u202f960 people"]


def test_offered_leaves_out_rejected_covered_and_overlapping() -> None:
    found = [Suggestion(0, 5, "NUMBER", "numbers"), Suggestion(10, 20, "NUMBER", "numbers"),
             Suggestion(30, 35, "ORG", "schema"), Suggestion(40, 45, "ORG", "schema")]
    spans = [Span("s1", "d", "alice", 12, 14, "NUMBER"),   # inside the second: it goes
             Span("s2", "d", "alice", 30, 35, "PERSON"),   # same range, other label: it goes
             Span("s3", "d", "alice", 41, 43, "LOC")]      # other label overlapping: it stays
    assert offered(found, spans, {(0, 5, "NUMBER")}) == [found[3]]


def test_next_and_previous_suggestion() -> None:
    shown = [Suggestion(5, 9, "A", "x"), Suggestion(20, 25, "A", "x")]
    assert step(shown, 0, 1) == shown[0]
    assert step(shown, 5, 1) == shown[1]
    assert step(shown, 25, 1) is None
    assert step(shown, 20, -1) == shown[0]
    assert step(shown, 5, -1) is None


def test_schema_terms_and_patterns_are_found_whole_words_longest_first() -> None:
    schema = parse_schema(HEAD + (
        '[[suggest]]\nlabel = "ORG"\nterms = ["Akar", "Hulusi Akar", "CPA"]\n'
        '[[suggest]]\nlabel = "ORG"\npattern = "Lusk \\\\w+ Authority"\n'))
    text = "Hulusi Akar met Akar of the CPA (not CPAX) and the Lusk Hydro Authority."
    found = find(text, schema)
    assert [text[s.start : s.end] for s in found.suggestions] == [
        "Hulusi Akar", "Akar", "CPA", "Lusk Hydro Authority"]
    assert {s.source for s in found.suggestions} == {"schema"}


def test_bad_suggest_tables_are_refused_with_their_line() -> None:
    text = HEAD + ('[[suggest]]\nlabel = "ORG"\npattern = "(a"\n'
                   '[[suggest]]\nlabel = "NOPE"\nterms = ["x"]\n'
                   '[[suggest]]\nlabel = "ORG"\npattern = "a*"\n'
                   '[[suggest]]\nlabel = "ORG"\n'
                   '[[suggest]]\nlabel = "ORG"\nterms = []\n')
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "s.toml")
    assert str(info.value).splitlines() == [
        "s.toml:9: suggest #1: pattern is not a valid regular expression: missing ) at position 2",
        's.toml:11: suggest #2: unknown label "NOPE"',
        "s.toml:15: suggest #3: pattern matches empty text: it would suggest nothing useful"
        " (use + rather than *)",
        "s.toml:16: suggest #4: terms or pattern is missing (terms: a list of strings; pattern:"
        " a regular expression)",
        "s.toml:20: suggest #5: terms must be a non-empty list of non-empty strings",
    ]


def test_a_pattern_that_backtracks_for_ever_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggest_rules, "SEARCH_SECONDS", 0.05)
    schema = parse_schema(HEAD + '[[suggest]]\nlabel = "ORG"\npattern = "(a|aa)+$"\n')
    found = find("a" * 40 + "! and 7 staff", schema)
    assert found.problems == ("suggestions for ORG: the pattern took more than 0.05 s on one"
                              " document and was stopped",)


# -- the annotation screen --------------------------------------------------------------------

pytestmark = pytest.mark.documents


async def test_a_accepts_the_figure_under_the_cursor_with_its_attributes(store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "7,000")
        assert "suggested NUMBER: a accepts, r rejects" in status(app)
        await pilot.press("a")
        [span] = store.spans("alpha", "alice")
        assert span_texts(store, "alpha") == [("NUMBER", "About 7,000 residents")]
        assert span.origin == "suggested"
        assert span.attrs == {"value": 7000, "qualifier": "approximate", "unit": "resident"}
        assert "accepted NUMBER “About 7,000 residents”" in status(app)
        await pilot.press("a")  # accepted: no longer a suggestion
        assert "no suggestion under the cursor" in status(app)
    line = json.loads(export_jsonl(store))
    assert [(s["text"], s["origin"]) for s in line["spans"]] == [
        ("About 7,000 residents", "suggested")]


def export_jsonl(store) -> str:
    import io

    out = io.StringIO()
    export(store, "jsonl", out)
    return out.getvalue()


async def test_r_rejects_for_this_annotator_and_document_only(store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "38")
        await pilot.press("r")
        assert "rejected NUMBER “38 staff” (not offered again)" in status(app)
        [(start, end, label)] = store.rejections("alice", "alpha")
        assert (store.get_document("alpha").text[start:end], label) == ("38 staff", "NUMBER")
        await pilot.press("a")
        assert store.spans("alpha", "alice") == []
        assert "no suggestion under the cursor" in status(app)
    app = app_for(store, "alpha")  # opened again: still rejected
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g", "f", "f")
        assert view(app).text[view(app).cursor :].startswith("About 7,000")
        assert "no next suggestion (1 in this document)" in status(app)
    app = app_for(store, "alpha", who="bob")  # another annotator: offered
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "38")
        await pilot.press("a")
        assert span_texts(store, "alpha", "bob") == [("NUMBER", "38 staff")]


async def test_A_accepts_all_as_one_action_and_u_undoes_it(store) -> None:
    app = app_for(store, "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A")
        assert span_texts(store, "beta") == [("NUMBER", "2,000-strong force"),
                                             ("NUMBER", "35 officers")]
        assert {s.origin for s in store.spans("beta", "alice")} == {"suggested"}
        assert "accepted 2 suggestions" in status(app)
        await pilot.press("G", "u")
        assert span_texts(store, "beta") == []
        assert view(app).text[view(app).cursor :].startswith("2,000-strong")  # the first one
        await pilot.press("A")  # undone: offered again
        assert len(store.spans("beta", "alice")) == 2


async def test_f_and_F_move_between_suggestions(store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        text = view(app).text
        await pilot.press("f")
        assert text[view(app).cursor :].startswith("About 7,000")
        await pilot.press("f")
        assert text[view(app).cursor :].startswith("38 staff")
        await pilot.press("F")
        assert text[view(app).cursor :].startswith("About 7,000")


async def test_a_suggestion_never_overlaps_a_span_of_its_label(store) -> None:
    app = app_for(store, "alpha")
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "38")
        await pilot.press("5")  # "38" labelled by hand: "38 staff" is no longer offered
        await pilot.press("a")
        assert span_texts(store, "alpha") == [("NUMBER", "38")]
        assert {s.origin for s in store.spans("alpha", "alice")} == {"manual"}
        await pilot.press("x", "a")  # deleted: offered again
        assert span_texts(store, "alpha") == [("NUMBER", "38 staff")]


def test_import_as_suggestions_keeps_spans_for_everyone_not_as_annotations(tmp_path,
                                                                              store) -> None:
    from click.testing import CliRunner

    from annotator.cli import main

    pre = tmp_path / "pre.jsonl"
    text = "The Civil Protection Agency said 1,960 people spent the night in shelters."
    pre.write_text(json.dumps({"id": "pre1", "text": text,
                               "label": [[4, 27, "ORG"], [33, 45, "NUMBER"]]}) + "\n")
    result = CliRunner().invoke(main, ["--db", store.path, "import", "--as-suggestions",
                                       "--as", "bob", str(pre)])
    assert result.exit_code == 0, result.output
    assert "Kept 2 new suggestions on 1 document instead of annotations" in result.output
    assert store.spans("pre1", "bob") == []
    assert [(text[s:e], label) for s, e, label, _ in store.imported_suggestions("pre1")] == [
        ("Civil Protection Agency", "ORG"), ("1,960 people", "NUMBER")]
    assert json.loads(export_jsonl(store) or "null") is None  # nobody's annotations
    again = CliRunner().invoke(main, ["--db", store.path, "import", "--as-suggestions", str(pre)])
    assert "Kept 0 new suggestions on 1 document" in again.output


async def test_an_imported_suggestion_is_accepted_as_any_other(tmp_path, store) -> None:
    text = "The Civil Protection Agency said 1,960 people spent the night in shelters."
    test_import_as_suggestions_keeps_spans_for_everyone_not_as_annotations(tmp_path, store)
    app = app_for(store, "pre1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "a")
        [span] = store.spans("pre1", "alice")
        assert (text[span.start : span.end], span.label, span.origin) == (
            "Civil Protection Agency", "ORG", "suggested")


def searches_on_ui_thread(monkeypatch) -> list[bool]:
    """For each search of a document's suggestions, whether it ran on the UI thread."""
    import threading

    from annotator.tui.screens import suggesting

    threads: list[bool] = []

    def find_where(*args: object) -> object:
        threads.append(threading.current_thread() is threading.main_thread())
        return find(*args)

    monkeypatch.setattr(suggesting.S, "find", find_where)
    return threads


async def test_a_big_document_is_searched_in_a_thread(store, monkeypatch) -> None:

    from annotator.tui.screens import suggesting

    monkeypatch.setattr(suggesting, "BIG", 10)  # every document counts as big
    threads = searches_on_ui_thread(monkeypatch)
    app = app_for(store, "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        await workers_done(pilot)  # the spans' worker, then the search's
        assert threads == [False]  # searched once, not on the UI thread
        await pilot.press("f", "a")
        assert span_texts(store, "beta") == [("NUMBER", "2,000-strong force")]


async def test_a_small_document_waits_for_the_units_dictionary_in_a_thread(
        store, monkeypatch) -> None:
    """The search reads units through lemminflect's dictionary, whose first look-up took
    0.35 s (1.2 s with spaCy installed) on the UI thread right after the first frame: until it
    is loaded, even a small document is searched in a thread."""

    from annotator import units

    loaded = {"now": False}
    monkeypatch.setattr(units, "ready", lambda: loaded["now"])
    threads = searches_on_ui_thread(monkeypatch)
    app = app_for(store, "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):  # the spans' worker ends before its message starts the search
            await workers_done(pilot)
            if threads:
                break
            await pilot.pause(0.01)
        await workers_done(pilot)
        assert threads == [False]  # not loaded: in a thread
        await pilot.press("f", "a")
        assert span_texts(store, "beta") == [("NUMBER", "2,000-strong force")]
    loaded["now"] = True
    app = app_for(store, "beta")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await workers_done(pilot)
            if len(threads) > 1:
                break
            await pilot.pause(0.01)
        assert threads == [False, True]  # loaded: at once, on the UI thread


def test_marks_follow_a_change_where_it_happened_only() -> None:
    from annotator.suggestions import Found
    from annotator.tui.span_index import SpanIndex
    from annotator.tui.suggestion_marks import SuggestionMarks

    found = Found(tuple(Suggestion(i * 10, i * 10 + 5, "NUMBER", "numbers") for i in range(5)))
    index = SpanIndex([])
    marks = SuggestionMarks()
    marks.set_found(found, {(40, 45, "NUMBER")}, [])
    assert [s.start for s in marks.shown] == [0, 10, 20, 30]
    index.add(Span("s1", "d", "alice", 11, 13, "NUMBER"))  # inside the second: it goes
    index.add(Span("s2", "d", "alice", 20, 25, "ORG"))  # on the third's range: it goes
    marks.update(index, [(11, 13), (20, 25)])
    assert [s.start for s in marks.shown] == [0, 30]
    assert marks.at(12) is None
    assert marks.step(0, 1) == found.suggestions[3]
    index.remove("s1")  # deleted (or undone): offered again, in its place
    marks.update(index, [(11, 13)])
    assert [s.start for s in marks.shown] == [0, 10, 30]
    marks.reject(found.suggestions[0])
    assert [s.start for s in marks.shown] == [10, 30]
