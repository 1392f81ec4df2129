"""Snapshots of the live call screen (fixed store, audit id and FakeClock: deterministic), at
80×24 and 160×50. Update on purpose with `pytest --snapshot-update` and review the SVG diff."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from auditor_tui.clock import FakeClock
from tests.ui.conftest import build_audit, fixed_id, seed_store
from tests.ui.live_helpers import LiveApp, advance, go_to

AUDIT = fixed_id(31)

Snap = Callable[..., bool]


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> LiveApp:
    db = seed_store(tmp_path / "store", [build_audit(31, "Lexus Dijon")], dealers=False)
    return LiveApp(db, AUDIT, clock)


def mid_call(clock: FakeClock) -> Callable[[Pilot[Any]], Any]:
    """Two attempts, picked up, transferred in 32,4 s, Q1 accepted, Q3 partly answered, a note:
    the Q4 suggestion is on screen."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        await advance(pilot, clock, 25)
        await pilot.press("t", "d", "a", "x")
        await advance(pilot, clock, 32.4)
        await pilot.press("p", "q", "q")
        await go_to(pilot, "3")
        await pilot.press("1", "2")
        await pilot.press("m", *"Bonjour, Lexus Dijon", "enter")
        await advance(pilot, clock, 61)

    return run


def test_live_call_80x24(snap_compare: Snap, app: LiveApp, clock: FakeClock) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=mid_call(clock))


def test_live_call_160x50(snap_compare: Snap, app: LiveApp, clock: FakeClock) -> None:
    assert snap_compare(app, terminal_size=(160, 50), run_before=mid_call(clock))


def test_live_call_transfer_over_the_limit_80x24(
    snap_compare: Snap, app: LiveApp, clock: FakeClock
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("t", "d", "x")
        await advance(pilot, clock, 47.3)
        await go_to(pilot, "21")
        await pilot.press("1", "3")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run)
