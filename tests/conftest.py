"""Shared fixtures: a real store in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor_tui.store import Store


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path):
    with Store.open(store_path) as s:
        yield s
