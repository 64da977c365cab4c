"""Keys per annotation task (issue #14): a scripted task on two synthetic news reports, done
today's way and with the speed keys, both driven through the real app with Pilot; the keys
each task takes and the CPU it costs, and a check that both ways leave the same database.

The tasks, in order, on a fresh database each way: an entity with all its occurrences (one
name, five mentions in two panes), numbers (three figures), a repeated figure (five mentions of
"38 staff"), a long claim (16 words), the claim's attributes (speaker, stance, certainty) and a
cross-pane link (SAME_CLAIM to the other report's claim). Moving to where a task is (a search)
is the same keys both ways and counted in both.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import make_text

NAME = "Halina Marović"
FIGURE = "38 staff"
CLAIM = ("the main wall is stable and under constant observation by engineers from the "
         "Easterfell Water Board")  # 16 words
OTHER_CLAIM = "the main wall is stable"
NEEDLES = ("Halina", "Marović", "38 staff", "main wall", "Water Board", "412", "7,000",
           "212 villages", "140 mm")
HALVED = ("repeated figure", "long claim", "claim attributes")  # issue #14: at most half


def _filler(seed: int, n_bytes: int = 1500) -> str:
    """Corpus paragraphs (bench/corpus.py) with none of the tasks' strings in them."""
    paras = [p for p in make_text(n_bytes * 3, seed).split("\n\n")
             if not any(n in p for n in NEEDLES) and "“" not in p and len(p) < 400]
    out, size = [], 0
    for p in paras:
        out.append(p.strip())
        size += len(p)
        if size >= n_bytes:
            break
    return "\n\n".join(out)


def documents() -> dict[str, str]:
    wire = "\n\n".join([
        "Meridian Wire",
        f"{NAME} arrived in Quellby on Monday. The plant kept {FIGURE} on site overnight.",
        _filler(1),
        f"Officials counted about 7,000 residents, 212 villages and 140 mm of rain. "
        f"{FIGURE} stayed behind in Mirewold.",
        f"{NAME} insisted that {CLAIM}, despite the cracks. Of the {FIGURE}, most were "
        f"engineers.",
        _filler(2),
        f"Radio Lusk said {FIGURE} were trapped; {NAME} did not comment.",
    ]) + "\n"
    courier = "\n\n".join([
        "National Courier",
        f"Deputy Łukasz Wróbel said {OTHER_CLAIM}, and {NAME} agreed.",
        _filler(3),
        f"Meridian Wire reported {FIGURE} at the dam. {NAME} left on Tuesday.",
    ]) + "\n"
    return {"meridian-wire": wire, "national-courier": courier}


@dataclass
class Task:
    """`goto` takes the cursor to where the task starts (a search, the same keys both ways:
    not counted, as the issue counts a claim "v + w×15 + label"); then the task's own keys,
    today's way and with the speed keys, in steps (the app settles between steps)."""

    name: str
    goto: list[str]
    today: list[list[str]]
    faster: list[list[str]]
    cpu: dict[str, float] = field(default_factory=dict)

    def keys(self, way: str) -> int:
        return sum(len(step) for step in getattr(self, way))

    def steps(self, way: str) -> list[list[str]]:
        return [self.goto, *getattr(self, way)] if self.goto else getattr(self, way)


def search(text: str) -> list[str]:
    return ["slash", *text, "enter"]


def tasks() -> list[Task]:
    """The tasks, each today's way and with the speed keys of issue #14 (`*`, `;`, this
    branch; suggestions `a` `f` and the claim form's digit picks, h6-speed-a, merged here)."""
    entity_today = [["v", "w", "1"], ["n", "v", "w", "1"], ["n", "v", "w", "1"], ["tab"],
                    search("Halina"), ["v", "w", "1"], ["n", "v", "w", "1"], ["shift+tab"]]
    figure_today = [["v", "w", "5"], *[["n", "v", "w", "5"]] * 3, ["tab"], search(FIGURE),
                    ["v", "w", "5"], ["shift+tab"]]
    # "about 7,000 residents", "212 villages", "140 mm": what the number reader suggests
    numbers_today = [["v", "w", "w", "5"], ["w", "v", "w", "5"], ["w", "w", "v", "w", "5"]]
    # the speaker list has one choice per person, nearest the claim first (h6-speed-a): today's
    # way opens it and goes down to that one choice past "not set"; a tab more passes the new
    # speaker's name box under it (main had none: 13 keys there, and 2 downs)
    attrs_today = [["e"], ["enter", "down", "enter"], ["tab", "tab", "enter", "down", "enter"],
                   ["tab", "enter", "down", "enter"], ["ctrl+s"]]
    link = [["L"], ["tab"], search("the main wall"), ["L"], ["s"], ["shift+tab"]]
    return [
        Task("entity, all occurrences", search("Halina"), entity_today,
             [["v", "w", "1"], ["asterisk"]]),
        Task("numbers", search("about 7,000"), numbers_today,
             [["a"], ["f"], ["a"], ["f"], ["a"]]),
        Task("repeated figure", search(FIGURE), figure_today, [["a"], ["asterisk"]]),
        # with the speed keys the CLAIM's form opens on labelling (form_on_label)...
        Task("long claim", search("the main wall"), [["v", *["w"] * 15, "6"]],
             [["v", "semicolon", "6"]]),
        # ...and its speaker (1: the nearest), stance (1: asserts) and certainty (1: certain)
        # are digits; today's way opens it with e, on the claim the cursor is still on
        Task("claim attributes", [], attrs_today, [["1"], ["1"], ["1"], ["enter"]]),
        Task("cross-pane link", search("the main wall"), link, link),
    ]


def schema_for(way: str) -> Any:
    """The news schema; today's way without the form opening on labelling (it was not)."""
    from dataclasses import replace

    from annotator.labels import load_default_schema

    schema = load_default_schema()
    if way == "faster":
        return schema
    labels = tuple(replace(lab, form_on_label=False) for lab in schema.labels)
    return replace(schema, labels=labels)


def _setup(db: Path) -> None:
    from annotator.labels import load_default_schema
    from annotator.model import Document
    from annotator.store import Store

    schema = load_default_schema()
    with Store(db) as store:
        with store.import_session("bench") as imp:
            imp.add_schema(schema.ref, schema.name, schema.version, schema.source)
            for doc_id, text in documents().items():
                imp.add_document(Document(doc_id, text, text.split("\n", 1)[0],
                                          schema=schema.ref))
        text = documents()["national-courier"]
        start = text.index(OTHER_CLAIM)
        store.add_span("bench", "national-courier", start, start + len(OTHER_CLAIM), "CLAIM")


async def _drive(db: Path, way: str, task_list: list[Task]) -> None:
    from annotator.store import Store
    from annotator.tui.app import make_app

    with Store(db) as store:
        app = make_app(store, "bench", schema_for(way), ["meridian-wire", "national-courier"])
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            for task in task_list:
                t0 = time.process_time()
                for step in task.steps(way):
                    await pilot.press(*step)
                    await pilot.pause()
                task.cpu[way] = time.process_time() - t0


def database_state(db: Path) -> list[Any]:
    """Every span and link of the bench annotator, ids replaced by where the spans are."""
    from annotator.store import Store

    with Store(db) as store:
        spans = {s.id: s for d in documents() for s in store.spans(d, "bench")}
        where = {sid: (s.doc_id, s.start, s.end) for sid, s in spans.items()}
        out: list[Any] = sorted(
            (s.doc_id, s.start, s.end, s.label,
             sorted((k, where.get(v, v) if k == "speaker" else v) for k, v in s.attrs.items()))
            for s in spans.values())
        links = store.links("bench", list(documents()))
        out += sorted((lk.type, where[lk.from_span], where[lk.to_span]) for lk in links)
    return out


def measure(tmp: Path, reps: int = 1) -> tuple[list[Task], list[bool]]:
    """Run both ways `reps` times; the tasks (keys, CPU of the last run) and, per run, whether
    both ways ended with the same database."""
    from bench.harness import remove_db

    task_list = tasks()
    cpu: dict[tuple[str, str], list[float]] = {}
    equal = []
    for rep in range(reps):
        states = []
        for way in ("today", "faster"):
            db = tmp / f"tasks-{way}-{rep}.db"
            remove_db(db)
            _setup(db)
            asyncio.run(_drive(db, way, task_list))
            for task in task_list:
                cpu.setdefault((task.name, way), []).append(task.cpu[way])
            states.append(database_state(db))
            remove_db(db)
        equal.append(states[0] == states[1])
        if states[0] != states[1]:
            only = [("today", x) for x in states[0] if x not in states[1]]
            only += [("faster", x) for x in states[1] if x not in states[0]]
            print("task_keys: the databases differ:", only[:6], file=sys.stderr)
    for task in task_list:
        task.cpu = {way: min(cpu[(task.name, way)]) for way in ("today", "faster")}
    return task_list, equal


def run(cfg: Any) -> list[Any]:
    from bench.report import Figure, summary

    reps = 1 if cfg.quick else 3
    task_list, equal = measure(Path(cfg.tmp), reps)
    if not all(equal):
        raise RuntimeError("today's way and the speed keys left different databases")
    figs = []
    for task in task_list:
        today, faster = task.keys("today"), task.keys("faster")
        halved = task.name in HALVED
        figs.append(Figure(
            f"keys per task: {task.name}", "keys", summary([faster]), summary([today]),
            summary([faster / today]), "ratio ≤ 0.5" if halved else "",
            (faster / today <= 0.5) if halved else None, reps,
            f"with the speed keys; {task.cpu['faster']:.2f} s CPU",
            f"today's keys; {task.cpu['today']:.2f} s CPU",
            extra={"keys_to_get_there": len(task.goto),
                   "keys_today": [" ".join(step) for step in task.today],
                   "keys_faster": [" ".join(step) for step in task.faster],
                   "cpu_s_today": round(task.cpu["today"], 3),
                   "cpu_s_faster": round(task.cpu["faster"], 3),
                   "same_database": all(equal)}))
    return figs
