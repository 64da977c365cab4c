"""The annotation screen's keys for labelling fast (docs/keys.md): `*` labels every other
occurrence of the span under the cursor, `.` repeats the last label, `H` `K` move a span's start
edge, and `z` starts a count for the next motion (`z12w`). Mixed into AnnotateScreen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.actions import parse
from textual.events import Key

from annotator.keymap import counted_motion
from annotator.occurrences import Place
from annotator.session import Outcome, Session
from annotator.tui.screens.guarded import writes
from annotator.tui.widgets.document_view import DocumentView

if TYPE_CHECKING:
    from textual.app import App

    from annotator.model import Span
    from annotator.tui.widgets.pane import Pane

MAX_COUNT = 9999


class SpeedActions:
    """Needs the screen's session, panes, active pane, show(), refuse() and _under()."""

    session: Session
    active: Pane | None
    last_action: str
    _count: str | None = None  # the digits typed after `z`; None: no count under way

    if TYPE_CHECKING:
        @property
        def panes(self) -> list[Pane]: ...

        @property
        def read_only(self) -> bool: ...

        app: App[None]

        def show(self, outcome: Outcome) -> bool: ...

        def refuse(self, why: str, timeout: float = 3) -> None: ...

        def update_status(self) -> None: ...

        def _under(self) -> tuple[Pane, Span] | None: ...

        def action_label_key(self, index: int) -> None: ...

    @writes
    def action_all_occurrences(self) -> None:
        """`*`: the span under the cursor's text, labelled the same everywhere it is open."""
        if (found := self._under()) is None:
            return
        here, span = found
        panes = [here, *(p for p in self.panes if p.document.id != here.document.id)]
        seen: dict[str, Place] = {}
        for pane in panes:
            seen.setdefault(pane.document.id, Place(pane.document.id, pane.view.text,
                                                    pane.view.index.spans()))
        self.show(self.session.all_occurrences_rule(span, list(seen.values())))

    def action_repeat_label(self) -> None:
        """`.`: the last label again, on the selection or the word under the cursor."""
        last = self.session.last_label
        if last is None:
            self.refuse("no label to repeat yet: label something first", timeout=2)
            return
        index = next((i for i, lab in enumerate(self.session.schema.labels)
                      if lab.name == last.name), None)
        if index is not None:
            self.action_label_key(index)

    @writes
    def action_resize_start(self, grow: bool) -> None:
        if found := self._under():
            self.show(self.session.resize_rule(found[1], found[0].view.text, grow, start=True))

    def action_count(self) -> None:
        """`z`: the digits that follow are a count for the next motion."""
        self._count = ""
        self.last_action = "count: type digits, then a motion (esc cancels)"
        self.update_status()

    def capture_count(self, event: Key) -> bool:
        """Take the keys of a count under way (called in key arrival order, before any
        binding: digits here are the count, not label keys)."""
        if self._count is None:
            return False
        digits, self._count = self._count, None
        if event.character is not None and event.character in "0123456789":
            self._count = (digits + event.character)[:4]
            self.last_action = f"count {self._count}: a motion repeats it (esc cancels)"
        elif event.key == "escape":
            self.last_action = "count cancelled"
        elif (action := counted_motion(event.key)) is not None and self.active is not None \
                and isinstance(self.app.focused, DocumentView):
            _, name, args = parse(action)
            step = getattr(self.active.view, f"action_{name}")
            times = min(MAX_COUNT, int(digits or "1"))
            for _ in range(times):
                step(*args)
            self.last_action = f"{times}× {event.key}"
        else:
            self.refuse(f"a count goes before a motion (z 3 w): {event.key} is not one",
                        timeout=2)
            return True
        self.update_status()
        return True
