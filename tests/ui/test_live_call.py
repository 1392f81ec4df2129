"""The live call screen driven by keys only: whole calls, the transfer stopwatch, resume, the
save indicator, refusals, prompts, and the screen opened by the app itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Digits, OptionList, Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.ui.app import make_app
from auditor_tui.ui.messages import OpenAudit
from auditor_tui.ui.screens.live_call import LiveCallScreen
from auditor_tui.ui.screens.live_prompts import JumpPrompt, NotePrompt, RemainingPrompt
from auditor_tui.ui.widgets.question_view import QuestionView
from auditor_tui.ui.widgets.score_panel import ScorePanel
from tests.conftest import FullDisk
from tests.factories import best_answers
from tests.ui.conftest import build_audit, fixed_id, seed_store, wait_for
from tests.ui.live_helpers import advance, go_to, live_of, on_the_call, screen_of, text_of
from tests.ui.screen_text import screen_text

GRID = load_grid()
AUDIT = fixed_id(30)
Q1 = GRID.rule_question("attempts")
Q4 = GRID.rule_question("transfer")
Q11 = GRID.rule_question("discovery")
Q18 = GRID.rule_question("method_match")
Q19 = GRID.rule_question("callback_method")
TIMED = {Q1, Q4, Q11, Q18}  # answered by accepting suggestions


@pytest.fixture
def live_db(tmp_path: Path) -> Path:
    """A store with one fresh draft for Lexus Dijon, id AUDIT."""
    return seed_store(tmp_path / "store", [build_audit(30, "Lexus Dijon")])


async def answer_best(pilot: Pilot[int], transferred: bool, skip: set[str]) -> None:
    """Every applicable question's best options, in grid order: the cursor moves on by itself
    after a single-choice answer; j (or g for a question it skipped: after the call, one left
    for a suggestion) where it does not."""
    screen = screen_of(pilot)
    await go_to(pilot, "1")
    for qid, positions in best_answers(transferred).items():
        if qid in skip:
            continue
        if screen.current != qid:
            await pilot.press("j")
        if screen.current != qid:
            await go_to(pilot, qid)
        await pilot.press(*(str(p) for p in positions))


async def test_perfect_transferred_call_scores_thirty(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t", "d", "enter", "x", "enter")
        await advance(pilot, clock, 21.3)
        await pilot.press("p", "enter")
        await pilot.press("a", "a")  # Q1: 1 tentative; Q4: Oui (transfert en 21,3 s)
        await pilot.press(*"qqqqqq")  # six discovery questions
        await pilot.press("a")  # Q11: Plus de 5 questions
        await pilot.press("c")  # agreed: phone
        await go_to(pilot, Q19)
        await pilot.press(str(GRID.rule("callback_method")["options"]["phone"]))
        assert "Suggestion Q18" in text_of(pilot, "#suggestion")
        await pilot.press("a")
        await answer_best(pilot, transferred=True, skip=TIMED | {Q19})
        await pilot.press("f", "enter")
        assert "Pas de suggestion" in text_of(pilot, "#suggestion")
        live = live_of(pilot)
        stored = live.store.get(AUDIT)
        score = stored.score()
        assert (score.points, score.max, score.percent, score.stars) == (30, 30, 100.0, 5)
        assert stored.call.transfer_seconds == 21.3
        assert stored.status == "awaiting_follow_up"
        assert stored.missing() == []
        panel = str(app.screen.query_one(ScorePanel).render())
        assert "30 / 30" in panel and "★★★★★" in panel


async def test_direct_call_is_scored_out_of_25(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t", "t", "d", "enter", "a")  # Q1: 2 tentatives (0 point)
        await pilot.press("q", "q", "a")  # Q11: 1 à 3 questions
        await answer_best(pilot, transferred=False, skip={Q1, Q11})
        await pilot.press("f", "enter")
        score = live_of(pilot).store.get(AUDIT).score()
        best_q11 = max(o.points for o in GRID.question(Q11).options)
        assert score.max == 25
        assert score.points == 25 - 1 - (best_q11 - GRID.question(Q11).option(2).points)
        assert f"Total {score.points} / 25" in str(app.screen.query_one(ScorePanel).render())


async def test_unreachable_after_three_attempts(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        for _ in range(3):
            await pilot.press("t")
            await advance(pilot, clock, 30)
        assert "Q1 : 3 tentatives" in text_of(pilot, "#suggestion")
        await pilot.press("t")  # the third attempt failed too
        assert "Suggestion Q1 : Je n'ai pas réussi" in text_of(pilot, "#suggestion")
        assert live_of(pilot).store.get(AUDIT).answers == {}  # nothing applied silently
        await pilot.press("a", "enter")  # asked first: it ends the audit
        stored = live_of(pilot).store.get(AUDIT)
        score = stored.score()
        assert (score.outcome, score.points, score.max) == ("unreachable", 0, 30)
        assert stored.call.ended_at is not None
        assert "Injoignable" in str(app.screen.query_one(ScorePanel).render())
        await go_to(pilot, "9")
        await pilot.press("1")
        assert "9" not in live_of(pilot).store.get(AUDIT).answers


async def test_resume_after_closing_mid_call(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t", "d", "enter", "x", "enter")
        await advance(pilot, clock, 10)
        await go_to(pilot, "3")
        await pilot.press("1", "2")
        await pilot.press("m", *"bonjour", "enter")
    # The terminal is closed; a new process starts 5 s later.
    later = FakeClock(clock.now(), mono=0.0)
    later.advance(5)
    app = make_app(live_db, later)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        live = live_of(pilot)
        assert live.audit.answers == {"3": [1, 2]}
        assert live.audit.notes == {"3": "bonjour"}
        assert live.audit.call.transferred and live.transfer_running
        assert text_of(pilot, "#stopwatch-title") == "Transfert 45 s : en cours"
        assert app.screen.query_one("#stopwatch-digits", Digits).value == "15.0"
        await advance(pilot, later, 25)
        await pilot.press("p", "enter")
        assert live.store.get(AUDIT).call.transfer_seconds == 40.0
        assert [s.question for s in live.suggestions()] == [Q1, Q4]
        assert text_of(pilot, "#suggestion") == (
            "Suggestion Q1 : 1 tentative — a : accepter, z : ignorer (+1) — "
            "décroché à la 1re tentative"
        )
        await pilot.press("z")  # Q1's set aside: Q4's, from the transfer timed across both
        assert text_of(pilot, "#suggestion").startswith("Suggestion Q4 : Oui — a : accepter")
        assert text_of(pilot, "#suggestion").endswith("transfert en 40,0 s")


async def test_transfer_stopwatch_turns_at_the_limit(live_db: Path, clock: FakeClock) -> None:
    """The stopwatch says what the call decides, compared as shown: 45.04 s reads « 45.0 » and
    is within 45 s; 45.06 s reads « 45.1 » and is past it (DOMAIN §3)."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t", "d", "enter", "a", "x", "enter")
        await advance(pilot, clock, 45.04)
        assert text_of(pilot, "#stopwatch-title") == "Transfert 45 s : en cours"
        assert "Q4" not in text_of(pilot, "#suggestion")
        await advance(pilot, clock, 0.02)
        assert text_of(pilot, "#stopwatch-title") == "Transfert 45 s : DÉPASSÉ"
        assert "Suggestion Q4 : Non" in text_of(pilot, "#suggestion")
        await advance(pilot, clock, 0.94)
        await pilot.press("p", "enter")
        assert text_of(pilot, "#stopwatch-title") == "Transfert 45 s : hors délai"
        assert "Q4 : Non — a : accepter, z : ignorer — transfert en 46,0 s" in text_of(
            pilot, "#suggestion"
        )


async def test_wall_clock_jump_does_not_bend_the_stopwatch(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t", "d", "enter", "x", "enter")
        await advance(pilot, clock, 20)
        clock.jump_wall(-3600)
        await advance(pilot, clock, 10)
        await pilot.press("p", "enter")
        assert live_of(pilot).store.get(AUDIT).call.transfer_seconds == 30.0


async def test_save_indicator_and_failed_save(
    live_db: Path, clock: FakeClock, full_disk: FullDisk
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t")
        assert text_of(pilot, "#save-state") == "✓ enregistré 14:05:00"
        full_disk.full = True  # the disk fills up: the system refuses the store's writes
        await pilot.press("d", "enter")
        assert text_of(pilot, "#save-state").startswith("⚠ NON ENREGISTRÉ")
        assert app.screen.query_one("#save-state").has_class("-error")
        full_disk.full = False
        await pilot.press("s")
        assert text_of(pilot, "#save-state").startswith("✓ enregistré")
        assert live_of(pilot).store.get(AUDIT).call.answered_at is not None


async def test_not_applicable_until_a_transfer(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await go_to(pilot, "5")
        view = app.screen.query_one(QuestionView)
        assert view.has_class("-blocked")
        assert "s.o." in str(view.query_one("#q-blocked", Static).render())
        await pilot.press("1")
        assert "5" not in live_of(pilot).store.get(AUDIT).answers
        await pilot.press("x", "enter", "1")
        assert live_of(pilot).store.get(AUDIT).answers["5"] == [1]
        assert not view.has_class("-blocked")


async def test_multi_select_toggles_and_exclusive_clears(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await go_to(pilot, "12")
        await pilot.press("1", "2")
        assert live_of(pilot).audit.answers["12"] == [1, 2]
        assert str(app.screen.query_one("#q-option-1 .option-mark", Static).render()) == "[x] 1"
        await pilot.press("3")  # « Rien de tout cela »
        assert live_of(pilot).audit.answers["12"] == [3]
        await pilot.press("backspace")
        assert "12" not in live_of(pilot).store.get(AUDIT).answers


async def test_moving_between_questions_and_sections(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        screen = screen_of(pilot)
        assert screen.current == "1"
        await pilot.press("j", "down")
        assert screen.current == "3"
        await pilot.press("j")  # Q4–Q8 without object are skipped
        assert screen.current == "9"
        await pilot.press("k")
        assert screen.current == "3"
        await pilot.press("right")
        assert screen.current == "9"
        await pilot.press("]", "right_square_bracket")
        assert screen.current == "21"
        await pilot.press("pagedown", "pageup")  # scrolls the question, stays on it
        assert screen.current == "21"
        await pilot.press("left", "[")
        assert screen.current == "9"
        await pilot.press("x", "enter", "k")  # now transferred: Q8 is on the way
        assert screen.current == "8"


async def test_jump_prompt_accepts_any_spelling_and_refuses_unknown(
    live_db: Path, clock: FakeClock
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("colon", *"Q7B", "enter")
        assert screen_of(pilot).current == "7b"
        await pilot.press("g", *"42", "enter")
        assert isinstance(app.screen, JumpPrompt)
        assert "Pas de question" in str(app.screen.query_one("#jump-error", Static).render())
        await pilot.press("escape")
        assert screen_of(pilot).current == "7b"


async def test_note_prompt_and_remaining_list(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await go_to(pilot, "13")
        await pilot.press("n")  # « n » is « Nouvel audit » at home: nothing here
        assert isinstance(app.screen, LiveCallScreen)
        await pilot.press("m")
        assert isinstance(app.screen, NotePrompt)
        await pilot.press(*"par mail", "enter")
        assert live_of(pilot).store.get(AUDIT).notes == {"13": "par mail"}
        assert "par mail" in str(app.screen.query_one("#q-note", Static).render())
        await pilot.press("v")
        assert isinstance(app.screen, RemainingPrompt)
        await pilot.press("down", "enter")  # the second unanswered question: Q2
        assert screen_of(pilot).current == "2"


async def test_undo_key_and_refusal_message(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24), notifications=True) as pilot:
        await pilot.press("t", "d", "enter", "u", "enter")  # « Annuler le décroché ? » oui
        assert live_of(pilot).store.get(AUDIT).call.answered_at is None
        await pilot.press("p", "enter")  # no transfer: refused, with the reason on screen
        await wait_for(pilot, lambda: "aucun transfert" in screen_text(app), "the reason")


async def test_escape_goes_home_and_keeps_the_draft(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("t", "d", "enter", "1")
        store = live_of(pilot).store
        await pilot.press("escape")
        assert not isinstance(app.screen, LiveCallScreen)
        stored = store.get(AUDIT)
        assert stored.status == "draft" and stored.answers == {"1": [1]}


async def test_command_palette_runs_live_actions(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await pilot.press("ctrl+p", *"tentative")

        def found() -> bool:  # the palette searches in a worker, then lists and highlights
            hits = app.screen.query("CommandList")
            return bool(hits) and hits.first(OptionList).highlighted is not None

        await wait_for(pilot, found, "the command found")
        await pilot.press("enter")
        await pilot.pause()
        assert len(live_of(pilot).store.get(AUDIT).call.attempts) == 1


async def test_opened_by_the_app_shell(tmp_path: Path, clock: FakeClock) -> None:
    db = seed_store(tmp_path / "store", [build_audit(30, "Lexus Dijon")])
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.post_message(OpenAudit(AUDIT, "draft"))
        await pilot.pause()
        assert isinstance(app.screen, LiveCallScreen)
        await pilot.press("t", "d", "enter", "1")
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, LiveCallScreen)
        assert app.store is not None and app.store.get(AUDIT).answers == {"1": [1]}


@pytest.fixture(autouse=True)
def _no_real_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("AUDITOR_TUI_DB", str(tmp_path / "never-used"))
    yield


async def test_the_note_window_shows_its_keys_whole_at_80_columns(
    live_db: Path, clock: FakeClock
) -> None:
    """Its label wraps: « Échap : annuler » not cut to « annu » at the window's edge."""
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await go_to(pilot, "24")
        await pilot.press("m")
        assert isinstance(app.screen, NotePrompt)
        await pilot.pause()
        inside = [line.split("│")[1] for line in screen_text(app).splitlines() if "│" in line]
        shown = " ".join(" ".join(part.split()) for part in inside)  # the window's text
        assert "Note de la question 24" in shown
        assert "Entrée : enregistrer, Échap : annuler)" in shown
