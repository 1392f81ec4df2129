"""The headless live call: timers, suggestions, answers, saving and resume, with a FakeClock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.domain.suggestions import Suggestion
from auditor_tui.session.call_state import LiveCallError
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from tests.conftest import FullDisk
from tests.factories import best_answers, dealer

GRID = load_grid()
T0 = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)  # a Tuesday
# The grid's questions and options by hand (tests/data/grid-2026-appel-source.txt, DOMAIN.md):
Q1, Q4, Q11, Q18, Q19 = "1", "4", "11", "18", "19"
UNREACHABLE = 4  # Q1 option 4: « Je n'ai pas réussi à joindre le concessionnaire »
OUI, NON = 1, 2  # Q4 and Q18: « Oui », « Non »
TRANSFER_ONLY = ["4", "5", "6", "7a", "7b", "8"]  # « Si l'appel a été transféré »


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def audit_id(store: Store, clock: FakeClock) -> str:
    audit = Audit.new(dealer(), GRID, clock.now())
    store.create(audit, clock.now())
    return audit.id


@pytest.fixture
def live(store: Store, audit_id: str, clock: FakeClock) -> LiveCall:
    return LiveCall(store, audit_id, clock)


def only(live: LiveCall, qid: str) -> Suggestion:
    found = [s for s in live.suggestions() if s.question == qid]
    assert len(found) == 1, live.suggestions()
    return found[0]


def none_for(live: LiveCall, qid: str) -> bool:
    return all(s.question != qid for s in live.suggestions())


# ---- dial attempts and Q1 ------------------------------------------------------------------


def test_no_attempt_no_suggestion(live: LiveCall) -> None:
    assert live.suggestions() == []


# Q1: 1 = « 1 tentative », 2 = « 2 tentatives », 3 = « 3 tentatives »
@pytest.mark.parametrize(("n", "option"), [(1, 1), (2, 2), (3, 3)])
def test_attempt_count_suggests_q1(live: LiveCall, clock: FakeClock, n: int, option: int) -> None:
    for _ in range(n):
        live.dial_attempt()
        clock.advance(20)
    live.answered()
    s = only(live, Q1)
    assert s.positions == (option,)
    assert "tentative" in s.reason
    assert not s.ends_call


def test_attempts_are_time_stamped_and_saved(
    live: LiveCall, store: Store, clock: FakeClock, audit_id: str
) -> None:
    live.dial_attempt()
    clock.advance(30)
    live.dial_attempt()
    stored = store.get(audit_id).call.attempts
    assert [parse_instant(a) for a in stored] == [T0, T0.replace(second=30)]


def test_third_failed_attempt_suggests_unreachable_never_silently(
    live: LiveCall, store: Store, audit_id: str
) -> None:
    for _ in range(3):
        live.dial_attempt()
    assert only(live, Q1).positions == (3,)  # the third still rings
    live.dial_attempt()  # and fails: no fourth attempt is recorded
    assert len(store.get(audit_id).call.attempts) == 3
    s = only(live, Q1)
    assert s.positions == (UNREACHABLE,)
    assert s.ends_call
    assert store.get(audit_id).answers == {}  # a suggestion, not an answer
    live.accept(s)
    saved = store.get(audit_id)
    assert saved.answers == {Q1: [UNREACHABLE]}
    assert saved.score().outcome == "unreachable"
    assert (saved.score().points, saved.score().max) == (0, 30)  # DOMAIN §2: 0 out of 30
    assert saved.call.ended_at is not None
    assert saved.status == "complete"  # nothing to follow up
    assert saved.deadlines is None
    assert live.suggestions() == []


def test_ending_after_three_unanswered_attempts_suggests_unreachable(live: LiveCall) -> None:
    for _ in range(3):
        live.dial_attempt()
    live.end_call()
    assert only(live, Q1).positions == (UNREACHABLE,)


def test_unreachable_blocks_everything_else(live: LiveCall) -> None:
    for _ in range(4):
        live.dial_attempt()
    live.accept(only(live, Q1))
    # Unreachable ends the audit as complete: every further change is refused.
    with pytest.raises(LiveCallError, match="terminé"):
        live.answer("9", 1)
    with pytest.raises(LiveCallError, match="terminé"):
        live.dial_attempt()


def test_unreachable_refused_when_other_answers_exist(live: LiveCall) -> None:
    live.answered()
    live.answer("9", 1)
    with pytest.raises(LiveCallError, match="Q9"):
        live.answer(Q1, UNREACHABLE)


def test_no_attempt_after_pickup(live: LiveCall) -> None:
    live.dial_attempt()
    live.answered()
    with pytest.raises(LiveCallError, match="décroché"):
        live.dial_attempt()
    with pytest.raises(LiveCallError, match="décroché"):
        live.answered()


def test_answered_sets_started_at_to_first_attempt(
    live: LiveCall, clock: FakeClock, store: Store, audit_id: str
) -> None:
    live.dial_attempt()
    clock.advance(40)
    live.dial_attempt()
    clock.advance(5)
    live.answered()
    call = store.get(audit_id).call
    assert call.started_at == call.attempts[0]
    assert parse_instant(call.answered_at or "") == T0.replace(second=45)


def test_answered_without_dialling_counts_one_attempt(live: LiveCall) -> None:
    live.answered()
    assert len(live.audit.call.attempts) == 1
    assert only(live, Q1).positions == (1,)


# ---- the 45-second transfer ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "option"),
    # DOMAIN §3: ≤ 45.0 s as displayed (rounded to 0.1 s) is « Oui »; 45.04 s shows « 45,0 s ».
    [(44.9, OUI), (45.0, OUI), (45.04, OUI), (45.1, NON)],
)
def test_transfer_boundary(live: LiveCall, clock: FakeClock, seconds: float, option: int) -> None:
    live.answered()
    live.transfer_start()
    clock.advance(seconds)
    live.transfer_pickup()
    stored, shown = {
        44.9: (44.9, "44,9 s"),
        45.0: (45.0, "45,0 s"),
        45.04: (45.0, "45,0 s"),
        45.1: (45.1, "45,1 s"),
    }[seconds]
    assert live.audit.call.transfer_seconds == stored
    s = only(live, Q4)
    assert s.positions == (option,)
    assert shown in s.reason


def test_transfer_makes_q4_to_q8_applicable(live: LiveCall) -> None:
    live.answered()
    for qid in TRANSFER_ONLY:
        with pytest.raises(LiveCallError, match="sans objet"):
            live.answer(qid, 1)
    live.transfer_start()
    for qid in TRANSFER_ONLY:
        live.answer(qid, 1)
    assert all(live.audit.answers[q] == [1] for q in TRANSFER_ONLY)


def test_wall_clock_jump_does_not_bend_the_transfer(live: LiveCall, clock: FakeClock) -> None:
    live.answered()
    live.transfer_start()
    clock.advance(20)
    clock.jump_wall(3600)  # NTP or the user moves the system clock an hour ahead
    clock.advance(12.4)
    live.transfer_pickup()
    assert live.audit.call.transfer_seconds == 32.4
    assert only(live, Q4).positions == (OUI,)


def test_running_transfer_past_the_limit_suggests_no(live: LiveCall, clock: FakeClock) -> None:
    live.answered()
    live.transfer_start()
    clock.advance(45)
    assert none_for(live, Q4)  # not over yet: no suggestion while it can still be « Oui »
    assert live.transfer_elapsed() == 45.0
    clock.advance(1)
    s = only(live, Q4)
    assert s.positions == (NON,)
    assert "46,0 s" in s.reason


def test_transfer_pickup_needs_a_transfer(live: LiveCall) -> None:
    live.answered()
    with pytest.raises(LiveCallError, match="transfert"):
        live.transfer_pickup()
    live.transfer_start()
    with pytest.raises(LiveCallError, match="déjà"):
        live.transfer_start()
    live.transfer_pickup()
    with pytest.raises(LiveCallError, match="déjà"):
        live.transfer_pickup()


def test_transfer_start_implies_pickup_of_the_call(live: LiveCall) -> None:
    live.dial_attempt()
    live.transfer_start()
    assert live.audit.call.answered_at is not None
    assert live.audit.call.transferred


# ---- discovery questions, Q11 ---------------------------------------------------------------


# Q11: 1 = « Aucune question posée », 2 = « 1 à 3 questions », 3 = « 4 ou 5 questions »,
# 4 = « Plus de 5 questions »
@pytest.mark.parametrize(("count", "option"), [(1, 2), (3, 2), (4, 3), (5, 3), (6, 4), (9, 4)])
def test_discovery_bands(live: LiveCall, count: int, option: int) -> None:
    live.answered()
    for _ in range(count):
        live.discovery_question()
    assert live.audit.call.discovery_questions == count
    assert only(live, Q11).positions == (option,)


def test_discovery_zero_suggested_only_at_call_end(live: LiveCall) -> None:
    live.answered()
    assert none_for(live, Q11)
    live.end_call()
    assert only(live, Q11).positions == (1,)  # « Aucune question posée »


# ---- answers -------------------------------------------------------------------------------


def test_single_sets_multi_toggles_exclusive_clears(live: LiveCall) -> None:
    live.answered()
    live.answer("9", 1)
    live.answer("9", 2)
    assert live.audit.answers["9"] == [2]
    live.answer("3", 1)
    live.answer("3", 3)
    assert live.audit.answers["3"] == [1, 3]
    live.answer("3", 3)
    assert live.audit.answers["3"] == [1]
    live.answer("3", 4)  # « Non », exclusive
    assert live.audit.answers["3"] == [4]
    live.answer("3", 2)
    assert live.audit.answers["3"] == [2]
    live.answer("3", 2)
    assert "3" not in live.audit.answers


def test_answer_refusals(live: LiveCall) -> None:
    with pytest.raises(LiveCallError, match="inconnue"):
        live.answer("99", 1)
    with pytest.raises(LiveCallError, match="option 5"):
        live.answer("9", 5)


def test_clear_and_notes(live: LiveCall, store: Store, audit_id: str) -> None:
    live.answer("13", 1)
    live.clear("13")
    live.set_note("13", "  « Je vous rappelle demain » ")
    saved = store.get(audit_id)
    assert "13" not in saved.answers
    assert saved.notes == {"13": "« Je vous rappelle demain »"}
    live.set_note("13", "")
    assert store.get(audit_id).notes == {}


def test_running_score(live: LiveCall) -> None:
    live.answered()
    live.answer("3", 1)
    live.answer("3", 2)
    live.answer("9", 2)
    score = live.score
    assert (score.points, score.answered_max, score.max) == (2, 4, 25)
    live.transfer_start()
    assert live.score.max == 30


def test_perfect_transferred_call_scores_thirty(live: LiveCall, clock: FakeClock) -> None:
    live.dial_attempt()
    live.answered()
    live.transfer_start()
    clock.advance(20)
    live.transfer_pickup()
    for qid, positions in best_answers(transferred=True).items():
        for p in positions:
            live.answer(qid, p)
    score = live.score
    assert (score.points, score.max, score.percent, score.stars) == (30, 30, 100.0, 5)


# ---- Q18 from the agreed method ------------------------------------------------------------


# Q19: 1 = « Par e-mail », 2 = « Par téléphone »; Q18: 1 = « Oui », 2 = « Non »
@pytest.mark.parametrize(("agreed", "q18"), [("phone", OUI), ("email", NON)])
def test_method_match_suggests_q18(live: LiveCall, agreed: str, q18: int) -> None:
    live.answered()
    live.set_agreed_method(agreed)
    assert none_for(live, Q18)
    live.answer(Q19, 2)  # called back by phone
    assert only(live, Q18).positions == (q18,)


def test_cycle_agreed_method(live: LiveCall) -> None:
    seen = [live.cycle_agreed_method().call.agreed_method for _ in range(3)]
    assert seen == ["phone", "email", None]
    with pytest.raises(LiveCallError):
        live.set_agreed_method("fax")


# ---- accept, dismiss -----------------------------------------------------------------------


def test_accept_and_dismiss(live: LiveCall, store: Store, audit_id: str) -> None:
    live.dial_attempt()
    live.answered()
    s = only(live, Q1)
    live.dismiss(s)
    assert none_for(live, Q1)
    live.discovery_question()
    live.accept(only(live, Q11))
    assert store.get(audit_id).answers == {Q11: [2]}  # one question: « 1 à 3 questions »
    assert none_for(live, Q11)  # applied: nothing left to suggest


def test_a_new_count_replaces_an_accepted_one(live: LiveCall) -> None:
    live.dial_attempt()
    live.accept(only(live, Q1))
    live.dial_attempt()
    assert only(live, Q1).positions == (2,)


# ---- end of call, undo ---------------------------------------------------------------------


def test_end_call_starts_the_follow_up_clocks(live: LiveCall, store: Store, audit_id: str) -> None:
    live.dial_attempt()
    live.answered()
    live.end_call()
    saved = store.get(audit_id)
    assert saved.status == "awaiting_follow_up"
    assert saved.deadlines and set(saved.deadlines) == {"email", "callback"}
    with pytest.raises(LiveCallError, match="terminé"):
        live.end_call()
    with pytest.raises(LiveCallError, match="terminé"):
        live.discovery_question()
    live.answer("16", 1)  # follow-up questions stay answerable


def test_end_call_needs_an_attempt(live: LiveCall) -> None:
    with pytest.raises(LiveCallError, match="tentative"):
        live.end_call()


def test_undo_walks_back_the_timer_events(live: LiveCall, clock: FakeClock) -> None:
    live.dial_attempt()
    live.answered()
    live.transfer_start()
    clock.advance(10)
    live.transfer_pickup()
    live.discovery_question()
    live.end_call()
    assert live.undo() == "fin d'appel annulée"
    assert live.audit.status == "draft" and live.audit.deadlines is None
    assert live.undo() == "question de découverte retirée"
    assert live.undo() == "prise du transfert annulée"
    assert live.audit.call.transfer_seconds is None
    clock.advance(5)
    assert live.transfer_elapsed() == 15.0  # the stopwatch runs on
    assert live.undo() == "début de transfert annulé"
    assert not live.audit.call.transferred
    assert live.undo() == "décroché annulé"
    assert live.undo() == "tentative d'appel annulée"
    assert live.audit.call.attempts == []
    with pytest.raises(LiveCallError, match="aucun"):
        live.undo()


def test_undo_transfer_refused_while_its_questions_are_answered(live: LiveCall) -> None:
    live.transfer_start()
    live.answer("5", 1)
    with pytest.raises(LiveCallError, match="Q5"):
        live.undo()
    live.clear("5")
    assert live.undo() == "début de transfert annulé"


def test_undo_after_resume_uses_the_stored_order(
    live: LiveCall, store: Store, audit_id: str, clock: FakeClock
) -> None:
    live.dial_attempt()
    live.answered()
    again = LiveCall(store, audit_id, clock)
    assert again.undo() == "décroché annulé"
    assert store.get(audit_id).call.answered_at is None


def test_undo_the_third_failure_mark(live: LiveCall) -> None:
    for _ in range(4):
        live.dial_attempt()
    assert only(live, Q1).ends_call
    live.undo()
    assert only(live, Q1).positions == (3,)
    assert len(live.audit.call.attempts) == 3


# ---- resume ---------------------------------------------------------------------------------


def test_resume_rebuilds_timers_from_stored_instants(
    live: LiveCall, store: Store, audit_id: str, clock: FakeClock
) -> None:
    live.dial_attempt()
    live.answered()
    clock.advance(10)
    live.transfer_start()
    live.answer("3", 1)
    clock.advance(20)
    # The process dies; a new one starts later with an unrelated monotonic origin.
    later = FakeClock(clock.now(), mono=5.0)
    later.advance(7)
    resumed = LiveCall(store, audit_id, later)
    assert resumed.audit.answers == {"3": [1]}
    assert resumed.transfer_elapsed() == 27.0
    assert resumed.call_elapsed() == 37.0
    assert resumed.transfer_running
    later.advance(10)  # then monotonic again
    resumed.transfer_pickup()
    assert resumed.audit.call.transfer_seconds == 37.0
    assert only(resumed, Q4).positions == (OUI,)


def test_ended_call_durations_come_from_the_instants(
    live: LiveCall, store: Store, audit_id: str, clock: FakeClock
) -> None:
    live.dial_attempt()
    live.answered()
    clock.advance(125)
    live.end_call()
    clock.advance(600)
    assert LiveCall(store, audit_id, clock).call_elapsed() == 125.0


# ---- saving ---------------------------------------------------------------------------------


def test_every_change_is_saved_before_returning(
    live: LiveCall, store: Store, audit_id: str, clock: FakeClock
) -> None:
    before = store.get(audit_id).revision
    live.dial_attempt()
    live.answer("9", 1)
    live.set_note("9", "verbatim")
    saved = store.get(audit_id)
    assert saved.revision == before + 3
    assert saved.answers == {"9": [1]} and saved.notes == {"9": "verbatim"}
    assert live.saved_at == clock.now() and live.save_error is None
    assert [e["kind"] for e in store.events(audit_id)][-1] == "note"


def test_store_error_propagates_and_a_retry_writes_it(
    live: LiveCall, store: Store, audit_id: str, full_disk: FullDisk
) -> None:
    full_disk.full = True
    with pytest.raises(StoreError):
        live.answer("9", 1)
    assert live.save_error and "plein" in live.save_error
    assert live.audit.answers == {"9": [1]}  # kept in memory…
    assert "9" not in store.get(audit_id).answers  # …not on disk
    full_disk.full = False
    live.retry_save()
    assert live.save_error is None
    assert store.get(audit_id).answers == {"9": [1]}


def test_completed_audit_is_read_only(live: LiveCall, store: Store, audit_id: str) -> None:
    live.audit.status = "complete"
    with pytest.raises(LiveCallError, match="rouvrez"):
        live.answer("9", 1)
