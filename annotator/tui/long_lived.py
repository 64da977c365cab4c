"""Keeping the open documents out of the garbage collector's full passes.

An open 5 MB document with 20,000 spans is about 50,000 objects that live as long as its pane
(spans, the span index, wrapped lines, drawn lines, widgets). Python's cyclic garbage collector
walks every one of them in each full collection, and keystrokes make enough short-lived objects
for one every few hundred keys: a pause of about 40 ms, felt as a stutter. Loading a document
(tens of thousands of new objects at once) set off several such full passes before its first
frame. So:

- `hold()` turns the collector off while the app starts and a document loads and is first
  drawn (reference counting still frees everything that is not a cycle);
- once the document is drawn, `settle()` collects what start-up left behind, freezes
  everything alive (`gc.freeze`) and turns the collector back on: full collections then walk
  only what was made since;
- frozen objects are still freed by reference counting; only cycles among them wait, so
  closing a pane calls `release()` (its widgets are cycles), which hands everything back to
  the collector until the next `settle()`.

All of this is the program's policy for its own process: `manage()` turns it on, and
`annotator annotate` calls it (as the benchmarks that stand for it do). An app made in a process
that did not ask for it (a test, a script embedding the TUI) leaves that process's collector
as it found it: hold, settle and release do nothing there. In the test suite the policy cost
more than it saved: each settle's full collection walked the whole test process (pytest,
hypothesis, every module the tests load) for ~50-100 ms, twice per app.
"""

from __future__ import annotations

import gc

_held = False
_managed = False


def manage(on: bool = True) -> None:
    """This process is the annotator's (or stands for it): keep open documents out of the
    collector's full passes from now on (`manage(False)` hands the collector back)."""
    global _managed, _held
    if _managed and not on:
        gc.unfreeze()
        if _held:
            _held = False
            gc.enable()
    _managed = on


def managed() -> bool:
    return _managed


def hold() -> None:
    """No collections until the next settle() (called before a load and its first frame)."""
    global _held
    if _managed and gc.isenabled():
        gc.disable()
        _held = True


def settle() -> None:
    global _held
    if not _managed:
        return
    gc.collect()
    gc.freeze()
    if _held:
        _held = False
        gc.enable()


def release() -> None:
    if _managed:
        gc.unfreeze()
