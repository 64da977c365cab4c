"""Every key of the editor, in one table (docs/keys.md): the TUI's bindings (tui/keys.py), the
keys a label schema may not take (labels.RESERVED_KEYS) and the `?` screen are all built from it.

Textual-free, so the schema validator can use it without loading the TUI. Keys are Textual key
names ("right_curly_bracket", "ctrl+w"); `shown` writes them as a person types them ("}").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from annotator.display import STATUS_LEGEND

Where = Literal["document", "screen", "help", "picker", "attributes", "link type", "span list",
                "search box", "dialogs", "mouse", "dashboard", "figures",
                "review"]
"""Where a key acts. "document": the focused document view (priority bindings, so keys act in
arrival order); "screen": the annotation screen, bound on it and, priority, on the document
view; "review": the review screen's own (tui/screens/review.py), on top of the annotation
keys its gold pane takes; "search box": keys the open search box takes
(AnnotateScreen.capture_key); "dialogs"
and "mouse": what Textual's own widgets do, documented but bound by no code of ours."""

BOUND: tuple[Where, ...] = ("document", "screen", "help", "picker", "attributes", "link type",
                            "span list", "dashboard", "figures", "review")
"""The places whose keys are Textual bindings built from this table."""


@dataclass(frozen=True, slots=True)
class Key:
    """One binding: `keys` (comma-separated Textual names) run `action` where it says. `name`
    is what a schema is told a key it wants is reserved for; `group` and `help` are its row on
    the `?` screen (entries with the same group and help line share a row)."""

    keys: str
    action: str | None
    where: Where
    name: str
    group: str
    help: str
    priority: bool = False
    on_document: bool = True  # a "screen" key also bound (priority) on the document view
    footer: bool = False  # shown in a footer (Binding.show)

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.keys.split(","))


def _doc(keys: str, action: str, name: str, group: str, help: str) -> Key:
    return Key(keys, action, "document", name, group, help, priority=True)


def _scr(keys: str, action: str, name: str, group: str, help: str) -> Key:
    return Key(keys, action, "screen", name, group, help)


def _rev(keys: str, action: str, name: str, help: str) -> Key:
    return Key(keys, action, "review", name, "Review", help)


KEYMAP: tuple[Key, ...] = (
    _doc("left,h", "move(-1)", "move left", "Move", "move by character / line"),
    _doc("down,j", "line(1)", "move down", "Move", "move by character / line"),
    _doc("up,k", "line(-1)", "move up", "Move", "move by character / line"),
    _doc("right,l", "move(1)", "move right", "Move", "move by character / line"),
    _doc("w,ctrl+right", "word(1)", "next word", "Move", "next / previous word"),
    _doc("b,ctrl+left", "word(-1)", "previous word", "Move", "next / previous word"),
    _doc("left_curly_bracket", "paragraph(-1)", "previous paragraph", "Move",
         "previous / next paragraph"),
    _doc("right_curly_bracket", "paragraph(1)", "next paragraph", "Move",
         "previous / next paragraph"),
    _doc("left_parenthesis", "sentence(-1)", "sentence start", "Move",
         "start / end of the sentence (again: the one before / after)"),
    _doc("right_parenthesis", "sentence(1)", "sentence end", "Move",
         "start / end of the sentence (again: the one before / after)"),
    _doc("comma", "clause(-1)", "clause start", "Move",
         "start / end of the clause (cut at , ; : and dashes)"),
    _doc("semicolon", "clause(1)", "clause end", "Move",
         "start / end of the clause (cut at , ; : and dashes)"),
    _scr("z", "count", "count", "Move", "z then a count, then a motion: z12w, z3)"),
    _doc("g,ctrl+home", "edge(-1)", "go to start", "Move", "start / end of the document"),
    _doc("G,ctrl+end", "edge(1)", "go to end", "Move", "start / end of the document"),
    _doc("home", "line_edge(-1)", "line start", "Move", "start / end of the screen line"),
    _doc("end", "line_edge(1)", "line end", "Move", "start / end of the screen line"),
    _doc("pageup", "page(-1)", "page up", "Move", "a screen up / down"),
    _doc("pagedown", "page(1)", "page down", "Move", "a screen up / down"),
    Key("mouse click", None, "mouse", "move the cursor", "Move", "move the cursor there"),
    _doc("v", "toggle_select", "start or extend a selection", "Select",
         "start / end a selection at the cursor"),
    _doc("shift+left", "extend('move', -1)", "select left", "Select", "select up to the cursor"),
    _doc("shift+right", "extend('move', 1)", "select right", "Select", "select up to the cursor"),
    _doc("shift+up", "extend('line', -1)", "select up", "Select", "select up to the cursor"),
    _doc("shift+down", "extend('line', 1)", "select down", "Select", "select up to the cursor"),
    Key("mouse drag", None, "mouse", "select", "Select", "select"),
    _doc("apostrophe", "quote", "select the quotation", "Select",
         "select inside the quote marks around the cursor"),
    _doc("c", "toggle_precise", "toggle character-precision selection", "Select",
         "toggle word snapping / character precision"),
    _doc("escape", "clear_selection", "cancel", "Select",
         "clear the selection or the search marks; cancel a link"),
    _doc("left_square_bracket", "span(-1)", "previous span", "Spans", "previous / next span"),
    _doc("right_square_bracket", "span(1)", "next span", "Spans", "previous / next span"),
    _scr("x,delete", "delete_span", "delete span", "Spans", "remove the span under the cursor"),
    _scr("less_than_sign", "resize(False)", "shrink span", "Spans",
         "shrink / grow the span under the cursor by a word"),
    _scr("greater_than_sign", "resize(True)", "grow span", "Spans",
         "shrink / grow the span under the cursor by a word"),
    _scr("H", "resize_start(True)", "grow span at its start", "Spans",
         "grow / shrink the span under the cursor at its start"),
    _scr("K", "resize_start(False)", "shrink span at its start", "Spans",
         "grow / shrink the span under the cursor at its start"),
    _scr("asterisk", "all_occurrences", "label all occurrences", "Spans",
         "label its text everywhere in the open documents"),
    _scr("full_stop", "repeat_label", "repeat label", "Label",
         "the last label again, on the selection or word"),
    _scr("e", "edit_attributes", "edit attributes", "Spans",
         "edit the attributes of the span under the cursor"),
    _scr("L", "link", "link spans", "Links", "start a link at the span under the cursor"),
    _scr("equals_sign", "figures", "figures of the cluster", "Links",
         "the figures linked to this NUMBER or CLAIM, conflicts marked; candidates to link"),
    _scr("a", "accept_suggestion", "accept suggestion", "Suggestions",
         "accept / reject the suggestion under the cursor"),
    _scr("r", "reject_suggestion", "reject suggestion", "Suggestions",
         "accept / reject the suggestion under the cursor"),
    _scr("A", "accept_all_suggestions", "accept all suggestions", "Suggestions",
         "accept every suggestion in the document (one undo)"),
    _scr("f", "suggestion(1)", "next suggestion", "Suggestions", "next / previous suggestion"),
    _scr("F", "suggestion(-1)", "previous suggestion", "Suggestions",
         "next / previous suggestion"),
    Key("tab", "cycle_pane(1)", "screen", "next pane", "Panes",
        "next / previous pane, then the span list", priority=True, on_document=False),
    Key("shift+tab", "cycle_pane(-1)", "screen", "previous pane", "Panes",
        "next / previous pane, then the span list", priority=True, on_document=False),
    _scr("o", "open_document", "open document in a new pane", "Panes",
         "open another document in a new pane"),
    _scr("ctrl+w", "close_pane", "close pane", "Panes", "close the pane"),
    _scr("ctrl+b", "toggle_side", "side panel", "Panes", "hide / show the side panel"),
    Key("k,up", "cursor(-1)", "span list", "previous span", "Panes",
        "in the span list: move, jump to the span"),
    Key("j,down", "cursor(1)", "span list", "next span", "Panes",
        "in the span list: move, jump to the span"),
    Key("enter", "choose", "span list", "jump", "Panes",
        "in the span list: move, jump to the span"),
    _scr("slash", "search", "search", "Search", "search (escape clears the marks)"),
    _doc("n", "search_next(1)", "next match", "Search", "next / previous match"),
    _doc("N", "search_next(-1)", "previous match", "Search", "next / previous match"),
    Key("enter", None, "search box", "search", "Search", "in the search box: search, close"),
    Key("escape", None, "search box", "close", "Search", "in the search box: search, close"),
    Key("backspace", "delete_left", "search box", "delete left", "Search",
        "in the search box: edit the query"),
    Key("delete", "delete_right", "search box", "delete right", "Search",
        "in the search box: edit the query"),
    Key("left", "cursor_left", "search box", "left", "Search", "in the search box: edit the query"),
    Key("right", "cursor_right", "search box", "right", "Search",
        "in the search box: edit the query"),
    Key("home", "home", "search box", "start", "Search", "in the search box: edit the query"),
    Key("end", "end", "search box", "end", "Search", "in the search box: edit the query"),
    Key("ctrl+w", "delete_left_word", "search box", "delete word", "Search",
        "in the search box: edit the query"),
    _scr("u", "undo", "undo", "History", "undo"),
    _scr("ctrl+r", "redo", "redo", "History", "redo"),
    _scr("D", "done", "mark document done", "Document",
         "mark the document done for me and open the next one"),
    _scr("exclamation_mark", "flag", "flag for the leads", "Document",
         "flag the span under the cursor (else the document) with a note for the leads"),
    _scr("R", "review", "review this document", "Document",
         "review this document: the annotators' versions into gold (leads)"),
    _scr("ctrl+d", "dashboard", "dashboard", "App",
         "the lead dashboard: progress and agreement"),
    _scr("question_mark", "help", "help", "App", "this help"),
    _scr("q", "quit", "quit", "App", "quit"),
    Key("escape", "cancel", "screen", "cancel", "Select",
        "clear the selection or the search marks; cancel a link", on_document=False),
    Key("escape,question_mark,q", "close", "help", "close", "Dialogs", "help: close"),
    Key("j,down", "scroll('down')", "help", "scroll down", "Dialogs", "help: scroll",
        priority=True),  # priority, so the arrows are ours (the scroll view's own animate)
    Key("k,up", "scroll('up')", "help", "scroll up", "Dialogs", "help: scroll", priority=True),
    Key("escape", "cancel", "picker", "cancel", "Dialogs", "picker: cancel"),
    Key("up", "move('cursor_up')", "picker", "up", "Dialogs", "picker: move"),
    Key("down", "move('cursor_down')", "picker", "down", "Dialogs", "picker: move"),
    Key("pageup", "move('page_up')", "picker", "page up", "Dialogs", "picker: move"),
    Key("pagedown", "move('page_down')", "picker", "page down", "Dialogs", "picker: move"),
    Key("ctrl+home", "move('first')", "picker", "first", "Dialogs", "picker: move"),
    Key("ctrl+end", "move('last')", "picker", "last", "Dialogs", "picker: move"),
    Key("ctrl+s", "save", "attributes", "save", "Dialogs", "attributes: save", priority=True,
        footer=True),
    Key("escape", "cancel", "attributes", "cancel", "Dialogs", "attributes: cancel"),
    Key("escape", "cancel", "link type", "cancel", "Dialogs", "link type: cancel"),
    Key("escape,q", "close", "dashboard", "close", "Dialogs", "dashboard: close", footer=True),
    Key("r", "refresh", "dashboard", "recompute", "Dialogs", "dashboard: recompute now",
        footer=True),
    Key("enter", None, "dashboard", "open", "Dialogs",
        "dashboard: open the document under the cursor"),
    Key("escape,q,equals_sign", "close", "figures", "close", "Dialogs", "figures: close"),
    Key("enter", None, "figures", "link", "Dialogs",
        "figures: link the candidate under the cursor (↑↓ choose)"),
    _rev("ctrl+n", "disagreement(1)", "next disagreement", "next / previous disagreement"),
    _rev("ctrl+p", "disagreement(-1)", "previous disagreement", "next / previous disagreement"),
    _rev("ctrl+l", "link_cluster(1)", "next link to decide",
         "next link to decide (y U I X then act on it)"),
    _rev("y", "accept_version", "accept a version",
         "accept an annotator's version: y, then the pane number"),
    _rev("Y", "accept_agreed", "accept all agreed", "accept every agreed span of the document"),
    _rev("U", "union", "accept the union", "accept the union / intersection of the versions"),
    _rev("I", "intersection", "accept the intersection",
         "accept the union / intersection of the versions"),
    _rev("X", "reject", "reject", "reject: nothing of it goes into gold"),
    _rev("W", "reason", "reason code", "the reason code the next decision records"),
    Key("enter", None, "dialogs", "confirm", "Dialogs", "a dialog: choose, open, confirm"),
    Key("space", None, "dialogs", "activate / toggle", "Dialogs",
        "a dialog: tick a box, press a button"),
)  # fmt: skip
"""Every key, in the order the `?` screen lists them."""

HELP_GROUPS: tuple[str, ...] = ("Move", "Select", "Label", "Spans", "Links", "Suggestions",
                                "Panes", "Search", "History", "Document", "Review", "App",
                                "Dialogs")
"""The `?` screen's groups, in order; the first five make its left column."""

HELP_NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "Label": (("label key", "label the selection, or the word under the cursor"),),
    "Links": (("L", "again on the target span (any pane), then its type key"),
              ("L … L", "on two linked spans: pick the type again to remove it")),
    "Panes": ((STATUS_LEGEND, "in a pane's title: todo / in progress / done"),),
}
"""Rows of the `?` screen that are not a binding: (keys as shown, what they do), after the
group's keys."""

_ANNOTATION: tuple[Where, ...] = ("document", "screen", "dialogs", "review")
_NAMED_RESERVED = ("tab", "shift+tab", "escape", "enter", "space", "delete", "ctrl+w", "ctrl+r")

_CHARACTERS = {
    "left_curly_bracket": "{", "right_curly_bracket": "}", "left_square_bracket": "[",
    "right_square_bracket": "]", "less_than_sign": "<", "greater_than_sign": ">",
    "question_mark": "?", "slash": "/", "comma": ",", "full_stop": ".", "equals_sign": "=",
    "exclamation_mark": "!", "left_parenthesis": "(", "right_parenthesis": ")", "semicolon": ";",
    "apostrophe": "'", "asterisk": "*",
}  # fmt: skip

COUNTED = ("move", "line", "word", "paragraph", "page", "span", "search_next", "extend",
           "sentence", "clause")
"""The actions a count (`z` then digits) repeats: the motions."""


def shown(key: str) -> str:
    """A Textual key name as typed: "}" for right_curly_bracket, "ctrl+w" as it is."""
    return _CHARACTERS.get(key, key)


def entries(where: Where) -> tuple[Key, ...]:
    return tuple(k for k in KEYMAP if k.where == where)


def reserved_keys() -> dict[str, str]:
    """The keys of the annotation screen a label or link key could shadow, and what each does:
    single characters, and the named keys docs/labels.md lists."""
    reserved: dict[str, str] = {}
    for entry in KEYMAP:
        if entry.where not in _ANNOTATION:
            continue
        for name in entry.key_names:
            typed = shown(name)
            if len(typed) == 1 or typed in _NAMED_RESERVED:
                reserved.setdefault(typed, entry.name)
    return reserved


def counted_motion(key: str) -> str | None:
    """The document action of `key` when it is a motion a count repeats ("word(1)" for w)."""
    for entry in entries("document"):
        if key in entry.key_names and entry.action and entry.action.split("(")[0] in COUNTED:
            return entry.action
    return None
