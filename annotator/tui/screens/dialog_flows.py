"""The annotation screen's actions that go through a dialog: making a link (L on the source,
L on the target, then the link type chooser) and the attribute form. The rules are the
session's; this is the choreography."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.actions import SkipAction

from annotator.claims import form_rule, form_to_open
from annotator.model import Span
from annotator.session import Outcome
from annotator.tui.text_layout import one_line as short
from annotator.tui.widgets.pane import Pane

if TYPE_CHECKING:
    from annotator.tui.screens.annotate import AnnotateScreen


def span_text(pane: Pane, span: Span) -> str:
    return pane.view.text[span.start:span.end]


def edit_attributes(screen: AnnotateScreen, pane: Pane, span: Span) -> None:
    """The attribute form for `span`, or why it has none; saved when changed."""
    label = screen.schema.label(span.label)
    if not screen.show(screen.session.attributes_refusal(span) or Outcome()) or label is None:
        return
    from annotator.tui.screens.attributes import AttributeForm

    candidates = [(s, pane.view.text[s.start:s.end]) for s in pane.view.index.spans()
                  if s.id != span.id]
    screen.app.push_screen(
        AttributeForm(span, label, span_text(pane, span), candidates, pane.view.text,
                      list(screen.session.links.values())),
        screen.guarded(lambda attrs: screen.show(form_rule(screen.session, span, attrs))),
    )


def form_on_label(screen: AnnotateScreen, pane: Pane, outcome: Outcome) -> None:
    """A span just got a label whose form opens on labelling (a CLAIM): open it."""
    span = form_to_open(screen.schema, outcome.changes)
    if span is not None and (shown := pane.view.index.get(span.id)) is not None:
        edit_attributes(screen, pane, shown)


class Linking:
    """L on a span starts a link from it (if a link type leaves its label); L on another
    opens the type chooser, where a type already linking the two removes that link; L on the
    same span again, or esc, cancels."""

    def __init__(self, screen: AnnotateScreen) -> None:
        self.screen = screen
        self.pending: tuple[Pane, Span] | None = None

    def source_text(self) -> str | None:
        return None if self.pending is None else span_text(*self.pending)

    def press(self, pane: Pane, span: Span) -> None:
        screen, session = self.screen, self.screen.session
        if self.pending is not None and self.pending[1].id == span.id:
            self.cancel()
            return
        if self.pending is None:
            if screen.show(session.link_start_refusal(span) or Outcome()):
                self.pending = (pane, span)
                pane.view.set_pending_link(span.id)
                screen.update_status()
            return
        source_pane, source = self.pending
        choice = session.link_choice(source, span)
        if isinstance(choice, Outcome):
            screen.show(choice)
            return
        from annotator.tui.screens.link_type import LinkTypeChooser

        def chosen(type_name: str | None) -> None:
            screen.show(session.link_rule(choice, type_name))
            if type_name is not None and self.pending is not None:
                self.end()  # done, or refused with a message: no longer linking

        screen.app.push_screen(
            # the dialog cuts the two texts to its own width
            LinkTypeChooser(list(choice.types), short(span_text(source_pane, source), 200),
                            short(span_text(pane, span), 200), choice.existing),
            screen.guarded(chosen),
        )

    def cancel(self) -> None:
        if self.pending is None:
            raise SkipAction()
        self.end()
        self.screen.last_action = "link cancelled"
        self.screen.update_status()

    def end(self) -> None:
        assert self.pending is not None
        pane, _ = self.pending
        self.pending = None
        if pane in self.screen.panes:
            pane.view.set_pending_link(None)
        self.screen.update_status()
