"""Shared fixtures: a temporary database and store, the default schema, a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.labels import load_default_schema
from annotator.model import LabelSchema
from annotator.store import Store


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches ./annotations.db or depends on who runs it."""
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("USER", "tester")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
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
