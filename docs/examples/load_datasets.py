"""Load `annotator export -f jsonl` into a Hugging Face `datasets.Dataset` (3.x and 5.x).

`spans[].attrs` and `meta` hold values of any JSON type (a NUMBER's value 38 or 2.5, a unit,
a claim's speaker; whatever meta the documents were imported with). Arrow wants one type
per column, so this keeps both as JSON text: nothing is guessed, padded with nulls or turned
into a float, and `json.loads(row["meta"])` gives back exactly what the file holds.

The gold set's lines also carry the review's `provenance` and `reason` on each span and link,
and `rejected` (docs/jsonl.md); on every other line those columns are None.

    python docs/examples/load_datasets.py export.jsonl
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from datasets import Dataset, Features, Value

REVIEW = {"provenance": [Value("string")], "reason": Value("string")}  # gold lines only
SPAN = {"id": Value("string"), "start": Value("int64"), "end": Value("int64"),
        "start_utf16": Value("int64"), "end_utf16": Value("int64"), "text": Value("string"),
        "label": Value("string"), "attrs": Value("string"), **REVIEW}
LINK = {**{name: Value("string") for name in ("id", "type", "from", "to", "to_doc")}, **REVIEW}
REJECTED = {"entity": Value("string"), "key": Value("string"), "start": Value("int64"),
            "end": Value("int64"), **REVIEW}
FEATURES = Features({
    "id": Value("string"), "text": Value("string"), "sha256": Value("string"),
    "annotator": Value("string"), "status": Value("string"),
    "spans": [SPAN], "links": [LINK], "meta": Value("string"), "rejected": [REJECTED],
})


def records(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if "kind" in row or "annotator" not in row:
                continue  # a backup's (export --all) other lines, or a document nobody annotated
            for span in row["spans"]:
                span["attrs"] = json.dumps(span["attrs"], ensure_ascii=False)
            row["meta"] = json.dumps(row["meta"], ensure_ascii=False)
            yield row


def load(path: str, cache_dir: str | None = None) -> Dataset:
    return Dataset.from_generator(records, gen_kwargs={"path": path}, features=FEATURES,
                                  cache_dir=cache_dir)


if __name__ == "__main__":
    ds = load(sys.argv[1])
    print(ds)
    first = ds[0]
    print(first["id"], first["annotator"], [json.loads(s["attrs"]) for s in first["spans"]][:3])
