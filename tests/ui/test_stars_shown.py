"""The stars on screen at 80×24, in the real app: during the call the running score's stars
labelled « provisoire » beside the running percent (never beside the grid's total); no stars on
the home list nor the follow-up until the audit is complete; the final stars after."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.queue import questions_after_call
from auditor_tui.text.french import stars_text
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.widgets.score_panel import ScorePanel
from tests.factories import best_answers
from tests.ui.conftest import (
    NOW,
    build_audit,
    fixed_id,
    home_ready,
    row_cells,
    seed_store,
    wait_for,
)
from tests.ui.flow_helpers import answer_resume

GRID = load_grid()
DRAFT, AWAITING, DONE = fixed_id(50), fixed_id(51), fixed_id(52)


def store_with_three(tmp_path: Path) -> Path:
    """A draft whose call is under way (the issue's case: 25 of 26 answered, 83,3 % of 30), an
    audit awaiting its follow-up and a complete one, all with the best answers so far."""
    later = set(questions_after_call(GRID))
    on_call = {q: a for q, a in best_answers(True).items() if q not in later}
    draft_answers = {q: a for q, a in best_answers(True).items() if q not in {"16", "17", "19"}}
    draft_answers["3"] = [1, 2]  # 2 of 3 points: 25 / 26 answered
    return seed_store(
        tmp_path / "store",
        [
            build_audit(
                52,
                "Lexus Nice",
                when=NOW - timedelta(days=3),
                status="complete",
                answers=best_answers(True),
                transferred=True,
            ),
            build_audit(
                51,
                "Lexus Lille",
                when=NOW - timedelta(days=1),
                status="awaiting_follow_up",
                answers=on_call,
                transferred=True,
            ),
            build_audit(
                50,
                "Lexus Dijon",
                when=NOW - timedelta(hours=1),
                answers=draft_answers,
                transferred=True,
                started=True,
            ),
        ],
    )


def panel_text(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one(ScorePanel).render())


async def test_the_live_call_shows_provisional_stars_beside_the_running_score(
    tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(store_with_three(tmp_path), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_resume(pilot, "enter")  # the call under way is resumed
        lines = panel_text(pilot).splitlines()
        assert lines[1] == "25 / 26 répondus · 96,2 %"
        assert lines[2] == "★★★★★ provisoire"  # 96,2 %: the running score's stars, labelled
        assert lines[3] == "Total 25 / 30 · 83,3 %"  # no stars beside the total
        assert "applicables" not in panel_text(pilot)
        region = app.screen.query_one(ScorePanel).region
        assert region.right <= 80 and region.height >= 4  # on screen at 80×24


async def test_no_stars_before_the_end_on_the_home_list_and_the_follow_up(
    tmp_path: Path, clock: FakeClock
) -> None:
    app = make_app(store_with_three(tmp_path), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_resume(pilot, "escape")  # later
        home = await home_ready(pilot)
        assert row_cells(home, DRAFT)["★"] == "—"
        assert row_cells(home, AWAITING)["★"] == "—"
        assert row_cells(home, DONE)["★"] == stars_text(5)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
        status = str(app.screen.query_one("#fu-status", Static).content)
        assert "provisoire" in status and "★" not in status
        await pilot.press("escape")
        home = await home_ready(pilot)
        assert isinstance(home, HomeScreen)
        await pilot.press("down", "enter")  # the complete one: its final stars
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
        assert app.screen.audit_id == DONE  # type: ignore[attr-defined]
        status = str(app.screen.query_one("#fu-status", Static).content)
        assert stars_text(5) in status and "provisoire" not in status
