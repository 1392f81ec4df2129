"""Hostile text on every screen (issue 11, leftovers): a store whose dealers, notes, call-back
note, identity and auditor carry markup (« [/x] », « [link=…]…[/link] », « [bold] ») and
control characters (OSC 8, ESC [2J, BEL) shows them as text — markup literally, every control
character as « � » — and no screen crashes. Checked on what the terminal is sent: Textual's
screenshot of the whole screen, title bar and notifications included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from textual.events import Paste
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.lifecycle import end_call
from auditor_tui.domain.record import Audit, DealerRef, format_instant
from auditor_tui.store import Store
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.create_store import CreateStoreScreen
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.follow_up_modals import CallbackModal, EmailModal
from auditor_tui.ui.screens.help import HelpScreen
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.new_audit import NewAuditScreen
from auditor_tui.ui.screens.report import ReportScreen
from auditor_tui.ui.screens.resume import ResumeScreen
from tests.ui.conftest import NOW, fixed_id, home_ready, wait_for
from tests.ui.screen_text import assert_no_control

GRID = load_grid()
# Markup that would crash a widget reading it, a link, an OSC 8 link, a screen clear.
CLOSE, LINK = "[/x]", "[link=http://x]y[/link]"
OSC8, CLEAR = "\x1b]8;;http://x\x07", "\x1b[2J"
DRAFT, AWAITING = fixed_id(1), fixed_id(2)
# The dealers as stored, and as the terminal must show them (controls as « � »).
NAME, NAME_SHOWN = f"Lexus {CLOSE} {CLEAR}", "Lexus [/x] �[2J"
CITY, CITY_SHOWN = f"{OSC8}Dijon", "�]8;;http://x�Dijon"
LINK_NAME = LINK  # the second dealer's whole name
NOTE, NOTE_SHOWN = f"{CLOSE} {OSC8}lien", "[/x] �]8;;http://x�lien"
CALLBACK_NOTE, CALLBACK_SHOWN = f"[bold]{LINK} {CLEAR}", "[bold][link=http://x]y[/link] �[2J"
IDENTITY = {"name": f"Claire {CLOSE}{CLEAR}", "phone": "06 12 34 56 78", "email": "c@x.fr"}

DEALERS = [
    Dealer("hostile-1", NAME, CITY, "21", "FR", "+33353010001"),
    Dealer("hostile-2", LINK_NAME, "[bold]Nice", "06", "FR", "+33465710002"),
]


def ref(dealer: Dealer) -> DealerRef:
    return DealerRef(
        dealer.name, dealer.country, dealer.department, dealer.phone, dealer.id, dealer.city
    )


def hostile_audits(*, in_progress: bool) -> list[Audit]:
    """A draft at the first dealer (its call under way when `in_progress`), with a note on
    Q1; an audit of the second awaiting its follow-up, its call-back noted, a note on Q1 too."""
    when = NOW - timedelta(days=1)
    draft = Audit.new(ref(DEALERS[0]), GRID, when, auditor=f"Camille {CLOSE}{OSC8}")
    draft.id = DRAFT
    draft.notes = {"1": NOTE}
    if in_progress:
        draft.call.attempts = [format_instant(when)]
        draft.call.started_at = format_instant(when)
    awaiting = Audit.new(ref(DEALERS[1]), GRID, when, auditor="Camille")
    awaiting.id = AWAITING
    awaiting.call.attempts = [format_instant(when)]
    awaiting.call.started_at = format_instant(when)
    end_call(awaiting, when + timedelta(minutes=8))
    awaiting.follow_up.callback_at = format_instant(when + timedelta(hours=2))
    awaiting.follow_up.callback_method = "phone"
    awaiting.follow_up.callback_note = CALLBACK_NOTE
    awaiting.notes = {"1": NOTE}
    return [draft, awaiting]


def hostile_store(path: Path, *, in_progress: bool = False) -> Path:
    with Store.open(path) as store:
        store.replace_dealers(d.to_dict() for d in DEALERS)
        store.put_many(hostile_audits(in_progress=in_progress), moment=NOW)
        store.set_setting("identity", IDENTITY)
        store.set_setting("auditor", f"Camille {CLOSE}{CLEAR}")
    return path


@asynccontextmanager
async def running(
    path: Path, clock: FakeClock, size: tuple[int, int]
) -> AsyncIterator[tuple[AuditorApp, Pilot[int]]]:
    """The real app on `path`, notifications shown as toasts."""
    app = make_app(path, clock)
    async with app.run_test(size=size, notifications=True) as pilot:
        yield app, pilot


async def open_audit(pilot: Pilot[int], home: HomeScreen, audit_id: str) -> None:
    await pilot.press("home")
    for _ in home.shown_ids:
        if home.selected_id == audit_id:
            break
        await pilot.press("down")
    await pilot.press("enter")


async def test_home_list(tmp_path: Path, clock: FakeClock) -> None:
    db = hostile_store(tmp_path / "s")
    async with running(db, clock, (160, 50)) as (app, pilot):
        await home_ready(pilot)
        text = assert_no_control(app)
        assert NAME_SHOWN in text and LINK_NAME in text  # names (the wide table)
        assert "[bold]Nice" in text and CITY_SHOWN[:12] in text  # cities
        await pilot.press("slash", *"[/z]")  # a filter typed as markup matches nothing
        await pilot.pause()
        assert "Aucun audit ne correspond à « [/z] »." in assert_no_control(app)
    async with running(db, clock, (80, 24)) as (app, pilot):
        await home_ready(pilot)
        assert NAME_SHOWN in assert_no_control(app)


async def test_new_audit(tmp_path: Path, clock: FakeClock) -> None:
    db = hostile_store(tmp_path / "s")
    async with running(db, clock, (80, 24)) as (app, pilot):
        await home_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#identity-name", Input).value == "Claire [/x]�[2J"
        assert screen.query_one("#auditor", Input).value == "Camille [/x]�[2J"
        await pilot.press(*"lexus")  # the first dealer, highlighted: its line and detail
        await pilot.pause()
        text = assert_no_control(app)
        assert text.count(NAME_SHOWN) == 2  # in the list and in the detail line
        await pilot.press("ctrl+t")  # the number copied, said with the dealer's name
        await pilot.pause()
        assert f"Numéro de {NAME_SHOWN} copié" in assert_no_control(app)
        await pilot.press("ctrl+u", *"[/z]")  # a search typed as markup
        await pilot.pause()
        assert "Aucun concessionnaire ne correspond à « [/z] »." in assert_no_control(app)
        await pilot.press("ctrl+u", *"nice")
        await pilot.pause()
        assert LINK_NAME in assert_no_control(app)


async def test_live_call_header_note_and_help(tmp_path: Path, clock: FakeClock) -> None:
    db = hostile_store(tmp_path / "s")
    for size in ((80, 24), (160, 50)):
        async with running(db, clock, size) as (app, pilot):
            home = await home_ready(pilot)
            await open_audit(pilot, home, DRAFT)
            await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the call")
            app.clear_notifications()  # the deadlines passed: said over the title bar
            await pilot.pause()
            text = assert_no_control(app)
            assert f"Appel — {NAME_SHOWN}" in text  # the title bar
            assert f"{NAME_SHOWN} (" in text  # the dealer line, with its city (shortened)
            assert f"Note : « {NOTE_SHOWN} »" in text  # Q1's note, as stored
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
            await pilot.pause()
            assert f"Touches de l'écran « Appel — {NAME_SHOWN} »" in assert_no_control(app)
    async with running(db, clock, (160, 50)) as (app, pilot):
        home = await home_ready(pilot)
        await open_audit(pilot, home, DRAFT)
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the call")
        await pilot.pause()
        assert f"{NAME_SHOWN} ({CITY_SHOWN})" in assert_no_control(app)


async def test_follow_up_and_its_windows(tmp_path: Path, clock: FakeClock) -> None:
    db = hostile_store(tmp_path / "s")
    async with running(db, clock, (120, 40)) as (app, pilot):
        home = await home_ready(pilot)
        await open_audit(pilot, home, AWAITING)
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
        await pilot.pause()
        text = assert_no_control(app)
        assert f"{LINK_NAME} — [bold]Nice · suivi en attente · révision" in text  # dealer line
        assert "[bold][link=http://x]y[/link]" in text  # the call-back's note (wrapped)
        assert "�[2J »" in text
        assert f"Note : « {NOTE_SHOWN} »" in text  # Q1's note
        await pilot.press("r")  # the call-back window: what is noted, the note to edit
        await wait_for(pilot, lambda: isinstance(app.screen, CallbackModal), "the call-back")
        await pilot.pause()
        assert CALLBACK_SHOWN in assert_no_control(app)
        assert app.screen.query_one("#callback-note", Input).value == CALLBACK_SHOWN
        await pilot.press("escape")
        await pilot.press("e")  # e-mail headers pasted with markup and escape sequences
        await wait_for(pilot, lambda: isinstance(app.screen, EmailModal), "the e-mail")
        app.screen.query_one("#modal-time", Input).post_message(
            Paste(f"De : {CLOSE} <a@b.fr>\r{OSC8}Envoyé : hier {CLEAR}[/b]\r")
        )
        await pilot.pause()
        headers = app.screen.query_one("#email-headers", TextArea).text
        assert headers == "De : [/x] <a@b.fr>\n�]8;;http://x�Envoyé : hier �[2J[/b]\n"
        assert "[/b]" in assert_no_control(app)  # in the field, and quoted by the error
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await pilot.pause()
        assert f"Touches de l'écran « {LINK_NAME} · suivi" in assert_no_control(app)


async def test_report(tmp_path: Path, clock: FakeClock) -> None:
    db = hostile_store(tmp_path / "s")
    with Store.open(db) as store:  # the awaiting audit completed: counted by the report
        audit = store.get(AWAITING)
        audit.status = "complete"
        store.save(audit, moment=NOW)
    async with running(db, clock, (160, 50)) as (app, pilot):
        await home_ready(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the report")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert LINK_NAME in assert_no_control(app)
        await pilot.press("slash", "tab", *CLOSE)  # the dealer filter, typed as markup
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert CLOSE in assert_no_control(app)


async def test_resume_question(tmp_path: Path, clock: FakeClock) -> None:
    db = hostile_store(tmp_path / "s", in_progress=True)
    async with running(db, clock, (80, 24)) as (app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ResumeScreen), "the question")
        await pilot.pause()
        assert f"Reprendre l'audit en cours chez {NAME_SHOWN} ?" in assert_no_control(app)


async def test_create_store_question(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / f"nouveau {CLOSE}{CLEAR}"
    async with running(folder, clock, (80, 24)) as (app, pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, CreateStoreScreen), "the question")
        await pilot.pause()
        assert "[/x]�[2J" in assert_no_control(app)  # the end of the path (it may wrap)
