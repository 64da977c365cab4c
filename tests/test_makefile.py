"""`make run` (the README's command) opens the TUI as $USER, or as AS=NAME."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def dry_run(*args: str, **env: str) -> str:
    """The annotate command `make run` would run (make -n prints it, runs nothing)."""
    full = {k: v for k, v in os.environ.items() if k not in ("AS", "USER", "MAKEFLAGS")}
    full.update(env)
    out = subprocess.run(["make", "-n", "-s", "run", *args], cwd=ROOT, env=full,
                         capture_output=True, text=True, check=True).stdout
    return next(line for line in out.splitlines() if " annotate" in line)


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_annotates_as_the_user_or_as_given():
    # AS is also make's built-in name for the assembler: it used to give `--as "as"` always
    assert dry_run(USER="zoe").endswith('annotate --as "zoe"')
    assert dry_run("AS=alice", USER="zoe").endswith('annotate --as "alice"')
    assert dry_run(AS="bob", USER="zoe").endswith('annotate --as "bob"')
    assert dry_run().rstrip().endswith("annotate")  # no $USER: the CLI asks the system
