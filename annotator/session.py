"""What one annotator does, in domain terms: the rules behind every key of the annotation screen
(label or relabel, which spans may start a link, whether a link type adds or removes, done then
the next document, where undo lands), each answered with an Outcome the screen only renders.
No widgets here, no SQL either: the screen holds this, never the Store."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.model import (
    Document,
    DocumentSummary,
    LabelDef,
    LabelSchema,
    Link,
    LinkTypeDef,
    Span,
    Status,
)
from annotator.numbers import after_edit, after_reread, parse_number
from annotator.occurrences import Place, copied_attrs, summary, unlabelled
from annotator.sanitize import cut
from annotator.store import ActionResult, Change, NewSpan, Store, StoreError
from annotator.store import team as team_store
from annotator.store.changes import StatusChange
from annotator.store.team import Flag
from annotator.team import flag_note, work_queue
from annotator.text_units import start_edge
from annotator.words import WORD

SHORT = 2.0  # seconds a "nothing here" refusal stays; others stay 3
Attrs = dict[str, Any]


def clip(text: str, width: int) -> str:
    """At most `width` code points of `text` (the screen sanitises what it shows)."""
    return cut(text, width)


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a document: where an undone or redone action was."""

    doc_id: str
    offset: int


@dataclass(frozen=True, slots=True)
class Notice:
    """Something to tell besides the status line (a toast)."""

    text: str
    title: str = ""
    timeout: float = 3


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action came to. `refused`: it did nothing, and why (the toast stays `linger`
    seconds; `bell` when the store refused it). Otherwise `changes` were committed (show them
    wherever those documents are), `message` is the new status line, `goto` where the action
    was, `open_next` a document to open next, `notice` a toast."""

    message: str = ""
    changes: tuple[Change, ...] = ()
    refused: str | None = None
    linger: float = 3
    bell: bool = False
    goto: Location | None = None
    open_next: str | None = None
    notice: Notice | None = None


def refusal(why: str, linger: float = 3, bell: bool = False) -> Outcome:
    return Outcome(refused=why, linger=linger, bell=bell)


class Spans(Protocol):
    """The spans of one document as the screen holds them (tui.span_index.SpanIndex)."""

    def exact(self, start: int, end: int, label: str | None = None) -> Span | None: ...

    def overlapping(self, start: int, end: int) -> list[Span]: ...


@dataclass(frozen=True, slots=True)
class LinkChoice:
    """The link types that may go from `source` to `target`, and those already there."""

    source: Span
    target: Span
    types: tuple[LinkTypeDef, ...]
    existing: frozenset[str]


@dataclass(frozen=True, slots=True)
class LinkEnd:
    """A link end in a document no pane shows: a little of its text, and the title."""

    text: str
    title: str


@dataclass
class Session:
    """An annotator at work: their store, their name, the schema they label with, and the
    links of the documents they have opened (kept in step with every action's changes)."""

    store: Store
    annotator: str
    schema: LabelSchema
    links: dict[str, Link] = field(default_factory=dict)
    _ends: dict[str, LinkEnd | None] = field(default_factory=dict)
    last_label: LabelDef | None = None  # the label last put on text (`.` repeats it)
    actor: str | None = None  # who is at the keyboard when not `annotator` (a lead --as bob)

    @property
    def acting(self) -> str:
        """The person acting: their role decides what they may see (the dashboard)."""
        return self.actor or self.annotator

    # -- reads --------------------------------------------------------------------------

    @property
    def colors(self) -> dict[str, str]:
        return {lab.name: lab.color for lab in self.schema.labels}

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def document(self, doc_id: str) -> Document | None:
        return self.store.get_document(doc_id)

    def documents(self) -> list[DocumentSummary]:
        """What the picker lists: on a team, the documents assigned to this annotator first,
        then the others unless the project allows only assigned work (annotator.team)."""
        return work_queue(self.store.documents(), self.assigned(),
                          team_store.may_open(self.store, self.annotator, ""))

    def assigned(self) -> frozenset[str]:
        """The documents assigned to this annotator (none on a personal database)."""
        return team_store.assigned_to(self.store, self.annotator)

    def spans(self, doc_id: str) -> list[Span]:
        return self.store.spans(doc_id, self.annotator)

    def status(self, doc_id: str) -> Status:
        return self.store.status(doc_id, self.annotator)

    def progress(self) -> tuple[int, int]:
        """(done, total) documents: on a team, of this annotator's own (assigned to them, or
        worked on besides), not of every document in the project."""
        return team_store.queue_progress(self.store, self.annotator) or \
            self.store.progress(self.annotator)

    def next_document(self, after: str | None = None) -> str | None:
        return self.store.next_document(self.annotator, after=after)

    def layout(self) -> dict[str, Any]:
        """The panes, focus and cursors saved when this annotator last worked."""
        saved = self.store.get_ui_state(self.annotator, "layout")
        return saved if isinstance(saved, dict) else {}

    def save_layout(self, state: dict[str, Any]) -> None:
        self.store.set_ui_state(self.annotator, "layout", state)

    # -- links of the open documents ----------------------------------------------------

    def load_links(self, doc_id: str) -> None:
        """Keep the links that touch `doc_id` (a document being opened)."""
        for link in self.store.links(self.annotator, [doc_id]):
            self.links[link.id] = link

    def linked(self) -> set[str]:
        """Ids of the spans at either end of a kept link."""
        return {s for lk in self.links.values() for s in (lk.from_span, lk.to_span)}

    def doc_links(self, doc_id: str, start: Callable[[str], int]) -> list[Link]:
        """This document's links, by type, then where their ends are (`start` of a span id,
        -1 when not shown), never by random ids."""
        mine = [lk for lk in self.links.values() if doc_id in (lk.from_doc, lk.to_doc)]
        return sorted(mine, key=lambda lk: (lk.type, lk.from_doc, start(lk.from_span),
                                            lk.to_doc, start(lk.to_span), lk.id))

    def link_end(self, span_id: str) -> LinkEnd | None:
        """A link end no pane shows. Cached by span id: the document's text never changes, and
        reading a 5 MB one on every cursor move is what this saves; a change to the span
        (resize, relabel, undo) drops its entry."""
        if span_id not in self._ends:
            end = None
            span = self.store.span(span_id)
            doc = self.store.get_document(span.doc_id) if span is not None else None
            if span is not None and doc is not None:
                end = LinkEnd(clip(span.text_in(doc.text), 200), doc.title)
            self._ends[span_id] = end
        return self._ends[span_id]

    # -- the rules, each answered with an Outcome ---------------------------------------

    def label_rule(self, doc_id: str, text: str, target: tuple[int, int] | None, label: LabelDef,
                   spans: Spans, *, selected: bool, blank: bool = False) -> Outcome:
        """Label `target` (the selection, or the word under the cursor): add a span, relabel
        the span on exactly that range, or say it is that label already (the word under the
        cursor inside a span of that label counts, a selection must match exactly)."""
        if target is None:
            return refusal("the selection is only whitespace: nothing labelled" if blank else
                           "nothing to label here: select text or put the cursor on a word")
        start, end = target
        same = spans.exact(start, end, label.name)
        if same is None and not selected:
            same = next((s for s in spans.overlapping(start, end)
                         if s.label == label.name and s.start <= start and end <= s.end), None)
        if same is not None:
            return Outcome(message=f"already {label.name}: “{clip(same.text_in(text), 30)}”")
        existing = spans.exact(start, end)
        shown = clip(text[start:end], 30)
        verb = f"relabelled “{shown}” {label.name}" if existing else f"{label.name} “{shown}”"
        outcome = self.do(verb, self.label, doc_id, text, start, end, label.name, existing)
        if outcome.refused is None:
            self.last_label = label  # what `.` repeats
        return outcome

    def all_occurrences_rule(self, source: Span, places: Sequence[Place]) -> Outcome:
        """`*` on `source`: label every other occurrence of its text, in `places` (its own
        document first, then the other open ones), with its label and attributes, as one
        action; places a span of that label already covers are skipped (occurrences.py)."""
        here = places[0]
        needle = source.text_in(here.text)
        found = unlabelled(needle, source.label, places)
        shown = clip(needle, 30)
        if not found:
            return refusal(f"no other unlabelled “{shown}” in the open documents", SHORT)
        lab = self.schema.label(source.label)
        attrs = copied_attrs(source, lab)
        new = [NewSpan(o.doc_id, o.start, o.end, source.label, attrs) for o in found]
        counts = {p.doc_id: sum(o.doc_id == p.doc_id for o in found) for p in places}
        return self.do(summary(source.label, counts, here.doc_id), self.store.add_new_spans,
                        self.annotator, new)

    def delete_rule(self, span: Span, text: str) -> Outcome:
        return self.do(f"deleted {span.label} “{clip(span.text_in(text), 24)}”",
                        self.delete, span)

    def resize_rule(self, span: Span, text: str, grow: bool, start: bool = False) -> Outcome:
        """`<` `>` move the span's end a word; `H` `K` (start=True) its start."""
        edge = " at its start" if start else ""
        return self.do(f"{'grew' if grow else 'shrank'} {span.label}{edge}",
                        self.resize_start if start else self.resize, span, text, grow)

    def attributes_refusal(self, span: Span) -> Outcome | None:
        """Why the attribute form does not open for `span` (None: it does)."""
        label = self.schema.label(span.label)
        if label is None or not label.attributes:
            return refusal(f"{span.label} has no attributes", SHORT)
        return None

    def attributes_rule(self, span: Span, attrs: Attrs | None) -> Outcome:
        """The form's answer: nothing when cancelled or unchanged."""
        if attrs is None or attrs == span.attrs:
            return Outcome()
        return self.do(f"set attributes of {span.label}", self.set_attrs, span, attrs)

    def link_start_refusal(self, span: Span) -> Outcome | None:
        """Why `span` cannot start a link (None: it can): no link type leaves its label."""
        labels = [lab.name for lab in self.schema.labels]

        def starts(name: str) -> bool:
            return any(self.schema.link_types_between(name, other) for other in labels)

        if starts(span.label):
            return None
        names = sorted({name for name in labels if starts(name)})
        return refusal(f"{span.label} spans cannot be linked (links start from "
                       f"{', '.join(names) or 'no label'})")

    def link_choice(self, source: Span, target: Span) -> LinkChoice | Outcome:
        """The types to choose from for a link source → target, or why there are none. A
        type already linking them (either way round for a symmetric type) is marked: choosing
        it removes that link."""
        types = self.schema.link_types_between(source.label, target.label)
        if not types:
            return refusal(f"no link type goes from {source.label} to {target.label}")
        return LinkChoice(source, target, tuple(types),
                          frozenset(self._between(source, target)))

    def link_rule(self, choice: LinkChoice, type_name: str | None) -> Outcome:
        """The chooser's answer: add the link, remove it if it is there, or nothing."""
        if type_name is None:
            return Outcome()
        there = self._between(choice.source, choice.target).get(type_name)
        if there is not None:
            return self.do(f"removed the {type_name} link", self.unlink, there.id)
        return self.do(f"linked {choice.source.label} {type_name} {choice.target.label}",
                        self.link, type_name, choice.source, choice.target)

    def _between(self, source: Span, target: Span) -> dict[str, Link]:
        symmetric = {t.name for t in self.schema.links if t.symmetric}
        pair = (source.id, target.id)
        return {lk.type: lk for lk in self.links.values()
                if (lk.from_span, lk.to_span) == pair
                or (lk.type in symmetric and (lk.to_span, lk.from_span) == pair)}

    def done_rule(self, doc_id: str, open_ids: Collection[str]) -> Outcome:
        """Mark `doc_id` done and say what comes next: the next document not done (to open in
        its place, or to move to when it is open already), or that every one is done."""
        marked = self.do(f"marked {doc_id} done", self.done, doc_id)
        if marked.refused is not None:  # not assigned to me, and the project wants that
            return marked
        nxt = self.next_document(after=doc_id)
        if nxt is None:
            every = "every document" if team_store.may_open(self.store, self.annotator, "") \
                else "every document assigned to you"
            return _with(marked, f"marked {doc_id} done; {every} is done",
                         notice=Notice(f"{every} is done", "All done", 4))
        if nxt in open_ids:
            return _with(marked, f"marked {doc_id} done; next: {nxt}, already open",
                         open_next=nxt)
        return _with(marked, marked.message, open_next=nxt)

    def flags(self, doc_id: str) -> list[Flag]:
        """This set's flags on `doc_id`, open and resolved, oldest first (the side panel)."""
        return team_store.flags(self.store, self.annotator, open_only=False, doc_id=doc_id)

    def flag_rule(self, doc_id: str, span: Span | None, text: str, note: str | None) -> Outcome:
        """The flag dialog's answer: flag `span` (None: the document) with `note` for the
        leads, at once, in one transaction. Not an undoable action: `u` undoes annotation,
        and a lead may have read the flag already (a lead resolves it: docs/team.md)."""
        if note is None:
            return Outcome()
        try:
            clean = flag_note(note)
            flag_id = team_store.add_flag(self.store, self.annotator, doc_id, clean,
                                          None if span is None else span.id)
        except ValueError as err:
            return refusal(str(err))
        except LookupError as err:
            return refusal(f"not flagged: {err.args[0]}", bell=True)
        what = "the document" if span is None else \
            f"{span.label} “{clip(span.text_in(text), 24)}”"
        return Outcome(f"flagged {what} for the leads (flag {flag_id}): {clip(clean, 40)}")

    def undo_rule(self) -> Outcome:
        return self._history(self.undo, "undid", "nothing to undo")

    def redo_rule(self) -> Outcome:
        return self._history(self.redo, "redid", "nothing to redo")

    def _history(self, step: Callable[[], ActionResult | None], verb: str,
                 nothing: str) -> Outcome:
        """Undo or redo, landing on the span the action was about: one that came or went (a
        delete also unsets other spans' references to it; of several, the first in the text),
        else the first one changed."""
        try:
            result = step()
        except StoreError as err:
            return refusal(str(err), bell=True)
        if result is None:
            return refusal(nothing, SHORT)
        self._track(result.changes)
        came_or_went = sorted((c for c in result.changes if c.entity == "span"),
                              key=lambda c: (c.before is not None and c.after is not None,
                                             (c.before or c.after or {}).get("start", 0)))
        goto = None
        for change in came_or_went[:1]:
            span = change.new or change.old
            if isinstance(span, Span):
                goto = Location(span.doc_id, span.start)
        return Outcome(f"{verb} {result.name.replace('_', ' ')}", tuple(result.changes),
                       goto=goto)

    def do(self, message: str, command: Callable[..., ActionResult], *args: Any) -> Outcome:
        """Run one store command: its changes, or the store's refusal (with the bell)."""
        try:
            result = command(*args)
        except StoreError as err:
            return refusal(str(err), bell=True)
        self._track(result.changes)
        return Outcome(message if result.changes else "", tuple(result.changes))

    def _track(self, changes: Iterable[Change]) -> None:
        """Keep the links and the link-end cache in step with committed changes."""
        for change in changes:
            new = change.new
            match new or change.old:
                case Link(id=link_id):
                    if isinstance(new, Link):
                        self.links[link_id] = new
                    else:
                        self.links.pop(link_id, None)
                case Span(id=span_id):
                    self._ends.pop(span_id, None)
                case StatusChange() | None:
                    pass

    # -- the store commands (also used by scripts and tests) -----------------------------

    def prefill(self, label: str, text: str, attrs: Attrs | None = None) -> Attrs:
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
                attrs=self.prefill(label, text[start:end], keep), name="relabel_span",
            )
        return self.store.add_span(
            self.annotator, doc_id, start, end, label, self.prefill(label, text[start:end])
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
        return self.store.update_span(self.annotator, span.id, end=end,
                                      attrs=self._reread(span, text, span.start, end),
                                      name="resize_span")

    def resize_start(self, span: Span, text: str, grow: bool) -> ActionResult:
        """Move the span's start a word to the left (grow) or right (shrink)."""
        start = start_edge(text, span.start, span.end, grow)
        if start is None:
            raise StoreError("no word before this span in its paragraph" if grow else
                             "the span is one word already")
        return self.store.update_span(self.annotator, span.id, start=start,
                                      attrs=self._reread(span, text, start, span.end),
                                      name="resize_span")

    def _reread(self, span: Span, text: str, start: int, end: int) -> Attrs | None:
        """A NUMBER span's attributes read again from its new text, keeping hand-edited ones."""
        lab = self.schema.label(span.label)
        if lab is None or lab.kind != "number":
            return None
        old = parse_number(text[span.start : span.end]).as_attrs()
        auto = {k: v for k, v in span.attrs.items() if old.get(k) != v}  # hand-edited ones
        return after_reread(span.attrs, auto, self.prefill(span.label, text[start:end], auto))

    def set_attrs(self, span: Span, attrs: Attrs) -> ActionResult:
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


def _with(outcome: Outcome, message: str, *, open_next: str | None = None,
          notice: Notice | None = None) -> Outcome:
    """`outcome` (kept as it is when refused) then the message of what comes next."""
    return Outcome(message, outcome.changes, outcome.refused, outcome.linger, outcome.bell,
                   open_next=open_next, notice=notice)
