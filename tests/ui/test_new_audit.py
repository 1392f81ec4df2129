"""The new-audit screen: pick a dealer by type-ahead, confirm the mystery identity, Enter creates
the audit in the real store and opens the live call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.record import Identity, format_instant
from auditor_tui.store import Store
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.new_audit import NewAuditScreen, identity_problems
from tests.ui.conftest import NOW, home_ready, wait_for

IDENTITY = {
    "name": "Claire Martin",
    "phone": "06 12 34 56 78",
    "email": "claire.martin@example.org",
}


def screen_of(app: AuditorApp) -> NewAuditScreen:
    assert isinstance(app.screen, NewAuditScreen)
    return app.screen


async def open_new_audit(app: AuditorApp, pilot: Pilot[Any]) -> NewAuditScreen:
    await home_ready(pilot)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen_of(app)


def shown_dealers(screen: NewAuditScreen) -> list[str]:
    options = screen.query_one("#dealers", OptionList)
    return [str(options.get_option_at_index(i).id) for i in range(options.option_count)]


def test_identity_must_let_the_dealer_call_back_and_write() -> None:
    assert identity_problems(Identity(**IDENTITY)) == []
    fields = [f for f, _ in identity_problems(Identity("", "01 23", "pas-une-adresse"))]
    assert fields == ["name", "phone", "email"]
    assert identity_problems(Identity("A", "", "a@b.fr"))[0][0] == "phone"


async def test_pick_dealer_then_enter_creates_the_audit_and_opens_the_call(
    empty_db: Path, clock: FakeClock
) -> None:
    from auditor_tui.ui.screens.live_call import LiveCallScreen

    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_new_audit(app, pilot)
        assert len(shown_dealers(screen)) == 41
        await pilot.press(*"dij")
        assert shown_dealers(screen) == ["lexus-dijon"]
        assert screen.dealer is not None and screen.dealer.name == "Lexus Dijon"
        await pilot.press("enter")  # no identity yet: refused, the name field gets the focus
        assert app.focused is screen.query_one("#identity-name")
        for value in IDENTITY.values():
            await pilot.press(*value, "tab")
        await pilot.press(*"Camille Auditrice")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
        audit_id = app.screen.audit_id  # type: ignore[attr-defined]
        await pilot.press("escape")  # the live call goes back home, not to the form
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await home_ready(pilot)
        assert app.screen.shown_ids == [audit_id]  # type: ignore[attr-defined]

    files = list((empty_db / "audits").glob("*.json"))
    assert [f.stem for f in files] == [audit_id]
    stored = json.loads(files[0].read_text("utf-8"))["audit"]["1"]["record"]
    assert stored["dealer"] == {
        "name": "Lexus Dijon",
        "country": "FR",
        "department": "21",
        "phone": "+33353012006",
        "id": "lexus-dijon",
        "city": "Dijon",
    }
    assert stored["identity"] == IDENTITY
    assert stored["auditor"] == "Camille Auditrice"
    assert stored["status"] == "draft"
    assert stored["created_at"] == format_instant(NOW)
    with Store.open(empty_db) as store:
        assert store.setting("identity") == IDENTITY
        assert store.setting("auditor") == "Camille Auditrice"


async def test_identity_prefilled_from_the_last_one(empty_db: Path, clock: FakeClock) -> None:
    with Store.open(empty_db) as store:
        store.set_setting("identity", IDENTITY)
        store.set_setting("auditor", "Camille Auditrice")
    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_new_audit(app, pilot)
        values = {f: screen.query_one(f"#identity-{f}", Input).value for f in IDENTITY}
        assert values == IDENTITY
        assert screen.query_one("#auditor", Input).value == "Camille Auditrice"
        await pilot.press(*"orleans", "enter")  # accents ignored; identity ready: created
        await wait_for(pilot, lambda: not isinstance(app.screen, NewAuditScreen), "the call")
    with Store.open(empty_db) as store:
        (summary,) = store.summaries()
        assert summary.dealer == "Lexus Orléans"


async def test_arrows_move_through_the_list_from_the_search_field(
    empty_db: Path, clock: FakeClock
) -> None:
    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_new_audit(app, pilot)
        await pilot.press(*"lexus p")  # the Paris-area dealers
        first = screen.dealer
        await pilot.press("down")
        assert screen.dealer is not None and screen.dealer != first
        assert app.focused is screen.query_one("#dealer-search")
        await pilot.press("up")
        assert screen.dealer == first
        await pilot.press(*"zzz")
        assert screen.dealer is None
        await pilot.press("enter")
        assert isinstance(app.screen, NewAuditScreen)  # nothing to create


async def test_copy_the_number_for_dialling(empty_db: Path, clock: FakeClock) -> None:
    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_new_audit(app, pilot)
        await pilot.press(*"dijon", "ctrl+t")
        assert app.clipboard == "+33353012006"
        await pilot.press("tab")  # the list: ctrl+t works there too
        assert app.focused is screen.query_one("#dealers")
        app.copy_to_clipboard("")
        await pilot.press("c")  # « c » is the call's agreed contact: nothing here
        assert app.clipboard == ""
        await pilot.press("ctrl+t")
        assert app.clipboard == "+33353012006"


async def test_escape_goes_back_without_creating(empty_db: Path, clock: FakeClock) -> None:
    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_new_audit(app, pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
    assert list((empty_db / "audits").glob("*.json")) == []


async def test_f3_chooses_the_service_the_audit_records(empty_db: Path, clock: FakeClock) -> None:
    """Issue 14.3: the service the call is about, chosen with one key and shown whole."""
    from textual.widgets import Static

    with Store.open(empty_db) as store:
        store.set_setting("identity", IDENTITY)
    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_new_audit(app, pilot)
        box = screen.query_one("#service", Static)
        assert str(box.render()) == "non précisé"
        await pilot.press("f3", "f3")  # VN, then VO
        assert str(box.render()) == "VO · Vente de véhicules d'occasion"
        assert box.region.right <= 80  # whole at 80 columns
        await pilot.press(*"metz", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewAuditScreen), "the call")
    with Store.open(empty_db) as store:
        (summary,) = store.summaries()
        assert store.get(summary.id).service == "VO"
