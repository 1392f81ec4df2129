"""Notifications during a call never cover the question, the score or the keys: one short line
over the title bar, the latest only (the real app at 80×24)."""

from __future__ import annotations

from pathlib import Path

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from auditor_tui.ui.widgets.dealer_line import DealerLine
from auditor_tui.ui.widgets.key_strip import KeyStrip
from auditor_tui.ui.widgets.question_view import QuestionView
from auditor_tui.ui.widgets.score_panel import ScorePanel
from auditor_tui.ui.widgets.stopwatch import Stopwatch
from tests.ui.conftest import build_audit, fixed_id, seed_store, wait_for
from tests.ui.live_helpers import on_the_call

AUDIT = fixed_id(45)


async def test_a_notification_is_one_line_over_the_title_bar(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = seed_store(tmp_path / "store", [build_audit(45, "Lexus Dijon")])
    app = make_app(db, clock)
    async with on_the_call(app, AUDIT, notifications=True) as pilot:
        screen = app.screen
        await pilot.press("p", "enter")  # no transfer: refused, said in a notification
        await wait_for(pilot, lambda: bool(screen.query("Toast")), "the notification")
        await pilot.pause()
        (toast,) = screen.query("Toast")
        assert toast.region.y == 0 and toast.region.height == 1
        assert str(toast.render()).startswith("Refusé : aucun transfert en cours")
        needed = [QuestionView, ScorePanel, Stopwatch, KeyStrip, DealerLine]
        for kind in needed:
            assert not toast.region.overlaps(screen.query_one(kind).region), kind
        app.notify("Deux lignes\nde texte", title="Titre")  # the latest replaces it
        await pilot.pause()
        await pilot.pause()
        (toast,) = screen.query("Toast")
        assert str(toast.render()) == "Titre : Deux lignes · de texte"
        assert toast.region.y == 0 and toast.region.height == 1  # not pushed down a line


async def test_elsewhere_notifications_keep_their_place(tmp_path: Path, clock: FakeClock) -> None:
    db = seed_store(tmp_path / "store", [build_audit(45, "Lexus Dijon")])
    app = make_app(db, clock)
    async with on_the_call(app, AUDIT, notifications=True) as pilot:
        await pilot.press("escape")  # home
        app.notify("Un message", title="Titre")
        await wait_for(pilot, lambda: bool(app.screen.query("Toast")), "the notification")
        await pilot.pause()
        (toast,) = app.screen.query("Toast")
        assert str(toast.render()) == "Titre\nUn message"
        assert toast.region.y > 0
