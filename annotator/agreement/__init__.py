"""Inter-annotator agreement (docs/agreement.md): span P/R/F1 (exact and overlap), token κ and α,
attribute and link agreement, per pair, label and document and pooled over the corpus.

`compute_agreement(store)` makes one streaming pass over the store and returns an
`AgreementReport` (`.to_json()` is `annotator agreement --format json`); `report.py` draws
it as a table or CSV. Nothing here imports Textual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from annotator.agreement.bootstrap import RESAMPLES, SEED
from annotator.agreement.figures import AgreementReport

if TYPE_CHECKING:
    from annotator.store import Store

__all__ = ["AgreementReport", "compute_agreement"]


def compute_agreement(store: Store, status: str = "done", label: str | None = None, *,
                      resamples: int = RESAMPLES, seed: int = SEED,
                      without_suggested: bool = False) -> AgreementReport:
    """Agreement over every document where at least two annotators have a set with `status`
    ("done", or "any"); `label`: only spans (and links touching spans) of that label;
    `without_suggested`: only the spans annotators made, not those accepted from
    suggestions (origin "suggested")."""
    from annotator.agreement.compute import STATUSES, Corpus
    from annotator.agreement.links import LinkTally
    from annotator.agreement.sets import Schemas
    from annotator.store.agreement_reads import agreement_reader

    with agreement_reader(store, STATUSES[status],
                          without_suggested=without_suggested) as reader, no_collections():
        schemas = Schemas(reader)
        corpus = Corpus(schemas, label)
        for batch in reader.batches(min_sets=2):
            corpus.add_batch(batch)
        links = LinkTally(schemas.symmetric_links())
        links.add_all(reader.links(), corpus.members, label)
        return corpus.report(status, label, links, resamples, seed)


@contextmanager
def no_collections() -> Iterator[None]:
    """The cyclic garbage collector paused: the pass makes about two objects per span read
    (row tuples) and no reference cycles, so the collections it triggered (full ones
    included, walking every document's record) found nothing and cost 5-10% of its time.
    Only on the main thread (the command): the TUI's dashboard computes agreement in a
    worker while the app manages the collector itself (tui/long_lived.py)."""
    enabled = gc.isenabled() and threading.current_thread() is threading.main_thread()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
