"""What one annotator does to the store, in domain terms (no widgets here, no SQL either)."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.model import LabelSchema, Span, Status
from annotator.numbers import after_edit, after_reread, parse_number
from annotator.store import ActionResult, Store, StoreError
from annotator.words import WORD


@dataclass
class Session:
    """An annotator at work: their store, their name, the schema they label with."""

    store: Store
    annotator: str
    schema: LabelSchema

    @property
    def colors(self) -> dict[str, str]:
        return {lab.name: lab.color for lab in self.schema.labels}

    def _prefill(self, label: str, text: str, attrs: dict | None = None) -> dict:
        """NUMBER spans get value / unit / qualifier from numbers.py (kept where already set)."""
        lab = self.schema.label(label)
        out = dict(attrs or {})
        if lab is None or lab.kind != "number":
            return out
        parsed = parse_number(text)
        if parsed.value is None:
            return out
        for name, value in parsed.as_attrs().items():
            if lab.attribute(name) is not None and name not in out:
                out[name] = value
        return out

    def label(self, doc_id: str, text: str, start: int, end: int, label: str,
              existing: Span | None) -> ActionResult:
        """Label [start, end): relabel `existing` (a span on exactly that range) or add one."""
        if self.schema.label(label) is None:
            raise StoreError(f"label {label} is not in schema {self.schema.ref}")
        if existing is not None:
            if existing.label == label:
                raise StoreError(f"already {label}")
            keep = {k: v for k, v in existing.attrs.items()
                    if (lab := self.schema.label(label)) and lab.attribute(k)}
            return self.store.update_span(
                self.annotator, existing.id, label=label,
                attrs=self._prefill(label, text[start:end], keep), name="relabel_span",
            )
        return self.store.add_span(
            self.annotator, doc_id, start, end, label, self._prefill(label, text[start:end])
        )

    def resize(self, span: Span, text: str, grow: bool) -> ActionResult:
        """Grow or shrink the span's end by one word."""
        if grow:
            m = WORD.search(text, span.end)
            if m is None or "\n\n" in text[span.end : m.start()]:
                raise StoreError("no word after this span in its paragraph")
            end = m.end()
        else:
            ends = [m.end() for m in WORD.finditer(text, span.start, span.end)
                    if m.end() < span.end]
            if not ends:
                raise StoreError("the span is one word already")
            end = ends[-1]
        if end == span.end:
            raise StoreError("the span is that size already")
        attrs = None
        lab = self.schema.label(span.label)
        if lab is not None and lab.kind == "number":
            old = parse_number(text[span.start : span.end]).as_attrs()
            auto = {k: v for k, v in span.attrs.items() if old.get(k) != v}  # hand-edited ones
            attrs = after_reread(span.attrs, auto,
                                 self._prefill(span.label, text[span.start : end], auto))
        return self.store.update_span(self.annotator, span.id, end=end, attrs=attrs,
                                      name="resize_span")

    def set_attrs(self, span: Span, attrs: dict) -> ActionResult:
        """Save the attribute form; an edited attribute is no longer machine-filled."""
        return self.store.update_span(self.annotator, span.id, attrs=after_edit(span.attrs, attrs),
                                      name="set_attrs")

    def delete(self, span: Span) -> ActionResult:
        return self.store.delete_span(self.annotator, span.id)

    def link(self, type_: str, source: Span, target: Span) -> ActionResult:
        return self.store.add_link(self.annotator, type_, source.id, target.id)

    def unlink(self, link_id: str) -> ActionResult:
        return self.store.delete_link(self.annotator, link_id)

    def done(self, doc_id: str) -> ActionResult:
        return self.store.set_status(self.annotator, doc_id, Status.DONE)

    def undo(self) -> ActionResult | None:
        return self.store.undo(self.annotator)

    def redo(self) -> ActionResult | None:
        return self.store.redo(self.annotator)
