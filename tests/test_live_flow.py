"""The natural order of a call, headless: what is still to answer during the call (the
questions only the follow-up can answer — the e-mail, the call-back, how it came: Q16–Q19 — are
« après l'appel » and not missing then), and which question comes next after an answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import Audit
from auditor_tui.session.live import LiveCall, after_call_questions
from auditor_tui.store import Store
from tests.factories import best_answers, dealer

GRID = load_grid()
T0 = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)
AFTER = ["16", "17", "18", "19"]


@pytest.fixture
def live(store: Store) -> LiveCall:
    clock = FakeClock(T0)
    audit = Audit.new(dealer(), GRID, T0)
    store.create(audit, T0)
    return LiveCall(store, audit.id, clock)


def test_the_questions_after_the_call_come_from_the_grid_rules() -> None:
    assert sorted(after_call_questions(GRID), key=GRID.question_ids.index) == AFTER
    for rule in ("email", "callback", "method_match", "callback_method"):
        assert GRID.rule_question(rule) in after_call_questions(GRID)


def test_during_the_call_the_after_call_questions_are_not_missing(live: LiveCall) -> None:
    live.answered()
    remaining = live.remaining()
    assert not set(AFTER) & set(remaining)
    assert "20" in remaining and "15" in remaining  # Q20–Q24 can be answered on the phone
    assert all(live.after_call(q) for q in AFTER)
    assert not live.after_call("20")


def test_once_the_call_has_ended_they_are_missing_again(live: LiveCall) -> None:
    live.answered()
    live.end_call()
    assert {"16", "17", "18"} <= set(live.remaining())
    assert not any(live.after_call(q) for q in AFTER)


def test_next_question_skips_answered_not_applicable_and_after_call_ones(live: LiveCall) -> None:
    live.answered()
    assert live.next_question("3") == "9"  # Q4–Q8 without object: no transfer
    live.answer("9", 1)
    live.answer("10", 1)
    assert live.next_question("3") == "11"
    assert live.next_question("15") == "20"  # past Q16–Q19
    live.transfer_start()
    assert live.next_question("3") == "4"


def test_next_question_comes_back_to_the_first_one_left(live: LiveCall) -> None:
    live.answered()
    for qid, positions in best_answers(False).items():
        if qid not in {"1", "2", *AFTER}:
            live.audit.answers[qid] = positions
    assert live.next_question("24") == "1"
    assert live.next_question("1") == "2"
    live.audit.answers["1"] = [1]
    live.audit.answers["2"] = [1]
    assert live.next_question("24") is None  # nothing left during the call


def test_nothing_is_next_for_an_unreachable_dealer(live: LiveCall) -> None:
    for _ in range(4):
        live.dial_attempt()
    (suggestion,) = live.suggestions()
    live.accept(suggestion)
    assert live.remaining() == []
    assert live.next_question("1") is None
