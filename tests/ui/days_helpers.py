"""Helpers of the follow-up days' Pilot tests (issue 17): three calls ending on Wednesday
13 May 2026 at 17:30 in Paris, the eve of Ascension, for dealers in Paris, Metz (57) and
Monaco; what the queue shows, read from the screen; the notifications and bells."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import ListView

from auditor_tui.domain.record import Audit
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.widgets.followup_queue import MissedRow, QueueRow
from tests.factories import best_answers
from tests.ui.conftest import GRID, build_audit, fixed_id, home_ready, seed_store, wait_for
from tests.ui.screen_text import screen_lines

# The call starts at 17:22 and ends at 17:30 in Paris (CEST, UTC+2), on Wednesday 13 May 2026.
CALL_START = datetime(2026, 5, 13, 15, 22, tzinfo=UTC)
# Worked out by hand from DOMAIN.md §3, alike in Paris, Moselle and Monaco (Ascension, Thursday
# 14 May, is a holiday in all three; Alsace-Moselle's own days are Good Friday and 26 December):
EMAIL_DUE = "2026-05-13T17:30:00+00:00"  # the call's end + 2 h: 19:30 in Paris
CALLBACK_DUE = "2026-05-18T21:59:59+00:00"  # Friday 15 and Monday 18: Monday 23:59:59
CALLBACK_SHORT = "lun. 18 mai 23:59"

PARIS, METZ, MONACO = fixed_id(1), fixed_id(2), fixed_id(3)
DEALERS = {PARIS: "Lexus Paris Ouest", METZ: "Lexus Metz", MONACO: "Lexus Monaco"}
FOLLOW_UP = {q.id for s in GRID.sections[2:] for q in s.questions}  # Q16–Q24


def three_calls() -> list[Audit]:
    """The three audits as the calls left them: Q1–Q15 answered, the follow-up to come."""
    audits = []
    for audit_id, dealer in DEALERS.items():
        n = int(audit_id[-2:], 16)
        answers = {q: a for q, a in best_answers(False).items() if q not in FOLLOW_UP}
        audits.append(
            build_audit(n, dealer, when=CALL_START, status="awaiting_follow_up", answers=answers)
        )
    return audits


def seed(tmp_path: Path) -> Path:
    return seed_store(tmp_path / "store", three_calls())


async def home(pilot: Pilot[Any]) -> HomeScreen:
    """The home screen with its audits and its queue shown."""
    screen = await home_ready(pilot)
    await wait_for(pilot, lambda: bool(screen.query(QueueRow)), "the queue's rows")
    await pilot.pause()
    return screen


def queue(app: Any) -> list[tuple[str, str]]:
    """The queue as the screen shows it, top to bottom: (dealer, countdowns), each row found
    whole on one line of the terminal (the countdowns never cut)."""
    lines = screen_lines(app)
    out = []
    for row in app.screen.query(QueueRow):
        shown = row.fitted(row.content_size.width)
        dealer = row.entry.dealer  # its name may be shortened (« Lexus Boulogne-… »)
        start = dealer[: min(len(dealer), 12)]
        assert any(start in line and line.endswith(shown) for line in lines), (shown, lines)
        out.append((dealer, shown))
    return out


def missed_line(app: Any) -> str | None:
    """The line at the top of the queue (what passed while the app was closed), if shown,
    checked whole on the screen."""
    rows = list(app.screen.query(MissedRow))
    if not rows:
        return None
    text = rows[0].text
    assert any(text in line for line in screen_lines(app)), text
    return text


async def open_from_queue(pilot: Pilot[Any], audit_id: str) -> FollowUpScreen:
    """Tab into the queue (if not there yet), to the audit's row, Entrée: its follow-up."""
    app = pilot.app
    listing = app.screen.query_one("#queue-list", ListView)
    for _ in range(4):
        if app.focused is listing:
            break
        await pilot.press("tab")
    assert app.focused is listing
    items = list(listing.children)
    target = next(
        i for i, r in enumerate(items) if isinstance(r, QueueRow) and r.entry.audit_id == audit_id
    )
    step = "down" if target > (listing.index or 0) else "up"
    for _ in range(abs(target - (listing.index or 0))):
        await pilot.press(step)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
    screen = app.screen
    assert isinstance(screen, FollowUpScreen) and screen.audit_id == audit_id
    return screen


async def back_home(pilot: Pilot[Any]) -> HomeScreen:
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HomeScreen), "home")
    screen = pilot.app.screen
    assert isinstance(screen, HomeScreen)
    await pilot.app.workers.wait_for_complete()  # the queue computed again
    await pilot.pause()
    return screen


def text_of(screen: Any, selector: str) -> str:
    """A widget's text, as on the screen (markup read, its lines joined by spaces: wrapping
    aside)."""
    content = screen.query_one(selector).content
    text = Content.from_markup(content).plain if isinstance(content, str) else content.plain
    return " ".join(text.split())
