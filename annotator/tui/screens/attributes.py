"""Edit the attributes of one span: a form built from its label's attribute definitions."""

from __future__ import annotations

import math
import re
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, Static

from annotator.display import label_chip
from annotator.jsonl_shapes import ATTR_TEXT_MAX
from annotator.model import AttributeDef, LabelDef, Link, Span
from annotator.speakers import NewSpan, locate, speakers
from annotator.tui.keys import bindings
from annotator.tui.plain import plain
from annotator.tui.text_layout import clip, one_line

TITLE_CELLS = 60
OPTION_CELLS = 40
NEW_SPEAKER = "or tag one: type a name in the text (ORG: … for an organisation)"
NOT_A_NUMBER = "Not a number: type digits and a decimal point, or leave it blank"
_INTEGER = re.compile(r"[-+]?\d[\d_]*")


def read_number(text: str) -> int | float | None:
    """The number typed in a number field: None when blank, an int when integral.

    Raises ValueError for anything that is not a finite number.
    """
    text = text.strip()
    if not text:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return int(value) if value.is_integer() else value


class _NumberText(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            read_number(value)
        except ValueError:
            return self.failure(NOT_A_NUMBER)
        return self.success()


class AttributeForm(ModalScreen[dict[str, Any] | None]):
    """A form for `span`'s attributes; dismisses with the new attrs dict, or None if cancelled.

    Blank fields are left out of the result. Attributes the label does not define (left from
    an import or an older schema) are kept as they were.
    """

    DEFAULT_CSS = """
    AttributeForm { align: center middle; }
    AttributeForm > #dialog {
        width: 92%; max-width: 100; height: auto; max-height: 96%;
        background: $surface; border: round $primary; padding: 0 1;
        border-title-style: bold; border-title-color: $text;
    }
    AttributeForm #span {
        height: 1; margin-bottom: 1; dock: top; text-wrap: nowrap; text-overflow: ellipsis;
    }
    AttributeForm #fields { height: auto; max-height: 100%; scrollbar-size-vertical: 1; }
    AttributeForm .field { height: auto; margin-bottom: 1; }
    AttributeForm .name { width: 14; height: auto; padding-top: 1; text-style: bold; }
    AttributeForm .bool-name { padding-top: 0; }
    AttributeForm .control { width: 1fr; height: auto; }
    AttributeForm .description { color: $text-muted; height: auto; padding: 0 1; }
    AttributeForm .error { color: $text-error; height: auto; padding: 0 1; display: none; }
    AttributeForm .error.-shown { display: block; }
    AttributeForm .empty { color: $text-muted; margin-bottom: 1; }
    AttributeForm #buttons { height: 1; dock: bottom; }
    AttributeForm #hint { width: 1fr; color: $text-muted; }
    AttributeForm #buttons Button { margin-left: 2; min-width: 10; }
    """
    BINDINGS = bindings("attributes")  # type: ignore[assignment]

    def __init__(
        self, span: Span, label: LabelDef, span_text: str, candidates: list[tuple[Span, str]],
        text: str = "", links: list[Link] | None = None,
    ) -> None:
        super().__init__()
        self.span = span
        self.label = label
        self.span_text = span_text
        self.candidates = sorted(candidates, key=lambda c: (c[0].start, c[0].end, c[0].label))
        self.text = text  # the document's, to find a speaker typed by name (speakers.locate)
        self.links = links or []
        self._values: dict[str, list[Any]] = {}  # a list's values, in order: digits pick them
        self._fields: dict[str, AttributeDef] = {}  # widget id -> attribute
        # widget id -> (what the field shows, the stored value) for a text value that cannot be
        # shown as it is (controls, newlines, too long): kept as it was unless it is edited
        self._kept: dict[str, tuple[str, str]] = {}

    # -- building -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Attributes"
            yield Static(
                Content.assemble(
                    Content.styled(*label_chip(self.label.name, self.label.color, bold=True)), " “",
                    clip(self.span_text, TITLE_CELLS), "”"
                ),
                id="span",
            )
            with VerticalScroll(id="fields"):
                if not self.label.attributes:
                    yield Static(
                        Content(f"{one_line(self.label.name)} has no attributes."), classes="empty"
                    )
                for index, attr in enumerate(self.label.attributes):
                    field_id = f"attr-{index}"
                    self._fields[field_id] = attr
                    with Horizontal(classes="field"):
                        name_classes = "name bool-name" if attr.type == "bool" else "name"
                        yield Static(plain(attr.name), classes=name_classes)
                        with Vertical(classes="control"):
                            yield self._control(field_id, attr)
                            if attr.type == "span" and self.text:
                                yield Input(placeholder=NEW_SPEAKER, id=f"{field_id}-new",
                                            classes="new-span")
                            if attr.description:
                                yield Static(plain(attr.description), classes="description")
                            yield Static(id=f"{field_id}-error", classes="error")
            with Horizontal(id="buttons"):
                yield Static(Content("1-9 pick · tab next field · ctrl+s save · esc cancel"),
                             id="hint")
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _current(self, attr: AttributeDef) -> Any:
        return self.span.attrs.get(attr.name, attr.default)

    def _control(self, field_id: str, attr: AttributeDef) -> Widget:
        value = self._current(attr)
        if attr.type == "bool":
            return Checkbox("yes", value=bool(value), id=field_id)
        if attr.type == "choice":
            options = [(numbered(i, plain(c)), c) for i, c in enumerate(attr.choices)]
            if value is not None and value not in attr.choices:
                options.append((Content(f"{one_line(str(value))} (not in the schema)"), value))
            self._values[field_id] = [v for _, v in options]
            return Select(options, prompt="not set", value=_or_null(value), id=field_id)
        if attr.type == "span":
            options = self._span_options(attr, value)
            self._values[field_id] = [v for _, v in options]
            return Select(options, prompt="not set", value=_or_null(value), id=field_id)
        if attr.type == "number":
            return Input(
                "" if value is None else str(value),
                type="number",
                placeholder="a number, e.g. 38 or 2.5",
                validators=[_NumberText()],
                valid_empty=True,
                id=field_id,
            )
        stored = "" if value is None else str(value)
        shown = one_line(stored, ATTR_TEXT_MAX)
        if shown != stored:
            self._kept[field_id] = (shown, stored)
        return Input(shown, max_length=ATTR_TEXT_MAX, id=field_id)

    def _span_options(self, attr: AttributeDef, value: Any) -> list[tuple[Content, str]]:
        """One option per entity (speakers.py): its longest name, the others it goes by, and
        the mention stored (nearest the claim; the one stored already, if in the group)."""
        options = []
        for i, who in enumerate(speakers(self.span, self.candidates, self.links, attr.labels)):
            also = f" (also {', '.join(one_line(o, 30) for o in who.others[:3])})" \
                if who.others else ""
            options.append((numbered(i, Content.assemble(
                (one_line(who.label), "bold"), " ", clip(who.name, OPTION_CELLS),
                (clip(also, OPTION_CELLS), "$text-muted"))),
                value if value in who.ids else who.span_id))
        if value is not None and value not in {v for _, v in options}:
            options.append((Content(f"span {one_line(str(value))} (not found)"), value))
        return options

    def on_mount(self) -> None:
        if self._fields:
            self.query_one(f"#{next(iter(self._fields))}").focus()
        else:
            self.query_one("#save", Button).focus()

    # -- reading the form ---------------------------------------------------------------

    def _value(self, field_id: str, attr: AttributeDef) -> Any:
        """The value to store, None for blank; raises ValueError for a bad number or a name
        not in the text."""
        typed = self.query(f"#{field_id}-new").results(Input)
        name = next((w.value for w in typed if w.value.strip()), None)
        if name is not None:
            return self._new_span(attr, name)
        widget = self.query_one(f"#{field_id}")
        if isinstance(widget, Checkbox):
            # an untouched unchecked box says nothing; unchecking a stored True says False
            return widget.value if widget.value or attr.name in self.span.attrs else None
        if isinstance(widget, Select):
            return widget.selection
        assert isinstance(widget, Input)
        if attr.type == "number":
            return read_number(widget.value)
        kept = self._kept.get(field_id)
        if kept is not None and widget.value == kept[0]:
            return kept[1]
        return widget.value.strip() or None

    def _new_span(self, attr: AttributeDef, name: str) -> NewSpan | str:
        """A span typed by name: an existing one of the right label on that text, or one to
        tag (speakers.locate); ValueError with the reason when the name is not in the text."""
        labels = attr.labels or tuple(dict.fromkeys(s.label for s, _ in self.candidates))
        found = locate(name, self.text, self.span, labels, labels[0] if labels else "PERSON")
        if isinstance(found, str):
            raise ValueError(found)
        same = next((s for s, _ in self.candidates if (s.start, s.end) == (found.start, found.end)
                     and (not attr.labels or s.label in attr.labels)), None)
        return same.id if same is not None else found

    def on_key(self, event: events.Key) -> None:
        """A digit on a list picks that option and moves to the next field (the last one: to
        Save), so a claim's speaker, stance and certainty are four keys with enter."""
        focused = self.focused
        if not (isinstance(focused, Select) and focused.id in self._values
                and not focused.expanded and event.character and event.character in "123456789"):
            return
        values = self._values[focused.id]
        n = int(event.character) - 1
        event.stop()
        event.prevent_default()
        if n >= len(values):
            self.app.bell()
            return
        focused.value = values[n]
        fields = list(self._fields)
        later = fields[fields.index(focused.id) + 1 :]
        self.query_one(f"#{later[0]}" if later else "#save").focus()

    def _show_error(self, field_id: str, message: str | None) -> None:
        error = self.query_one(f"#{field_id}-error", Static)
        error.update(Content(message or ""))
        error.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _validate_live(self, event: Input.Changed) -> None:
        if event.input.id in self._fields and event.validation_result is not None:
            failures = event.validation_result.failure_descriptions
            self._show_error(event.input.id, failures[0] if failures else None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [w for w in self.query(Input) if w.id in self._fields]
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_save(self) -> None:
        defined = {attr.name for attr in self.label.attributes}
        result = {k: v for k, v in self.span.attrs.items() if k not in defined}
        first_bad: str | None = None
        for field_id, attr in self._fields.items():
            try:
                value = self._value(field_id, attr)
            except ValueError as err:
                self._show_error(field_id, NOT_A_NUMBER if attr.type == "number" else str(err))
                first_bad = first_bad or field_id
                continue
            self._show_error(field_id, None)
            if value is not None:
                result[attr.name] = value
        if first_bad is not None:
            self.query_one(f"#{first_bad}").focus()
            self.app.bell()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


def numbered(i: int, content: Content) -> Content:
    """An option of a list, with the digit that picks it (the first nine)."""
    return Content.assemble((f"{i + 1} ", "$text-muted"), content) if i < 9 else content


def _or_null(value: Any) -> Any:
    return Select.NULL if value is None else value
