"""The spans of a document view: read and indexed by a worker once the text is drawn, and kept
in step with what the store commits (spans added, changed or gone, link marks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from textual.message import Message

from annotator.model import Span
from annotator.tui.span_index import SpanIndex
from annotator.tui.span_loading import SpanLoading

if TYPE_CHECKING:
    from annotator.tui.widgets.document_view import DocumentView


class ViewSpans:
    """Mixin for DocumentView (before ScrollView): its spans, and the span under the cursor
    (drawn emphasised on every line it covers)."""

    class SpansLoaded(Message):
        """The spans are read and drawn (or, with `error`, could not be read)."""

        def __init__(self, view: DocumentView, error: BaseException | None = None) -> None:
            super().__init__()
            self.view = view
            self.error = error

    spans: SpanLoading
    linked: set[str]  # ids of the spans with a link
    pending_link: str | None = None  # the source of a link being made
    _spans_shown = False
    _under: Span | None = None

    def _view(self) -> DocumentView:
        return cast("DocumentView", self)

    def take_spans(self, spans: Iterable[Span] | SpanLoading, linked: Iterable[str]) -> None:
        """Spans already read are indexed now; a SpanLoading is read by a worker once the
        text is drawn."""
        self.spans = spans if isinstance(spans, SpanLoading) else SpanLoading.of(spans)
        self._spans_shown = self.spans.ready() is not None
        self.linked = set(linked)

    @property
    def index(self) -> SpanIndex:
        """Every span, for what acts on them: waits for the worker reading them if need be
        (a key pressed while they load acts on all of them, a moment later)."""
        index = self.spans.get()
        if not self._spans_shown:
            self._show_spans()
        return index

    @property
    def spans_shown(self) -> bool:
        """Whether the spans are read and drawn (SpansLoaded has been posted)."""
        return self._spans_shown

    @property
    def shown_index(self) -> SpanIndex:
        """The spans as drawn, without waiting: none until they are read."""
        ready = self.spans.ready()
        return self.spans.empty if ready is None else ready  # (an empty index is falsy)

    def on_mount(self) -> None:
        if not self._spans_shown:
            self._view().call_after_refresh(self._load_spans)  # once the text is drawn

    def _load_spans(self) -> None:
        view = self._view()

        def load() -> None:
            self.spans.build()
            view.app.call_from_thread(self._spans_read)

        view.run_worker(load, thread=True, name="spans", group="spans", exit_on_error=False)

    def _spans_read(self) -> None:
        if self.spans.ready() is None:
            self._view().post_message(self.SpansLoaded(self._view(), self.spans.error))
        elif not self._spans_shown:
            self._show_spans()

    def _show_spans(self) -> None:
        view = self._view()
        self._spans_shown = True
        view.painter.drawn.clear()
        self.reset_under()
        view.refresh()
        view.post_message(self.SpansLoaded(view))

    # -- the span under the cursor ------------------------------------------------------

    def span_under_cursor(self) -> Span | None:
        return self.index.innermost(self._view().cursor)

    def shown_under_cursor(self) -> Span | None:
        """The span under the cursor as drawn, without waiting for the spans (for what only
        shows it: the status bar)."""
        return self.shown_index.innermost(self._view().cursor)

    def reset_under(self) -> None:
        """The span drawn emphasised, found anew (all lines are about to be drawn anew)."""
        self._under = self.shown_index.innermost(self._view().cursor)

    def update_under(self) -> None:
        """Emphasise the span under the cursor on every line it covers, not just the cursor's."""
        view = self._view()
        new = self.shown_index.innermost(view.cursor)
        old, self._under = self._under, new
        if old is not new:
            for span in (old, new):
                if span is not None:
                    view.refresh_offsets(span.start, span.end)

    # -- keeping in step with the store -------------------------------------------------

    def add_span(self, span: Span) -> None:
        view = self._view()
        old = self.index.get(span.id)
        self.index.add(span)
        if old is not None:
            view.refresh_offsets(old.start, old.end)
        view.refresh_offsets(span.start, span.end)
        self.update_under()

    def remove_span(self, span_id: str) -> None:
        span = self.index.remove(span_id)
        self.linked.discard(span_id)
        if span is not None:
            self._view().refresh_offsets(span.start, span.end)
        self.update_under()

    def set_linked(self, span_id: str, linked: bool) -> None:
        (self.linked.add if linked else self.linked.discard)(span_id)
        span = self.index.get(span_id)
        if span is not None:
            self._view().refresh_offsets(span.start, span.end)

    def set_pending_link(self, span_id: str | None) -> None:
        old, self.pending_link = self.pending_link, span_id
        for sid in (old, span_id):
            span = self.index.get(sid) if sid else None
            if span is not None:
                self._view().refresh_offsets(span.start, span.end)
