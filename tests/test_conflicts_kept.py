"""The set the conflict watch keeps in step with committed changes (conflicts/kept_set.py):
after any sequence of labels, relabels, moves, deletions, links, speakers, undos and redos,
the clusters it builds without reading the set are the clusters a full read gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.conflicts.live import ConflictWatch
from annotator.labels import load_default_schema
from annotator.store import Store, StoreError
from tests.conflicts_support import WHO, annotated_store

DOCS = ["meridian-wire", "national-courier", "citizens-ledger"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kept") / "template.db"
    annotated_store(path).close()
    return path


op = st.tuples(st.sampled_from(["number", "claim", "person", "delete", "relabel", "move",
                                "value", "link", "unlink", "speaker", "undo", "redo"]),
               st.integers(0, 10_000), st.integers(0, 10_000))


def _do(store: Store, kind: str, a: int, b: int):
    spans = sorted((s for d in DOCS for s in store.spans(d, WHO)), key=lambda s: s.id)
    pick = spans[a % len(spans)] if spans else None
    other = spans[b % len(spans)] if spans else None
    doc = DOCS[a % len(DOCS)]
    text = store.get_document(doc).text
    start = (a * 7919) % max(1, len(text) - 60)
    if kind in ("number", "claim", "person"):
        label = {"number": "NUMBER", "claim": "CLAIM", "person": "PERSON"}[kind]
        length = 5 + b % (50 if kind == "claim" else 12)
        attrs = {"value": b % 50, "qualifier": "exact", "unit": "soldier"} if kind == "number" \
            else None
        return store.add_span(WHO, doc, start, start + length, label, attrs)
    if pick is None:
        return None
    if kind == "delete":
        return store.delete_span(WHO, pick.id)
    if kind == "relabel":
        return store.update_span(WHO, pick.id, label=["NUMBER", "CLAIM", "ORG"][b % 3])
    if kind == "move":
        return store.update_span(WHO, pick.id, start=max(0, pick.start - b % 30))
    if kind == "value":
        return store.update_span(WHO, pick.id, attrs={**pick.attrs, "value": b % 40})
    if kind == "link":
        return store.add_link(WHO, ["SAME_CLAIM", "CONTRADICTS"][b % 2], pick.id, other.id)
    if kind == "unlink":
        links = store.links(WHO)
        return store.delete_link(WHO, links[b % len(links)].id) if links else None
    if kind == "speaker" and pick.label == "CLAIM":
        return store.update_span(WHO, pick.id, attrs={**pick.attrs, "speaker": other.id})
    if kind == "undo":
        return store.undo(WHO)
    if kind == "redo":
        return store.redo(WHO)
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=14))
def test_clusters_from_the_kept_set_equal_a_full_read(template, tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("run") / "a.db"
    shutil.copy(template, path)
    with Store(path) as store:
        watch = ConflictWatch(store, WHO, load_default_schema())
        watch.install(watch.compute(), watch.version)  # the full read the set is kept from
        for kind, a, b in ops:
            try:
                result = _do(store, kind, a, b)
            except (StoreError, ValueError, LookupError):
                continue  # refused (a link type the labels do not allow, nothing to undo...)
            before = watch.latest
            moved = result is not None and watch.changed(result.changes)
            full = ConflictWatch(store, WHO, load_default_schema()).compute()
            if not moved:  # left out as one that cannot move them: they did not move
                assert full.clusters == before
                continue
            kept = watch.compute(plan=watch.plan())
            assert kept.kept is None  # built from the kept set, not read
            assert kept.clusters == full.clusters
            assert watch.install(kept, watch.version)


def test_the_kept_set_ignores_another_sets_rows(template, tmp_path):
    path = tmp_path / "a.db"
    shutil.copy(template, path)
    with Store(path) as store:
        watch = ConflictWatch(store, WHO, load_default_schema())
        before = watch.clusters
        text = store.get_document("meridian-wire").text
        start = text.find("about 1,500 soldiers")
        result = store.add_span("bob", "meridian-wire", start, start + 20, "NUMBER",
                                {"value": 1500, "qualifier": "approximate", "unit": "soldier"})
        watch.changed(result.changes)
        assert watch.compute(plan=watch.plan()).clusters == before


def test_the_status_note_counts_pairs_in_words(template, tmp_path):
    path = tmp_path / "a.db"
    shutil.copy(template, path)
    with Store(path) as store:
        watch = ConflictWatch(store, WHO, load_default_schema())
        [general] = [s for s in store.spans("meridian-wire", WHO)
                     if store.get_document("meridian-wire").text[s.start:s.end]
                     == "one general and 38 staff"]
        watch.changed(store.delete_span(WHO, general.id).changes)  # 35 vs 38 officers: 1 pair
        notes = {}
        for cluster in watch.clusters:
            if cluster.in_conflict:
                claim = cluster.claims[0].span
                notes[len(cluster.conflicts)] = watch.note(claim)
        assert notes[1] == "in a cluster whose figures conflict (1 pair; = shows)"
        assert notes[3] == "in a cluster whose figures conflict (3 pairs; = shows)"


def test_a_second_figure_leaving_a_claim_joins_the_claim_to_the_first(template, tmp_path):
    """A claim with two figures is not joined to either; when one goes, the claim joins the
    one left, which is in a cluster: that cluster moves although the figure that went was
    in none (the claim around a cluster's figure is a range changes must stay clear of)."""
    path = tmp_path / "a.db"
    shutil.copy(template, path)
    with Store(path) as store:
        text = store.get_document("sokai-explainer").text
        claim = "a market town of about 11,000 people roughly 12 km downstream"

        def span(needle: str, label: str, attrs: dict | None = None) -> str:
            start = text.index(needle)
            result = store.add_span(WHO, "sokai-explainer", start, start + len(needle), label,
                                    attrs)
            return result.changes[0].new.id  # type: ignore[union-attr]

        span(claim, "CLAIM")
        people = span("about 11,000 people", "NUMBER",
                      {"value": 11000, "qualifier": "approximate", "unit": "person"})
        km = span("12 km", "NUMBER", {"value": 12, "qualifier": "exact", "unit": "km"})
        other = store.get_document("quellby-notes").text
        start = other.index("over 2,000")
        elsewhere = store.add_span(WHO, "quellby-notes", start, start + 10, "NUMBER",
                                   {"value": 2000, "qualifier": "at least", "unit": "person"})
        store.add_link(WHO, "CONTRADICTS", people, elsewhere.changes[0].new.id)  # type: ignore[union-attr]
        watch = ConflictWatch(store, WHO, load_default_schema())
        [cluster] = [c for c in watch.clusters if people in c.span_ids]
        assert not [r for r in cluster.claims if r.written == claim]  # two figures: apart
        assert watch.changed(store.delete_span(WHO, km).changes)
        [cluster] = [c for c in watch.clusters if people in c.span_ids]
        assert [r.written for r in cluster.claims] == [claim]  # one figure: joined
