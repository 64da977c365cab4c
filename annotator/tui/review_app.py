"""`annotator review`: the review screen as an app of its own, over one document or a queue."""

from __future__ import annotations

import sys

from annotator.model import LabelSchema
from annotator.session import Session
from annotator.store import Store
from annotator.tui.app import AnnotatorApp, resolve_schema
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.review import ReviewScreen


class ReviewApp(AnnotatorApp):
    """The review of doc_ids[0]; D goes on to the next of doc_ids (the queue)."""

    def __init__(self, store: Store, actor: str, schema: LabelSchema,
                 doc_ids: list[str]) -> None:
        super().__init__(Session(store, actor, schema), doc_ids)
        self.actor = actor

    def first_screen(self) -> AnnotateScreen:
        store, schema = self.session.store, self.session.schema
        return ReviewScreen(store, self.actor, schema, self.doc_ids[0], self.doc_ids[1:])


def make_review_app(store: Store, actor: str, doc_ids: list[str],
                    schema: LabelSchema | None = None) -> ReviewApp:
    return ReviewApp(store, actor, schema or resolve_schema(store, None, doc_ids), doc_ids)


def run_review(db: str, actor: str, doc_ids: list[str]) -> int:
    """Review doc_ids in turn; none: the queue, worst agreement first. The exit status: 0, or
    1 after a crash (Textual has printed the traceback)."""
    from annotator.review.queue import worst_first

    with Store(db, read_only_ok=True) as store:
        ids = list(doc_ids) or [row.doc_id for row in worst_first(store)]
        if not ids:
            print("nothing to review: every document with two or more annotators' versions"
                  " is adjudicated", file=sys.stderr)
            return 0
        app = make_review_app(store, actor, ids)
        app.run()
        return app.return_code or 0
