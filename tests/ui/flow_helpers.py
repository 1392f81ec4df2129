"""Helpers of the desk-flow Pilot tests (real app, 80×24): the notifications shown, and the
steps from the home screen to an audit's screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.resume import ResumeScreen
from tests.ui.conftest import home_ready, wait_for


class Notices:
    """The notifications the app shows (title and text), read through its public `notify`."""

    def __init__(self, app: Any) -> None:
        self.texts: list[str] = []
        notify = app.notify

        def record(message: str, **kwargs: Any) -> None:
            self.texts.append(f"{kwargs.get('title') or ''}\n{message}")
            notify(message, **kwargs)

        app.notify = record

    def __str__(self) -> str:
        return "\n".join(self.texts)


async def open_call(pilot: Pilot[Any]) -> LiveCallScreen:
    """From the home screen, Entrée on the highlighted draft: its live call."""
    app = pilot.app
    await home_ready(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
    screen = app.screen
    assert isinstance(screen, LiveCallScreen)
    return screen


async def answer_resume(pilot: Pilot[Any], key: str) -> None:
    """The start-up question about the call left under way: Entrée resumes, Échap later."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResumeScreen), "resume?")
    await pilot.press(key)
    if key == "enter":
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LiveCallScreen), "the call")


async def open_row(pilot: Pilot[Any], home: HomeScreen, audit_id: str) -> None:
    """Move the home table's cursor to `audit_id` and press Entrée."""
    await pilot.press("home")
    for _ in range(len(home.shown_ids)):
        if home.selected_id == audit_id:
            break
        await pilot.press("down")
    assert home.selected_id == audit_id
    await pilot.press("enter")
    await pilot.pause()


async def open_follow_up(pilot: Pilot[Any], audit_id: str) -> FollowUpScreen:
    """From the home screen, the follow-up of `audit_id`."""
    app = pilot.app
    home = await home_ready(pilot)
    await open_row(pilot, home, audit_id)
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
    screen = app.screen
    assert isinstance(screen, FollowUpScreen)
    return screen
