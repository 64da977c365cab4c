"""20 concurrent annotators through the forced command: the concurrency bench's writers
(bench/concurrency.py, 10 span actions a second each), but each writer is a team member who
comes in as `serve-session NAME` does (NAME on the team, the command allowed for the role, the
document assigned) and whose actions record the actor. Reports p50/p99 commit latency, locked
and lost actions; the baseline is the same number of plain writers (no team) in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench import concurrency

NAME = "20 concurrent annotators through the forced command"


def worker(args: dict[str, Any]) -> dict[str, Any]:
    from annotator.store import Store, team
    from annotator.team_cli import start_session

    def open_session(db: str) -> Store:
        me, argv = start_session(db, args["annotator"], "annotate")  # as sshd would start it
        assert argv == ["annotate"], argv
        store = Store.for_session(db, me.name)  # as the annotation screen opens it
        if not team.may_open(store, me.name, args["doc"]):
            raise SystemExit(f"{me.name} may not open {args['doc']}")
        return store

    return concurrency.worker(args, open_session)


def make_team(db: Path, n_procs: int, docs: list[str]) -> None:
    """Annotators ann00.. on the team, each assigned the document its worker edits."""
    from annotator.store import Store, team
    from annotator.team import Role

    with Store(db) as store:
        team.add_user(store, "lead", Role.LEAD)
        for i in range(n_procs):
            team.add_user(store, f"ann{i:02d}", Role.ANNOTATOR)
        team.assign(store, {d: [f"ann{i:02d}" for i in range(n_procs) if docs[i % len(docs)] == d]
                            for d in docs}, "lead")
        team.set_setting(store, team.ALLOW_UNASSIGNED, "no")


def run(cfg: Any) -> list[Any]:
    from bench import fixtures
    from bench.harness import summary
    from bench.report import Figure

    n_procs, seconds, rate, src, tmp, docs = concurrency.workload(cfg, "bench-team-")
    plain = concurrency.swarm(fixtures.copy_db(src, tmp / "plain.db"), n_procs, seconds, rate,
                              docs)
    cfg.log(f"team: {n_procs} plain writers p99 {plain['p99_ms']:.1f} ms")
    db = fixtures.copy_db(src, tmp / "team.db")
    make_team(db, n_procs, docs)
    many = concurrency.swarm(db, n_procs, seconds, rate, docs, module="bench.team")
    ok = concurrency.clean(many)
    return [Figure(
        NAME, "ms", ours=summary([many["p99_ms"]]), baseline=summary([plain["p99_ms"]]),
        ratio=summary([many["p99_ms"] / plain["p99_ms"]]) if plain["p99_ms"] else {},
        target="0 locked, 0 lost (p99 reported)", met=ok, reps=1,
        ours_text=(f"{concurrency.counts_text(many)} ({n_procs} annotators × {rate:g}/s,"
                   f" {seconds:g} s, {many['actions']:,} actions)"),
        base_text=(f"p50 {plain['p50_ms']:.1f} ms, p99 {plain['p99_ms']:.1f} ms"
                   f" ({n_procs} plain writers, no team)"),
        note="ratio: p99 through serve-session's path / p99 of plain writers",
        extra={"many": many, "plain": plain})]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", required=True)
    print(json.dumps(worker(json.loads(parser.parse_args().worker))))
    sys.stdout.flush()
