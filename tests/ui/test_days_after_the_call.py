"""Issue 17.6, the acceptance test: two business days after three calls, lived day by day with
an injected clock, the app closed and started again between the steps as an auditor would.

Three calls end on Wednesday 13 May 2026 at 17:30 in Paris, the eve of Ascension, for dealers
in Paris, Metz (Moselle, 57) and Monaco. By hand, from DOMAIN.md §3: each e-mail is due at 19:30
(Paris time; Monaco keeps the same hour); Thursday 14 May is Ascension in France, in Moselle and
in Monaco, so the two business days are Friday 15 and Monday 18 May and each call-back is due on
Monday 18 May at 23:59:59. The steps: Wednesday 19:31, Friday 10:00, Monday 23:59 (the last
minute of the call-back window, crossed with the app open) and Tuesday 00:00 (the first minute
after). At each: the queue's order and every countdown as the screen shows them, what is notified
(once, across restarts), the late and in-time labels, the early-verdict confirmation."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import ListView

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.record import format_instant
from auditor_tui.exchange.export import all_audits, write_jsonl
from auditor_tui.session.followup import FollowUpSession
from auditor_tui.store import Store
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.follow_up_modals import ConfirmModal, EmailModal
from auditor_tui.ui.widgets.followup_queue import FollowUpQueue, QueueRow
from auditor_tui.ui.widgets.question_line import QuestionLine
from tests.ui.conftest import wait_for
from tests.ui.days_helpers import (
    CALLBACK_DUE,
    CALLBACK_SHORT,
    METZ,
    MONACO,
    PARIS,
    back_home,
    home,
    missed_line,
    open_from_queue,
    queue,
    seed,
    text_of,
)
from tests.ui.test_follow_up import Recorder, type_into

HOUR = timedelta(hours=1)
WAITING = f"e-mail : en retard · rappel : {CALLBACK_SHORT}"


def paris(day: int, hour: int, minute: int, second: int = 0) -> FakeClock:
    """The clock at that time in Paris, May 2026 (UTC+2, written out: 10:00 is 08:00 UTC)."""
    return FakeClock(datetime(2026, 5, day, 0, minute, second, tzinfo=UTC) + (hour - 2) * HOUR)


async def confirm(pilot: Pilot[Any]) -> ConfirmModal:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the question")
    modal = pilot.app.screen
    assert isinstance(modal, ConfirmModal)
    return modal


async def record(pilot: Pilot[Any], screen: FollowUpScreen, key: str, typed: str) -> None:
    """The e-mail (e) or the call-back (r) at the time typed, by the keys of its window."""
    await pilot.press(key)
    await wait_for(pilot, lambda: pilot.app.screen is not screen, "the window")
    await type_into(pilot, typed)
    if isinstance(pilot.app.screen, EmailModal):
        await pilot.press("enter")
    else:
        await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen is screen, "the window closed")


async def select(pilot: Pilot[Any], screen: FollowUpScreen, qid: str) -> None:
    """Move to question `qid` with the arrows (the list of questions says where we are)."""
    lines = list(screen.query(QuestionLine))
    at = next(i for i, line in enumerate(lines) if line.has_class("-selected"))
    to = next(i for i, line in enumerate(lines) if line.id == f"q-{qid}")
    for _ in range(abs(to - at)):
        await pilot.press("down" if to > at else "up")
    assert text_of(screen, "#fu-question #q-heading").startswith(f"Q{qid} ")


async def wednesday_1931(db: Path) -> None:
    """Two hours and a minute after the calls; Paris's e-mail came at 18:10, in time."""
    with Store.open(db) as store:
        FollowUpSession(store, PARIS).record_email(
            paris(13, 18, 10).now(), True, paris(13, 18, 12).now()
        )
    app = make_app(db, paris(13, 19, 31))
    async with app.run_test(size=(80, 24)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        await wait_for(pilot, lambda: heard.bells > 0, "the start-up summary")
        # the e-mail deadlines passed at 19:30 for Metz and Monaco: soonest first, by name
        assert queue(app) == [
            ("Lexus Metz", WAITING),
            ("Lexus Monaco", WAITING),
            ("Lexus Paris Ouest", f"e-mail reçu · rappel : {CALLBACK_SHORT}"),
        ]
        assert [r.has_class("-overdue") for r in app.screen.query(QueueRow)] == [1, 1, 0]
        said = heard.text()
        assert "Pendant votre absence" in said and "2 échéances dépassées" in said
        assert "Lexus Metz : e-mail non reçu dans le délai" in said
        assert "Lexus Monaco : e-mail non reçu dans le délai" in said
        assert heard.bells == 1
        assert missed_line(app) == "2 échéances passées depuis votre dernière visite"

    # closed and opened again a minute later: nothing is notified again, the line stays
    app = make_app(db, paris(13, 19, 32))
    async with app.run_test(size=(80, 24)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        assert heard.bells == 0 and "échéance" not in heard.text()
        assert missed_line(app) == "2 échéances passées depuis votre dernière visite"


async def friday_1000(db: Path) -> None:
    """Metz's e-mail came on Wednesday at 20:15 (45 minutes late), its call-back this morning
    at 09:30; Paris is completed before its call-back's deadline, after the question."""
    clock = paris(15, 10, 0)
    app = make_app(db, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        assert heard.bells == 0 and "échéance" not in heard.text()  # nothing passed since
        assert queue(app) == [
            ("Lexus Metz", WAITING),
            ("Lexus Monaco", WAITING),
            ("Lexus Paris Ouest", f"e-mail reçu · rappel : {CALLBACK_SHORT}"),
        ]

        screen = await open_from_queue(pilot, METZ)
        times = text_of(screen, "#fu-times")
        # Wednesday 19:30 → Friday 10:00 is 1 day 14 h 30; → Monday 23:59:59, 3 days 13 h 59
        assert "E-mail : mer. 13 mai 2026 19:30:00 — dépassé de 1 j 14 h" in times
        assert "Rappel : lun. 18 mai 2026 23:59:59 — reste 3 j 13 h" in times
        await record(pilot, screen, "e", "13/05/2026 20:15")
        await record(pilot, screen, "r", "15/05/2026 09:30")
        times = text_of(screen, "#fu-times")
        assert "E-mail : mer. 13 mai 2026 19:30:00 — reçu en retard (45 min)" in times
        assert "Rappel : lun. 18 mai 2026 23:59:59 — reçu" in times
        assert "E-mail reçu en retard (45 min) : mer. 13 mai 20:15" in text_of(
            screen, "#fu-evidence"
        )
        await back_home(pilot)
        assert queue(app) == [
            ("Lexus Monaco", WAITING),
            ("Lexus Paris Ouest", f"e-mail reçu · rappel : {CALLBACK_SHORT}"),
            ("Lexus Metz", "e-mail reçu en retard (45 min) · rappel reçu : à terminer"),
        ]
        cursor = app.screen.query_one("#queue-list", ListView).highlighted_child
        assert isinstance(cursor, QueueRow) and cursor.entry.audit_id == METZ  # moved with it
        assert missed_line(app) == "1 échéance passée depuis votre dernière visite"  # Metz seen

        screen = await open_from_queue(pilot, PARIS)
        session = screen.session
        await select(pilot, screen, "17")
        await pilot.press("2")  # « Non » to Q17 while the call-back may still come
        modal = await confirm(pilot)
        assert modal.question == "Q17 « Non » avant l'échéance ?"
        assert modal.detail == (
            f"Le rappel peut encore arriver jusqu'au {CALLBACK_SHORT} — répondre « Non » "
            "quand même ?"
        )
        await pilot.press("n")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back to the follow-up")
        assert "17" not in session.audit.answers  # nothing changed
        for qid, key in [("16", "1"), ("17", "2"), ("18", "2")]:
            await select(pilot, screen, qid)
            await pilot.press(key)
            if qid != "16":  # Q17 and Q18 rest on the call-back: asked, then confirmed
                await confirm(pilot)
                await pilot.press("o")
                await wait_for(pilot, lambda: pilot.app.screen is screen, "answered")
        for qid in ("20", "21", "22", "23", "24"):
            await select(pilot, screen, qid)
            await pilot.press("1")
        assert session.audit.missing() == []
        await pilot.press("T")
        modal = await confirm(pilot)
        assert modal.detail == (
            f"Le rappel peut encore arriver jusqu'au {CALLBACK_SHORT} — terminer quand même ?"
        )
        await pilot.press("o")
        await wait_for(pilot, lambda: session.audit.status == "complete", "completed")
        assert session.audit.history[-1] == {
            "at": "2026-05-15T08:00:00+00:00",
            "event": "completed",
            "detail": f"callback {CALLBACK_DUE}",
        }
        await pilot.press("h")
        history = text_of(screen, "#fu-history")
        assert "ven. 15 mai 10:00 terminé avant l'échéance : le rappel pouvait encore" in history
        assert "mer. 13 mai 18:10 e-mail reçu" in history
        await back_home(pilot)
        assert [dealer for dealer, _ in queue(app)] == ["Lexus Monaco", "Lexus Metz"]


async def monday_2359(db: Path) -> None:
    """The last minute of the call-back window, crossed with the app open."""
    clock = paris(18, 23, 59)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        assert heard.bells == 0 and "échéance" not in heard.text()
        assert queue(app) == [
            ("Lexus Monaco", WAITING),
            ("Lexus Metz", "e-mail reçu en retard (45 min) · rappel reçu : à terminer"),
        ]
        screen = await open_from_queue(pilot, MONACO)
        assert "Rappel : lun. 18 mai 2026 23:59:59 — reste 59 s" in text_of(screen, "#fu-times")
        await back_home(pilot)
        assert missed_line(app) is None  # Monaco seen: nothing left to read again
        widget = app.screen.query_one(FollowUpQueue)
        clock.advance(59)  # 23:59:59: still in time
        widget.tick()
        await pilot.pause()
        assert heard.bells == 0
        clock.advance(1)  # Tuesday 00:00:00: Monaco's call-back is late
        widget.tick()
        await pilot.pause()
        assert heard.bells == 1
        assert "Lexus Monaco : rappel non reçu dans le délai" in heard.text()
        widget.tick()
        assert heard.bells == 1
        assert queue(app)[0] == ("Lexus Monaco", "e-mail : en retard · rappel : en retard")


async def tuesday_0000(db: Path) -> None:
    """The first minute after the window, the app started again: rung once, not again."""
    clock = paris(19, 0, 0, 30)
    app = make_app(db, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        assert heard.bells == 0 and "échéance" not in heard.text()
        assert queue(app) == [
            ("Lexus Monaco", "e-mail : en retard · rappel : en retard"),
            ("Lexus Metz", "e-mail reçu en retard (45 min) · rappel reçu : à terminer"),
        ]
    with Store.open(db) as store:
        out = io.StringIO()
        write_jsonl(all_audits(store), out, clock.now())
    verdicts = {
        r["dealer"]["name"]: (r["follow_up"]["email_in_time"], r["follow_up"]["callback_in_time"])
        for r in map(json.loads, out.getvalue().splitlines())
    }
    assert verdicts == {
        "Lexus Paris Ouest": (True, False),  # completed early: the call-back never came
        "Lexus Metz": (False, True),
        "Lexus Monaco": (False, False),
    }


async def test_two_business_days_after_three_calls_on_the_eve_of_ascension(
    tmp_path: Path,
) -> None:
    db = seed(tmp_path)
    with Store.open(db) as store:
        assert {store.get(i).deadlines["callback"] for i in (PARIS, METZ, MONACO)} == {  # type: ignore[index]
            CALLBACK_DUE
        }
        assert format_instant(paris(13, 19, 30).now()) == "2026-05-13T17:30:00+00:00"
    await wednesday_1931(db)
    await friday_1000(db)
    await monday_2359(db)
    await tuesday_0000(db)
