"""Snapshots of the live call in the real app (`make_app` over a store in tmp_path, a
FakeClock, fixed ids: deterministic), opened from the home screen as an auditor opens it, at
80×24, 120×30 and 160×50. Update on purpose with `pytest --snapshot-update` and review the
SVG diff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.live_call import LiveCallScreen
from tests.ui.conftest import build_audit, home_ready, seed_store, wait_for
from tests.ui.live_helpers import advance, go_to

Snap = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> AuditorApp:
    return make_app(seed_store(tmp_path / "store", [build_audit(31, "Lexus Dijon")]), clock)


def on_the_call(then: Steps) -> Steps:
    """From the home screen, Entrée on the audit opens its call; then `then`."""

    async def run(pilot: Pilot[Any]) -> None:
        await home_ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LiveCallScreen), "the call")
        await then(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


def mid_call(clock: FakeClock) -> Steps:
    """Two attempts, picked up, transferred in 32,4 s, Q1 accepted, Q3 partly answered, a note:
    the Q4 suggestion is on screen."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        await advance(pilot, clock, 25)
        await pilot.press("t", "d", "enter", "a", "x", "enter")
        await advance(pilot, clock, 32.4)
        await pilot.press("p", "enter", "q", "q")
        await go_to(pilot, "3")
        await pilot.press("1", "2")
        await pilot.press("m", *"Bonjour, Lexus Dijon", "enter")
        await advance(pilot, clock, 61)

    return run


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 30), (160, 50)], ids=lambda s: "x".join(map(str, s))
)
def test_live_call(
    snap_compare: Snap, app: AuditorApp, clock: FakeClock, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=on_the_call(mid_call(clock)))


def test_live_call_end_asked_in_place_80x24(
    snap_compare: Snap, app: AuditorApp, clock: FakeClock
) -> None:
    """« Fin d'appel ? » in the facts' place: the question, the score and the keys in sight."""

    async def run(pilot: Pilot[Any]) -> None:
        await mid_call(clock)(pilot)
        await pilot.press("f")

    assert snap_compare(app, terminal_size=(80, 24), run_before=on_the_call(run))


def test_live_call_transfer_over_the_limit_80x24(
    snap_compare: Snap, app: AuditorApp, clock: FakeClock
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("t", "d", "enter", "x", "enter")
        await advance(pilot, clock, 47.3)
        await go_to(pilot, "21")
        await pilot.press("1", "3")

    assert snap_compare(app, terminal_size=(80, 24), run_before=on_the_call(run))
