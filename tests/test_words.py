"""annotator.words.WORD: what w/b, selection snapping and "the word under the cursor" take as one
word; above all, that a CJK run is never in the same word as the letters or digits against it."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotator.labels import load_default_schema
from annotator.model import Document
from annotator.session import Session
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.words import COMBINING, WORD, snap
from tests.tui_support import app_for, make_store, span_texts

# WORD as it was before CJK runs got their own words: in text with no CJK it still is WORD.
OLD_LETTER = rf"(?:\w|[{COMBINING}])"
OLD_WORD = re.compile(rf"{OLD_LETTER}+(?:[-'’.,:/]{OLD_LETTER}+)*")

# What counts as CJK, said independently of the ranges in annotator.words: by character name.
CJK_NAMES = (
    "CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH",  # Han, all extensions
    "HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA", "HENTAIGANA",  # kana, with ー ゝ ヽ ヶ
    "HANGUL", "HALFWIDTH HANGUL",  # syllables and jamo
    "BOPOMOFO",
    "IDEOGRAPHIC ITERATION", "VERTICAL IDEOGRAPHIC ITERATION", "OLD CHINESE ITERATION",  # 々 〻
    "IDEOGRAPHIC CLOSING MARK", "IDEOGRAPHIC NUMBER ZERO", "VERTICAL KANA REPEAT",  # 〆 〇 〱
    "MASU MARK", "HANGZHOU NUMERAL", "IDEOGRAPHIC ANNOTATION",
    "PARENTHESIZED IDEOGRAPH", "CIRCLED IDEOGRAPH",
)


def is_cjk(c: str) -> bool:
    return unicodedata.name(c, "").startswith(CJK_NAMES)


def is_mark(c: str) -> bool:
    return unicodedata.category(c).startswith("M")


def words(text: str) -> list[str]:
    return [m.group() for m in WORD.finditer(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # the QA report: the name is not glued to the honorific and particle after it
    ("Halina Marović氏は「状況は安定している」と述べた",
     ["Halina", "Marović", "氏は", "状況は安定している", "と述べた"]),
    ("Mateusz Kowalczyk氏は", ["Mateusz", "Kowalczyk", "氏は"]),
    # digits are not CJK: a number is its own word, with its separators, between CJK runs
    ("Kölnでは約3,000人が避難した。", ["Köln", "では約", "3,000", "人が避難した"]),
    ("約3,000人", ["約", "3,000", "人"]),
    ("３０００人", ["３０００", "人"]),  # fullwidth digits are digits, not CJK
    ("2024年5月3日", ["2024", "年", "5", "月", "3", "日"]),
    ("第3-4条", ["第", "3-4", "条"]),
    ("3ヶ月", ["3", "ヶ月"]),
    ("三千人", ["三千人"]),  # Han numerals are CJK
    # Korean
    ("서울에서 Seoul", ["서울에서", "Seoul"]),
    ("Seoul에서", ["Seoul", "에서"]),
    ("Москва에서", ["Москва", "에서"]),
    ("ＮＨＫ放送", ["ＮＨＫ", "放送"]),  # fullwidth Latin is Latin
    ("iPhoneを買った", ["iPhone", "を買った"]),
    ("東洋放送によると、Kölnでは", ["東洋放送によると", "Köln", "では"]),
    # within a CJK run nothing changed: one word, up to punctuation
    ("状況は安定している", ["状況は安定している"]),
    ("人々、〆切、ヶ月、コーヒー、ｺｰﾋｰ", ["人々", "〆切", "ヶ月", "コーヒー", "ｺｰﾋｰ"]),
    ("〇〇年ゝゞヽヾ", ["〇〇年ゝゞヽヾ"]),
    ("ㄅㄆㄇ注音", ["ㄅㄆㄇ注音"]),
    ("\U00020b9fる \uf900", ["\U00020b9fる", "\uf900"]),  # Extension B, compatibility ideograph
    ("\u1100\u1161\u11a8 ㄱㄴ ﾾ", ["\u1100\u1161\u11a8", "ㄱㄴ", "ﾾ"]),  # jamo, halfwidth Hangul
    ("東京-大阪 東京.大阪", ["東京-大阪", "東京.大阪"]),  # joiners join CJK to CJK, as before
    ("東京「大阪」・名古屋", ["東京", "大阪", "名古屋"]),
    ("ABC-東京 東京-ABC", ["ABC", "東京", "東京", "ABC"]),  # ... but not CJK to anything else
])
def test_cjk_runs_are_words_of_their_own(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Jose\u0301 Nu\u0303n\u0303ez met Zoe\u0308", ["Jose\u0301", "Nu\u0303n\u0303ez", "met",
                                                  "Zoe\u0308"]),
    ("Marovic\u0301氏は", ["Marovic\u0301", "氏は"]),  # the accent stays with its c
    ("か\u3099き\u3099", ["か\u3099き\u3099"]),  # decomposed がぎ: kana and voiced sound marks
    ("ｶﾞ", ["ｶﾞ"]),
    ("葛\U000e0100飾区", ["葛\U000e0100飾区"]),  # an ideograph and its variation selector
    ("e\u0301東 東\u0301e", ["e\u0301", "東", "東\u0301", "e"]),
    ("\u0301ab", ["\u0301ab"]),  # a stray mark, as before
])
def test_combining_marks_stay_with_the_character_before_them(text: str, expected) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a 2,000-strong force", ["a", "2,000-strong", "force"]),
    ("1.5 don’t don't 04:30 and/or", ["1.5", "don’t", "don't", "04:30", "and/or"]),
    ("end. -5 'quoted' x--y", ["end", "5", "quoted", "x", "y"]),
    ("snake_case 🙄 👍🏽 Zoë’s", ["snake_case", "Zoë’s"]),
    ("Łódź Αθήνα Москва नमस्ते", ["Łódź", "Αθήνα", "Москва", "नमस्ते"]),
])
def test_everything_else_is_as_it_was(text: str, expected: list[str]) -> None:
    assert words(text) == expected
    assert [m.group() for m in OLD_WORD.finditer(text)] == expected


def test_which_characters_are_cjk() -> None:
    """Every word character: its own word between two Latin letters exactly when it is CJK."""
    wrong = []
    for cp in range(0x110000):
        c = chr(cp)
        if not re.match(r"\w", c):
            continue
        split = words(f"a{c}a") == ["a", c, "a"]
        if split != is_cjk(c):
            wrong.append(f"U+{cp:04X} {unicodedata.name(c, '?')}")
    assert wrong == []


MIXED = st.one_of(
    st.sampled_from("aZé1٣５ＡЖλ_"),  # letters and digits of other scripts
    st.sampled_from("東京人々〆〇ヶーあアｱ한글ㄱ\u1100ㄅ\U00020b9f\uf900"),  # CJK
    st.sampled_from("-'’.,:/ 、。「」・\n"),  # joiners, spaces and punctuation
    st.sampled_from("\u0301\u0308\u3099\u302e\ufe00\U000e0100\U0001d165"),  # combining marks
    st.characters(),
)
MIXED_TEXT = st.lists(MIXED, max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(MIXED_TEXT)
def test_a_word_is_all_cjk_or_has_no_cjk(text: str) -> None:
    """Its letters and digits are (joiners and combining marks go with either kind)."""
    for m in WORD.finditer(text):
        assert all(c in "-'’.,:/" or is_mark(c) or c == "_" or c.isalnum() for c in m.group())
        letters = [c for c in m.group() if c.isalnum() or c == "_"]
        cjk = [is_cjk(c) for c in letters]
        assert all(cjk) or not any(cjk), m.group()


@settings(max_examples=500, deadline=None)
@given(MIXED_TEXT)
def test_words_only_split_the_old_words(text: str) -> None:
    """Each word lies in an old word; an old word with no CJK is still a word; no letter is lost."""
    old = [m.span() for m in OLD_WORD.finditer(text)]
    new = [m.span() for m in WORD.finditer(text)]
    for start, end in new:
        assert any(s <= start and end <= e for s, e in old)
    for s, e in old:
        if not any(is_cjk(c) for c in text[s:e]):
            assert (s, e) in new
    covered = {i for s, e in new for i in range(s, e)}
    assert all(i in covered for i, c in enumerate(text) if re.match(r"\w", c))


@settings(max_examples=300, deadline=None)
@given(MIXED_TEXT, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_a_window_finds_the_words_inside_it(text: str, lo: int, size: int) -> None:
    """word_at and w/b search windows of a long text: a window that starts between words finds
    the words inside it as a search of the whole text does."""
    lo = min(lo, len(text))
    hi = min(len(text), lo + size)
    every = [m.span() for m in WORD.finditer(text)]
    assume(not any(s < lo < e for s, e in every))
    inside = [(s, e) for s, e in every if lo <= s and e <= hi]
    found = [m.span() for m in WORD.finditer(text, lo, hi)]
    assert all(span in found for span in inside)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_no_cjk_no_change(text: str) -> None:
    text = "".join("x" if is_cjk(c) else c for c in text)
    assert [m.span() for m in WORD.finditer(text)] == [m.span() for m in OLD_WORD.finditer(text)]


CJK_DOC = "CJK report\n\nHalina Marović氏は「状況は安定している」と述べた。Seoul에서 만났다.\n"


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path / "a.db", {"cjk": CJK_DOC})
    yield s
    s.close()


async def test_selection_snaps_to_the_name_not_the_honorific(store):
    app = app_for(store, "cjk")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Halina", "enter", "v", "w", "1")
        assert span_texts(store, "cjk") == [("PERSON", "Halina Marović")]


async def test_word_motions_stop_where_the_script_changes(store):
    app = app_for(store, "cjk")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Halina", "enter")
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        assert screen.active is not None
        v = screen.active.view
        seen = []
        for _ in range(6):
            await pilot.press("w")
            seen.append(v.text[v.cursor])
        assert seen == ["M", "氏", "状", "と", "S", "에"]
        await pilot.press("b", "b")
        assert v.text[v.cursor] == "と"


# -- word snapping never keeps whitespace (issue #8, point 3) --------------------------------

SNAP_DOC = ("Snap report\n\n"
            "Officials said 38 military staff said nothing.\n\n"
            "Turkey will not send troops, Hulusi Akar says.\n\n"
            "Next   paragraph\u2003with\u00a0odd spaces.\n")


@pytest.fixture
def snap_store(tmp_path):
    s = make_store(tmp_path / "snap.db", {"snap": SNAP_DOC})
    yield s
    s.close()


def _stored(store) -> list[tuple[str, str, int, int]]:
    text = store.get_document("snap").text
    return [(s.label, text[s.start:s.end], s.start, s.end) for s in store.spans("snap", "alice")]


async def test_v_w_w_w_h_stores_the_words_without_the_space_after_them(snap_store):
    app = app_for(snap_store, "snap")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "3", "8", "enter", "v", "w", "w", "w", "h", "5")
        start = SNAP_DOC.index("38 military")
        assert _stored(snap_store) == [("NUMBER", "38 military staff", start, start + 17)]


async def test_a_selection_over_a_paragraph_end_stops_at_its_last_character(snap_store):
    app = app_for(snap_store, "snap")
    async with app.run_test(size=(120, 40)) as pilot:
        # from "Hulusi" to the newline before the next paragraph: } then h
        await pilot.press("slash", *"Hulusi", "enter", "v", "right_curly_bracket", "h", "1")
        start = SNAP_DOC.index("Hulusi")
        assert _stored(snap_store) == [("PERSON", "Hulusi Akar says.", start, start + 17)]


async def test_a_selection_of_whitespace_only_labels_nothing_and_says_so(snap_store):
    app = app_for(snap_store, "snap")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.press("slash", *"Next", "enter", "w")  # on "paragraph", after 3 spaces
        view = screen.active.view
        view.move_to(SNAP_DOC.index("Next") + 4)  # the first of the three spaces
        await pilot.press("v", "l", "l", "1")
        assert _stored(snap_store) == []
        assert "the selection is only whitespace: nothing labelled" in str(
            screen.query_one("#status").render())


SPACES = " \t\n\u00a0\u2003\u3000\u2028"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab1,.-’", *SPACES, "東", "e\u0301"[1]]),
               min_size=1, max_size=40), st.data())
def test_a_snapped_selection_never_starts_or_ends_with_whitespace(text: str, data) -> None:
    lo = data.draw(st.integers(0, len(text) - 1))
    hi = data.draw(st.integers(lo, len(text) - 1))
    snapped = snap(text, lo, hi)
    inside = text[lo : hi + 1]
    if snapped is None:
        assert inside.isspace()
        return
    start, end = snapped
    assert 0 <= start < end <= len(text)
    assert not text[start].isspace()
    assert not text[end - 1].isspace()
    # everything selected that is not whitespace is in the span, and nothing past the words
    # at the two ends
    assert start <= lo + (len(inside) - len(inside.lstrip()))
    assert end >= hi + 1 - (len(inside) - len(inside.rstrip()))
    assert text[start:end] == text[start:end].strip()


def test_a_snapped_selection_is_stored_as_it_was_snapped(tmp_path) -> None:
    """Through the session into the database and back: the stored span's text is
    text[start:end] of the snapped selection, with no whitespace at either end."""
    store = make_store(tmp_path / "p.db", {})
    session = Session(store, "alice", load_default_schema())
    seen: list[str] = []

    @settings(max_examples=60, deadline=None)
    @given(st.text(alphabet=st.sampled_from([*"ab1.", *SPACES]), min_size=1, max_size=30),
           st.data())
    def check(text: str, data) -> None:
        lo = data.draw(st.integers(0, len(text) - 1))
        snapped = snap(text, lo, data.draw(st.integers(lo, len(text) - 1)))
        assume(snapped is not None)
        start, end = snapped
        doc_id = f"p{len(seen)}"
        seen.append(doc_id)
        with store.import_session("importer") as imp:
            imp.add_document(Document(doc_id, text, "t", schema=session.schema.ref))
        session.label(doc_id, text, start, end, "PERSON", None)
        (span,) = store.spans(doc_id, "alice")
        stored = store.get_document(doc_id).text[span.start : span.end]
        assert stored == text[start:end] == stored.strip()

    check()
    store.close()
