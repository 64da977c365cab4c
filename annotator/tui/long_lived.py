"""Keeping the open documents out of the garbage collector's full passes.

An open 5 MB document with 20,000 spans is about 50,000 objects that live as long as its pane
(spans, the span index, wrapped lines, drawn lines, widgets). Python's cyclic garbage collector
walks every one of them in each full collection, and keystrokes make enough short-lived objects
for one every few hundred keys: a pause of about 40 ms, felt as a stutter. Once a document is
open and drawn, `settle()` collects what start-up left behind and freezes everything alive
(`gc.freeze`): full collections then walk only what was made since. Frozen objects are still
freed by reference counting; only cycles among them wait, so closing a pane calls `release()`
(its widgets are cycles), which hands everything back to the collector until the next
`settle()`.
"""

from __future__ import annotations

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()


def release() -> None:
    gc.unfreeze()
