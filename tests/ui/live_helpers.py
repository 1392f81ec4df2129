"""Helpers of the live call UI tests: the real app (`make_app` over a store in tmp_path, a
FakeClock) with one audit's call opened as the home screen opens it, and key-driven steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot
from textual.widgets import Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.session.live import LiveCall
from auditor_tui.ui.app import AuditorApp
from auditor_tui.ui.messages import OpenAudit
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.resume import ResumeScreen
from tests.ui.conftest import wait_for


@asynccontextmanager
async def on_the_call(
    app: AuditorApp,
    audit_id: str,
    size: tuple[int, int] = (80, 24),
    *,
    notifications: bool = False,
) -> AsyncIterator[Pilot[int]]:
    """The app running, the audit's live call on screen: resumed from the start-up question
    when the call was left in progress, else opened from the home screen. `notifications`:
    shown as toasts (Textual's tests leave them out by default)."""
    async with app.run_test(size=size, notifications=notifications) as pilot:

        def started() -> bool:
            screen = app.screen
            return isinstance(screen, ResumeScreen) or (
                isinstance(screen, HomeScreen) and screen.loaded and app.store is not None
            )

        await wait_for(pilot, started, "the home screen or the resume question")
        await app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(app.screen, ResumeScreen):
            await pilot.press("enter")
        else:
            app.post_message(OpenAudit(audit_id, "draft"))
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
        await pilot.pause()
        yield pilot


def screen_of(pilot: Pilot[int]) -> LiveCallScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LiveCallScreen)
    return screen


def live_of(pilot: Pilot[int]) -> LiveCall:
    live = screen_of(pilot).live
    assert live is not None
    return live


def text_of(pilot: Pilot[int], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def advance(pilot: Pilot[int], clock: FakeClock, seconds: float) -> None:
    """Time passes: the clock moves and the screen's timer tick runs once."""
    clock.advance(seconds)
    screen_of(pilot).tick()
    await pilot.pause()


async def go_to(pilot: Pilot[int], qid: str) -> None:
    await pilot.press("g", *qid, "enter")
    assert screen_of(pilot).current == qid
