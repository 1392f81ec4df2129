"""Snapshots of the follow-up screen (fixed store, audit id and FakeClock: deterministic), at
80×24 and 160×50. Update on purpose with `pytest --snapshot-update` and review the SVG diff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from auditor_tui.clock import FakeClock
from auditor_tui.record import format_instant
from auditor_tui.store import Store
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from tests.ui.conftest import fixed_id, seed_store
from tests.ui.test_follow_up import CALL_END, left_after_the_call

AUDIT = fixed_id(1)

Snap = Callable[..., bool]


class FollowUpApp(App[None]):
    """Only the follow-up screen of one audit, over a real store."""

    def __init__(self, db: Path, audit_id: str, clock: FakeClock) -> None:
        super().__init__()
        self.db, self.audit_id, self.clock = db, audit_id, clock
        self.store: Store | None = None

    def on_mount(self) -> None:
        self.store = Store.open(self.db)
        self.push_screen(FollowUpScreen(self.store, self.audit_id, self.clock))

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()


@pytest.fixture
def app(tmp_path: Path) -> FollowUpApp:
    """Lexus Metz (Moselle), the day after the call: the e-mail came in time with the
    brochure, the call-back has not come yet; Q16's « Oui » is suggested."""
    audit = left_after_the_call(1, "Lexus Metz")
    audit.follow_up.email_received_at = format_instant(CALL_END + timedelta(minutes=100))
    audit.follow_up.email_has_information = True
    db = seed_store(tmp_path / "store", [audit], dealers=False)
    clock = FakeClock(datetime(2026, 11, 18, 14, 0, tzinfo=UTC))
    return FollowUpApp(db, AUDIT, clock)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()


def test_follow_up_80x24(snap_compare: Snap, app: FollowUpApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_follow_up_160x50(snap_compare: Snap, app: FollowUpApp) -> None:
    assert snap_compare(app, terminal_size=(160, 50), run_before=settle)


def test_follow_up_multi_select_question_80x24(snap_compare: Snap, app: FollowUpApp) -> None:
    """Q21 and its seven options fit at 80×24 (the longest question of the follow-up)."""

    async def to_q21(pilot: Pilot[Any]) -> None:
        await pilot.press("down", "down", "down", "down", "down", "1")

    assert snap_compare(app, terminal_size=(80, 24), run_before=to_q21)
