"""Pilot tests of the follow-up: the queue on the home screen, the follow-up screen (e-mail,
call-back, suggestions, answers, completing, reopening), and the audit left after the call and
finished days later in a restarted app — all from the keyboard, against a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.events import Paste
from textual.pilot import Pilot
from textual.widgets import Input, ListView, Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.queue import QueueFacts, build_queue, expired_between, questions_after_call
from auditor_tui.domain.record import Audit, format_instant
from auditor_tui.session.queue import LAST_SEEN, compute_queue
from auditor_tui.store import Store
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.widgets.followup_queue import (
    SHORT_SUMMARY_LINES,
    SHOWN,
    SUMMARY_LINES,
    FollowUpQueue,
    QueueRow,
    expiry_text,
)
from auditor_tui.ui.widgets.question_line import QuestionLine
from tests.factories import best_answers
from tests.ui.conftest import build_audit, seed_store
from tests.ui.conftest import wait_for as until

GRID = load_grid()
EMAIL, CALLBACK = GRID.rule("email"), GRID.rule("callback")
MATCH, METHOD = GRID.rule("method_match"), GRID.rule("callback_method")
# Tuesday 17 November 2026, 10:52 in Paris: the call starts; it ends 8 minutes later.
CALL_START = datetime(2026, 11, 17, 9, 52, tzinfo=UTC)
CALL_END = CALL_START + timedelta(minutes=8)  # 11:00 Paris


def left_after_the_call(n: int = 1, dealer: str = "Lexus Dijon") -> Audit:
    """An audit whose call ended with every call question answered (best answers, no
    transfer) and « téléphone » agreed as the contact method: it awaits the follow-up."""
    later = set(questions_after_call(GRID))
    answers = {q: a for q, a in best_answers(False).items() if q not in later}
    audit = build_audit(n, dealer, when=CALL_START, status="awaiting_follow_up", answers=answers)
    audit.call.agreed_method = "phone"
    return audit


class Recorder:
    """Notifications and bells the app sent, read through the public `notify` and `bell`."""

    def __init__(self, app: AuditorApp) -> None:
        self.messages: list[str] = []
        self.bells = 0
        notify = app.notify

        def record(message: str, **kwargs: Any) -> None:
            self.messages.append(f"{kwargs.get('title') or ''}\n{message}")
            notify(message, **kwargs)

        def bell() -> None:
            self.bells += 1

        app.notify = record  # type: ignore[method-assign]
        app.bell = bell  # type: ignore[method-assign]

    def text(self) -> str:
        return "\n".join(self.messages)


async def open_home(pilot: Pilot[Any]) -> HomeScreen:
    await until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, HomeScreen) and bool(pilot.app.screen.query("#audits"))
        ),
    )
    home = pilot.app.screen
    assert isinstance(home, HomeScreen)
    await until(pilot, lambda: home.loaded and home.selected_id is not None)  # queue included
    return home


def store_of(app: AuditorApp) -> Store:
    assert app.store is not None
    return app.store


def screen_text(screen: FollowUpScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def type_into(pilot: Pilot[Any], text: str, *, paste: bool = False) -> None:
    """Replace the focused field's text: typed key by key, or pasted (one terminal event)."""
    await pilot.press("ctrl+u")  # clear the field left of the cursor
    if paste:
        assert pilot.app.focused is not None
        pilot.app.focused.post_message(Paste(text))
        await pilot.pause()
    else:
        await pilot.press(*list(text))


async def press_until_screen(pilot: Pilot[Any], key: str) -> FollowUpScreen:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, FollowUpScreen))
    screen = pilot.app.screen
    assert isinstance(screen, FollowUpScreen)
    return screen


async def answer_the_rest(pilot: Pilot[Any], screen: FollowUpScreen) -> None:
    """Answer every unanswered follow-up question with its first option, by keys."""
    ids = [w.id.removeprefix("q-") for w in screen.query(QuestionLine) if w.id]
    heading = screen.query_one("#fu-question #q-heading", Static)
    for _ in ids:
        qid = str(heading.render()).split(" ·")[0].removeprefix("Q")  # « Q16 · choix … »
        if not screen.session.audit.answers.get(qid) and qid in screen.session.audit.missing():
            await pilot.press("1")
        await pilot.press("down")


def app_at(tmp_path: Path, after_call: timedelta, *audits: Audit) -> tuple[AuditorApp, Audit]:
    """The app over a store holding these audits (default: one left after the call), its
    clock `after_call` past the call's end; and the first audit."""
    audits = audits or (left_after_the_call(),)
    db = seed_store(tmp_path / "store", audits)
    return make_app(db, FakeClock(CALL_END + after_call)), audits[0]


# ---- the follow-up screen ------------------------------------------------------------------


async def test_record_email_callback_accept_complete_and_reopen(tmp_path: Path) -> None:
    app, audit = app_at(tmp_path, timedelta(days=1))  # Wednesday 11:00 Paris
    async with app.run_test(size=(100, 40)) as pilot:
        notes = Recorder(app)
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        store = store_of(app)
        times = screen_text(screen, "#fu-times")  # the zone named once, on the call's end
        assert "Fin d'appel : mar. 17 nov. 2026 11:00:00 (heure de Paris)" in times
        assert "E-mail : mar. 17 nov. 2026 13:00:00 — " in times
        assert "Rappel : jeu. 19 nov. 2026 23:59:59 — " in times
        assert "Calendrier : France" in screen_text(screen, "#fu-evidence")
        # the e-mail deadline passed with nothing recorded: « Non » is proposed, not applied
        assert "Q16" in screen_text(screen, "#fu-suggestions")
        assert "16" not in store.get(audit.id).answers

        # completing now is refused, with what is missing
        await pilot.press("T")
        assert store.get(audit.id).status == "awaiting_follow_up"
        assert "il manque : Q16" in screen_text(screen, "#fu-status")
        assert "Impossible de terminer" in notes.text()

        # the e-mail: the time typed in the dealer's zone (arrived 12:40, in time)
        await pilot.press("e")
        await until(pilot, lambda: pilot.app.screen.query("#modal-time").first() is not None)
        await type_into(pilot, "17/11/2026 12:40")
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen is screen)
        stored = store.get(audit.id)
        assert stored.follow_up.email_received_at == "2026-11-17T11:40:00+00:00"
        assert stored.follow_up.email_has_information is True
        # « i »: it was only an acknowledgement after all — then it was not
        await pilot.press("i")
        assert store.get(audit.id).follow_up.email_has_information is False
        assert "accusé de réception" in screen_text(screen, "#fu-evidence")
        await pilot.press("i")
        assert store.get(audit.id).follow_up.email_has_information is True

        # the call-back: today 10:15 Paris, by phone (the agreed method is preselected), a note
        await pilot.press("r")
        await until(pilot, lambda: pilot.app.screen.query("#callback-note").first() is not None)
        await type_into(pilot, "18/11/2026 10:15")
        await pilot.press("tab", "tab")
        await pilot.press(*list("Essai proposé"))
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen is screen)
        stored = store.get(audit.id)
        assert stored.follow_up.callback_at == "2026-11-18T09:15:00+00:00"
        assert stored.follow_up.callback_method == "phone"
        assert stored.follow_up.callback_note == "Essai proposé"

        # suggestions: Q16 Oui, Q17 Oui, Q18 Oui (phone = phone), Q19 « Par téléphone »
        await pilot.press("a")  # the selected question (Q16) first
        assert store.get(audit.id).answers[GRID.rule_question("email")] == [EMAIL["yes"]]
        await pilot.press("A")
        answers = store.get(audit.id).answers
        assert answers[GRID.rule_question("callback")] == [CALLBACK["yes"]]
        assert answers[GRID.rule_question("method_match")] == [MATCH["yes"]]
        assert answers[GRID.rule_question("callback_method")] == [METHOD["options"]["phone"]]

        # Q20–Q24 by keys, then complete
        await answer_the_rest(pilot, screen)
        await pilot.press("T")
        done = store.get(audit.id)
        assert done.status == "complete"
        score = done.score()
        assert (score.points, score.max, score.percent, score.stars) == (25, 25, 100.0, 5)
        assert "terminé" in screen_text(screen, "#fu-status")
        # a completed audit is read-only
        revision = done.revision
        await pilot.press("1")
        assert store.get(audit.id).revision == revision

        # reopen with a reason
        await pilot.press("R")
        await until(pilot, lambda: pilot.app.screen.query("#reason-input").first() is not None)
        await pilot.press("enter")  # an empty reason is refused
        assert store.get(audit.id).status == "complete"
        await pilot.press(*list("Rappel mal daté"))
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen is screen)
        reopened = store.get(audit.id)
        assert reopened.status == "awaiting_follow_up"
        assert reopened.revision == revision + 1
        last = store.events(audit.id)[-2:]
        assert {e["kind"] for e in last} == {"reopen"}
        assert any(e["new"] == "Rappel mal daté" for e in last)
        assert any(e["field"] == "status" and e["new"] == "awaiting_follow_up" for e in last)

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen))


async def test_email_time_read_from_pasted_headers(tmp_path: Path) -> None:
    app, audit = app_at(tmp_path, timedelta(hours=3))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        await pilot.press("e")
        await until(pilot, lambda: pilot.app.screen.query("#email-headers").first() is not None)
        await pilot.press("tab", "tab")  # time → checkbox → headers
        modal = pilot.app.screen
        raw = "Subject: Brochure NX\nDate: Tue, 17 Nov 2026 12:59:59 +0100\n"
        assert app.focused is not None
        app.focused.post_message(Paste(raw))  # what the terminal sends on a paste
        await pilot.pause()
        assert modal.query_one("#modal-time", Input).value == "17/11/2026 12:59:59"
        assert "UTC+01:00" in str(modal.query_one("#email-parsed", Static).content)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pilot.app.screen is screen)
        assert store_of(app).get(audit.id).follow_up.email_received_at == (
            "2026-11-17T11:59:59+00:00"
        )


async def test_time_errors_stay_in_the_modal(tmp_path: Path) -> None:
    app, audit = app_at(tmp_path, timedelta(hours=1))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        await press_until_screen(pilot, "o")
        await pilot.press("e")
        await until(pilot, lambda: pilot.app.screen.query("#modal-time").first() is not None)
        modal = pilot.app.screen
        error = modal.query_one("#modal-error", Static)
        for typed, message in [
            ("demain", "heure illisible"),
            ("17/11/2026 10:30", "fin de l'appel"),
            ("17/11/2026 19:00", "futur"),
        ]:
            await type_into(pilot, typed, paste=True)
            await pilot.press("enter")
            assert pilot.app.screen is modal
            assert message in str(error.content)
        await pilot.press("escape")
        assert store_of(app).get(audit.id).follow_up.email_received_at is None


# ---- the queue -----------------------------------------------------------------------------


async def test_queue_counts_down_and_rings_when_a_deadline_passes(tmp_path: Path) -> None:
    first = left_after_the_call(1, "Lexus Dijon")
    second = left_after_the_call(2, "Lexus Lille")
    second.deadlines = {  # Lille's call ended half an hour later
        "email": format_instant(CALL_END + timedelta(hours=2, minutes=30)),
        "callback": "2026-11-19T22:59:59+00:00",
    }
    db = seed_store(tmp_path / "store", [second, first])
    clock = FakeClock(CALL_END + timedelta(minutes=48))
    app = make_app(db, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        notes = Recorder(app)
        await open_home(pilot)
        queue = app.screen.query_one(FollowUpQueue)
        rows = list(queue.query(QueueRow))
        assert [r.entry.dealer for r in rows] == ["Lexus Dijon", "Lexus Lille"]
        assert [r.entry.countdown(clock.now()) for r in rows] == [
            "e-mail : 1 h 12 · rappel : jeu. 19 nov. 23:59",
            "e-mail : 1 h 42 · rappel : jeu. 19 nov. 23:59",
        ]
        assert not rows[0].has_class("-overdue")
        clock.advance(72 * 60 + 1)  # Dijon's e-mail deadline passes
        queue.tick()
        await pilot.pause()
        assert rows[0].has_class("-overdue") and not rows[1].has_class("-overdue")
        assert "e-mail : en retard" in rows[0].countdown
        assert notes.bells == 1
        assert "Lexus Dijon : e-mail non reçu dans le délai" in notes.text()
        queue.tick()  # the same deadline never rings twice
        assert notes.bells == 1
        # Enter on a row opens its follow-up
        app.screen.query_one("#queue-list", ListView).focus()
        await pilot.press("down")
        screen = await press_until_screen(pilot, "enter")
        assert screen.audit_id == second.id


async def test_restart_summary_and_last_seen(tmp_path: Path) -> None:
    app, _ = app_at(tmp_path, timedelta(minutes=5))
    async with app.run_test(size=(100, 30)) as pilot:
        notes = Recorder(app)
        await open_home(pilot)
        assert "échéance" not in notes.text()
    clock = FakeClock(CALL_END + timedelta(days=3))
    again = make_app(tmp_path / "store", clock)
    async with again.run_test(size=(100, 30)) as pilot:
        notes = Recorder(again)
        await open_home(pilot)
        await until(pilot, lambda: "échéances dépassées" in notes.text())
        assert "Lexus Dijon : e-mail non reçu dans le délai" in notes.text()
        assert "Lexus Dijon : rappel non reçu dans le délai" in notes.text()
        seen = format_instant(clock.now())  # the screen saves it once the summary is shown
        await until(pilot, lambda: store_of(again).setting(LAST_SEEN) == seen, "last seen")


def a_busy_desk(count: int) -> list[Audit]:
    """`count` audits left after calls ended a few minutes apart: e-mails received (some a bare
    acknowledgement), call-backs received, dealers in another zone, among them."""
    names = ["Lexus Dijon", "Lexus Lille", "Lexus Nice", "Lexus Metz", "Lexus Monaco"]
    audits = []
    for n in range(count):
        audit = left_after_the_call(n + 1, names[n % len(names)])
        end = CALL_END + timedelta(minutes=7 * n)
        audit.deadlines = {
            "email": format_instant(end + timedelta(hours=2)),
            "callback": format_instant(end + timedelta(days=2 + n % 3)),
        }
        if n % 4 == 1:
            audit.follow_up.email_received_at = format_instant(end + timedelta(minutes=30))
            audit.follow_up.email_has_information = n % 8 != 1  # every other: acknowledgement
        if n % 5 == 2:
            audit.follow_up.callback_at = format_instant(end + timedelta(hours=5))
        if n % 6 == 3:
            assert audit.calendar is not None
            audit.calendar["timezone"] = "America/Martinique"
        audits.append(audit)
    return audits


def test_the_queue_reads_only_the_audits_it_needs_and_matches_the_full_queue(
    tmp_path: Path,
) -> None:
    db = seed_store(tmp_path / "store", a_busy_desk(SHOWN + 40))
    with Store.open(db) as store:
        sources = [s for s in store.summaries() if s.status == "awaiting_follow_up"]
        every_fact = {s.id: QueueFacts.of(store.get(s.id)) for s in sources}
        full = build_queue(sources, every_fact)
        reads: list[str] = []
        get = store.get

        def counted(audit_id: str) -> Audit:
            reads.append(audit_id)
            return get(audit_id)

        store.get = counted  # type: ignore[method-assign]
        state = compute_queue(store, {}, SHOWN)
        assert [e.audit_id for e in state.entries] == [e.audit_id for e in full]
        assert state.entries[:SHOWN] == full[:SHOWN]  # zones included
        assert [e.dues for e in state.entries] == [e.dues for e in full]
        shown = {e.audit_id for e in full[:SHOWN]}
        came = {s.id for s in sources if s.email_received or s.callback_received}
        assert set(reads) == shown | came and len(reads) < len(sources)
        # an unchanged revision is not read again
        reads.clear()
        assert compute_queue(store, state.read, SHOWN).entries == state.entries
        assert reads == []
        # the ticks look at the deadlines near the instants only, and find the same expiries
        for since, until in [
            (None, CALL_END + timedelta(hours=3)),
            (CALL_END + timedelta(hours=2), CALL_END + timedelta(hours=4)),
            (CALL_END + timedelta(days=1), CALL_END + timedelta(days=1, seconds=1)),
            (CALL_END + timedelta(days=2), CALL_END + timedelta(days=9)),
        ]:
            near = state.around(since, until)
            assert len(near) <= len(sources)
            assert expired_between(near, since, until, state.facts) == expired_between(
                sources, since, until, every_fact
            )


async def test_a_long_queue_shows_the_nearest_deadlines_and_counts_the_others(
    tmp_path: Path,
) -> None:
    app, _ = app_at(tmp_path, timedelta(minutes=5), *a_busy_desk(SHOWN + 3))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_home(pilot)
        queue = app.screen.query_one(FollowUpQueue)
        rows = list(queue.query(QueueRow))
        assert len(rows) == SHOWN and len(queue.entries) == SHOWN + 3
        assert [r.entry.audit_id for r in rows] == [e.audit_id for e in queue.entries[:SHOWN]]
        more = app.screen.query_one("#queue-more", Static)
        assert more.display
        assert str(more.content) == (
            f"Les {SHOWN} échéances les plus proches, sur {SHOWN + 3} audits en attente de suivi"
        )


async def test_a_queue_computed_as_the_app_quits_is_dropped(tmp_path: Path) -> None:
    """The worker's result can arrive while the screen is being taken down (ctrl+q right at
    start): it is dropped, not mounted into a list that is gone (a MountError traceback)."""
    app, _ = app_at(tmp_path, timedelta(minutes=5), *a_busy_desk(3))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_home(pilot)
        queue = app.screen.query_one(FollowUpQueue)
        rows = list(queue.query(QueueRow))
        listing = queue.query_one(ListView)
        await listing.remove()
        state = compute_queue(store_of(app), {}, SHOWN)
        assert state.entries  # a queue with rows to show, which would have been mounted
        queue.post_message(FollowUpQueue.Computed(state))
        await pilot.pause()
        assert not listing.is_attached
        assert [r.entry.audit_id for r in rows] == [e.audit_id for e in queue.entries[:3]]


def test_an_expiry_notification_lists_a_few_and_counts_the_others(tmp_path: Path) -> None:
    db = seed_store(tmp_path / "store", a_busy_desk(30))
    with Store.open(db) as store:
        sources = [s for s in store.summaries() if s.status == "awaiting_follow_up"]
    expired = expired_between(sources, None, CALL_END + timedelta(days=9))
    text = expiry_text(expired)
    lines = text.splitlines()
    assert lines[0] == f"{len(expired)} échéances dépassées :"
    assert len(lines) == 1 + SUMMARY_LINES + 1
    assert lines[-1] == f"• … et {len(expired) - SUMMARY_LINES} autres"
    assert expiry_text(expired[:2]).splitlines()[0] == "2 échéances dépassées :"
    short = expiry_text(expired, SHORT_SUMMARY_LINES).splitlines()  # a short terminal
    assert len(short) == 1 + SHORT_SUMMARY_LINES + 1 and short[1:4] == lines[1:4]


# ---- done when -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24)])
async def test_leave_after_the_call_come_back_days_later_and_complete(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """The issue's « done when »: an audit left after the call; the app restarted two days
    later; what is due is shown; what arrived is recorded; the audit completes with the right
    score — from the keyboard only."""
    audit = left_after_the_call(1, "Lexus Metz")  # Moselle: its own calendar
    db = seed_store(tmp_path / "store", [audit])

    # Tuesday 11:05, just after the call: the queue shows the two-hour countdown
    clock = FakeClock(CALL_END + timedelta(minutes=5))
    app = make_app(db, clock)
    async with app.run_test(size=size) as pilot:
        await open_home(pilot)
        (row,) = app.screen.query(QueueRow)
        assert row.entry.countdown(clock.now()) == "e-mail : 1 h 55 · rappel : jeu. 19 nov. 23:59"

    # Thursday 18:00 Paris: the app starts again; the e-mail never came, the advisor called
    # back by e-mail on Wednesday
    clock = FakeClock(datetime(2026, 11, 19, 17, 0, tzinfo=UTC))
    app = make_app(db, clock)
    async with app.run_test(size=size) as pilot:
        notes = Recorder(app)
        await open_home(pilot)
        await until(pilot, lambda: "Pendant votre absence" in notes.text() or notes.bells > 0)
        assert "Lexus Metz : e-mail non reçu dans le délai" in notes.text()
        (row,) = app.screen.query(QueueRow)
        assert row.has_class("-overdue")
        await pilot.press("tab")  # the audits table → the queue
        assert isinstance(app.focused, ListView)
        screen = await press_until_screen(pilot, "enter")
        assert "Alsace-Moselle (57)" in screen_text(screen, "#fu-evidence")
        assert "dépassé" in screen_text(screen, "#fu-times")
        await pilot.press("r")
        await until(pilot, lambda: pilot.app.screen.query("#callback-method").first() is not None)
        await type_into(pilot, "18/11/2026 16:30")
        await pilot.press("tab", "down", "enter")  # method: e-mail
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pilot.app.screen is screen)
        await pilot.press("A")  # Q16 Non, Q17 Oui, Q18 Non (phone agreed), Q19 e-mail
        await answer_the_rest(pilot, screen)
        await pilot.press("T")
        done = store_of(app).get(audit.id)
        assert done.status == "complete"
        assert done.follow_up.callback_method == "email"
        assert done.answers[GRID.rule_question("email")] == [EMAIL["no"]]
        assert done.answers[GRID.rule_question("callback")] == [CALLBACK["yes"]]
        assert done.answers[GRID.rule_question("method_match")] == [MATCH["no"]]
        score = done.score()
        # 25 applicable points, less Q16 (2) and Q18 (1)
        assert (score.points, score.max, score.percent, score.stars) == (22, 25, 88.0, 4)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen))
        assert not app.screen.query(QueueRow)
    assert done.follow_up.callback_at == "2026-11-18T15:30:00+00:00"
