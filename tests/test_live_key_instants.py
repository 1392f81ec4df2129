"""The phase changes of a live call happen at the instant of their key, even when the screen
confirms them later: the transfer's 45 s run from the hold, the call ends when `f` was pressed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store
from tests.factories import dealer

GRID = load_grid()
T0 = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def live(store: Store, clock: FakeClock) -> LiveCall:
    audit = Audit.new(dealer(), GRID, clock.now())
    store.create(audit, clock.now())
    return LiveCall(store, audit.id, clock)


def at(live: LiveCall, instant: str | None) -> datetime:
    assert instant is not None
    return parse_instant(instant)


def test_a_transfer_confirmed_late_is_measured_from_the_keys(
    live: LiveCall, clock: FakeClock
) -> None:
    live.dial_attempt()
    pressed_x = clock.monotonic()
    clock.advance(3)  # the auditor confirms the transfer 3 s after « x »
    live.transfer_start(pressed_x)
    clock.advance(30)
    pressed_p = clock.monotonic()
    clock.advance(2)  # and its pick-up 2 s after « p »
    stored = live.transfer_pickup(pressed_p)
    assert stored.call.transfer_seconds == 33.0  # not 32 (from the confirmations) nor 35
    assert at(live, stored.call.transfer_started_at) == T0
    assert at(live, stored.call.transfer_answered_at) == T0 + timedelta(seconds=33)
    assert live.store.get(live.audit_id).call.transfer_seconds == 33.0


def test_answered_and_end_of_call_take_their_keys_instants(
    live: LiveCall, clock: FakeClock
) -> None:
    live.dial_attempt()
    clock.advance(10)
    pressed_d = clock.monotonic()
    clock.advance(1.5)
    live.answered(pressed_d)
    assert at(live, live.audit.call.answered_at) == T0 + timedelta(seconds=10)
    clock.advance(298.5)
    pressed_f = clock.monotonic()
    clock.advance(4)
    stored = live.end_call(pressed_f)
    assert at(live, stored.call.ended_at) == T0 + timedelta(seconds=310)
    assert live.call_elapsed() == 300.0


def test_an_unreachable_dealer_confirmed_late_ends_the_call_at_the_key(
    live: LiveCall, clock: FakeClock
) -> None:
    for _ in range(3):
        live.dial_attempt()
        clock.advance(30)
    live.dial_attempt()  # the third one failed too
    (unreachable,) = [s for s in live.suggestions() if s.ends_call]
    pressed = clock.monotonic()
    clock.advance(5)
    stored = live.accept(unreachable, at=pressed)
    assert at(live, stored.call.ended_at) == T0 + timedelta(seconds=90)


def test_an_instant_in_the_future_is_taken_as_now(live: LiveCall, clock: FakeClock) -> None:
    live.dial_attempt()
    stored = live.transfer_start(clock.monotonic() + 60)
    assert at(live, stored.call.transfer_started_at) == T0
    assert live.transfer_elapsed() == 0.0
