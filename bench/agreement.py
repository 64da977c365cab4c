"""Agreement: not measured until `annotator agreement` exists (issue #4 says skip it)."""

from __future__ import annotations

from typing import Any


def run(cfg: Any) -> list[Any]:
    from importlib.util import find_spec

    from bench.report import na_figure

    if find_spec("annotator.agreement") is None:
        return [na_figure("agreement", "n/a — not built")]
    return [na_figure("agreement", "n/a — `annotator agreement` exists, but issue #4 sets no"
                      " figure for it yet")]
