"""A synthetic, deterministic news corpus for the benchmarks: text, spans and JSONL files.

The prose is invented (word lists below, not copied from anywhere) and built to stress what real
reporting stresses: curly quotes, numbers written every way ("a 2,000-strong force", "about
7,000", "thirty-eight"), non-ASCII names (Zoë, Łukasz, Nguyễn, İlkay), CJK and emoji, reader
comments, paragraphs of every length including some very long single lines. Spans cover every
label of the default schema, with CLAIM spans that contain NUMBER spans and a few that cross.
The same seed always gives the same text and spans.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

PERSONS = (
    "Zoë Hartmann", "Łukasz Wróbel", "Nguyễn Thị Lan", "José Núñez", "Halina Marović",
    "Søren Aaberg", "İlkay Ağaoğlu", "Rafaela Quint", "Đặng Văn Minh", "Aoife Ní Bhriain",
    "Kwame Mensah", "Ingrid Solberg", "Tomás Ó Ceallaigh", "Chloé Lefèvre", "Björn Ekström",
    "Priya Raghunathan", "Mateusz Kowalczyk", "Ana-Maria Popescu", "Dmitri Volkov",
    "Yusuf Demirci", "Saoirse Walsh", "Lucía Fernández", "Olamide Adeyemi", "Jiří Novák",
    "the defence minister", "the provincial governor", "a ministry spokeswoman",
)  # fmt: skip
ORGS = (
    "東洋放送", "the Civil Protection Agency", "the Lusk Hydro Authority", "Meridian Wire",
    "the Orvenian Army", "the Ministry of Defence", "the Red Crescent", "Carrow Council",
    "the National Courier", "the Easterfell Water Board", "Radio Lusk", "the UN refugee agency",
    "Nordvik Engineering", "the Citizens’ Ledger", "the 3rd Engineer Brigade", "Ålesund Shipping",
)  # fmt: skip
PLACES = (
    "Quellby", "Łódź", "Carrowmere", "Narrowsend", "Mirewold", "Upper Tollin", "Stellmarch",
    "Easterfell", "the Lusk valley", "Tervane", "Hà Giang", "Århus", "Göteborg", "Kraków",
    "the eastern spillway", "Søndervig", "İzmir", "Zürich", "the northern border", "Köln",
)  # fmt: skip
DATES = (
    "Monday", "Tuesday", "Wednesday evening", "last week", "since March", "on 11 March 2026",
    "at around 01:00 local time", "early on Tuesday", "in 2024", "by the end of the month",
    "two days later", "overnight", "on Sunday night", "within 18 months", "in late February",
)  # fmt: skip
EQUIPMENT = (
    "Leopard 2A7 tanks", "CH-47 Chinook helicopters", "Bv206 tracked carriers", "the MV Solvang",
    "pontoon bridges", "M3 amphibious rigs", "water-purification units", "a C-130 Hercules",
    "high-volume pumps", "Boxer armoured ambulances",
)  # fmt: skip
EVENTS = (
    "Operation Dry Harbour", "the Tervane Dam breach", "the Stellmarch summit",
    "the 2025 flood inquiry", "the evacuation of Quellby", "the provincial election",
    "the spillway collapse", "the emergency session of parliament", "the relief convoy",
)  # fmt: skip
NUMBERS = (
    "a 2,000-strong force", "about 7,000 residents", "nearly 300 villages", "38 staff",
    "thirty-eight officers", "1,960 people", "more than 9,000 people", "some 6,800 residents",
    "€3.2m", "94%", "140 mm of rain", "at least 12 helicopters", "1.5 million euros",
    "one general and 38 staff", "35 officers", "hundreds of soldiers", "64-metre",
    "fewer than 400 soldiers", "212 villages", "two dozen trucks", "3,000 tonnes of sandbags",
)  # fmt: skip
VERBS = ("said", "told reporters", "insisted", "claimed", "denied", "warned", "confirmed",
         "wrote", "told Radio Lusk", "said in a statement")  # fmt: skip
CLAIMS = (
    "No troops will be deployed", "Troops will be deployed as soon as possible",
    "The main wall is stable and under constant observation",
    "We moved {n} to safety within hours", "There was never {n} on the ground",
    "The inspection report gave the dam a clean bill of health",
    "Repairs were postponed twice because the budget could not accommodate them",
    "Our teams reached {n} before midnight", "Nobody told us to leave until {d}",
    "{n} are still waiting for drinking water", "The army sent {n}, not a single platoon more",
)  # fmt: skip
FILLER = (
    "Officials in {l} declined to comment further.",
    "Residents of {l} described scenes of confusion {d}.",
    "{o} said {n} had been moved to higher ground {d}.",
    "{p}, who has led {o} since 2019, arrived in {l} {d}.",
    "According to {o}, {n} were affected across {l}.",
    "{e} was expected to last until the weekend, {p} said.",
    "{o} deployed {q} and {n} to {l} as part of {e}.",
    "The figures could not be independently verified; {o} put the number at {n}.",
    "Satellite images published by {o} showed {l} under water {d}.",
    "In {l}, volunteers filled sandbags beside {q} while {p} spoke to the crowd.",
    "A spokesperson for {o} said the cost had risen to {n} {d}.",
    "{p} compared the response with {e}, calling it “slower and smaller”.",
)  # fmt: skip
CJK = (
    "東洋放送によると、{l}では約3,000人が避難した。",
    "{p}氏は「状況は安定している」と述べた。",
    "現地時間の午前1時ごろ、ダムの一部が決壊した。",
    "国防省は2,000人規模の部隊を派遣すると発表した。",
)  # fmt: skip
COMMENTS = (
    "Not again 🙄 they said the same thing in 2024", "Stay safe everyone in {l} 👍",
    "So which is it, {n} or nobody? 🤔", "My cousin in {l} says the sirens never went off 😡",
    "Thank you to the volunteers 🙏🏽 you are heroes", "38 or 35? Somebody is lying 🙄🙄",
    "Praying for {l} ❤️", "The Courier is a government mouthpiece 👎 read the Ledger",
)  # fmt: skip
HANDLES = ("kasia_w", "zoë.h", "łukasz84", "nguyen_lan", "tollin_mum", "ex_sapper", "anon")


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        p=rng.choice(PERSONS), o=rng.choice(ORGS), l=rng.choice(PLACES), d=rng.choice(DATES),
        n=rng.choice(NUMBERS), q=rng.choice(EQUIPMENT), e=rng.choice(EVENTS),
    )


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.30:  # a quoted claim with its speaker
        claim = _fill(rng, rng.choice(CLAIMS))
        speaker, verb = rng.choice(PERSONS + ORGS), rng.choice(VERBS)
        if rng.random() < 0.5:
            return f"“{_cap(claim)},” {speaker} {verb}."
        return f"{_cap(speaker)} {verb}: “{_cap(claim)}.”"
    if roll < 0.33:
        return _fill(rng, rng.choice(CJK))
    s = _cap(_fill(rng, rng.choice(FILLER)))
    if rng.random() < 0.04:  # decomposed accents: combining marks the view must keep aligned
        s = s.replace("é", "e\u0301").replace("ö", "o\u0308")
    return s


def _paragraph(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.06:
        return f"{_cap(_fill(rng, rng.choice(FILLER)))[:-1].upper()}"  # a headline
    if roll < 0.10:
        return f"By {rng.choice(PERSONS[:24])} in {rng.choice(PLACES)} | {rng.choice(DATES)}"
    if roll < 0.18:
        handle = rng.choice(HANDLES)
        return f"Reader comment (@{handle}): {_fill(rng, rng.choice(COMMENTS))}"
    if roll < 0.20:  # a very long line: 40-120 sentences without a newline
        return " ".join(_sentence(rng) for _ in range(rng.randint(40, 120)))
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 7)))


def make_text(n_bytes: int, seed: int = 0) -> str:
    """About n_bytes (UTF-8) of news-like paragraphs separated by blank lines (never less)."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < n_bytes:
        para = _paragraph(rng)
        parts.append(para)
        size += len(para.encode("utf-8")) + 2
    return "\n\n".join(parts) + "\n"


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


_ENTITY_RES = {
    "PERSON": _alternation(PERSONS), "ORG": _alternation(ORGS), "LOC": _alternation(PLACES),
    "DATE": _alternation(DATES), "EQUIPMENT": _alternation(EQUIPMENT),
    "EVENT": _alternation(EVENTS), "NUMBER": _alternation(NUMBERS),
}  # fmt: skip
_CLAIM_RE = re.compile(r"“([^“”\n]{8,400})”")
_WORD_RE = re.compile(r"\w+")
MIX = {"PERSON": 0.18, "ORG": 0.13, "LOC": 0.14, "DATE": 0.09, "NUMBER": 0.20, "CLAIM": 0.12,
       "EQUIPMENT": 0.06, "EVENT": 0.08}  # fmt: skip
STANCES = ("asserts", "denies", "questions", "reports")
CERTAINTY = ("certain", "probable", "possible", "doubtful")


@lru_cache(maxsize=256)
def _number_attrs(text: str) -> dict[str, Any]:
    from annotator.numbers import parse_number

    return parse_number(text).as_attrs()


def _span_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def make_spans(text: str, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """About n spans over text, in our JSONL span shape ({id, start, end, text, label, attrs}),
    sorted by start: every label of the default schema, NUMBER attributes from numbers.py,
    CLAIM spans (quotes) that contain NUMBER spans, and some EVENT spans that cross a claim's
    edge. Fewer than n when the text has too few candidates."""
    rng = random.Random(seed)
    cands: dict[str, list[tuple[int, int]]] = {
        label: [m.span() for m in rx.finditer(text)] for label, rx in _ENTITY_RES.items()
    }
    cands["CLAIM"] = [m.span(1) for m in _CLAIM_RE.finditer(text)]
    chosen: dict[tuple[int, int, str], None] = {}
    numbers = cands["NUMBER"]
    for label, share in MIX.items():
        pool = cands[label]
        k = min(len(pool), round(n * share))
        for start, end in rng.sample(pool, k):
            chosen[(start, end, label)] = None
            if label == "CLAIM":
                # the numbers inside a claim are labelled too (nested CLAIM ⊃ NUMBER)
                i = _bisect(numbers, start)
                while i < len(numbers) and numbers[i][0] < end:
                    if numbers[i][1] <= end:
                        chosen[(numbers[i][0], numbers[i][1], "NUMBER")] = None
                    i += 1
                if rng.random() < 0.15:  # an EVENT that starts inside the claim, ends after it
                    words = [m for m in _WORD_RE.finditer(text, start, end)]
                    after = _WORD_RE.search(text, end + 1, end + 80)
                    if len(words) > 2 and after is not None:
                        mid = words[len(words) // 2].start()
                        chosen[(mid, after.end(), "EVENT")] = None
    spans = []
    keys = sorted(chosen)
    if len(keys) > n:
        keys = sorted(rng.sample(keys, n))
    last_speaker: tuple[int, str] | None = None
    for start, end, label in keys:
        sid = _span_id(rng)
        attrs: dict[str, Any] = {}
        if label == "NUMBER":
            attrs = dict(_number_attrs(text[start:end]))
        elif label == "CLAIM":
            attrs = {"stance": rng.choice(STANCES), "certainty": rng.choice(CERTAINTY)}
            if last_speaker is not None and start - last_speaker[0] < 600:
                attrs["speaker"] = last_speaker[1]
        elif label in ("PERSON", "ORG"):
            last_speaker = (start, sid)
        spans.append({"id": sid, "start": start, "end": end, "text": text[start:end],
                      "label": label, "attrs": attrs})
    spans.sort(key=lambda s: (s["start"], s["end"], s["label"]))
    return spans


def _bisect(pairs: list[tuple[int, int]], start: int) -> int:
    lo, hi = 0, len(pairs)
    while lo < hi:
        mid = (lo + hi) // 2
        if pairs[mid][0] < start:
            lo = mid + 1
        else:
            hi = mid
    return lo


def make_links(spans: list[dict[str, Any]], doc_id: str, k: int, seed: int = 0
               ) -> list[dict[str, Any]]:
    """Up to k SAME_CLAIM / CONTRADICTS links between CLAIM spans of one document."""
    rng = random.Random(seed)
    claims = [s for s in spans if s["label"] == "CLAIM"]
    seen: set[tuple[str, str]] = set()
    links = []
    for _ in range(k):
        if len(claims) < 2:
            break
        a, b = rng.sample(claims, 2)
        if (a["id"], b["id"]) in seen or (b["id"], a["id"]) in seen:
            continue
        seen.add((a["id"], b["id"]))
        links.append({"id": _span_id(rng), "type": rng.choice(("SAME_CLAIM", "CONTRADICTS")),
                      "from": a["id"], "to": b["id"], "to_doc": doc_id})
    return links


def record(doc_id: str, text: str, spans: list[dict[str, Any]], annotator: str = "bench",
           status: str = "in_progress", links: list[dict[str, Any]] | None = None
           ) -> dict[str, Any]:
    """One line of our native JSONL (docs/jsonl.md)."""
    return {
        "id": doc_id, "text": text, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "annotator": annotator, "status": status, "spans": spans, "links": links or [],
        "meta": {"source": "bench", "schema": "news@2"},
    }


def records(n_docs: int | None, doc_bytes: int, spans_per_doc: int, seed: int = 0,
            annotators: tuple[str, ...] = ("alice",), links_per_doc: int = 2
            ) -> Iterator[dict[str, Any]]:
    """Lines of our JSONL, n_docs documents × annotators (endless when n_docs is None)."""
    statuses = ("done", "in_progress", "done", "todo")
    i = 0
    while n_docs is None or i < n_docs:
        text = make_text(doc_bytes, seed * 1_000_003 + i)
        doc_id = f"doc-{i:06d}"
        for j, who in enumerate(annotators):
            spans = make_spans(text, spans_per_doc, seed + i * 31 + j)
            links = make_links(spans, doc_id, links_per_doc, seed + i)
            yield record(doc_id, text, spans, who, statuses[(i + j) % len(statuses)], links)
        i += 1


def write_jsonl(path: str | Path, n_docs: int | None, doc_bytes: int = 20_000,
                spans_per_doc: int = 80, seed: int = 0, annotators: tuple[str, ...] = ("alice",),
                links_per_doc: int = 2, min_bytes: int = 0) -> dict[str, int]:
    """Write n_docs × annotators lines of our JSONL (or, with n_docs None, lines until the file
    has at least min_bytes); returns {bytes, lines, spans, links}."""
    stats = {"bytes": 0, "lines": 0, "spans": 0, "links": 0}
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for rec in records(n_docs, doc_bytes, spans_per_doc, seed, annotators, links_per_doc):
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            f.write(line)
            stats["bytes"] += len(line.encode("utf-8"))
            stats["lines"] += 1
            stats["spans"] += len(rec["spans"])
            stats["links"] += len(rec["links"])
            if n_docs is None and stats["bytes"] >= min_bytes:
                break
    return stats


def write_jsonl_bytes(path: str | Path, target_bytes: int, doc_bytes: int = 20_000,
                      spans_per_doc: int = 80, seed: int = 0) -> dict[str, int]:
    """Like write_jsonl, with as many documents as make at least target_bytes of JSONL."""
    return write_jsonl(path, None, doc_bytes, spans_per_doc, seed, min_bytes=target_bytes)
