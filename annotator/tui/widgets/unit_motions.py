"""The document view's motions over sentences, clauses and quotations (annotator/text_units.py
has the rules): `(` `)` sentence start / end, `,` `;` clause start / end, `'` selects inside
the quotation around the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.text_units import Unit, quotation, unit_end, unit_start
from annotator.tui.plain import toast


class UnitMotions:
    """Mixed into DocumentView, whose text, cursor, move_to and set_anchor these use."""

    text: str
    cursor: int

    if TYPE_CHECKING:
        def move_to(self, offset: int, *, keep_goal: bool = False,
                    center: bool = False) -> None: ...

        def set_anchor(self, anchor: int | None, exclusive: bool = False) -> None: ...

    def _unit(self, unit: Unit, delta: int) -> None:
        step = unit_end if delta > 0 else unit_start
        self.move_to(step(self.text, self.cursor, unit))

    def action_sentence(self, delta: int) -> None:
        self._unit("sentence", delta)

    def action_clause(self, delta: int) -> None:
        self._unit("clause", delta)

    def action_quote(self) -> None:
        """Select inside the quote marks around the cursor (a label key then labels it)."""
        inside = quotation(self.text, self.cursor)
        if inside is None:
            toast(self, "not inside a quotation", severity="warning", timeout=2)  # type: ignore[arg-type]
            return
        self.set_anchor(inside[0])
        self.move_to(inside[1] - 1)
