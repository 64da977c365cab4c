"""A conflict annotated in the sample corpus (data/): alice's claims and figures about the
evacuation, the command team, the troops and the villages, linked across the outlets. Writes
docs/examples/tervane-conflicts.jsonl (`python -m tests.conflicts_support`), the fixture the
README's tour imports."""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.numbers import parse_number
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "docs" / "examples" / "tervane-conflicts.jsonl"
WHO = "alice"

# (document, claim text, figure text inside it, speaker text or None)
CLAIMS = {
    "evacuated": [
        ("meridian-wire", "About 7,000 residents were evacuated", "About 7,000 residents",
         "officials"),
        ("national-courier", "some 6,800 residents of the Lusk valley were moved to safety",
         "some 6,800 residents", None),
        ("citizens-ledger", "more than 9,000 people were fleeing their homes",
         "more than 9,000 people", None),
    ],
    "command": [
        ("meridian-wire", "under a command team of one general and 38 staff",
         "one general and 38 staff", "The defence ministry"),
        ("national-courier", "supported by thirty-eight officers", "thirty-eight officers", None),
        ("citizens-ledger", "consisted of 35 officers", "35 officers",
         "a defence ministry source"),
    ],
    "troops": [
        ("meridian-wire", "about 1,500 soldiers were being sent to the valley",
         "about 1,500 soldiers", "The defence ministry"),
        ("national-courier", "a 2,000-strong force of the Orvenian Army began arriving",
         "a 2,000-strong force", None),
        ("citizens-ledger", "counted barely 400 soldiers on the ground", "barely 400 soldiers",
         "Our reporters"),
    ],
    "villages": [
        ("meridian-wire", "Flood warnings were in force on Tuesday for 212 villages",
         "212 villages", None),
        ("national-courier", "Flood warnings now protect nearly 300 villages",
         "nearly 300 villages", None),
    ],
}


def _span(store: Store, doc_id: str, needle: str, label: str, attrs: dict | None = None,
          within: tuple[int, int] | None = None) -> tuple[str, int, int]:
    doc = store.get_document(doc_id)
    assert doc is not None, doc_id
    start = doc.text.find(needle, *(within or (0,)))
    assert start >= 0, (doc_id, needle)
    result = store.add_span(WHO, doc_id, start, start + len(needle), label, attrs)
    return result.changes[0].new.id, start, start + len(needle)  # type: ignore[union-attr]


def annotate(store: Store) -> None:
    """alice's spans and links on the data/ documents (imported already)."""
    for rows in CLAIMS.values():
        claims = []
        for doc_id, claim, figure, speaker in rows:
            attrs = {}
            if speaker is not None:
                attrs["speaker"] = _span(store, doc_id, speaker, "ORG")[0]
            claim_id, start, end = _span(store, doc_id, claim, "CLAIM", attrs)
            _span(store, doc_id, figure, "NUMBER", parse_number(figure).as_attrs(), (start, end))
            claims.append(claim_id)
        for other in claims[1:]:
            store.add_link(WHO, "SAME_CLAIM", claims[0], other)


def annotated_store(path: Path) -> Store:
    """A new store at `path` with data/ imported and alice's annotations on it."""
    from annotator.ingest import import_paths
    from annotator.labels import load_default_schema

    store = Store(path)
    import_paths(store, [ROOT / "data"], load_default_schema(), "importer")
    annotate(store)
    return store


def write_fixture(path: Path = FIXTURE) -> None:
    import tempfile

    from annotator.export import export

    with tempfile.TemporaryDirectory() as tmp, annotated_store(Path(tmp) / "a.db") as store, \
            path.open("w", encoding="utf-8", newline="\n") as out:
        export(store, "jsonl", out, WHO)


if __name__ == "__main__":
    write_fixture()
    sys.exit(0)
