"""Snapshots of the follow-up screen in the real app (`make_app` over a store in tmp_path, a
FakeClock, fixed ids: deterministic), opened from the home screen, at 80×24 and 160×50. Update
on purpose with `pytest --snapshot-update` and review the SVG diff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.record import format_instant
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from tests.ui.conftest import home_ready, seed_store, wait_for
from tests.ui.test_follow_up import CALL_END, left_after_the_call

Snap = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def app(tmp_path: Path) -> AuditorApp:
    """Lexus Metz (Moselle), the day after the call: the e-mail came in time with the
    brochure, the call-back has not come yet; Q16's « Oui » is suggested."""
    audit = left_after_the_call(1, "Lexus Metz")
    audit.follow_up.email_received_at = format_instant(CALL_END + timedelta(minutes=100))
    audit.follow_up.email_has_information = True
    db = seed_store(tmp_path / "store", [audit])
    return make_app(db, FakeClock(datetime(2026, 11, 18, 14, 0, tzinfo=UTC)))


def on_the_follow_up(*keys: str) -> Steps:
    """From the home screen, Entrée on the audit opens its follow-up; then `keys`."""

    async def run(pilot: Pilot[Any]) -> None:
        await home_ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FollowUpScreen), "it")
        await pilot.press(*keys)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


def test_follow_up_80x24(snap_compare: Snap, app: AuditorApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=on_the_follow_up())


def test_follow_up_160x50(snap_compare: Snap, app: AuditorApp) -> None:
    assert snap_compare(app, terminal_size=(160, 50), run_before=on_the_follow_up())


def test_follow_up_multi_select_question_80x24(snap_compare: Snap, app: AuditorApp) -> None:
    """Q21 and its seven options fit at 80×24 (the longest question of the follow-up)."""
    steps = on_the_follow_up("down", "down", "down", "down", "down", "1")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps)
