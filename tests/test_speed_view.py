"""What the annotator sees (issue #14, point 5): a selection's extent in the status bar, span
rows that lead with what varies, both ends of a link, and a header from the source's meta."""

from __future__ import annotations

import pytest

from annotator.labels import load_default_schema
from annotator.model import Document
from annotator.row_text import number_lead, source_header
from tests.tui_support import add_span, app_for, find, screen, status, workers_done

FIGURES = ("Figures\n\nAbout 7,000 residents left. About 7,000 soldiers came. "
           "About 7,000 euros. At least 12 helicopters flew.\n")


@pytest.mark.documents({"figs": FIGURES})
async def test_span_rows_lead_with_the_value_and_unit_that_tell_them_apart(store):
    for needle in ("About 7,000 residents", "About 7,000 soldiers"):
        add_span(store, "figs", needle, "NUMBER", value=7000, unit=needle.split()[-1],
                 qualifier="approximate")
    add_span(store, "figs", "At least 12 helicopters", "NUMBER", value=12,
             unit="helicopter", qualifier="at least")
    app = app_for(store, "figs")
    async with app.run_test(size=(120, 40)) as pilot:
        await workers_done(pilot)  # the spans are read by a worker after the first frame
        rows = [screen(app).side.span_list.render_line(y).text for y in range(3)]
        assert [r.split("│")[0].split(None, 1)[1].strip() for r in rows] == [
            "≈7000 residents", "≈7000 soldiers", "≥12 helicopter"]


@pytest.mark.documents
async def test_the_links_box_shows_both_ends_and_the_direction(store):
    a = add_span(store, "alpha", "no troops will be deployed", "CLAIM")
    b = add_span(store, "beta", "troops will be deployed as soon as possible", "CLAIM")
    c = add_span(store, "alpha", "About 7,000", "NUMBER")
    d = add_span(store, "beta", "A 2,000-strong force", "NUMBER")
    store.add_link("alice", "SAME_CLAIM", a, b)
    store.add_link("alice", "SUPPORTS", c, d)
    app = app_for(store, "alpha", "beta")
    async with app.run_test(size=(160, 40)) as pilot:
        await workers_done(pilot)
        box = str(screen(app).side.link_box.render()).splitlines()
        assert len(box) == 4
        assert box[0].startswith("SAME_CLAIM no troops will be deplo")
        assert box[1].startswith(" ⇄ troops will be deployed")
        assert box[2].startswith("SUPPORTS About 7,000")
        assert box[3].startswith(" → A 2,000-strong force (Beta")


@pytest.mark.documents
async def test_status_bar_shows_a_selection_and_its_extent(store):
    app = app_for(store, "alpha")
    async with app.run_test(size=(160, 40)) as pilot:
        await find(pilot, "Halina")
        assert "selecting" not in status(app)
        await pilot.press("v")
        assert "selecting 1 word, 6 chars" in status(app)
        await pilot.press("w", "w")
        assert "selecting 3 words, 19 chars" in status(app)  # Halina Marović said
        await pilot.press("escape")
        assert "selecting" not in status(app)


def test_number_lead_and_source_header():
    assert number_lead({"value": 1.5, "unit": "million euros"}) == "1.5 million euros"
    assert number_lead({"unit": "staff"}) == ""
    meta = {"outlet": "Meridian Wire", "date": "2021-05-03", "url": "https://example.org/a"}
    assert source_header(meta, "MAY 2021") == "Meridian Wire · 2021-05-03 · https://example.org/a"
    assert source_header({"source": "/tmp/notes.txt"}, "Notes") == "Notes"
    assert source_header({}, "MAY 2021") == "MAY 2021"


async def test_the_pane_header_shows_the_source_meta_sanitised(store):
    schema = load_default_schema()
    meta = {"outlet": "Meridian\x1b[2J Wire", "date": "2021-05-03",
            "url": "https://example.org/[bold]x[/bold]"}
    with store.import_session("importer") as imp:
        imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
        imp.add_document(Document("wire", "MAY 2021\n\nText here.\n", "MAY 2021", meta=meta,
                                  schema=schema.ref))
    app = app_for(store, "wire")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        title = str(screen(app).active.title_bar.render())
        assert "MAY 2021" not in title
        assert "2021-05-03 · https://example.org/[bold]x[/bold]" in title
        assert "\x1b" not in title
        assert "Wire" in title
