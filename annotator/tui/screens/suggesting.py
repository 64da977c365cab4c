"""The annotation screen's suggestions (docs/suggestions.md): found when a pane opens (in a
thread for a big document), drawn by each view's painter, kept in step with every change, and
the keys that act on them: a accept, r reject, A accept all, f / F next / previous."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from annotator import suggestions as S
from annotator import units
from annotator.store import Change
from annotator.suggestions import Found, Suggestion
from annotator.tui.plain import toast
from annotator.tui.screens.guarded import GuardedScreen, writes
from annotator.tui.suggestion_marks import SuggestionMarks

if TYPE_CHECKING:
    from annotator.session import Outcome, Session
    from annotator.tui.widgets.pane import Pane

BIG = 50_000  # code points from which a document's suggestions are found in a thread


class SuggestionActions(GuardedScreen):
    """A mixin of AnnotateScreen: `session`, `active`, `panes` and `show` are the screen's."""

    session: Session
    active: Pane | None

    @property
    def panes(self) -> list[Pane]:
        raise NotImplementedError

    def show(self, outcome: Outcome) -> bool:
        raise NotImplementedError

    # -- finding ----------------------------------------------------------------------------

    def suggest(self, pane: Pane) -> None:
        """Find the suggestions of a pane's document: at once for a small one, else in a
        thread (the document is drawn meanwhile, the suggestions appear when found). Not
        before the pane's spans are read (a worker, after its text is drawn): the screen calls
        this again when they are (SpansLoaded)."""
        if not pane.view.spans_shown or self._marks(pane).ready:
            return
        doc = pane.document

        def search() -> tuple[Found, set[tuple[int, int, str]]]:
            imported = [Suggestion(s, e, label, "import", attrs)
                        for s, e, label, attrs in self.session.store.imported_suggestions(doc.id)
                        if self.session.schema.label(label) is not None]
            rejected = self.session.store.rejections(self.session.annotator, doc.id)
            return S.find(doc.text, self.session.schema, imported), rejected

        if len(doc.text) < BIG and units.ready():
            self._found(pane, *search(), attached=True)
            return
        # a big document, or the units' dictionary not loaded yet (its first look-up took
        # 0.35 s, and 0.9 s more with spaCy installed, on the UI thread right after the first
        # frame): in a thread

        def in_thread() -> None:
            found = search()
            self.app.call_from_thread(self._found, pane, *found)

        self.run_worker(in_thread, thread=True, name=f"suggest {doc.id}",
                        group=f"suggest-{id(pane)}", exclusive=True, exit_on_error=False)

    def _found(self, pane: Pane, found: Found, rejected: set[tuple[int, int, str]],
               attached: bool = False) -> None:
        if not (attached or pane.is_attached):
            return  # closed meanwhile
        self._marks(pane).set_found(found, rejected, pane.view.index.spans())
        self._redraw(pane)
        for problem in found.problems:
            toast(self, problem, severity="warning", timeout=6)
        if pane is self.active:
            self.update_status()

    def resuggest(self, changes: Iterable[Change]) -> None:
        """Spans came or went: what is offered follows (a suggestion a span now covers goes,
        one whose span was deleted or undone comes back)."""
        ranges: dict[str, list[tuple[int, int]]] = {}
        for c in changes:
            for row in (c.before, c.after) if c.entity == "span" else ():
                if row:
                    ranges.setdefault(row["doc_id"], []).append((row["start"], row["end"]))
        for pane in self.panes:
            if pane.document.id in ranges and self._marks(pane).ready:
                # only the lines of the suggestions that came or went: a whole pane drawn
                # anew after every label was most of a label's cost on a big document
                for start, end in self._marks(pane).update(pane.view.index,
                                                           ranges[pane.document.id]):
                    pane.view.refresh_offsets(start, end)

    @staticmethod
    def _marks(pane: Pane) -> SuggestionMarks:
        return pane.view.painter.marks

    @staticmethod
    def _redraw(pane: Pane) -> None:
        pane.view.painter.drawn.clear()
        pane.view.refresh()

    def suggestion_hint(self) -> str | None:
        """The status bar's word on the suggestion under the cursor, if any."""
        if self.active is None:
            return None
        s = self._marks(self.active).at(self.active.view.cursor)
        return None if s is None else f"suggested {s.label}: a accepts, r rejects"

    # -- keys -------------------------------------------------------------------------------

    def _ready(self) -> Pane | None:
        """The active pane, once its suggestions are found (else None, and it says so). A key
        pressed before a small document's spans are read finds them now (the spans first:
        keys act on all of them), as a span key does."""
        pane = self.active
        if pane is not None and not self._marks(pane).ready and len(pane.document.text) < BIG:
            _ = pane.view.index  # waits for the spans if need be; then they are shown
            self.suggest(pane)
        if self.active is not None and not self._marks(self.active).ready:
            self.refuse("still looking for suggestions in this document", timeout=2)
            return None
        return self.active

    def _here(self) -> tuple[Pane, Suggestion | None] | None:
        if (pane := self._ready()) is None:
            return None
        return pane, self._marks(pane).at(pane.view.cursor)

    @writes
    def action_accept_suggestion(self) -> None:
        if found := self._here():
            pane, s = found
            self.show(S.accept_rule(self.session, pane.document.id, pane.view.text, s))

    @writes
    def action_reject_suggestion(self) -> None:
        if found := self._here():
            pane, s = found
            outcome = S.reject_rule(self.session, pane.document.id, pane.view.text, s)
            if self.show(outcome) and s is not None:
                for other in self.panes:
                    if other.document.id == pane.document.id:
                        self._marks(other).reject(s)
                        other.view.refresh_offsets(s.start, s.end)

    @writes
    def action_accept_all_suggestions(self) -> None:
        if (pane := self._ready()) is not None:
            self.show(S.accept_all_rule(self.session, pane.document.id, pane.view.text,
                                        list(self._marks(pane).shown)))

    def action_suggestion(self, delta: int) -> None:
        if (pane := self._ready()) is None:
            return
        view, marks = pane.view, self._marks(pane)
        s = marks.step(view.cursor, delta)
        if s is None:
            self.app.bell()
            self.refuse(f"no {'next' if delta > 0 else 'previous'} suggestion"
                        f" ({len(marks)} in this document)", timeout=2)
            return
        view.move_to(s.start, center=True)
