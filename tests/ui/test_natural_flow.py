"""A natural flow at 80×24, in the real app: after a single-choice answer the cursor moves to
the next question left (a setting turns it off, kept in the store); Q16–Q19 are « après
l'appel » during the call, neither next nor missing (`v`); « Nouvel audit » starts nothing on
Entrée before a dealer is chosen; back home, the cursor is on the audit just made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.session.live import AUTO_ADVANCE_SETTING
from auditor_tui.store import Store
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.live_prompts import RemainingPrompt
from auditor_tui.ui.screens.new_audit import NewAuditScreen
from auditor_tui.ui.widgets.question_list import SectionStrip
from tests.ui.conftest import build_audit, fixed_id, home_ready, sample_audits, seed_store, wait_for
from tests.ui.flow_helpers import answer_resume, open_call
from tests.ui.test_new_audit import IDENTITY, open_new_audit

AUDIT = fixed_id(60)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seed_store(tmp_path / "store", [build_audit(60, "Lexus Dijon")])


def view_text(pilot: Pilot[Any]) -> str:
    return str(pilot.app.screen.query_one("#q-blocked", Static).render())


async def test_the_cursor_moves_to_the_next_question_left(db: Path, clock: FakeClock) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        await pilot.press("t", "d")
        assert screen.current == "1"
        await pilot.press("1")  # Q1, single choice: on to Q2
        assert screen.current == "2"
        await pilot.press("1")
        assert screen.current == "3"
        await pilot.press("1", "2")  # a multi-select takes several keys: it stays
        assert screen.current == "3"
        await pilot.press("j")  # Q4–Q8 without object
        assert screen.current == "9"
        for qid in ("9", "10", "11", "12", "13"):
            assert screen.current == qid
            await pilot.press("1")
            if qid == "12":  # multi: moved by hand
                await pilot.press("j")
        await pilot.press("2")  # Q14 multi
        await pilot.press("j", "1")  # Q15
        assert screen.current == "20"  # Q16–Q19 come after the call
        await pilot.press("k")  # back to Q19: marked, answerable, not counted
        assert screen.current == "19"
        assert view_text(pilot).startswith("après l'appel")
        strip = str(app.screen.query_one(SectionStrip).render())
        assert "16◷" in strip and "19◷" in strip
        await pilot.press("k", "k", "k", "k")  # Q15, answered: a new answer there stays
        assert screen.current == "15"
        await pilot.press("2")
        assert screen.current == "15"
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, RemainingPrompt), "the list")
        listed = [str(o.id) for o in app.screen.query(OptionList).first().options]
        assert not {"16", "17", "18", "19"} & set(listed)
        assert "20" in listed and "1" not in listed


async def test_the_setting_turns_it_off_and_is_kept_in_the_store(
    db: Path, clock: FakeClock
) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        await pilot.press("t", "d")
        await pilot.press("ctrl+p")
        await pilot.press(*"avance auto", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "the palette to close")
        assert screen.auto_advance is False
        await pilot.press("1")
        assert screen.current == "1"  # stays
    with Store.open(db) as store:
        assert store.setting(AUTO_ADVANCE_SETTING) is False
    again = make_app(db, clock)
    async with again.run_test(size=(80, 24)) as pilot:
        await answer_resume(pilot, "enter")  # the call left under way
        screen = again.screen
        assert isinstance(screen, LiveCallScreen)
        assert screen.auto_advance is False
        await pilot.press("2")
        assert screen.current == "2"  # the first question left; stays after the answer
        await pilot.press("1")
        assert screen.current == "2"


async def test_enter_with_nothing_typed_starts_no_audit_and_home_shows_the_new_one(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = seed_store(tmp_path / "store", sample_audits())
    with Store.open(db) as store:
        store.set_setting("identity", IDENTITY)
        before = len(store)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        await pilot.press("down", "down")  # the cursor somewhere else than the top
        assert home.selected_id != home.shown_ids[0]
        screen = await open_new_audit(app, pilot)
        assert screen.dealer is None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)  # nothing started
        assert app.store is not None and len(app.store) == before
        assert app.focused is screen.query_one("#dealer-search", Input)
        await pilot.press("down")  # ↓ picks the first dealer of the list, on purpose
        assert screen.dealer is not None
        await pilot.press("ctrl+u", *"nice")
        assert screen.dealer is not None and screen.dealer.name == "Lexus Nice"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
        new_id = app.screen.audit_id  # type: ignore[attr-defined]
        await pilot.press("escape")
        home = await home_ready(pilot)
        assert isinstance(home, HomeScreen)
        await wait_for(pilot, lambda: home.selected_id == new_id, "the cursor on the new audit")
        assert len(app.store) == before + 1
