"""Figures that disagree across outlets (docs/conflicts.md): clusters of linked claims and
numbers, the compatibility of their figures, the report. Textual-free, no SQL."""
