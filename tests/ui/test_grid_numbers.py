"""The grid's numbers on screen (issue 13 point 4), in the real app over a copy of the grid file
with other numbers: a 60 s transfer, an e-mail due 3 h after the call, a call-back within 3
business days. The call's transfer verdict, the stopwatch and the keys' help follow 60 s; the
deadlines the call's end records, and the follow-up shows, follow 3 h and 3 business days."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import DataTable

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import grids_in
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.help import HelpScreen
from auditor_tui.ui.screens.home import HomeScreen
from tests.grid_copies import write_grid_copy
from tests.ui.conftest import build_audit, fixed_id, seed_store, wait_for
from tests.ui.flow_helpers import open_follow_up
from tests.ui.live_helpers import advance, live_of, on_the_call, text_of
from tests.ui.screen_text import screen_text

AUDIT = fixed_id(130)
# Tuesday 12 May 2026, 10:00 in Paris. Three business days after the 12th: Wednesday 13,
# Friday 15 (Thursday 14 is Ascension), Monday 18 May.
START = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def help_rows(pilot: object) -> dict[str, str]:
    """The help's lines as shown in its table: action → detail."""
    table = pilot.app.screen.query_one("#help-keys", DataTable)  # type: ignore[attr-defined]
    rows = (table.get_row_at(i) for i in range(table.row_count))
    return {str(row[1]): str(row[2]) for row in rows}


def stopwatch_title(pilot: object) -> str:
    return text_of(pilot, "#stopwatch-title")  # type: ignore[arg-type]


async def test_a_grid_with_other_numbers_is_followed_on_every_screen(tmp_path: Path) -> None:
    write_grid_copy(tmp_path / "grids", limit_seconds=60, hours=3, business_days=3)
    db = seed_store(tmp_path / "store", [build_audit(130, "Lexus Dijon", when=START)])
    clock = FakeClock(START)
    app = make_app(db, clock, grids_in(tmp_path / "grids"))
    async with on_the_call(app, AUDIT) as pilot:
        assert live_of(pilot).grid.transfer_limit == 60.0
        assert stopwatch_title(pilot) == "Transfert 60 s : —"
        await pilot.press("t", "d", "enter", "a")  # Q1: 1 tentative
        await pilot.press("x", "enter")
        await advance(pilot, clock, 50)
        assert stopwatch_title(pilot) == "Transfert 60 s : en cours"  # past 45 s, not past 60
        assert "Q4" not in text_of(pilot, "#suggestion")
        await pilot.press("p", "enter")
        assert stopwatch_title(pilot) == "Transfert 60 s : à temps"
        assert text_of(pilot, "#suggestion").startswith("Suggestion Q4 : Oui — a : accepter")
        assert text_of(pilot, "#suggestion").endswith("transfert en 50,0 s")
        await pilot.press("a")
        assert live_of(pilot).store.get(AUDIT).answers["4"] == [1]

        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        rows = help_rows(pilot)
        assert rows["Transfert"] == (
            "Mise en attente pour transfert : chrono de 60 s dès la touche (confirmé par Entrée)"
        )
        assert rows["Tentative"] == "Tentative d'appel horodatée (Q1)"
        assert "45 s" not in screen_text(app)
        await pilot.press("escape")

        await advance(pilot, clock, 7 * 60 - 50)  # 10:07:00 in Paris
        await pilot.press("f", "enter")
        stored = live_of(pilot).store.get(AUDIT)
        assert stored.call.ended_at == "2026-05-12T08:07:00+00:00"
        assert stored.deadlines == {
            "email": "2026-05-12T11:07:00+00:00",  # 13:07 in Paris: 3 h
            "callback": "2026-05-18T21:59:59+00:00",  # Monday 18 May, 23:59:59 in Paris
        }
        assert stored.calendar is not None and stored.calendar["subdiv"] is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "home")

        screen = await open_follow_up(pilot, AUDIT)
        times = text_of(pilot, "#fu-times")
        assert "E-mail : mar. 12 mai 2026 13:07:00 — reste 3 h 00" in times
        assert "Rappel : lun. 18 mai 2026 23:59:59 — reste 6 j 13 h" in times
        clock.advance(3 * 3600 + 1)  # 13:07:01: the e-mail's 3 h are over
        screen.tick()
        assert "Q16 → Non (aucun e-mail reçu dans les 3 h)" in text_of(pilot, "#fu-suggestions")
        assert isinstance(app.screen, FollowUpScreen)
