"""An unreachable dealer's audit (Q1 « Je n'ai pas réussi à joindre », three failed attempts) is
complete once the call has ended, in whichever order the auditor did things: no deadlines,
nothing in the follow-up queue, null deadlines in every export. Audits left « suivi en
attente » by an older version are completed when the app opens the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.lifecycle import LifecycleError, end_call, reopen, settle
from auditor_tui.domain.queue import build_queue
from auditor_tui.domain.record import Audit, format_instant
from auditor_tui.exchange.sync import csv_bytes, jsonl_bytes
from auditor_tui.session.followup import FollowUpSession
from auditor_tui.session.live import LiveCall
from auditor_tui.session.resume import complete_unreachable
from auditor_tui.store import Store
from tests.factories import dealer

GRID = load_grid()
T0 = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)  # a Tuesday
Q1 = "1"
UNREACHABLE = 4  # Q1 option 4: « Je n'ai pas réussi à joindre le concessionnaire »


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def live(store: Store, clock: FakeClock) -> LiveCall:
    audit = Audit.new(dealer(), GRID, clock.now())
    store.create(audit, clock.now())
    return LiveCall(store, audit.id, clock)


def three_failed_attempts(live: LiveCall, clock: FakeClock) -> None:
    for _ in range(3):
        live.dial_attempt()
        clock.advance(30)


def assert_complete_without_follow_up(store: Store, audit_id: str) -> None:
    stored = store.get(audit_id)
    assert stored.status == "complete"
    assert stored.deadlines is None
    assert stored.score().outcome == "unreachable"
    assert build_queue(store.summaries()) == []
    record = json.loads(jsonl_bytes([stored]))
    assert record["status"] == "complete"
    assert record["deadlines"] == {"email": None, "callback": None}
    header, row = csv_bytes([stored]).decode("utf-8-sig").splitlines()[:2]  # one audit
    cells = dict(zip(header.split(";"), row.split(";"), strict=True))
    assert cells["email_deadline"] == "" and cells["callback_deadline"] == ""


def test_end_of_call_then_accepting_unreachable_completes_the_audit(
    live: LiveCall, store: Store, clock: FakeClock
) -> None:
    """The issue's path: three attempts, « f », then the suggestion accepted."""
    three_failed_attempts(live, clock)
    live.end_call()
    assert store.get(live.audit_id).status == "awaiting_follow_up"  # Q1 not known yet
    (suggestion,) = [s for s in live.suggestions() if s.question == Q1]
    assert suggestion.positions == (UNREACHABLE,)
    live.accept(suggestion)
    assert_complete_without_follow_up(store, live.audit_id)


def test_end_of_call_then_picking_unreachable_completes_the_audit(
    live: LiveCall, store: Store, clock: FakeClock
) -> None:
    three_failed_attempts(live, clock)
    live.end_call()
    live.answer(Q1, UNREACHABLE)
    assert_complete_without_follow_up(store, live.audit_id)


def test_picking_unreachable_then_ending_the_call_completes_the_audit(
    live: LiveCall, store: Store, clock: FakeClock
) -> None:
    three_failed_attempts(live, clock)
    live.answer(Q1, UNREACHABLE)
    assert store.get(live.audit_id).status == "draft"  # the call is still on
    live.end_call()
    assert_complete_without_follow_up(store, live.audit_id)


def test_unreachable_recorded_in_the_follow_up_completes_the_audit(
    store: Store, clock: FakeClock
) -> None:
    audit = Audit.new(dealer(), GRID, T0)
    audit.call.attempts = [format_instant(T0)]
    end_call(audit, T0 + timedelta(minutes=2))
    assert audit.status == "awaiting_follow_up" and audit.deadlines
    store.put_many([audit], moment=T0)
    session = FollowUpSession(store, audit.id)
    session.answer(Q1, UNREACHABLE, T0 + timedelta(minutes=5))
    assert_complete_without_follow_up(store, audit.id)


def left_awaiting_by_an_older_version(n: int = 1) -> Audit:
    """As the old code stored it: unreachable, « suivi en attente », with deadlines."""
    audit = Audit.new(dealer(f"Lexus {n}"), GRID, T0)
    audit.call.attempts = [format_instant(T0 + timedelta(seconds=30 * i)) for i in range(3)]
    end_call(audit, T0 + timedelta(minutes=2))
    audit.answers = {Q1: [UNREACHABLE]}
    assert audit.deadlines is not None
    return audit


def test_settle_is_the_one_rule() -> None:
    audit = left_awaiting_by_an_older_version()
    assert settle(audit) is True
    assert (audit.status, audit.deadlines) == ("complete", None)
    assert settle(audit) is False  # already so
    draft = Audit.new(dealer(), GRID, T0)
    draft.answers = {Q1: [UNREACHABLE]}
    assert settle(draft) is False  # the call has not ended: still a draft
    assert draft.status == "draft"


def test_the_app_completes_those_left_awaiting_by_an_older_version(store: Store) -> None:
    old = left_awaiting_by_an_older_version(1)
    reached = Audit.new(dealer("Lexus Lyon"), GRID, T0)
    reached.call.attempts = [format_instant(T0)]
    end_call(reached, T0 + timedelta(minutes=8))
    store.put_many([old, reached], moment=T0)
    assert {s.id: s.status for s in store.summaries()}[old.id] == "awaiting_follow_up"
    moment = T0 + timedelta(days=3)
    assert complete_unreachable(store, moment) == [old.id]
    assert_complete_without_follow_up_but(store, old.id, reached.id)
    events = store.events(old.id)
    assert any(e["kind"] == "complete" and e["field"] == "status" for e in events)
    assert complete_unreachable(store, moment) == []  # once


def assert_complete_without_follow_up_but(store: Store, done: str, waiting: str) -> None:
    stored = store.get(done)
    assert (stored.status, stored.deadlines) == ("complete", None)
    assert [e.audit_id for e in build_queue(store.summaries())] == [waiting]


def test_an_unreachable_audit_is_never_in_the_follow_up_queue(store: Store) -> None:
    """Even one still « suivi en attente » (imported as such): nothing to follow up."""
    store.put_many([left_awaiting_by_an_older_version()], moment=T0)
    assert store.summaries()[0].status == "awaiting_follow_up"
    assert build_queue(store.summaries()) == []


def test_an_unreachable_audit_cannot_be_reopened() -> None:
    audit = left_awaiting_by_an_older_version()
    settle(audit)
    with pytest.raises(LifecycleError, match="injoignable"):
        reopen(audit, "vérification")
    assert audit.status == "complete"
