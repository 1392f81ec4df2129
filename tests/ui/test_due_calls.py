"""« À appeler aujourd'hui » (issue 14.2): the planned calls due today and overdue for this
store's auditor, on the home screen at 80×24; Entrée starts the audit with the dealer and the
service filled in, and the audit made is linked to its plan entry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.plan import Plan, PlannedCall
from auditor_tui.domain.waves import Wave
from auditor_tui.store import Store
from auditor_tui.store.plans import stored_plans
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.new_audit import NewAuditScreen
from auditor_tui.ui.widgets.due_calls import DueCalls
from tests.ui.conftest import home_ready, seed_store, wait_for

# Friday 8 January 2027, 10:00 in Paris.
FRIDAY = datetime(2027, 1, 8, 9, 0, tzinfo=UTC)
IDENTITY = {"name": "Claire Martin", "phone": "06 12 34 56 78", "email": "c.martin@example.org"}


def call(dealer: str, day: int, window: str, service: str, auditor: str | None) -> PlannedCall:
    start, end = window.split("-")
    dealer_id = dealer.lower().replace(" ", "-").replace("î", "i")
    return PlannedCall(dealer_id, dealer, 1, date(2027, 1, day), (start, end), service, auditor)


PLAN = Plan(
    Wave.parse("2027-T1"),
    seed=0,
    calls_per_dealer=1,
    auditors=("Camille", "Julien"),
    calls=(
        call("Lexus Nîmes", 4, "09:00-10:00", "VO", "Camille"),  # overdue
        call("Lexus Caen", 7, "14:00-15:00", "VN", "Julien"),  # someone else's
        call("Lexus Lille", 8, "11:00-12:00", "APV", "Camille"),  # today
        call("Lexus Brest", 8, "15:00-16:00", "VN", None),  # today, no one's: everyone's
        call("Lexus Dijon", 11, "10:00-11:00", "VN", "Camille"),  # Monday: not yet
    ),
)


def planned_store(tmp_path: Path) -> Path:
    db = seed_store(tmp_path / "store")
    with Store.open(db) as store:
        store.put_plan(PLAN.to_document())
        store.set_setting("auditor", "camille")  # case aside: the same auditor
        store.set_setting("identity", IDENTITY)
    return db


async def due_list(pilot: Pilot[Any]) -> DueCalls:
    """The home's « À appeler aujourd'hui » once the calls due are in it."""
    home = await home_ready(pilot)
    due = home.query_one(DueCalls)
    await wait_for(pilot, lambda: bool(due.calls), "the calls due")
    return due


async def start(pilot: Pilot[Any], *keys: str) -> NewAuditScreen:
    """Keys on the home screen that open a planned call's new audit, its dealer chosen."""
    await pilot.press(*keys)
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
    form = app.screen
    assert isinstance(form, NewAuditScreen)
    await wait_for(pilot, lambda: form.dealer is not None, "the dealer chosen")
    return form


def shown(due: DueCalls) -> list[str]:
    options = due.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_calls_due_then_started_with_dealer_and_service(tmp_path: Path) -> None:
    db = planned_store(tmp_path)
    app = make_app(db, FakeClock(FRIDAY))
    async with app.run_test(size=(80, 24)) as pilot:
        due = await due_list(pilot)
        assert shown(due) == [
            "en retard   lun. 4 janv.   09:00-10:00  Lexus Nîmes                   VO",
            "aujourd'hui ven. 8 janv.   11:00-12:00  Lexus Lille                   APV",
            "aujourd'hui ven. 8 janv.   15:00-16:00  Lexus Brest                   VN",
        ]
        title = str(due.query_one("#due-title", Static).render())
        assert title == "À appeler aujourd'hui : 3 (1 en retard) · F4 puis Entrée : commencer"
        assert due.region.right <= 80 and due.region.height == 5  # title, 3 calls, rule
        form = await start(pilot, "f4", "down", "enter")  # Lexus Lille
        assert form.dealer is not None and form.dealer.name == "Lexus Lille"
        assert str(form.query_one("#service", Static).render()) == "APV · Après-Vente"
        assert form.sub_title == "Nouvel audit planifié : Lexus Lille, 11:00-12:00"
        await pilot.press("enter")  # the identity kept from the last audit: started
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the call")
        audit_id = app.screen.audit_id  # type: ignore[attr-defined]
        await pilot.press("escape")
        home = await home_ready(pilot)
        due = home.query_one(DueCalls)
        await wait_for(pilot, lambda: len(due.calls) == 2, "the call made gone from the list")
        assert [d.call.dealer for d in due.calls] == ["Lexus Nîmes", "Lexus Brest"]
    with Store.open(db) as store:
        audit = store.get(audit_id)
        plan = stored_plans(store)["2027-T1"]
    assert (audit.dealer.name, audit.service, audit.wave) == ("Lexus Lille", "APV", "2027-T1")
    assert audit.planned == {"date": "2027-01-08", "window": ["11:00", "12:00"]}
    assert [(c.dealer, c.audit) for c in plan.calls if c.audit] == [("Lexus Lille", audit_id)]


async def test_another_dealer_picked_is_not_linked(tmp_path: Path) -> None:
    db = planned_store(tmp_path)
    app = make_app(db, FakeClock(FRIDAY))
    async with app.run_test(size=(80, 24)) as pilot:
        await due_list(pilot)
        form = await start(pilot, "f4", "enter")  # Lexus Nîmes…
        assert form.dealer is not None and form.dealer.name == "Lexus Nîmes"
        await pilot.press(*"metz", "enter")  # …but the auditor calls Metz instead
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the call")
        audit_id = app.screen.audit_id  # type: ignore[attr-defined]
    with Store.open(db) as store:
        audit = store.get(audit_id)
        plan = stored_plans(store)["2027-T1"]
    assert (audit.dealer.name, audit.wave, audit.planned) == ("Lexus Metz", None, None)
    assert audit.service == "VO"  # the service chosen stays (F3 changes it)
    assert not [c for c in plan.calls if c.audit]


async def test_nothing_due_nothing_shown(tmp_path: Path) -> None:
    db = planned_store(tmp_path)
    app = make_app(db, FakeClock(datetime(2027, 1, 3, 9, tzinfo=UTC)))  # Sunday the 3rd
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not home.query_one(DueCalls).display
        await pilot.press("f4")
        assert app.focused is home.query_one("#audits")


async def test_the_auditor_the_plan_names_fills_an_empty_auditor_field(tmp_path: Path) -> None:
    """A store whose auditor has not given a name yet: every planned call is listed, and the
    one started fills « Auditeur » with the name the plan gives it (a call planned for no one
    leaves it empty)."""
    db = planned_store(tmp_path)
    with Store.open(db) as store:
        store.set_setting("auditor", "")
    app = make_app(db, FakeClock(FRIDAY))
    async with app.run_test(size=(80, 24)) as pilot:
        due = await due_list(pilot)
        assert [d.call.dealer for d in due.calls][:2] == ["Lexus Nîmes", "Lexus Caen"]
        form = await start(pilot, "f4", "down", "enter")  # Lexus Caen, Julien's
        assert form.query_one("#auditor", Input).value == "Julien"
        await pilot.press("escape")
        due = (await home_ready(pilot)).query_one(DueCalls)
        form = await start(pilot, "f4", "end", "enter")  # Lexus Brest, no one's
        assert form.dealer is not None and form.dealer.name == "Lexus Brest"
        assert form.query_one("#auditor", Input).value == ""
