"""Pick a document to open: fuzzy search over ids and titles, with my status and span counts."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Collection
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.display import STATUS_GLYPHS, STATUS_KEY, STATUS_WORDS
from annotator.model import DocumentSummary, Status
from annotator.store import StoreError
from annotator.tui.keys import bindings
from annotator.tui.plain import plain
from annotator.tui.text_layout import one_line

_PREFIX, _WORD_STARTS, _SUBSEQUENCE = 3_000_000, 2_000_000, 1_000_000
_TIER = 1_000_000  # a penalty never crosses into the tier below
_NOT_ALNUM_BEFORE = r"(?<![^\W_])"  # at the start of the text or after a non-alphanumeric


def fuzzy_score(query: str, text: str) -> int | None:
    """How well `query` matches `text`, case-insensitively; None when it does not match.

    Whitespace in the query is ignored. Every match is a subsequence of the text; better
    kinds of match rank above worse ones whatever their details:

    - a prefix of the text ("quel" in "quellby-notes"): 3,000,000 minus the text's length;
    - word-start matches, where each run of consecutive matched characters begins a word
      ("notes", "qn" or "quelnot" in "quellby-notes"): 2,000,000 minus a penalty for more
      runs and a later start;
    - any other subsequence ("ellby", "qlb"): 1,000,000 minus a penalty for a spread-out or
      late match.

    An empty query matches everything with 0.
    """
    return _score(_fold(query), text.lower())


def _fold(query: str) -> str:
    return "".join(query.split()).lower()


class _Patterns(NamedTuple):
    subsequence: re.Pattern[str]
    first_at_word: re.Pattern[str]  # the first character starts a word
    whole_at_word: re.Pattern[str]  # the whole query starts a word: one run
    two_words: re.Pattern[str] | None  # a two-character query: each starts a word


@lru_cache(maxsize=64)
def _patterns(q: str) -> _Patterns:
    # "[^b]*b" finds the next "b" without backtracking, so a failed search stays linear
    chars = [re.escape(c) for c in q]
    subsequence = chars[0] + "".join(f"[^{c}]*{c}" for c in chars[1:])
    two_words = None
    if len(q) == 2:
        two_words = re.compile(
            f"{_NOT_ALNUM_BEFORE}{chars[0]}.*?{_NOT_ALNUM_BEFORE}{chars[1]}", re.DOTALL
        )
    return _Patterns(
        re.compile(subsequence, re.DOTALL),
        re.compile(_NOT_ALNUM_BEFORE + chars[0]),
        re.compile(_NOT_ALNUM_BEFORE + re.escape(q)),
        two_words,
    )


def _score(q: str, t: str) -> int | None:
    """fuzzy_score on a folded query and a lower-cased text."""
    if not q:
        return 0
    if t.startswith(q):
        return _PREFIX - min(len(t), _TIER - 1)
    patterns = _patterns(q)
    match = patterns.subsequence.search(t)
    if match is None:
        return None
    # the common cases by regular expression; the general one by dynamic programming
    found: tuple[int, int] | None = None
    if whole := patterns.whole_at_word.search(t):
        found = (1, whole.start())
    elif patterns.two_words is not None:
        if two := patterns.two_words.search(t):
            found = (2, two.start())
    elif len(q) > 2 and patterns.first_at_word.search(t):
        found = _word_start_runs(q, t)
    if found is not None:
        runs, start = found
        return _WORD_STARTS - min(1000 * (runs - 1) + start, _TIER - 1)
    spread = match.end() - match.start() - len(q)
    return _SUBSEQUENCE - min(10 * spread + match.start(), _TIER - 1)


def _word_start_runs(q: str, t: str) -> tuple[int, int] | None:
    """The fewest runs matching q in t with every run starting a word, and where it starts.

    Dynamic programming from the last query character back: cost[j] is the fewest runs that
    match the rest of the query when its current character sits at t[j].
    """

    def is_word_start(j: int) -> bool:
        return t[j].isalnum() and (j == 0 or not t[j - 1].isalnum())

    def positions(c: str) -> list[int]:
        return [m.start() for m in re.finditer(re.escape(c), t)]

    cost = {j: 1 for j in positions(q[-1])}
    for c in reversed(q[:-1]):
        jumps = [(s, r) for s, r in cost.items() if is_word_start(s)]
        new: dict[int, int] = {}
        for j in positions(c):
            best = cost.get(j + 1)  # continue the run
            for s, r in jumps:  # or start a new run at a later word
                if s > j + 1 and (best is None or r + 1 < best):
                    best = r + 1
            if best is not None:
                new[j] = best
        if not new:
            return None
        cost = new
    starts = [(r, j) for j, r in cost.items() if is_word_start(j)]
    return min(starts) if starts else None


class _DocumentList(OptionList, can_focus=False):
    """The matches; focus stays in the search box, keys and clicks still reach the list."""


class DocumentPicker(ModalScreen[str | None]):
    """Choose a document to open; dismisses with its id, or None when cancelled."""

    LIMIT = 500
    """Most rows shown at once: beyond that nobody scrolls, they type a few more letters."""

    DEFAULT_CSS = """
    DocumentPicker { align: center middle; }
    DocumentPicker > #dialog {
        width: 92%; max-width: 130; height: 90%; max-height: 40;
        background: $surface; border: round $primary; padding: 0 1;
        border-title-color: $text; border-title-style: bold;
    }
    DocumentPicker #query { margin-bottom: 0; }
    DocumentPicker #header { color: $text-muted; text-style: bold; padding: 0 1; height: 1; }
    DocumentPicker #documents { height: 1fr; max-height: 100%; border: none; background: $surface; }
    DocumentPicker #documents > .option-list--option-highlighted {
        color: $block-cursor-foreground; background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    DocumentPicker #status { color: $text-muted; height: 1; }
    """
    BINDINGS = bindings("picker")  # type: ignore[assignment]

    def __init__(
        self, documents: list[DocumentSummary] | Callable[[], list[DocumentSummary]],
        annotator: str, open_ids: set[str],
        assigned: Collection[str] | Callable[[], Collection[str]] = (),
    ) -> None:
        """`documents`, or a function that reads them: it runs in a thread once the dialog is
        up (a database of many documents takes a while), the list saying "loading" till then.
        `assigned` (or a function read in that thread too): the documents assigned to the
        annotator, marked ▸ (Session.documents lists them first)."""
        super().__init__()
        self.annotator = annotator
        self.open_ids = set(open_ids)
        self._assigned_loader = assigned if callable(assigned) else None
        self.assigned = frozenset(() if callable(assigned) else assigned)
        self._loader = documents if callable(documents) else None
        self._query = ""
        self._submit_when_loaded = False  # enter pressed while the list was loading
        self._shown: list[int] = []  # indices of the rows in the option list
        self._width = 0
        self._set_documents([] if callable(documents) else documents)

    def _set_documents(self, documents: list[DocumentSummary]) -> None:
        self.documents = list(documents)
        self._keys = [(d.id.lower(), d.title.lower()) for d in self.documents]
        self._recent: dict[str, list[int]] = {}  # query -> matches, the last few typed
        self._matches: list[int] = list(range(len(self.documents)))  # indices, best first
        self._id_cells = max((cell_len(one_line(d.id)) for d in self.documents), default=2)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Open a document"
            yield Input(placeholder="Type to filter by title or id", id="query")
            yield Static(id="header")
            yield _DocumentList(id="documents", markup=False)
            yield Static(id="status")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self.call_after_refresh(self._relayout)
        if self._loader is not None:
            self._load(self._loader)

    @work(thread=True, exit_on_error=False, group="picker")
    def _load(self, loader: Callable[[], list[DocumentSummary]]) -> None:
        try:
            documents = loader()
            assigned = self._assigned_loader() if self._assigned_loader else self.assigned
        except (StoreError, sqlite3.Error) as err:
            self.app.call_from_thread(self._not_loaded, err)
            return
        self.app.call_from_thread(self._loaded, documents, frozenset(assigned))

    def _not_loaded(self, err: Exception) -> None:
        self._loader = None
        if self._submit_when_loaded:
            self._submit_when_loaded = False
            self.app.bell()
        self.query_one("#status", Static).update(plain(f"could not read the documents: {err}",
                                                       "$text-error"))

    def _loaded(self, documents: list[DocumentSummary], assigned: frozenset[str]) -> None:
        self._loader = None
        self.assigned = assigned
        self._set_documents(documents)
        if self._query:  # typed while the list was loading
            self._matches = self._search(self._query)
        self._width = 0
        self._show()
        if self._submit_when_loaded:  # "o beta enter" in one burst: enter came before the list
            self._submit_when_loaded = False
            self._submit()

    # -- filtering ----------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _filter(self, event: Input.Changed) -> None:
        query = _fold(event.value)
        if query == self._query:
            return
        self._matches = self._search(query)
        self._query = query
        self._show()

    def _search(self, query: str) -> list[int]:
        """Indices of the matching documents, best first (ties keep the given order)."""
        if not query:
            return list(range(len(self.documents)))
        if (cached := self._recent.get(query)) is not None:  # backspace returns here
            return cached
        # a longer query only narrows: rescore the previous matches, not every document
        pool = self._matches if self._query and query.startswith(self._query) else None
        scored = []
        for i in range(len(self.documents)) if pool is None else pool:
            doc_id, title = self._keys[i]
            a, b = _score(query, doc_id), _score(query, title)
            if a is not None or b is not None:
                scored.append((-max(a or 0, b or 0), i))
        scored.sort()
        matches = [i for _, i in scored]
        self._recent[query] = matches
        if len(self._recent) > 32:
            del self._recent[next(iter(self._recent))]
        return matches

    def _show(self) -> None:
        options = self.query_one("#documents", _DocumentList)
        width = options.scrollable_content_region.width
        if width <= 0:
            return
        self._width = width
        self._shown = self._matches[: self.LIMIT]
        options.clear_options()
        options.add_options([Option(self._row(self.documents[i], width)) for i in self._shown])
        if self._shown:
            options.highlighted = 0
        self.query_one("#header", Static).update(self._row(None, width))
        total, found = len(self.documents), len(self._matches)
        status = "loading documents…" if self._loader else f"{found:,} of {total:,} documents"
        if self.assigned and not self._loader:
            status += f", {len(self.assigned):,} assigned to you"
        if found > len(self._shown):
            status += f" (first {len(self._shown):,} shown; type to narrow)"
        legend = "   " + STATUS_KEY + ("  ▸ assigned" if self.assigned else "")
        fits = len(status) + len(legend) <= width
        self.query_one("#status", Static).update(
            Content.assemble(status, (legend, "$text-muted") if fits else "")
        )

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        width = self.query_one("#documents", _DocumentList).scrollable_content_region.width
        if width != self._width:
            self._show()

    # -- rows ---------------------------------------------------------------------------

    def _row(self, doc: DocumentSummary | None, width: int) -> Content:
        """One document as a row of columns fitted to `width`; None gives the column header."""
        width -= 1  # the list's scrollbar may appear
        wide = width >= 84
        status_w = 14 if wide else 2
        id_w = max(2, min(self._id_cells, 28, width // 4))
        spans_w, open_w = 6, 5
        title_w = max(8, width - status_w - id_w - spans_w - open_w - 3)
        mark_w = 1 if self.assigned else 0
        title_w -= mark_w + (1 if mark_w else 0)
        if doc is None:
            cells = [
                *([("", mark_w)] if mark_w else []),
                ("status" if wide else "", status_w),
                ("title", title_w),
                ("id", id_w),
                ("spans", spans_w),
                ("", open_w),
            ]
            return Content(" ".join(t.rjust(w) if t == "spans" else t.ljust(w) for t, w in cells))
        status = doc.statuses.get(self.annotator, Status.TODO)
        symbol = STATUS_GLYPHS.get(status, "?")
        status_text = f"{symbol} {STATUS_WORDS.get(status, str(status))}" if wide else symbol
        status_style = (
            "$text-success"
            if status == Status.DONE
            else ("$text-warning" if status == Status.IN_PROGRESS else "$text-muted")
        )
        spans = doc.span_counts.get(self.annotator, 0)
        title = one_line(doc.title) or one_line(doc.id)
        mark = Content.styled("▸ ", "$accent bold") if doc.id in self.assigned else \
            Content("  " if mark_w else "")
        return Content.assemble(
            mark,
            Content.styled(status_text, status_style).truncate(status_w, pad=True),
            " ",
            Content(title).truncate(title_w, ellipsis=True, pad=True),
            " ",
            plain(doc.id, "$text-muted").truncate(id_w, ellipsis=True, pad=True),
            " ",
            Content.styled(f"{spans:>{spans_w}}", "" if spans else "$text-muted"),
            " ",
            Content.styled("open", "$accent bold") if doc.id in self.open_ids else "",
        )

    # -- actions ------------------------------------------------------------------------

    def action_move(self, action: str) -> None:
        getattr(self.query_one("#documents", _DocumentList), f"action_{action}")()

    @on(Input.Submitted, "#query")
    def _submit(self) -> None:
        if self._loader is not None:  # still loading: choose once the list is there
            self._submit_when_loaded = True
            return
        highlighted = self.query_one("#documents", _DocumentList).highlighted
        if highlighted is not None and highlighted < len(self._shown):
            self.dismiss(self.documents[self._shown[highlighted]].id)
        else:
            self.app.bell()

    @on(OptionList.OptionSelected, "#documents")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.documents[self._shown[event.option_index]].id)

    def action_cancel(self) -> None:
        self.dismiss(None)
