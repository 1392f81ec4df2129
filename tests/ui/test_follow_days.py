"""Issue 17, point by point, with the app's real screens at 80×24 and 100×30 (`make_app` with a
fixed clock): late evidence said late everywhere (1), no verdict before its time without asking
(2), the history shown (3), what passed while the app was closed readable again and the bell
once per deadline (4), the countdowns and suggestion lines whole (5). The calls are those of
tests/ui/days_helpers.py: Wednesday 13 May 2026, 17:30 in Paris; e-mail due 19:30, call-back due
Monday 18 May 23:59:59 (worked out by hand there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.session.followup import FollowUpSession
from auditor_tui.store import Store
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.follow_up_modals import ConfirmModal, ReasonModal
from auditor_tui.ui.screens.missed import MissedScreen
from auditor_tui.ui.widgets.followup_queue import FollowUpQueue, QueueRow
from tests.markdown import README, blocks
from tests.ui.conftest import wait_for
from tests.ui.days_helpers import (
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
from tests.ui.flow_helpers import open_row
from tests.ui.screen_text import screen_lines
from tests.ui.test_follow_up import Recorder, type_into

SIZES = [(80, 24), (100, 30)]
WEDNESDAY_1800 = datetime(2026, 5, 13, 16, 0, tzinfo=UTC)
FRIDAY_1000 = datetime(2026, 5, 15, 8, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def at(utc: datetime) -> FakeClock:
    return FakeClock(utc)


def evidence(db: Path, audit_id: str, email: datetime | None, callback: datetime | None) -> None:
    """The e-mail and call-back as the follow-up records them (noted a minute later)."""
    with Store.open(db) as store:
        session = FollowUpSession(store, audit_id)
        if email is not None:
            session.record_email(email, True, email + timedelta(minutes=1))
        if callback is not None:
            session.record_callback(callback, "phone", "", callback + timedelta(minutes=1))


def finish(db: Path, audit_id: str, moment: datetime) -> None:
    """Every follow-up answer given (the suggestions, then the first option), completed."""
    with Store.open(db) as store:
        session = FollowUpSession(store, audit_id)
        session.accept_all(moment)
        for qid in session.audit.missing():
            session.answer(qid, 1, moment)
        session.complete(moment)


def region_text(app: Any, widget: Any) -> str:
    """What the terminal shows in the widget's region, its lines joined by a space: equal to
    the widget's text (spaces aside) only if nothing was cut, not even inside a word."""
    region = widget.content_region
    lines = screen_lines(app)[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right].split()) for line in lines).strip()


# ---- 1. late is late, everywhere -----------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_late_evidence_is_said_late_in_the_queue_the_screen_and_the_read_only_view(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    db = seed(tmp_path)
    evidence(db, METZ, datetime(2026, 5, 13, 18, 15, tzinfo=UTC), FRIDAY_1000 - timedelta(hours=1))
    evidence(db, MONACO, datetime(2026, 5, 13, 19, 0, tzinfo=UTC), FRIDAY_1000)
    finish(db, MONACO, FRIDAY_1000 + timedelta(minutes=5))
    app = make_app(db, at(FRIDAY_1000 + timedelta(minutes=10)))
    async with app.run_test(size=size) as pilot:
        screen = await home(pilot)
        assert ("Lexus Metz", "e-mail reçu en retard (45 min) · rappel reçu : à terminer") in (
            queue(app)
        )
        follow_up = await open_from_queue(pilot, METZ)
        assert "— reçu en retard (45 min)" in text_of(follow_up, "#fu-times")
        assert "E-mail reçu en retard (45 min) :" in text_of(follow_up, "#fu-evidence")
        screen = await back_home(pilot)
        screen.query_one("#audits").focus()
        await open_row(pilot, screen, MONACO)  # complete: the read-only view
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "read-only")
        view = app.screen
        assert isinstance(view, FollowUpScreen) and not view.session.editable
        assert "E-mail : mer. 13 mai 2026 19:30:00 — reçu en retard (1 h 30)" in text_of(
            view, "#fu-times"
        )
        assert "E-mail reçu en retard (1 h 30) :" in text_of(view, "#fu-evidence")
        await pilot.press("h")
        assert "mer. 13 mai 21:00 e-mail reçu en retard (1 h 30)" in text_of(view, "#fu-history")


# ---- 2. no verdict before its time -------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_a_no_or_a_completion_before_the_deadline_asks_first(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    db = seed(tmp_path)
    app = make_app(db, at(WEDNESDAY_1800))
    async with app.run_test(size=size) as pilot:
        await home(pilot)
        screen = await open_from_queue(pilot, PARIS)
        session = screen.session
        await pilot.press("2")  # Q16 « Non » at 18:00: the e-mail may come until 19:30
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert modal.detail == (
            "L'e-mail peut encore arriver jusqu'au mer. 13 mai 19:30 — répondre « Non » "
            "quand même ?"
        )
        keys = modal.query_one(".modal-keys")
        assert keys.region.right <= size[0] and "Échap / n" in region_text(app, keys)
        assert "quand même ?" in region_text(app, modal.query_one("#confirm-detail"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back")
        assert "16" not in session.audit.answers and session.saved_at is None
        await pilot.press("1")  # « Oui » is no verdict against the dealer: not asked
        assert session.audit.answers["16"] == [1]
        for qid in session.audit.missing():
            session.answer(qid, 1, WEDNESDAY_1800)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        assert modal.detail == (
            "L'e-mail peut encore arriver jusqu'au mer. 13 mai 19:30 et le rappel jusqu'au "
            f"{CALLBACK_SHORT} — terminer quand même ?"
        )
        await pilot.press("x")  # any other key: no
        await wait_for(pilot, lambda: app.screen is screen, "back")
        assert session.audit.status == "awaiting_follow_up"
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: session.audit.status == "complete", "completed")
        assert session.audit.history[-1]["detail"] == (
            "email 2026-05-13T17:30:00+00:00, callback 2026-05-18T21:59:59+00:00"
        )


# ---- 3. the history, visible --------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_the_history_shows_the_lifecycle_and_the_reason_of_a_reopening(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    db = seed(tmp_path)
    evidence(db, PARIS, datetime(2026, 5, 13, 16, 10, tzinfo=UTC), FRIDAY_1000)
    finish(db, PARIS, FRIDAY_1000 + timedelta(minutes=5))
    app = make_app(db, at(FRIDAY_1000 + timedelta(hours=1)))
    async with app.run_test(size=size) as pilot:
        screen = await home(pilot)
        await open_row(pilot, screen, PARIS)
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the audit")
        view = app.screen
        assert isinstance(view, FollowUpScreen)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonModal), "the reason")
        await type_into(pilot, "[b]Q9[/b] mal noté")  # shown as typed, never as markup
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.session.audit.status != "complete", "reopened")
        await pilot.press("h")
        history = region_text(app, view.query_one("#fu-history"))
        for line in (
            "mer. 13 mai 17:22 audit créé",
            "mer. 13 mai 17:30 fin de l'appel",
            "mer. 13 mai 18:10 e-mail reçu",
            "ven. 15 mai 10:00 rappel reçu",
            "ven. 15 mai 10:05 audit terminé",
            "ven. 15 mai 11:00 audit rouvert : [b]Q9[/b] mal noté",
        ):
            assert line in history, history
        assert view.query_one("#fu-question").display is False
        await pilot.press("h")  # back to the question
        assert view.query_one("#fu-question").display is True


# ---- 4. what passed while the app was closed -----------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_the_summary_stays_readable_until_each_audit_is_seen_and_rings_once(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    db = seed(tmp_path)
    app = make_app(db, at(datetime(2026, 5, 13, 17, 31, tzinfo=UTC)))
    async with app.run_test(size=size) as pilot:
        heard = Recorder(app)
        await home(pilot)
        await wait_for(pilot, lambda: heard.bells == 1, "the bell")
        assert missed_line(app) == "3 échéances passées depuis votre dernière visite"

    app = make_app(db, at(FRIDAY_1000))
    async with app.run_test(size=size) as pilot:
        heard = Recorder(app)
        await home(pilot)
        assert heard.bells == 0 and missed_line(app) is not None
        await pilot.press("tab", "up", "enter")  # the line above the first audit
        await wait_for(pilot, lambda: isinstance(app.screen, MissedScreen), "the list")
        lines = region_text(app, app.screen.query_one("#missed-list"))
        for dealer in ("Lexus Metz", "Lexus Monaco", "Lexus Paris Ouest"):
            assert f"{dealer} : e-mail non reçu dans le délai (mer. 13 mai 19:30)" in lines
        await pilot.press("down", "enter")  # Monaco's, second by name
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the audit")
        assert app.screen.audit_id == MONACO
        await back_home(pilot)
        assert missed_line(app) == "2 échéances passées depuis votre dernière visite"

    app = make_app(db, at(FRIDAY_1000 + timedelta(minutes=1)))
    async with app.run_test(size=size) as pilot:
        heard = Recorder(app)
        await home(pilot)
        assert heard.bells == 0 and "échéance" not in heard.text()
        assert missed_line(app) == "2 échéances passées depuis votre dernière visite"


# ---- 5. whole at every size -------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_countdowns_and_suggestions_are_whole(tmp_path: Path, size: tuple[int, int]) -> None:
    db = seed(tmp_path)
    with Store.open(db) as store:  # the longest name of the sample directory, both late
        audit = store.get(METZ)
        audit.dealer.name = "Lexus Boulogne-Billancourt"
        audit.call.agreed_method = "email"
        store.save(audit)
    evidence(
        db, METZ, datetime(2026, 5, 14, 17, 35, tzinfo=UTC), datetime(2026, 5, 20, 8, tzinfo=UTC)
    )
    app = make_app(db, at(datetime(2026, 5, 20, 9, 0, tzinfo=UTC)))
    async with app.run_test(size=size) as pilot:
        await home(pilot)
        shown = dict(queue(app))  # each countdown found whole on its line
        late = shown["Lexus Boulogne-Billancourt"]
        if size[0] >= 100:
            assert (
                late
                == "e-mail reçu en retard (1 j 0 h) · rappel reçu en retard (1 j 10 h) : à terminer"
            )
        else:  # said shorter, never cut
            assert late in (
                "e-mail en retard (1 j 0 h) · rappel en retard (1 j 10 h) : à terminer",
                "e-mail en retard · rappel en retard : à terminer",
            )
        for row in app.screen.query(QueueRow):
            assert row.region.right <= size[0]
        screen = await open_from_queue(pilot, METZ)
        suggestions = [
            "Q16 Non",
            "Q17 Je n'ai pas reçu de suivi sous 2 jours ouvrés",
            "Q18 Non",
            "Q19 Par téléphone",
        ]
        line = screen.query_one("#fu-suggestions-short")
        if line.display:
            assert region_text(app, line) == "◆ Suggestions " + " · ".join(suggestions) + " (a / A)"
        else:  # a tall, wide screen lists them in full
            full = region_text(app, screen.query_one("#fu-suggestions"))
            assert all(s.split(" ", 1)[1] in full for s in suggestions)
        times = region_text(app, screen.query_one("#fu-times"))
        assert "Rappel : lun. 18 mai 2026 23:59:59 — reçu en retard (1 j 10 h)" in times


async def test_a_clock_set_back_never_rings_a_deadline_again(tmp_path: Path) -> None:
    """The bell rang for the three e-mails at 19:31; the machine's clock is then set back to
    19:20 and the app started again: when 19:30 passes anew, nothing rings nor is notified."""
    db = seed(tmp_path)
    app = make_app(db, at(datetime(2026, 5, 13, 17, 31, tzinfo=UTC)))
    async with app.run_test(size=(80, 24)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        await wait_for(pilot, lambda: heard.bells == 1, "the bell")
    clock = at(datetime(2026, 5, 13, 17, 20, tzinfo=UTC))
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        heard = Recorder(app)
        await home(pilot)
        widget = app.screen.query_one(FollowUpQueue)
        clock.advance(11 * 60)  # 19:31 again
        widget.tick()
        await pilot.pause()
        assert heard.bells == 0 and "échéance" not in heard.text()
        assert [r.has_class("-overdue") for r in app.screen.query(QueueRow)] == [True] * 3


# ---- README's follow-up section, as the app shows it ---------------------------------------------


def readme_block(first_line: str) -> list[str]:
    """The README's text block that starts with `first_line`, its lines unindented."""
    for block in blocks(README):
        lines = [line.strip() for line in block.lines]
        if block.lang == "text" and lines and lines[0] == first_line:
            return lines
    raise AssertionError(f"README.md: no text block starting « {first_line} »")


async def test_the_readme_shows_the_queue_the_question_and_the_history(tmp_path: Path) -> None:
    """Friday 10:00 at 80×24: Paris's e-mail came in time, Metz's 45 minutes late and its
    call-back this morning, Monaco's nothing; the app starts (never opened since the calls)."""
    db = seed(tmp_path)
    evidence(db, PARIS, datetime(2026, 5, 13, 16, 10, tzinfo=UTC), None)
    evidence(db, METZ, datetime(2026, 5, 13, 18, 15, tzinfo=UTC), FRIDAY_1000 - HALF_HOUR)
    app = make_app(db, at(FRIDAY_1000))
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        lines = [line.strip() for line in screen_lines(app)]
        start = lines.index("Suivis en attente")
        assert lines[start : start + 5] == readme_block("Suivis en attente")
        screen = await open_from_queue(pilot, PARIS)
        for qid in screen.session.audit.missing():
            screen.session.answer(qid, 1, FRIDAY_1000)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), "the question")
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        shown = [modal.question, modal.detail, str(modal.query_one(".modal-keys").content)]
        assert shown == readme_block("Terminer avant l'échéance ?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.session.audit.status == "complete", "completed")
        await pilot.press("h")
        panel = screen.query_one("#fu-history").content.plain.splitlines()
        history = [" ".join(line.split()) for line in panel]
        assert history == [" ".join(line.split()) for line in readme_block(history[0])]
