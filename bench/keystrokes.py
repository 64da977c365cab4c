"""Keystroke cost: CPU time per key in our document view on a large document vs a one-paragraph
one, vs Textual's own TextArea on the same large text, and the harness's floor (an app that
does nothing with the keys). Each app runs headless in its own process; see harness.KeyDriver
for how a key is pressed and its frame drawn without Pilot's idle waits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import KeyDriver, percentile, run_worker, summary

SIZE = (120, 40)
LABEL_KEYS = "1234578"  # not 6: CLAIM opens its attribute form (form_on_label)
# 20 keys: motions (w b l h j k { }), a selection (v w) that is labelled, a label on the word
# under the cursor, and an undo. Balanced, so the cursor stays deep inside a long document.
# The order keeps every key doing something in the one-paragraph document too, where `{` and
# `}` go to its very start and end: `j` after `{`, `k` after `}`, labels on words. Both
# documents then do the same work; each run reports the actions its keys committed and the
# keys that changed nothing (none, in either), to show it.
PATTERN = ["w", "w", "l", "k", "{", "j", "v", "w", "L", "b",
           "w", "L", "l", "h", "}", "k", "u", "j", "b", "b"]  # fmt: skip
# The same keys for TextArea(read_only=True): the nearest motion it has; label keys and `u`
# are sent as they are (a read-only TextArea ignores them, so it does less than we do).
TEXTAREA_KEYS = {"w": "ctrl+right", "b": "ctrl+left", "l": "right", "h": "left", "j": "down",
                 "k": "up", "}": "down", "{": "up", "v": "shift+right"}  # fmt: skip


def key_sequence(n: int = 200) -> list[str]:
    keys: list[str] = []
    label = 0
    while len(keys) < n:
        for k in PATTERN:
            if k == "L":
                k = LABEL_KEYS[label % len(LABEL_KEYS)]
                label += 1
            keys.append(k)
    return keys[:n]


def textarea_keys(keys: list[str]) -> list[str]:
    return [TEXTAREA_KEYS.get(k, k) for k in keys]


# -- the worker: one app, measured ----------------------------------------------------------

def _floor_app() -> Any:
    from textual.app import App, ComposeResult
    from textual.widget import Widget

    class Nothing(Widget, can_focus=True):
        def render(self) -> str:
            return "nothing to see"

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Nothing()

        def on_mount(self) -> None:
            self.query_one(Nothing).focus()

    return Floor()


def _textarea_app(text: str) -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import TextArea

    class Viewer(App[None]):
        def compose(self) -> ComposeResult:
            yield TextArea(text, read_only=True, soft_wrap=True)

        def on_mount(self) -> None:
            self.query_one(TextArea).focus()

    return Viewer()


async def _measure(args: dict[str, Any]) -> dict[str, Any]:
    kind = args["kind"]
    keys = args["keys"]
    t0 = time.perf_counter()
    store = None
    if kind == "ours":
        from annotator.store import Store
        from annotator.tui import long_lived
        from annotator.tui.app import make_app, resolve_schema

        long_lived.manage()  # the collector as `annotator annotate` runs it
        store = Store(args["db"])
        schema = resolve_schema(store, None, [args["doc"]])
        app = make_app(store, "bench", schema, [args["doc"]])
    elif kind == "textarea":
        app = _textarea_app(args["text"])
    else:
        app = _floor_app()
    out: dict[str, Any] = {"kind": kind, "reps": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        driver = KeyDriver(app)
        await driver.settle()
        driver.frame()
        out["startup_s"] = time.perf_counter() - t0
        drain = None
        if kind == "ours":
            # what opening the document left to workers (its spans, its wrapping, the
            # suggestions, the units' dictionary) is done before keys are measured: the
            # figure is what a key costs, not what the start costs (bench/startup.py's)
            await app.workers.wait_for_complete()
            await driver.settle()

            async def drain() -> None:
                """The clusters wait for QUIET seconds without a change, then a worker
                computes them: part of what the keys cost."""
                from annotator.tui.screens.figures import QUIET

                await asyncio.sleep(QUIET * 1.5)
                await app.workers.wait_for_complete()
                await driver.settle()

            view = app.screen.active.view
            view.move_to(len(view.text) // 2, center=True)
        elif kind == "textarea":
            from textual.widgets import TextArea

            ta = app.query_one(TextArea)
            mid = ta.document.line_count // 2
            ta.move_cursor((mid, 0), center=True)
        await driver.settle()
        driver.frame()
        await driver.settle()
        await driver.measure(keys[: args.get("warmup", 40)], drain=drain)
        state = None
        if kind == "ours":
            screen = app.screen

            def state() -> tuple:
                v = screen.active.view
                return (v.cursor, v.select_from, v.precise, _actions(store))

        for _ in range(args["reps"]):
            acts0 = _actions(store)
            m = await driver.measure(keys, state, drain)
            n = len(keys)
            out["reps"].append({
                "cpu_per_key": m["cpu_total"] / n, "wall_per_key": m["wall_total"] / n,
                "cpu_p50": percentile(m["cpu"], 0.5), "cpu_p99": percentile(m["cpu"], 0.99),
                "wall_p99": percentile(m["wall"], 0.99), "frames": m["frames"],
                "bytes_per_key": m["bytes"] / n, "layouts_per_key": m["layouts"] / n,
                "forced_frame_share": m["frame_cpu"] / m["cpu_total"],
                "deferred_cpu_per_key": m["deferred_cpu"] / n,
                "actions": _actions(store) - acts0 if store is not None else None,
                "noops": len(m["noops"]), "noop_keys": "".join(m["noops"]),
            })
        if args.get("profile"):
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
            await driver.measure(keys)
            prof.disable()
            out["profile"] = profile_text(prof)
        if kind == "ours":
            view = app.screen.active.view
            out["cursor"] = view.cursor
            out["spans"] = len(view.index)
    if store is not None:
        store.close()
    return out


def _actions(store: Any) -> int:
    """Actions committed so far (labels, undos): what the keys actually did."""
    if store is None:
        return 0
    return int(store.conn.execute("SELECT count(*) FROM actions").fetchone()[0])


def profile_text(prof: Any) -> str:
    """The functions that matter: our own (cumulative), then Textual's heaviest (own time)."""
    import io
    import pstats

    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("cumulative").print_stats(r"annotator/|screen\.py.*(_refresh_layout|"
                                            r"_on_timer_update)|_compositor.*render_update", 25)
    st.sort_stats("tottime").print_stats(15)
    return _trim(buf.getvalue())


def _trim(text: str) -> str:
    keep = []
    for line in text.splitlines():
        if line.strip().startswith(("Ordered by", "List reduced")) or not line.strip():
            continue
        keep.append(line.replace(sysconfig.get_paths()["purelib"] + "/", "")
                    .replace(str(Path(__file__).resolve().parent.parent) + "/", ""))
    return "\n".join(keep)


def worker(args: dict[str, Any]) -> dict[str, Any]:
    if args["kind"] == "textarea":
        args["text"] = Path(args["text_file"]).read_text(encoding="utf-8")
    return asyncio.run(_measure(args))


# -- the figures ----------------------------------------------------------------------------

def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.report import ratio_figure

    db, big_bytes, big_spans = fixtures.big_and_small(cfg.quick)
    reps = 3 if cfg.quick else 5
    keys = key_sequence(200)
    tmp = Path(tempfile.mkdtemp(prefix="bench-keys-", dir=cfg.tmp))
    text_file = tmp / "big.txt"
    text_file.write_text(fixtures.document_text(db, "big"), encoding="utf-8")
    results: dict[str, list[dict[str, Any]]] = {"big": [], "small": [], "textarea": [],
                                                 "floor": []}
    info: dict[str, Any] = {}
    # one process per app and repetition, interleaved, so drift hits every app alike
    for rep in range(reps):
        for name in results:
            args: dict[str, Any] = {"keys": keys, "reps": 1, "warmup": 40}
            if name in ("big", "small"):
                copy = fixtures.copy_db(db, tmp / f"{name}-{rep}.db")
                args.update(kind="ours", db=str(copy), doc=name)
            elif name == "textarea":
                args.update(kind="textarea", text_file=str(text_file), keys=textarea_keys(keys))
            else:
                args.update(kind="floor")
            res = run_worker("keystrokes", args)
            results[name] += res["reps"]
            info.setdefault(name, {})["startup_s"] = res["startup_s"]
            for p in (tmp / f"{name}-{rep}.db",):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(p) + suffix).unlink(missing_ok=True)
        cfg.log(f"keystrokes: rep {rep + 1}/{reps} done")

    def per_key(name: str) -> list[float]:
        return [r["cpu_per_key"] * 1000 for r in results[name]]

    size_label = f"{big_bytes / 1e6:g} MB, {big_spans:,} spans"
    figs = [
        ratio_figure(
            "keystroke cost vs document size", per_key("big"), per_key("small"), "ms CPU/key",
            target="ratio ≤ 1.2", ok=lambda r: r <= 1.2,
            ours_what=f"{size_label}", base_what="one paragraph",
            extra={"wall_ms_per_key": summary([r["wall_per_key"] * 1000 for r in results["big"]]),
                   "cpu_p99_ms": summary([r["cpu_p99"] * 1000 for r in results["big"]]),
                   "small_cpu_p99_ms": summary([r["cpu_p99"] * 1000 for r in results["small"]]),
                   "bytes_per_key": summary([r["bytes_per_key"] for r in results["big"]]),
                   "actions_committed": [r["actions"] for r in results["big"]],
                   "small_actions_committed": [r["actions"] for r in results["small"]],
                   "keys_that_did_nothing": [r["noop_keys"] for r in results["big"]],
                   "small_keys_that_did_nothing": [r["noop_keys"] for r in results["small"]],
                   "small_bytes_per_key": summary([r["bytes_per_key"] for r in results["small"]]),
                   "layouts_per_key": summary([r["layouts_per_key"] for r in results["big"]]),
                   "frame_share_of_cpu": summary([r["forced_frame_share"]
                                                  for r in results["big"]]),
                   "startup_s": info.get("big", {}).get("startup_s")},
        ),
        ratio_figure(
            "keystroke cost vs Textual's TextArea", per_key("big"), per_key("textarea"),
            "ms CPU/key", target="ours ≤ 0.2x TextArea", ok=lambda r: r <= 0.2,
            ours_what=size_label, base_what="TextArea(read_only, soft_wrap), same text",
            extra={"textarea_startup_s": info.get("textarea", {}).get("startup_s"),
                   "textarea_wall_ms_per_key": summary(
                       [r["wall_per_key"] * 1000 for r in results["textarea"]])},
        ),
        ratio_figure(
            "keystroke harness floor", per_key("floor"), per_key("small"), "ms CPU/key",
            target="(info: floor / one-paragraph doc)", ok=None,
            ours_what="app that ignores keys", base_what="ours, one paragraph",
        ),
    ]
    if cfg.profile_missed:
        for fig in figs[:2]:
            if fig.met is False:
                prof = run_worker("keystrokes", {
                    "kind": "ours", "db": str(fixtures.copy_db(db, tmp / "prof.db")),
                    "doc": "big", "keys": keys, "reps": 0, "warmup": 40, "profile": True})
                fig.profile = prof["profile"]
                break
    return figs


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", required=True)
    print(json.dumps(worker(json.loads(parser.parse_args().worker))))
