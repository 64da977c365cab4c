"""Every use of Textual's private names, in one place, and only on the Textual we pin.

Four speed-ups reach into Textual: drawing a widget's dirty rows into its styles cache directly
(DirectLines), moving a scrollbar without repainting it (QuietScroll, SpanList), telling
whether any screen is up without copying the stack (the app's key handler), and naming a
typed character as Textual names its key. Each takes the fast path only on the Textual version
pyproject.toml pins (`FAST`); on any other it falls back to Textual's public API: slower
(the styles cache rebuilds every dirty row, a scrollbar is repainted on each change, a new
list per key event) but correct. tests/test_textual_compat.py runs the app on both paths.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import textual
from textual.geometry import Region, Size
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

PINNED = "8.2.8"  # pyproject.toml: textual==8.2.8


def installed_version() -> str:
    """Textual's version, read from the name of the one textual-*.dist-info folder beside it
    (one directory listing; textual.__version__ imports importlib.metadata and the email
    package first), else textual.__version__."""
    if textual.__file__:
        site = os.path.dirname(os.path.dirname(textual.__file__))
        with suppress(OSError), os.scandir(site) as entries:
            names = [e.name for e in entries
                     if e.name.startswith("textual-") and e.name.endswith(".dist-info")]
            if len(names) == 1:
                return names[0].removeprefix("textual-").removesuffix(".dist-info")
    return textual.__version__


FAST = installed_version() == PINNED
"""Take the fast paths (tests set this to False to run the fallbacks)."""


def draw_rows(widget: Widget, crop: Region, row: Callable[[int], Strip]) -> list[Strip] | None:
    """The widget's rows in `crop`, each dirty one made by `row(y)` and kept in the styles
    cache's own rows and dirty marks (what Widget.refresh and scrolling mark), with the app's
    line filters applied. None off the pinned version: draw through the styles cache."""
    if not FAST:
        return None
    width = widget.size.width
    _, background = widget.background_colors
    filters = widget.get_line_filters()
    cache = widget._styles_cache
    if width != cache._width:
        cache.clear()
        cache._width = width
    rows, dirty = cache._cache, cache._dirty_lines
    lines: list[Strip] = []
    for y in crop.line_range:
        strip = rows.get(y)
        if strip is None or y in dirty:
            strip = rows[y] = row(y)
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        lines.append(strip)
    dirty.difference_update(crop.line_range)
    return lines


def quiet_scroll_y(view: ScrollView, old: float, new: float,
                   thumb: Callable[[ScrollBar, float], object]) -> bool:
    """ScrollView.watch_scroll_y, except that a vertical bar whose thumb (as `thumb` computes
    it) does not move gets its new position without a repaint. False off the pinned version:
    the caller runs Textual's own watcher."""
    if not FAST:
        return False
    if view.show_vertical_scrollbar:
        bar = view.vertical_scrollbar
        same = thumb(bar, old)
        if same is not None and bar.position == old and same == thumb(bar, new):
            bar.set_reactive(ScrollBar.position, new)
        else:
            bar.position = new
    if round(old) != round(new):
        view.refresh(view.size.region)
    return True


def grow_virtual_size(view: ScrollView, size: Size, repaint_bar: bool) -> None:
    """Set a scroll view's virtual size without reflowing the screen (it is a layout reactive;
    one more row only moves the scrollbar), repainting the bar only if `repaint_bar`. Off the
    pinned version: the public reactive, which reflows."""
    if not FAST:
        view.virtual_size = size
        return
    view.set_reactive(ScrollView.virtual_size, size)
    if repaint_bar:
        view._scroll_update(size)
    else:  # the bar's own count, without a repaint (the next scroll repaints it)
        view.vertical_scrollbar.set_reactive(ScrollBar.window_virtual_size, size.height)


def top_screen(app: App[Any]) -> Screen[Any] | None:
    """The screen on top, or None before the first is pushed (no copy of the stack)."""
    stack = app._screen_stack if FAST else app.screen_stack
    return stack[-1] if stack else None


def character_to_key(character: str) -> str:
    """Textual's key name for a typed character that is not a letter or digit ("/" is
    "slash"): its Unicode name, lower case, with underscores, and Textual's short names
    ("plus" for plus_sign)."""
    if FAST:
        from textual.keys import _character_to_key

        return _character_to_key(character)
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return KEY_NAME_REPLACEMENTS.get(name, name)


def forget_finished_apps() -> None:
    """Empty Textual's memo caches that are keyed by widget, filter or widget-class objects
    and so keep them (and every line they drew) alive after their app ends: the styles cache's
    `get_inner_outer` (1,024 entries, each a StylesCache with its drawn Strips), the colour
    filter's `truecolor_style`, a table's cell styles, and the CSS bases and component classes
    of each class (a DocumentView subclass per app: widgets/document_view.labelled_view). One
    app per process never notices; the test suite starts a thousand apps in one process, and
    without this each one left ~12,000 objects that every full garbage collection walked (the
    collection in long_lived.settle took 0.6 s instead of 0.05 s). Memoisation only: clearing
    changes no result."""
    from textual._styles_cache import StylesCache
    from textual.dom import DOMNode
    from textual.filter import ANSIToTruecolor
    from textual.widgets import DataTable

    StylesCache.get_inner_outer.cache_clear()
    ANSIToTruecolor.truecolor_style.cache_clear()
    DataTable._get_styles_to_render_cell.cache_clear()
    DOMNode._css_bases.cache_clear()
    DOMNode._get_component_classes.cache_clear()


def set_pilot_idle_wait(seconds: float, idle_cpu: float | None = None) -> None:
    """How long Textual's Pilot sleeps each time it looks whether the app has gone idle, and
    how little CPU the process may have used meanwhile to count as idle: 20 ms and 1 ms in
    Textual, at least twice for every key a test presses. The test suite sets shorter ones
    (tests/conftest.py)."""
    from textual import _wait

    _wait.SLEEP_GRANULARITY = seconds
    _wait.SLEEP_IDLE = seconds / 20 if idle_cpu is None else idle_cpu
