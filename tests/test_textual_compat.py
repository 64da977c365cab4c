"""Textual's private names are used in one module (annotator/tui/textual_compat.py), only on
the pinned version; on any other the public API does the same work. Both paths draw the same
screen and store the same spans."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import textual
from textual import events

from annotator.tui import textual_compat
from annotator.tui.app import escape_then_key
from annotator.tui.widgets.span_list import SpanList
from tests.tui_support import app_for, make_store, workers_done

LONG = "\n\n".join(f"Paragraph {i}: Minister Halina Marović spoke in Quellby." for i in range(300))


@pytest.fixture(params=["fast", "public"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(textual_compat, "FAST", request.param == "fast")
    return str(request.param)


def test_the_fast_path_is_taken_on_the_pinned_version_only() -> None:
    assert (textual.__version__ == textual_compat.PINNED) == textual_compat.FAST
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    assert f'"textual=={textual_compat.PINNED}"' in pyproject


@pytest.mark.parametrize("char", [*string.punctuation, "€", "—", "é"])
def test_a_typed_character_is_named_as_textual_names_it(char: str) -> None:
    from textual.keys import _character_to_key  # the private name the fast path uses

    textual_compat.FAST = False
    try:
        assert textual_compat.character_to_key(char) == _character_to_key(char)
    finally:
        textual_compat.FAST = textual.__version__ == textual_compat.PINNED


def test_escape_then_a_key_splits_on_both_paths(path: str) -> None:
    split = escape_then_key(events.Key("alt+slash", "/"))
    assert split is not None
    assert [k.key for k in split] == ["escape", "slash"]


async def _session(tmp_path: Path) -> tuple[str, list[tuple[int, int, str]], int]:
    store = make_store(tmp_path / "a.db", {"long": LONG, "short": "Alpha report\n"})
    app = app_for(store, "long")
    async with app.run_test(size=(100, 30)) as pilot:
        await workers_done(pilot)  # the spans, then the suggestions: the same on both paths
        await pilot.press("pagedown", "pagedown", "w", "1", "j", "w", "2", "tab", "tab")
        await pilot.press("pageup", "w", "w", "3", "ctrl+b", "ctrl+b")
        await workers_done(pilot)
        rows = len(app.screen.query_one(SpanList).index)
        screen = app.export_screenshot()
    spans = sorted((s.start, s.end, s.label) for s in store.spans("long", "alice"))
    store.close()
    return screen, spans, rows


@pytest.mark.asyncio
async def test_both_paths_draw_the_same_screen_and_store_the_same_spans(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fast").mkdir()  # noqa: ASYNC240  (set-up, before the app runs)
    (tmp_path / "public").mkdir()  # noqa: ASYNC240
    monkeypatch.setattr(textual_compat, "FAST", True)
    fast = await _session(tmp_path / "fast")
    monkeypatch.setattr(textual_compat, "FAST", False)
    public = await _session(tmp_path / "public")
    assert len(fast[1]) == 3
    assert fast[1] == public[1]
    assert fast[2] == public[2] == 3  # the span list grew by one row a label
    assert fast[0] == public[0]
