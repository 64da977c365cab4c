"""The rules that make a claim quick to annotate (docs/claims.md): which label opens the
attribute form as soon as a span gets it, and saving a form whose speaker was typed by name
(the span is added and the claim points at it, as one action)."""

from __future__ import annotations

from collections.abc import Iterable

from annotator.model import LabelSchema, Span
from annotator.numbers import after_edit
from annotator.session import Attrs, Outcome, Session
from annotator.speakers import NewSpan
from annotator.store import Change


def form_to_open(schema: LabelSchema, changes: Iterable[Change]) -> Span | None:
    """The span that just got a label whose form opens on labelling (form_on_label), if any:
    added, or relabelled to it."""
    for change in changes:
        new, old = change.new, change.old
        if not isinstance(new, Span):
            continue
        label = schema.label(new.label)
        if label is not None and label.form_on_label and (
                not isinstance(old, Span) or old.label != new.label):
            return new
    return None


def form_rule(session: Session, span: Span, attrs: Attrs | None) -> Outcome:
    """The attribute form's answer; a speaker typed by name (a NewSpan value) is tagged and
    referred to in the same action, so one undo takes both back."""
    new = [(name, value) for name, value in (attrs or {}).items() if isinstance(value, NewSpan)]
    if attrs is None or not new:
        return session.attributes_rule(span, attrs)
    name, tagged = new[0]
    rest = after_edit(span.attrs, {k: v for k, v in attrs.items() if k != name})
    return session.do(f"tagged {tagged.label} as the {name} of this {span.label}",
                      session.store.add_referred_span, session.annotator, tagged.start,
                      tagged.end, tagged.label, span.id, rest, name)
