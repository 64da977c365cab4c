"""The Textual application: built by make_app() for the CLI and the tests alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from textual import events
from textual.actions import ActionParseResult
from textual.app import App
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.screen import ModalScreen, Screen
from textual.widgets import Select

from annotator import units
from annotator.labels import load_default_schema, load_schema, parse_schema
from annotator.model import Kind, LabelSchema
from annotator.session import Session
from annotator.store import Store
from annotator.tui.plain import Placeholders
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.textual_compat import character_to_key, top_screen


class AnnotatorApp(App[None]):
    """Annotate documents side by side."""

    TITLE = "annotator"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: Session, doc_ids: list[str], dashboard: bool = False) -> None:
        super().__init__()
        self.session = session
        self.doc_ids = doc_ids
        self.dashboard = dashboard  # open on the lead dashboard (`annotator dashboard`)
        if session.store.read_only:
            self.title = f"{self.TITLE} (read-only)"

    def first_screen(self) -> AnnotateScreen:
        return AnnotateScreen(self.session, self.doc_ids)

    def on_mount(self) -> None:
        screen = self.first_screen()
        self.push_screen(screen)
        if self.dashboard:
            self.call_after_refresh(screen.action_dashboard)
        if any(lab.kind == Kind.NUMBER for lab in self.session.schema.labels):
            # the unit dictionary takes ~0.4 s to load: after the first frame, not on the
            # first NUMBER key press
            self.call_after_refresh(self.run_worker, units.preload, thread=True,
                                    name="preload units", group="preload")

    async def run_action(self, action: str | ActionParseResult,
                         default_namespace: DOMNode | None = None,
                         namespaces: Mapping[str, DOMNode] | None = None) -> bool:
        """Every key's action, with a database error refused on the annotation screen's status
        bar (AnnotateScreen.database_guard) instead of ending the app."""
        screen = next((s for s in reversed(self.screen_stack) if isinstance(s, AnnotateScreen)),
                      None)
        if screen is None:
            return await super().run_action(action, default_namespace, namespaces)
        with screen.database_guard():
            return await super().run_action(action, default_namespace, namespaces)
        return True  # refused: the key was handled

    def get_line_filters(self) -> Sequence[LineFilter]:
        # the last guard: no line reaches the terminal with a raw control (see tui.plain)
        return [*super().get_line_filters(), _PLACEHOLDERS]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and (split := escape_then_key(event)) is not None:
            for key in split:
                await self.on_event(key)
            return
        # The one place keys are taken strictly in arrival order (see AnnotateScreen.capture_key)
        screen = top_screen(self)
        if isinstance(event, events.Key) and escape_closes(screen, event):
            return
        if (isinstance(event, events.Key) and isinstance(screen, AnnotateScreen)
                and screen.capture_key(event)):
            return
        await super().on_event(event)


_PLACEHOLDERS = Placeholders()


def escape_closes(screen: Screen[object] | None, event: events.Key) -> bool:
    """Escape on a dialog (attribute form, link chooser, picker, help) closes it here, as the
    app reads the key. Handed to the dialog's focused widget it would be handled later, through
    that widget's queue, and the keys after it in the same read (a slow link, `Escape w 2`) went
    to the closing dialog and were lost. Every dialog cancels on escape, so closing it at once
    loses nothing; an open drop-down of the attribute form takes its escape itself."""
    if event.key != "escape" or not isinstance(screen, ModalScreen):
        return False
    if any(select.expanded for select in screen.query(Select)):
        return False
    screen.dismiss(None)
    return True


def escape_then_key(event: events.Key) -> tuple[events.Key, events.Key] | None:
    """A terminal sends Escape as ESC and Alt+j as ESC j: when Escape and the next key arrive
    in one read (a slow link, a quick typist) the parser reports alt+j, and both keys were
    lost. No binding of ours uses alt with a printable key, so take it as the two keys."""
    char = event.character
    if not event.key.startswith("alt+") or not char or len(char) != 1 or not char.isprintable():
        return None
    name = char if char.isalnum() else character_to_key(char)
    return events.Key("escape", "\x1b"), events.Key(KEY_NAME_REPLACEMENTS.get(name, name), char)


def resolve_schema(store: Store, labels_path: str | Path | None,
                   doc_ids: list[str] | None = None) -> LabelSchema:
    """--labels F, else the schema the documents were imported with, else the default."""
    if labels_path:
        return load_schema(labels_path)
    candidates = list(doc_ids or []) + store.document_ids()[:1]
    for doc_id in candidates:
        ref = store.document_schema_ref(doc_id)
        source = store.schema_source(ref) if ref else None
        if source:
            return parse_schema(source, f"<schema {ref} in {store.path}>")
    return load_default_schema()


def make_app(store: Store, annotator: str, schema: LabelSchema,
             doc_ids: list[str] | None = None, dashboard: bool = False,
             actor: str | None = None) -> AnnotatorApp:
    """actor: who is acting, when not `annotator` (a lead working in bob's set)."""
    session = Session(store, annotator, schema, actor=actor)
    return AnnotatorApp(session, list(doc_ids or []), dashboard)


def run_tui(db_path: str, annotator: str, labels_path: str | None = None,
            doc_ids: list[str] | None = None, dashboard: bool = False,
            actor: str | None = None) -> int:
    """Run the app as `annotator` (whose set it changes) for `actor` (who acts; None: the
    annotator); its exit status: 0, or 1 after a crash (Textual has printed the traceback)."""
    with Store.for_session(db_path, actor) as store:
        schema = resolve_schema(store, labels_path, doc_ids)
        app = make_app(store, annotator, schema, doc_ids, dashboard, actor)
        app.run()
        return app.return_code or 0
