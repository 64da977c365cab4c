"""The annotation screen's search box, fed by the app in key arrival order."""

from __future__ import annotations

from collections.abc import Callable

from textual.events import Key
from textual.widgets import Input

from annotator.tui.keys import SEARCH_EDITING


class SearchBox(Input):
    def __init__(self, closed: Callable[[str], None]) -> None:
        super().__init__(placeholder="search (enter: find, esc: close)", id="search")
        self.when_closed = closed  # called with what to search for ("" on escape)

    def open(self) -> None:
        self.value = ""
        self.add_class("-visible")
        self.screen.set_focus(self)  # for the cursor; the keys come through capture

    def capture(self, event: Key) -> bool:
        """Take `event` if the box is open (see AnnotateScreen.capture_key)."""
        if not self.has_class("-visible"):
            return False
        if self.screen.focused is not self:  # clicked away: it closes, the key is the view's
            self.remove_class("-visible")
            return False
        if event.key in ("enter", "escape"):
            self.remove_class("-visible")
            self.when_closed(self.value if event.key == "enter" else "")
        elif event.key in SEARCH_EDITING:
            getattr(self, f"action_{SEARCH_EDITING[event.key]}")()
        elif event.is_printable and event.character:
            self.insert_text_at_cursor(event.character)
        else:
            return event.key not in ("tab", "shift+tab")  # other keys do nothing here
        return True
