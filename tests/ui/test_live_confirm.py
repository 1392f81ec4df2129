"""No single key ends or re-phases a call (the real app at 80×24): décroché, transfer start and
pick-up, end of call and unreachable are asked in place (« … ? Entrée/o oui · Échap non »);
while asked, the call's other keys still act; on « oui » each change happens at the instant
of its key; Échap drops the question and changes nothing; the windows change nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Digits, Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.live_prompts import JumpPrompt, NotePrompt, RemainingPrompt
from auditor_tui.ui.widgets.key_strip import KeyStrip
from auditor_tui.ui.widgets.stopwatch import Stopwatch
from tests.ui.conftest import NOW, build_audit, fixed_id, seed_store, wait_for
from tests.ui.live_helpers import advance, go_to, live_of, on_the_call, screen_of
from tests.ui.screen_text import screen_text

GRID = load_grid()
AUDIT = fixed_id(41)
Q1 = GRID.rule_question("attempts")
UNREACHABLE = int(GRID.rule("attempts")["unreachable_option"])


@pytest.fixture
def live_db(tmp_path: Path) -> Path:
    return seed_store(tmp_path / "store", [build_audit(41, "Lexus Dijon")])


def asked(pilot: object) -> str:
    """The question line, or "" when nothing is asked."""
    widget = screen_of(pilot).query_one("#ask", Static)  # type: ignore[arg-type]
    return str(widget.render()) if widget.display else ""


def stored(pilot: object) -> Audit:
    return live_of(pilot).store.get(AUDIT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("keys", "question"),
    [
        (("d",), "Décroché ?"),
        (("x",), "Début de transfert ?"),
        (("f",), "Fin d'appel ?"),
    ],
)
async def test_a_stray_phase_key_changes_nothing_without_its_yes(
    live_db: Path, clock: FakeClock, keys: tuple[str, ...], question: str
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t")
        before = stored(pilot)
        await pilot.press(*keys)
        assert asked(pilot).startswith(question) and "Entrée/o oui · Échap non" in asked(pilot)
        assert stored(pilot).revision == before.revision  # nothing saved, nothing changed
        await pilot.press("escape")  # « non »: the question goes, the call stays on screen
        assert asked(pilot) == "" and isinstance(app.screen, LiveCallScreen)
        after = stored(pilot)
        assert after.revision == before.revision
        assert (after.call.answered_at, after.call.transferred, after.call.ended_at) == (
            None,
            False,
            None,
        )
        await pilot.press("escape")  # nothing asked: home, the audit still a draft
        assert not isinstance(app.screen, LiveCallScreen)


async def test_the_end_of_call_happens_at_the_instant_of_f(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "d", "enter")
        await advance(pilot, clock, 120)
        await pilot.press("f")
        await advance(pilot, clock, 7)  # the auditor says goodbye, then confirms
        await pilot.press("o")
        call = stored(pilot).call
        assert parse_instant(call.ended_at or "") == NOW + timedelta(seconds=120)
        assert stored(pilot).status == "awaiting_follow_up"
        assert asked(pilot) == ""


async def test_the_transfer_counts_from_x_and_answer_keys_still_answer(
    live_db: Path, clock: FakeClock
) -> None:
    """An auditor on hold answers a question before confirming: the answer is kept, the
    question stays, and the 45 s run from « x » (the stopwatch shows it, « à valider »)."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "d", "enter", "x")
        watch = app.screen.query_one(Stopwatch)
        await advance(pilot, clock, 12)
        assert watch.query_one("#stopwatch-digits", Digits).value == "12.0"
        assert str(watch.query_one("#stopwatch-title", Static).render()) == (
            "Transfert 45 s : à valider"
        )
        await go_to(pilot, "3")
        await pilot.press("1")  # answered while the question waits
        assert stored(pilot).answers["3"] == [1]
        assert asked(pilot).startswith("Début de transfert ?")
        assert not stored(pilot).call.transferred
        await advance(pilot, clock, 20)
        await pilot.press("p")  # picked up before the start was confirmed: one question
        assert asked(pilot).startswith("Début de transfert, puis Transfert pris en 32,0 s ?")
        await advance(pilot, clock, 3)
        await pilot.press("enter")
        call = stored(pilot).call
        assert call.transferred and call.transfer_seconds == 32.0
        assert parse_instant(call.transfer_started_at or "") == NOW
        assert str(watch.query_one("#stopwatch-title", Static).render()) == (
            "Transfert 45 s : à temps"
        )


async def test_a_phase_key_pressed_again_keeps_its_first_instant(
    live_db: Path, clock: FakeClock
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "d", "enter", "x")
        await advance(pilot, clock, 5)
        await pilot.press("x")  # again, 5 s later: still the same question
        assert asked(pilot) == str(screen_of(pilot).question.content())
        assert len(screen_of(pilot).question.steps) == 1
        await advance(pilot, clock, 10)
        await pilot.press("p", "enter")
        assert stored(pilot).call.transfer_seconds == 15.0


async def test_unreachable_is_asked_whichever_key_declares_it(
    live_db: Path, clock: FakeClock
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await go_to(pilot, Q1)
        await pilot.press(str(UNREACHABLE))  # the option « pas réussi à joindre »
        assert asked(pilot).startswith("Injoignable")
        assert Q1 not in stored(pilot).answers
        await pilot.press("escape")
        assert Q1 not in stored(pilot).answers
        for _ in range(3):
            await pilot.press("t")
            await advance(pilot, clock, 30)
        await pilot.press("t", "a")  # the suggestion « injoignable » accepted: asked too
        assert asked(pilot).startswith("Injoignable")
        assert stored(pilot).call.ended_at is None
        await pilot.press("enter")
        audit = stored(pilot)
        assert audit.answers[Q1] == [UNREACHABLE] and audit.call.ended_at is not None


@pytest.mark.parametrize(
    ("key", "window"),
    [("g", JumpPrompt), ("colon", JumpPrompt), ("m", NotePrompt), ("v", RemainingPrompt)],
)
async def test_a_window_closed_with_escape_changes_nothing(
    live_db: Path, clock: FakeClock, key: str, window: type
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "1")
        before = stored(pilot)
        current = screen_of(pilot).current
        await pilot.press(key)
        assert isinstance(app.screen, window)
        await pilot.press(*"7b")
        await pilot.press("escape")
        assert isinstance(app.screen, LiveCallScreen)
        after = stored(pilot)
        assert after.revision == before.revision and after.notes == {}
        assert screen_of(pilot).current == current


async def test_a_question_waits_through_a_window_and_enter_there_is_the_windows(
    live_db: Path, clock: FakeClock
) -> None:
    """« g 7b Entrée » while « Fin d'appel ? » is asked: the Entrée goes to the window, not to
    the question (the call does not end)."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "f", "g", *"9", "enter")
        assert screen_of(pilot).current == "9"
        assert stored(pilot).call.ended_at is None
        assert asked(pilot).startswith("Fin d'appel ?")


async def test_undo_and_end_of_call_are_in_the_key_strip(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        strip = str(app.screen.query_one(KeyStrip).render())
        assert "f Fin d'appel" in strip and "u Annuler" in strip
        await pilot.press("t", "d", "enter", "u", "enter")  # undo the answer: asked, « oui »
        assert stored(pilot).call.answered_at is None


@pytest.mark.parametrize(
    ("keys", "question", "kept"),
    [
        (("t",), "Annuler la dernière tentative ?", "attempts"),
        (("t", "d", "enter"), "Annuler le décroché ?", "answered_at"),
        (
            ("t", "d", "enter", "x", "enter"),
            "Annuler le début de transfert ?",
            "transfer_started_at",
        ),
        (
            ("t", "d", "enter", "x", "enter", "p", "enter"),
            "Annuler la prise du transfert ?",
            "transfer_answered_at",
        ),
    ],
)
async def test_a_stray_undo_loses_no_instant_without_its_yes(
    live_db: Path, clock: FakeClock, keys: tuple[str, ...], question: str, kept: str
) -> None:
    """« u » takes back a timed event whose instant could not be given again: it is asked,
    and Échap keeps it as it was; « o » takes it back."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press(*keys)
        before = stored(pilot)
        assert getattr(before.call, kept)
        await advance(pilot, clock, 5)
        await pilot.press("u")
        assert asked(pilot).startswith(question)
        await pilot.press("escape")
        assert stored(pilot).revision == before.revision
        assert getattr(stored(pilot).call, kept) == getattr(before.call, kept)
        await pilot.press("u", "o")
        assert not getattr(stored(pilot).call, kept)


async def test_the_discovery_count_is_taken_back_at_once(live_db: Path, clock: FakeClock) -> None:
    """« q » counts a discovery question and has no instant: « u » takes it back at once."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "d", "enter", "q")
        assert stored(pilot).call.discovery_questions == 1
        await pilot.press("u")
        assert asked(pilot) == ""
        assert stored(pilot).call.discovery_questions == 0


async def test_keys_typed_in_one_go_act_in_order(live_db: Path, clock: FakeClock) -> None:
    """« t1g12⏎1 » as one burst (a fast typist, a terminal sending them together): the keys
    act in the order typed: an attempt, Q1 answered, the window opened, « 12 » in its field
    (not lost, nor answering the question under it), Q12 reached and answered."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        screen = screen_of(pilot)
        burst = [("t", "t"), ("1", "1"), ("g", "g"), ("1", "1"), ("2", "2")]
        for key, char in [*burst, ("enter", "\r"), ("1", "1")]:
            app.post_message(events.Key(key, char))

        def done() -> bool:
            return app.screen is screen and bool(stored(pilot).answers.get("12"))

        await wait_for(pilot, done, "Q12 answered")
        audit = stored(pilot)
        assert audit.answers == {"1": [1], "12": [1]} and len(audit.call.attempts) == 1
        assert screen.current == "12"


async def test_undoing_the_end_of_call_is_asked_and_keeps_its_instant(
    live_db: Path, clock: FakeClock
) -> None:
    """A stray « u » after the end of call (the follow-up deadlines running) reopens
    nothing by itself: it is asked; Échap keeps the end's instant and its deadlines."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "d", "enter")
        await advance(pilot, clock, 60)
        await pilot.press("f", "enter")
        ended = stored(pilot)
        assert parse_instant(ended.call.ended_at or "") == NOW + timedelta(seconds=60)
        await advance(pilot, clock, 30)
        await pilot.press("u")
        assert asked(pilot).startswith("Annuler la fin d'appel ?")
        assert stored(pilot).revision == ended.revision
        await pilot.press("escape")
        kept = stored(pilot)
        assert kept.revision == ended.revision and kept.status == "awaiting_follow_up"
        assert parse_instant(kept.call.ended_at or "") == NOW + timedelta(seconds=60)
        await pilot.press("u", "o")  # asked and confirmed: the call is open again
        reopened = stored(pilot)
        assert reopened.call.ended_at is None and reopened.status == "draft"
        assert reopened.deadlines is None


async def test_a_phase_key_whose_change_is_done_is_refused_at_once(
    live_db: Path, clock: FakeClock
) -> None:
    """« d » once answered, « f » once ended: no question that « oui » would only refuse."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, notifications=True) as pilot:
        await pilot.press("t", "d", "enter")
        answered = stored(pilot)
        await pilot.press("d")
        assert asked(pilot) == "" and stored(pilot).revision == answered.revision
        await pilot.press("f", "enter")
        ended = stored(pilot)
        for key in ("d", "x", "p", "f"):
            await pilot.press(key)
            assert asked(pilot) == "", key
        assert stored(pilot).revision == ended.revision
        await wait_for(pilot, lambda: "appel terminé" in screen_text(app), "the reason")


async def test_a_long_question_shows_its_keys_whole_at_80_columns(
    live_db: Path, clock: FakeClock
) -> None:
    """Three phase keys in a row (d, x, p) ask one long question: at 80 columns it wraps onto
    a second line instead of cutting off the keys that answer it."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        await pilot.press("t", "d", "x")
        await advance(pilot, clock, 2)
        await pilot.press("p")
        expected = "Décroché, puis Début de transfert, puis Transfert pris en 2,0 s ?"
        assert asked(pilot) == f"{expected}  Entrée/o oui · Échap non"
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert f"{expected} Entrée/o oui · Échap non" in shown
        assert "…" not in screen_of(pilot).query_one("#ask", Static).render_line(0).text
        await pilot.press("enter")
        assert asked(pilot) == ""
        assert stored(pilot).call.transfer_seconds == 2.0
