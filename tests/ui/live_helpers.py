"""Helpers of the live call UI tests: the screen alone in a small app over its own store (as
the app shell pushes it), and key-driven steps."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from auditor_tui.clock import FakeClock
from auditor_tui.live import LiveCall
from auditor_tui.store import Store
from auditor_tui.ui.screens.live_call import LiveCallScreen


class LiveApp(App[None]):
    """LiveCallScreen(store, audit_id, clock) pushed on mount; the store closed on exit."""

    TITLE = "auditor-tui"

    def __init__(self, path: Path, audit_id: str, clock: FakeClock) -> None:
        super().__init__()
        self.path, self.audit_id, self.clock = path, audit_id, clock
        self.store: Store | None = None

    def on_mount(self) -> None:
        self.store = Store.open(self.path)
        self.push_screen(LiveCallScreen(self.store, self.audit_id, self.clock))

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()


def screen_of(pilot: Pilot[None]) -> LiveCallScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LiveCallScreen)
    return screen


def live_of(pilot: Pilot[None]) -> LiveCall:
    live = screen_of(pilot).live
    assert live is not None
    return live


def text_of(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def advance(pilot: Pilot[None], clock: FakeClock, seconds: float) -> None:
    """Time passes: the clock moves and the screen's timer tick runs once."""
    clock.advance(seconds)
    screen_of(pilot).tick()
    await pilot.pause()


async def go_to(pilot: Pilot[None], qid: str) -> None:
    await pilot.press("g", *qid, "enter")
    assert screen_of(pilot).current == qid
