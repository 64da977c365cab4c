"""Shared fixtures: a temporary database and store, the default schema, a clean environment."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotator.labels import load_default_schema
from annotator.model import LabelSchema
from annotator.store import Store
from tests.db_template import new_store


@pytest.fixture(autouse=True)
def _young_heap() -> Iterator[None]:
    """After each test, collect its garbage and freeze what is left (`gc.freeze`): the
    collector's full passes in the next test walk only what that test makes, not the whole
    process (pytest, hypothesis, Textual, every earlier test's modules and caches). Without it
    the suite's 300 full passes took 77 s of its 270 s of CPU, ~250 ms each (docs/
    architecture.md, "How the suite stays fast"). Set up first, so torn down last: after the
    store is closed and Textual's caches have let go of the finished app."""
    yield
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches ./annotations.db or depends on who runs it."""
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("USER", "tester")


PILOT_IDLE_WAIT = 0.002
PILOT_IDLE_CPU = 0.0003
"""Pilot waits for an idle app by sleeping PILOT_IDLE_WAIT seconds until the process used less
than PILOT_IDLE_CPU seconds of CPU meanwhile (Textual's: 20 ms and 1 ms, at least twice per
key pressed). test_tui, test_claims and test_speed_keys took 86 s at 20 ms and 55 s at 5 ms;
test_tui and test_tui_view 40 s at 5 ms and 31 s at 2 ms with 0.3 ms (at 2 ms with Textual's
ratio, 0.1 ms, the event loop's own wake-ups kept the app from ever looking idle: slower)
(docs/architecture.md, "How the suite stays fast")."""


@pytest.fixture(autouse=True)
def _textual_for_tests() -> Iterator[None]:
    """For a test whose module loaded Textual: Pilot's shorter idle wait; and after it,
    Textual's memo caches let go of its app's widgets (textual_compat.forget_finished_apps):
    else every later garbage collection walks them."""
    if "textual" in sys.modules:
        from annotator import units
        from annotator.tui.textual_compat import set_pilot_idle_wait

        set_pilot_idle_wait(PILOT_IDLE_WAIT, PILOT_IDLE_CPU)
        # The app finds a small document's suggestions at once only when the units'
        # dictionary is loaded (else in a thread: tui/screens/suggesting.py). Loaded once per
        # process here, so a test's suggestions do not depend on whether an earlier test of
        # the same process loaded it; the thread is tested on its own (test_suggestions).
        units.preload()
    yield
    if "textual" in sys.modules:
        from annotator.tui.textual_compat import forget_finished_apps

        forget_finished_apps()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store. A test (or module, via `pytestmark`) marked `documents` gets the TUI
    tests' small messy documents (tests/tui_support.DOCS), or `documents({id: text})` its own."""
    marker = request.node.get_closest_marker("documents")
    if marker is None:
        with new_store(db_path) as s:
            yield s
        return
    from tests.tui_support import DOCS, fill  # Textual only for the tests that want it

    docs: dict[str, str] = marker.args[0] if marker.args else DOCS
    name = "documents-" + hashlib.sha256(json.dumps(docs, sort_keys=True).encode()).hexdigest()
    with new_store(db_path, name, lambda s: fill(s, docs)) as s:
        yield s


@pytest.fixture
def other(store: Store, db_path: Path) -> Iterator[Store]:
    """A second, independent connection to the same file: what another process (another
    annotator's app) reads and writes. Uses the test module's own `store` if it has one."""
    with Store(db_path) as s:
        yield s


@pytest.fixture(scope="session")
def schema() -> LabelSchema:
    return load_default_schema()


# -- permissions as an ordinary user has them, also when the tests run as root ---------------

_CAP_VERSION_3 = 0x20080522
_DAC_CAPS = (1 << 1) | (1 << 2) | (1 << 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


@contextmanager
def _without_root_bypass() -> Iterator[None]:
    """Root writes a read-only file anyway (CAP_DAC_OVERRIDE): take that capability out of
    this thread's effective set for the block (the permitted set keeps it to restore)."""
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(_CAP_VERSION_3, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        pytest.skip("running as root and cannot read capabilities: chmod would not stop writes")
    saved = data[0].effective
    data[0].effective = saved & ~_DAC_CAPS
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE: chmod would not stop"
                    " writes")
    try:
        yield
    finally:
        data[0].effective = saved
        libc.capset(ctypes.byref(header), data)


@pytest.fixture
def unprivileged() -> Iterator[None]:
    """File permissions apply to this test as to an ordinary user (chmod 444 stops writes),
    whoever runs the suite."""
    if os.geteuid() != 0:
        yield
        return
    with _without_root_bypass():
        yield
