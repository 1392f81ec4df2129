"""A copy of the shipped grid file with other numbers in its rules, written where a test says
(a folder in tmp_path), for the grid lookup a store or the app is given (`grids_in`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor_tui.domain.grid import DEFAULT_GRID_ID, grid_path


def shipped_raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(grid_path(DEFAULT_GRID_ID).read_text(encoding="utf-8"))
    return raw


def write_grid_copy(
    folder: Path,
    *,
    limit_seconds: Any = 60,
    hours: Any = 3,
    business_days: Any = 3,
) -> Path:
    """The shipped grid, same id and questions, with a transfer limit of `limit_seconds`, an
    e-mail due `hours` after the call and a call-back within `business_days`."""
    raw = shipped_raw()
    raw["rules"]["transfer"]["limit_seconds"] = limit_seconds
    raw["rules"]["email"]["hours"] = hours
    raw["rules"]["callback"]["business_days"] = business_days
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / grid_path(DEFAULT_GRID_ID).name
    path.write_text(json.dumps(raw, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
