"""Notifications on the follow-up at 80×24 hide nothing needed and lose no text: one line over
the title bar, the latest only; one too long for that line is also shown whole at the top of
the side panel, above the score, until it expires or another replaces it."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.geometry import Region
from textual.widgets import Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.widgets.key_strip import KeyStrip
from auditor_tui.ui.widgets.question_view import QuestionView
from tests.ui.conftest import build_audit, fixed_id, seed_store, wait_for
from tests.ui.flow_helpers import open_follow_up
from tests.ui.screen_text import screen_text

AUDIT = fixed_id(46)


def toast_region(app: App[object]) -> Region:
    """Where the notification is shown (Textual's Toast widget)."""
    (toast,) = app.screen.query("Toast")
    return toast.region


async def test_notifications_hide_nothing_needed_and_lose_no_text(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = seed_store(tmp_path / "s", [build_audit(46, status="awaiting_follow_up")])
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_follow_up(pilot, AUDIT)
        app.clear_notifications()
        needed = [
            screen.query_one(QuestionView),
            screen.query_one(KeyStrip),
            screen.query_one("#fu-status", Static),
            screen.query_one("#fu-times", Static),
        ]
        notice = screen.query_one("#fu-notice", Static)

        await pilot.press("T")  # refused: a long message, the questions missing named
        await wait_for(pilot, lambda: screen_text(app).startswith("▌ Impossible"), "the toast")
        toast = toast_region(app)
        assert toast.y == 0 and toast.height == 1 and toast.width == 80
        for widget in needed:
            assert not toast.overlaps(widget.region), widget
            assert widget.region.height and screen.region.contains_region(widget.region)
        said = str(notice.render())
        assert said.startswith("Impossible de terminer : il manque Q")
        shown = " ".join(screen_text(app).split())
        for word in said.split():  # every word of it on screen, in the side panel
            assert word in shown, word
        status = screen.query_one("#fu-status", Static).region
        assert notice.region.bottom <= status.y  # above the score, which stays in sight

        app.notify("E-mail enregistré.")  # a short one: on its line; the long one goes
        await wait_for(pilot, lambda: not notice.display, "the long message to go")
        await wait_for(pilot, lambda: screen_text(app).startswith("▌ E-mail"), "the toast")
        assert isinstance(app.screen, FollowUpScreen)
