"""A document's span index, built off the UI thread.

Reading 20,000 spans from the database and indexing them takes longer than drawing the first
screen of their document, so a document view draws its text first and a worker builds the
index. What only draws spans asks `ready()` (no spans yet: the text without colours); what acts
on spans (a label key, delete, a span motion, a committed change) asks `get()`, which waits for
the worker, or builds the index itself when no worker has started: a key pressed while the
spans load acts on all of them, a moment later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from annotator.model import Span
from annotator.tui.span_index import SpanIndex


class SpanLoading:
    """The index of the spans `load` returns, built once: by `build()` in a worker, or by
    the first `get()` if that comes first. A failed load is tried again by the next get()."""

    def __init__(self, load: Callable[[], Iterable[Span]]) -> None:
        self.load = load
        self.index: SpanIndex | None = None
        self.empty = SpanIndex()  # what is drawn before the spans are there
        self.error: BaseException | None = None
        self.claimed = False  # a thread is building it (or has)
        self.done = threading.Event()
        self.lock = threading.Lock()

    @classmethod
    def of(cls, spans: Iterable[Span]) -> SpanLoading:
        """Spans already read: indexed now."""
        loading = cls(lambda: spans)
        loading.build()
        return loading

    def ready(self) -> SpanIndex | None:
        """The index if it is built, without waiting."""
        return self.index

    def build(self) -> bool:
        """Build the index here, unless another thread has (or is). True if this call built
        it; a failure is kept for get() to raise."""
        with self.lock:
            if self.claimed:
                return False
            self.claimed = True
            self.error = None
            self.done.clear()
        try:
            self.index = SpanIndex(self.load())
        except BaseException as err:  # noqa: BLE001  # get() raises it on the UI thread
            self.error = err
            with self.lock:
                self.claimed = False  # the next get() tries again
        finally:
            self.done.set()
        return self.error is None

    def get(self) -> SpanIndex:
        """The index, waiting for a worker that is building it (or building it now)."""
        if self.index is None:
            self.build()
            self.done.wait()
            if self.index is None:
                raise self.error if self.error is not None else RuntimeError("no span index")
        return self.index
