"""Snapshots of the home and new-audit screens at 80×24 and 160×50: the real app over a seeded
store with fixed ids and instants and a FakeClock, so they are deterministic. Update on purpose
with `pytest --snapshot-update` and look at the SVGs under __snapshots__/ before committing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from auditor_tui.domain.clock import FakeClock
from auditor_tui.store import Store
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.new_audit import NewAuditScreen
from tests.ui.conftest import home_ready, wait_for

Snap = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]


async def steady(pilot: Pilot[Any]) -> None:
    """No toast, no blinking cursor: what remains is the screen itself."""
    app = pilot.app
    await app.workers.wait_for_complete()
    app.clear_notifications()
    for box in app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare: Snap, db: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await home_ready(pilot)
        await steady(pilot)

    assert snap_compare(make_app(db, clock), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_new_audit(snap_compare: Snap, db: Path, clock: FakeClock, size: tuple[int, int]) -> None:
    with Store.open(db) as store:
        store.set_setting(
            "identity",
            {
                "name": "Claire Martin",
                "phone": "06 12 34 56 78",
                "email": "claire.martin@example.org",
            },
        )
        store.set_setting("auditor", "Camille Auditrice")
    app = make_app(db, clock)

    async def run_before(pilot: Pilot[Any]) -> None:
        await home_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
        await app.workers.wait_for_complete()
        await pilot.press(*"ni")  # Nice, Nîmes: accents ignored
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
