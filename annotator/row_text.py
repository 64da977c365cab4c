"""What one row of a short list says first: the part that tells rows apart (Textual-free).

Five NUMBER spans cut at the panel's edge used to read the same ("NUMBER about 7,00…"); a
row now leads with what varies (a number's value and unit: "7000 residents"), and a document's
header with where it comes from (its JSONL `meta`: outlet, date, URL) rather than a first line
like "MAY 2021". Callers sanitise what they draw (text_layout.one_line)."""

from __future__ import annotations

from typing import Any

OUTLET_KEYS = ("outlet", "source_name", "publisher", "site", "source")
DATE_KEYS = ("date", "published", "published_at", "pub_date", "datetime")
URL_KEYS = ("url", "link", "href")


def number_lead(attrs: dict[str, Any]) -> str:
    """"7000 residents", "≈7000", "≥12 helicopters": a NUMBER span's value (with its
    qualifier as a sign) and unit; "" when it has no value."""
    value = attrs.get("value")
    if value is None or value == "":
        return ""
    signs = {"approximate": "≈", "at least": "≥", "at most": "≤"}
    sign = signs.get(str(attrs.get("qualifier")), "")
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    unit = attrs.get("unit")
    return f"{sign}{shown}" + (f" {unit}" if unit else "")


def _first(meta: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return str(value).strip()
    return ""


def source_header(meta: dict[str, Any], title: str) -> str:
    """"Meridian Wire · 2026-03-11 · https://…" from a document's meta; its title when the meta
    names neither outlet, date nor URL (a file path in `source` is not an outlet)."""
    outlet = _first(meta, OUTLET_KEYS)
    if "/" in outlet or outlet.endswith((".txt", ".md", ".jsonl", ".json")):
        outlet = ""  # `annotator import notes.txt` records the path as the source
    parts = [p for p in (outlet, _first(meta, DATE_KEYS), _first(meta, URL_KEYS)) if p]
    return " · ".join(parts) if parts else title
